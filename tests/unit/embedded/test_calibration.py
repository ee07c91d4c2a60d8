"""Temperature scaling finds the temperature that generated the data, and lowers the ECE."""

from __future__ import annotations

import numpy as np

from sentiment_ls.training.calibration import (
    expected_calibration_error,
    fit_temperature,
    softmax,
)


def _sample(temperature: float, n: int = 4000) -> tuple[np.ndarray, list[int]]:
    rng = np.random.default_rng(1)
    true_logits = rng.normal(0, 2.0, (n, 3))
    probabilities = softmax(true_logits)
    gold = [int(rng.choice(3, p=p)) for p in probabilities]
    return true_logits * temperature, gold  # an overconfident model: logits too large


def test_fit_recovers_the_temperature_and_calibrates() -> None:
    logits, gold = _sample(2.5)
    temperature = fit_temperature(logits, gold)
    assert abs(temperature - 2.5) < 0.25
    before = expected_calibration_error(logits, gold)
    after = expected_calibration_error(logits / temperature, gold)
    assert before > 0.1
    assert after < 0.03


def test_ece_of_perfect_confident_answers_is_zero() -> None:
    logits = np.array([[20.0, 0.0, 0.0], [0.0, 20.0, 0.0]])
    assert expected_calibration_error(logits, [0, 1]) < 1e-6
    assert expected_calibration_error(logits, [1, 0]) > 0.99
