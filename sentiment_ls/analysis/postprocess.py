"""Stage 3 of the pipeline, post-processing: logits -> probabilities and a label.

As `TextClassificationPipeline` does: softmax for single-label models, sigmoid for
multi-label ones and for a single regression-style output; labels through `id2label`.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class Prediction:
    label: str
    score: float  # the probability of `label`
    probabilities: dict[str, float]  # every label, in id order
    logits: tuple[float, ...]
    function: str  # what turned logits into probabilities


def function_to_apply(problem_type: str | None, num_labels: int) -> str:
    if problem_type == "multi_label_classification" or num_labels == 1:
        return "sigmoid"
    return "softmax"


def postprocess(
    logits: torch.Tensor, id2label: dict[int, str], problem_type: str | None = None
) -> Prediction:
    """One sentence's logits (1-D) to its prediction."""
    logits = logits.float()
    function = function_to_apply(problem_type, logits.numel())
    scores = torch.sigmoid(logits) if function == "sigmoid" else torch.softmax(logits, dim=-1)
    best = int(scores.argmax())
    probabilities = {id2label[i]: float(scores[i]) for i in range(scores.numel())}
    return Prediction(
        label=id2label[best],
        score=float(scores[best]),
        probabilities=probabilities,
        logits=tuple(float(x) for x in logits),
        function=function,
    )
