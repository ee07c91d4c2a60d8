"""The shape of the `sentiment-ls.analyze` object (also `sentiment-ls explain --format json`),
checked field by field, shared by the unit, CLI and end-to-end tests."""

from __future__ import annotations

import math
from typing import Any


def _is_position(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and set(value) == {"line", "character"}
        and all(isinstance(value[k], int) and value[k] >= 0 for k in value)
    )


def assert_range(value: Any) -> None:
    assert isinstance(value, dict) and set(value) == {"start", "end"}, value
    assert _is_position(value["start"]) and _is_position(value["end"]), value
    start, end = value["start"], value["end"]
    assert (start["line"], start["character"]) <= (end["line"], end["character"]), value


def _number(value: Any) -> bool:
    return isinstance(value, float | int) and not isinstance(value, bool) and math.isfinite(value)


def assert_analysis_schema(report: Any) -> None:
    assert isinstance(report, dict)
    assert {"model", "sentences"} <= set(report)
    assert isinstance(report["model"], str) and report["model"]
    assert isinstance(report["method"], str)
    labels = report["labels"]
    assert isinstance(labels, list) and all(isinstance(x, str) for x in labels)
    assert isinstance(report["sentences"], list)
    for sentence in report["sentences"]:
        assert set(sentence) == {
            "text",
            "range",
            "label",
            "probabilities",
            "logits",
            "attribution_label",
            "windows",
            "tokens",
            "words",
        }, sorted(sentence)
        assert isinstance(sentence["text"], str) and sentence["text"]
        assert_range(sentence["range"])
        assert sentence["label"] in labels
        assert sentence["attribution_label"] in labels
        probabilities = sentence["probabilities"]
        assert list(probabilities) == labels
        assert all(_number(p) and 0 <= p <= 1 for p in probabilities.values())
        assert probabilities[sentence["label"]] == max(probabilities.values())
        assert len(sentence["logits"]) == len(labels) and all(map(_number, sentence["logits"]))
        assert isinstance(sentence["windows"], int) and sentence["windows"] >= 1
        for token in sentence["tokens"]:
            assert set(token) == {"text", "id", "range", "attribution"}, token
            assert isinstance(token["text"], str) and isinstance(token["id"], int)
            assert_range(token["range"])
            assert _number(token["attribution"])
        for word in sentence["words"]:
            assert set(word) == {"text", "range", "attribution", "token_indices"}, word
            assert isinstance(word["text"], str)
            assert_range(word["range"])
            assert _number(word["attribution"])
            indices = word["token_indices"]
            assert indices and all(0 <= i < len(sentence["tokens"]) for i in indices)
        covered = sorted(i for word in sentence["words"] for i in word["token_indices"])
        assert covered == list(range(len(sentence["tokens"])))  # each token in one word
