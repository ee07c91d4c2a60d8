"""Integrated Gradients on the input embeddings, with Captum's `LayerIntegratedGradients`.

The gradient of the label's log-odds is integrated along the straight line from a baseline
to the sentence in the space of the word embeddings; a token's score is the integral times
its embedding's distance from the baseline, summed over the embedding's dimensions. The
scores of a sentence add up (up to the integration error, which falls as `steps` grows) to
the log-odds of the sentence minus those of the baseline, so they are in nats, like the
other methods. The baseline keeps the special tokens and puts the padding token's embedding
in place of every word: "the same sentence with nothing said", with positions unchanged.
All the steps run as one batch.
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

NAME = "integrated-gradients"


def attribute(
    loaded: LoadedModel,
    encoding: Encoding,
    words: Sequence[Word],
    label_id: int,
    options: MethodOptions,
    should_stop: Callable[[], bool] | None = None,
) -> Scores:
    # Captum runs the steps in one call, so this method runs to its end once started.
    served = loaded.torch_model(f"the attribution method `{NAME}`")
    import torch

    # Captum imports matplotlib; only pay for that when this method is used.
    from captum.attr import LayerIntegratedGradients

    model = served.model
    function = function_to_apply(loaded.problem_type, len(loaded.id2label))
    ids = torch.tensor([encoding.windows[0]], dtype=torch.long, device=served.device)
    content = content_indices(encoding)
    baseline = ids.clone()
    baseline[0, content] = loaded.pad_id

    def log_odds(input_ids: torch.Tensor) -> torch.Tensor:
        mask = torch.ones_like(input_ids)
        logits = model(input_ids=input_ids, attention_mask=mask).logits.float()
        return label_log_odds_torch(logits, label_id, function)

    integrated = LayerIntegratedGradients(log_odds, model.get_input_embeddings())
    with torch.enable_grad():
        attributions = integrated.attribute(
            ids, baselines=baseline, n_steps=options.steps, internal_batch_size=options.steps
        )
    per_token = attributions.sum(dim=-1)[0].detach().float().cpu().tolist()
    chosen = set(content)
    return Scores(tokens=tuple(s if i in chosen else None for i, s in enumerate(per_token)))
