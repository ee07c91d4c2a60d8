"""Which tokens pushed the score: leave-one-out occlusion.

Each content token is removed in turn, every variant run in one batch, and a token's
contribution is how much the predicted label's log-odds drop without it (positive: the token
supports the label; negative: it pushes against it). Log-odds rather than probabilities
because probabilities saturate: at P = 0.99 removing the decisive word may move P by 0.001
while the log-odds fall by several units. Units are nats, so scores compare across sentences.
Occlusion needs only forward passes, so it works on any model the forward stage can run.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from sentiment_ls.analysis.forward import forward
from sentiment_ls.analysis.model_loading import LoadedModel
from sentiment_ls.analysis.postprocess import function_to_apply
from sentiment_ls.analysis.preprocess import Encoding

METHOD = "occlusion"


@dataclass(frozen=True)
class Explanation:
    method: str
    label: str
    contributions: tuple[float | None, ...]  # one per token of the first window; None: special


def label_log_odds(logits: torch.Tensor, label_id: int, function: str) -> torch.Tensor:
    """log P(label) - log P(not label), per row."""
    if function == "sigmoid":
        return logits[:, label_id]  # the logit of an independent sigmoid is its log-odds
    others = torch.cat([logits[:, :label_id], logits[:, label_id + 1 :]], dim=1)
    return logits[:, label_id] - torch.logsumexp(others, dim=1)


def explain(loaded: LoadedModel, encoding: Encoding, label: str) -> Explanation:
    label_id = next(i for i, name in loaded.id2label.items() if name == label)
    ids = [token.id for token in encoding.tokens]
    content = [i for i, token in enumerate(encoding.tokens) if token.span is not None]
    variants = [ids] + [ids[:i] + ids[i + 1 :] for i in content]
    logits = forward(loaded, variants)
    function = function_to_apply(loaded.problem_type, logits.shape[-1])
    log_odds = label_log_odds(logits, label_id, function)
    full = float(log_odds[0])
    drops = {index: full - float(value) for index, value in zip(content, log_odds[1:], strict=True)}
    return Explanation(
        method=METHOD,
        label=label,
        contributions=tuple(drops.get(i) for i in range(len(ids))),
    )
