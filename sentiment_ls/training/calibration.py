"""Temperature scaling and expected calibration error, on numpy logits."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

Logits = npt.NDArray[np.float64]


def softmax(logits: Logits) -> Logits:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    result: Logits = exp / exp.sum(axis=-1, keepdims=True)
    return result


def negative_log_likelihood(logits: Logits, gold: Sequence[int]) -> float:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    log_norm = np.log(np.exp(shifted).sum(axis=-1))
    picked = shifted[np.arange(len(gold)), np.asarray(gold)]
    return float(np.mean(log_norm - picked))


def fit_temperature(logits: Logits, gold: Sequence[int]) -> float:
    """The T > 0 that minimises the NLL of softmax(logits / T): a coarse grid over log T, then
    a golden-section search around its best point (the NLL is smooth and unimodal in log T
    in practice; a grid first keeps a bad start from mattering)."""
    grid = np.linspace(np.log(0.05), np.log(20.0), 200)
    losses = [negative_log_likelihood(logits / np.exp(g), gold) for g in grid]
    best = int(np.argmin(losses))
    low, high = grid[max(0, best - 1)], grid[min(len(grid) - 1, best + 1)]
    ratio = (np.sqrt(5) - 1) / 2
    for _ in range(60):
        a = high - ratio * (high - low)
        b = low + ratio * (high - low)
        if negative_log_likelihood(logits / np.exp(a), gold) < negative_log_likelihood(
            logits / np.exp(b), gold
        ):
            high = b
        else:
            low = a
    return float(np.exp((low + high) / 2))


def expected_calibration_error(logits: Logits, gold: Sequence[int], bins: int = 15) -> float:
    """ECE of the top label's probability, in `bins` equal-width confidence bins."""
    probabilities = softmax(logits)
    confidence = probabilities.max(axis=-1)
    correct = (probabilities.argmax(axis=-1) == np.asarray(gold)).astype(np.float64)
    edges = np.linspace(0.0, 1.0, bins + 1)
    error = 0.0
    for low, high in itertools.pairwise(edges):
        inside = (confidence > low) & (confidence <= high)
        if inside.any():
            error += inside.mean() * abs(correct[inside].mean() - confidence[inside].mean())
    return float(error)
