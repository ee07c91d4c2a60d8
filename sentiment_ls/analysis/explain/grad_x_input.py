"""Gradient x input: the gradient of the label's log-odds with respect to each word
embedding, times that embedding, summed over its dimensions.

One forward and one backward pass: the cheapest method, and a first-order estimate in nats.
It is a local linearisation of a very non-linear model, so the benchmark decides whether it
can be trusted (earlier measurements on MiniLM found it no better than random).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sentiment_ls.analysis.explain.attributions import (
    MethodOptions,
    Scores,
    Word,
    content_indices,
    label_log_odds_torch,
)
from sentiment_ls.analysis.loaded_model import LoadedModel
from sentiment_ls.analysis.postprocess import function_to_apply
from sentiment_ls.analysis.preprocess import Encoding

NAME = "grad-x-input"


def attribute(
    loaded: LoadedModel,
    encoding: Encoding,
    words: Sequence[Word],
    label_id: int,
    options: MethodOptions,
    should_stop: Callable[[], bool] | None = None,
) -> Scores:
    # One forward and one backward pass: nothing to stop between.
    import torch

    served = loaded.torch_model(f"the attribution method `{NAME}`")
    model = served.model
    function = function_to_apply(loaded.problem_type, len(loaded.id2label))
    ids = torch.tensor([encoding.windows[0]], dtype=torch.long, device=served.device)
    with torch.enable_grad():
        embeddings = model.get_input_embeddings()(ids).detach().requires_grad_(True)
        logits = model(inputs_embeds=embeddings, attention_mask=torch.ones_like(ids)).logits
        (gradient,) = torch.autograd.grad(
            label_log_odds_torch(logits.float(), label_id, function).sum(), embeddings
        )
    per_token = (gradient * embeddings).sum(dim=-1)[0].detach().float().cpu().tolist()
    chosen = set(content_indices(encoding))
    return Scores(tokens=tuple(s if i in chosen else None for i, s in enumerate(per_token)))
