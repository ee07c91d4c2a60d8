import math

import numpy as np
import pytest

from sentiment_ls.analysis.postprocess import function_to_apply, postprocess


def test_softmax_probabilities_sum_to_one_and_label_comes_from_id2label() -> None:
    id2label = {0: "negative", 1: "neutral", 2: "positive"}
    prediction = postprocess(np.array([0.1, 2.0, -1.0]), id2label)
    assert prediction.label == "neutral"
    assert list(prediction.probabilities) == ["negative", "neutral", "positive"]
    assert math.isclose(sum(prediction.probabilities.values()), 1.0, rel_tol=1e-6)
    values = np.exp([0.1, 2.0, -1.0])
    expected = values / values.sum()
    assert prediction.score == pytest.approx(float(expected[1]))
    assert prediction.logits == pytest.approx((0.1, 2.0, -1.0))
    assert prediction.function == "softmax"


def test_label_order_follows_ids_not_names() -> None:
    # A checkpoint whose id 0 is POSITIVE must not be read as NEGATIVE-first.
    prediction = postprocess(np.array([3.0, -3.0]), {0: "POSITIVE", 1: "NEGATIVE"})
    assert prediction.label == "POSITIVE"


def test_multi_label_models_use_sigmoid() -> None:
    assert function_to_apply("multi_label_classification", 3) == "sigmoid"
    assert function_to_apply(None, 1) == "sigmoid"
    assert function_to_apply(None, 5) == "softmax"
    prediction = postprocess(np.array([0.0, 2.0]), {0: "a", 1: "b"}, "multi_label_classification")
    assert prediction.probabilities["a"] == pytest.approx(0.5)
    assert prediction.function == "sigmoid"
