"""Why a sentence is flagged or not (present/verdict.py): the reason agrees with
`FlagRule.flags` always, and names the first thing that kept a sentence from a finding."""

from __future__ import annotations

import dataclasses

from hypothesis import given
from hypothesis import strategies as st

from sentiment_ls.analysis.engine import SentenceAnalysis
from sentiment_ls.analysis.postprocess import Prediction
from sentiment_ls.present.verdict import Reason, policy_name, verdict
from sentiment_ls.rules import FlagRule
from sentiment_ls.settings import Settings

BINARY = ("NEGATIVE", "POSITIVE")
THREE = ("negative", "neutral", "positive")
STARS = ("1 star", "2 stars", "3 stars", "4 stars", "5 stars")


def analysis(label: str, score: float, labels: tuple[str, ...] = BINARY) -> SentenceAnalysis:
    rest = (1 - score) / (len(labels) - 1)
    probabilities = {name: score if name == label else rest for name in labels}
    logits = (0.0,) * len(labels)
    prediction = Prediction(label, score, probabilities, logits, "softmax")
    return SentenceAnalysis("a sentence", None, prediction)  # type: ignore[arg-type]


POSITIVE_TONE = FlagRule(frozenset({"NEGATIVE"}), threshold=0.85, neutral_band=0.65)


def test_each_reason_and_what_it_says() -> None:
    cases = [
        (analysis("NEGATIVE", 0.97), Reason.FLAGGED, "the positive tone flags NEGATIVE at 0.85"),
        (analysis("POSITIVE", 0.99), Reason.LABEL_NOT_FLAGGED, "flags only NEGATIVE"),
        (analysis("NEGATIVE", 0.80), Reason.BELOW_THRESHOLD, "0.80 is below the threshold 0.85"),
        (analysis("NEGATIVE", 0.60), Reason.UNSURE, "unsure (under 0.65, the neutral band)"),
    ]
    for sentence, reason, words in cases:
        found = verdict(POSITIVE_TONE, sentence)
        assert found.reason is reason
        assert found.flagged == (reason is Reason.FLAGGED)
        assert words in found.explanation("the positive tone"), found


def test_unsure_comes_before_the_threshold_it_is_also_under() -> None:
    rule = FlagRule(frozenset({"NEGATIVE"}), threshold=0.9, neutral_band=0.7)
    assert verdict(rule, analysis("NEGATIVE", 0.6)).reason is Reason.UNSURE
    assert verdict(rule, analysis("NEGATIVE", 0.8)).reason is Reason.BELOW_THRESHOLD


def test_a_fragment_is_not_judged_whatever_the_model_says() -> None:
    rule = FlagRule(frozenset({"NEGATIVE"}), threshold=0.85, neutral_band=0.65, min_words=3)
    fragment = dataclasses.replace(analysis("NEGATIVE", 0.99), text="Totally broken")
    found = verdict(rule, fragment)
    assert found.reason is Reason.FRAGMENT and not found.flagged and not found.judged
    assert not rule.flags(fragment)
    assert "too few words" in found.explanation("the positive tone")


def test_label_sets_beyond_binary() -> None:
    three = FlagRule(frozenset({"negative"}), threshold=0.5, neutral_band=0.4)
    neutral = verdict(three, analysis("neutral", 0.9, THREE))
    assert neutral.reason is Reason.LABEL_NOT_FLAGGED
    assert neutral.explanation("the positive tone") == "the positive tone flags only negative"
    stars = FlagRule(frozenset({"1 star", "2 stars"}), threshold=0.5)
    found = verdict(stars, analysis("2 stars", 0.7, STARS))
    assert found.flagged
    any_tone = verdict(FlagRule(frozenset(), 0.85), analysis("1 star", 0.99, STARS))
    assert any_tone.explanation("the any tone") == "the any tone flags no label"


def test_the_policy_is_the_tone_unless_flag_labels_names_the_labels() -> None:
    assert policy_name(Settings()) == "the positive tone"
    assert policy_name(Settings(tone="neutral")) == "the neutral tone"
    assert policy_name(Settings(flagLabels=("POSITIVE",))) == "the flagLabels setting"


@given(
    label=st.sampled_from(BINARY),
    score=st.floats(0.5, 1.0),
    threshold=st.floats(0.0, 1.0),
    band=st.floats(0.0, 1.0),
    flagged=st.sets(st.sampled_from(BINARY)),
)
def test_flagged_exactly_when_the_rule_flags(
    label: str, score: float, threshold: float, band: float, flagged: set[str]
) -> None:
    rule = FlagRule(frozenset(flagged), threshold, band)
    sentence = analysis(label, score)
    found = verdict(rule, sentence)
    assert found.flagged == rule.flags(sentence)
    assert found.reason is not Reason.OTHER  # every refusal of this rule has a name
