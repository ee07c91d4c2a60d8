"""Stage 3 of the pipeline, post-processing: logits -> probabilities and a label.

As `TextClassificationPipeline` does: softmax for single-label models, sigmoid for
multi-label ones and for a single regression-style output; labels through `id2label`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


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
    logits: npt.ArrayLike, id2label: dict[int, str], problem_type: str | None = None
) -> Prediction:
    """One sentence's logits (1-D) to its prediction."""
    values = np.asarray(logits, dtype=np.float64).reshape(-1)
    function = function_to_apply(problem_type, values.size)
    if function == "sigmoid":
        scores = 1.0 / (1.0 + np.exp(-values))
    else:
        shifted = np.exp(values - values.max())
        scores = shifted / shifted.sum()
    best = int(scores.argmax())
    probabilities = {id2label[i]: float(scores[i]) for i in range(scores.size)}
    return Prediction(
        label=id2label[best],
        score=float(scores[best]),
        probabilities=probabilities,
        logits=tuple(float(np.float32(x)) for x in values),
        function=function,
    )
