"""The target-tone rule (sentiment_ls/rules.py): which predictions become findings."""

from __future__ import annotations

import dataclasses

import pytest

from sentiment_ls.analysis.engine import SentenceAnalysis
from sentiment_ls.analysis.postprocess import Prediction
from sentiment_ls.rules import FlagRule, rule_for, tone_labels
from sentiment_ls.settings import Settings, parse_settings

BINARY = ["NEGATIVE", "POSITIVE"]
THREE = ["negative", "neutral", "positive"]
TEXT = "A sentence of some words."


def analysis(probabilities: dict[str, float]) -> SentenceAnalysis:
    label = max(probabilities, key=lambda name: probabilities[name])
    prediction = Prediction(label, probabilities[label], probabilities, (0.0,) * 3, "softmax")
    return SentenceAnalysis(TEXT, None, prediction)  # type: ignore[arg-type]


def binary(negative: float) -> SentenceAnalysis:
    return analysis({"NEGATIVE": negative, "POSITIVE": 1 - negative})


def rule(model_labels: list[str], **settings: object) -> FlagRule:
    parsed = parse_settings(settings)
    assert parsed.problems == []
    flag_rule, problems = rule_for(parsed.settings, model_labels)
    assert problems == []
    return flag_rule


def test_positive_tone_is_the_default_and_flags_confident_negatives_only() -> None:
    assert Settings().tone == "positive"
    positive = rule(BINARY, threshold=0.85)
    assert positive.flags(binary(0.97))
    assert not positive.flags(binary(0.80))  # under the 0.85 threshold
    assert not positive.flags(binary(0.03))  # confidently positive: the tone it wants


def test_neutral_tone_flags_strong_sentiment_of_either_sign() -> None:
    neutral = rule(BINARY, tone="neutral", threshold=0.85)
    assert neutral.flags(binary(0.97))
    assert neutral.flags(binary(0.03))
    assert not neutral.flags(binary(0.30))  # positive 0.70: not strong enough for 0.85


def test_neutral_tone_on_a_three_label_model_never_flags_the_neutral_label() -> None:
    neutral = rule(THREE, tone="neutral", threshold=0.5)
    assert neutral.labels == {"negative", "positive"}
    assert neutral.flags(analysis({"negative": 0.1, "neutral": 0.1, "positive": 0.8}))
    assert not neutral.flags(analysis({"negative": 0.05, "neutral": 0.9, "positive": 0.05}))


@pytest.mark.parametrize("negative", [0.5, 0.6, 0.64])
def test_the_neutral_band_is_never_flagged_even_under_a_low_threshold(negative: float) -> None:
    for tone in ("positive", "neutral"):
        low = rule(BINARY, tone=tone, threshold=0.0)
        assert not low.flags(binary(negative)), (tone, negative)
        assert not low.flags(binary(1 - negative)), (tone, negative)


def test_the_band_edge_and_a_band_of_zero() -> None:
    assert rule(BINARY, threshold=0.0).flags(binary(0.65))
    assert rule(BINARY, threshold=0.0, neutralBand=0.0).flags(binary(0.55))


def test_any_tone_flags_nothing_unless_flag_labels_names_labels() -> None:
    assert rule(BINARY, tone="any").labels == frozenset()
    assert not rule(BINARY, tone="any", threshold=0.0).flags(binary(0.99))
    chosen = rule(BINARY, tone="any", flagLabels=["positive"])
    assert chosen.flags(binary(0.01)) and not chosen.flags(binary(0.99))


def test_flag_labels_win_over_the_tone() -> None:
    assert rule(BINARY, tone="neutral", flagLabels=["NEGATIVE"]).labels == {"NEGATIVE"}


def test_a_tone_the_labels_cannot_express_is_reported() -> None:
    labels, problems = tone_labels("neutral", None, ["LABEL_0", "LABEL_1"])
    assert labels == frozenset()
    assert "name no negative or positive label" in problems[0]


def test_invalid_tone_and_band_are_reported_and_replaced() -> None:
    result = parse_settings({"tone": "cheerful", "neutralBand": 1.5})
    assert result.settings.tone == "positive"
    assert result.settings.neutralBand == 0.65
    assert len(result.problems) == 2
    assert "tone" in result.problems[0] and "neutralBand" in result.problems[1]


def test_the_rule_on_real_predictions(embedded_engine) -> None:  # type: ignore[no-untyped-def]
    angry, glad = embedded_engine.analyze(
        ["This release is a broken, miserable disaster.", "We are thrilled with the results."]
    )
    positive, neutral = (
        rule(embedded_engine.loaded.labels),
        rule(embedded_engine.loaded.labels, tone="neutral"),
    )
    assert positive.flags(angry) and not positive.flags(glad)
    assert neutral.flags(angry) and neutral.flags(glad)
    assert dataclasses.replace(positive, labels=frozenset()).flags(angry) is False


def test_on_a_model_with_a_neutral_class_that_class_is_the_band() -> None:
    # negative 0.55 on a three-class model is its verdict, not a coin toss between two labels:
    # the neutral class already took the unsure mass, so no probability gap applies.
    three = rule(THREE, threshold=0.5)
    assert three.neutral_band == 0.0
    assert three.flags(analysis({"negative": 0.55, "neutral": 0.3, "positive": 0.15}))
    assert not three.flags(analysis({"negative": 0.3, "neutral": 0.55, "positive": 0.15}))
    assert rule(BINARY, threshold=0.5).neutral_band == Settings().neutralBand


def test_fragments_under_min_words_get_no_verdict() -> None:
    three = rule(THREE, threshold=0.5)
    sure = {"negative": 0.98, "neutral": 0.01, "positive": 0.01}

    def of(text: str) -> SentenceAnalysis:
        return dataclasses.replace(analysis(sure), text=text)

    for fragment in ("0", "suff.", "v2.1.0", "Known issues", "Datadog"):
        assert not three.judges(fragment)
        assert not three.flags(of(fragment))
    assert three.flags(of("It fails again."))
    assert rule(THREE, threshold=0.5, minWords=1).flags(of("Broken"))
