"""The flag rule: which predictions miss a document's tone, the verdict stage between the
model's labels and every surface that reports findings (diagnostics, hovers, `check`).

A document has a target tone, and a finding is a sentence that misses it with conviction:

- `positive` (the default): the document should read positive, so a sentence the model reads
  as negative is flagged.
- `neutral`: the document should read neutral (an API reference), so strong sentiment of
  either sign is flagged.
- `any`: no tone is wrong; nothing is flagged unless `flagLabels` names labels.

`flagLabels`, when set, names the flagged labels outright and the tone no longer chooses
them. Either way a sentence is flagged only when its label's probability reaches the
threshold and the model is sure of it: on a model with a neutral class (`neutral`, `3 stars`)
a sentence it reads as neutral is never flagged, since that class is the neutral band; on one
without (a binary model), the label's probability must also reach `neutralBand`.

A fragment with fewer than `minWords` words (a table cell, a short heading, a version string,
"0") carries no tone worth judging: it gets no verdict, whatever the model says of it.

It sits below `settings` (which types its `tone` with `Tone`) and `present` (which turns
the flagged sentences into findings), so it reads settings through `RuleSettings`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

from sentiment_ls.analysis.labels import (
    negative_labels,
    neutral_labels,
    positive_labels,
    resolve_flag_labels,
)
from sentiment_ls.document.words import word_count

if TYPE_CHECKING:
    from sentiment_ls.analysis.engine import SentenceAnalysis

Tone = Literal["any", "positive", "neutral"]


class RuleSettings(Protocol):
    """The settings the rule reads (`sentiment_ls.settings.Settings` has them all)."""

    @property
    def tone(self) -> Tone: ...
    @property
    def flagLabels(self) -> Iterable[str] | None: ...
    @property
    def threshold(self) -> float: ...
    @property
    def neutralBand(self) -> float: ...
    @property
    def minWords(self) -> int: ...


@dataclass(frozen=True)
class FlagRule:
    """What makes a sentence a finding in one document."""

    labels: frozenset[str]  # the predicted labels that miss the document's tone
    threshold: float  # the label's probability must reach this...
    # ...and this: below it the model is unsure (0.65: a two-label model's probabilities
    # between 0.35 and 0.65), and an unsure verdict is never worth a diagnostic, whatever
    # the threshold says. 0 for a model with a neutral class: that class is the band.
    neutral_band: float = 0.0
    min_words: int = 0  # fewer words than this: a fragment, not judged

    def judges(self, text: str) -> bool:
        """Whether a sentence is long enough to carry tone at all."""
        return word_count(text) >= self.min_words

    def flags(self, analysis: SentenceAnalysis) -> bool:
        prediction = analysis.prediction
        return (
            prediction.label in self.labels
            and prediction.score >= self.threshold
            and prediction.score >= self.neutral_band
            and self.judges(analysis.text)
        )


def tone_labels(
    tone: Tone, flag_labels: Iterable[str] | None, model_labels: list[str]
) -> tuple[frozenset[str], list[str]]:
    """The model's labels that miss `tone` (or those `flag_labels` names), and problems to
    report (unknown names; a tone the model's label names cannot express)."""
    if flag_labels is not None:
        return resolve_flag_labels(flag_labels, model_labels)
    if tone == "any":
        return frozenset(), []
    wanted = negative_labels(model_labels)
    if tone == "neutral":
        wanted += positive_labels(model_labels)
    if wanted:
        return frozenset(wanted), []
    sign = "negative" if tone == "positive" else "negative or positive"
    return frozenset(), [
        f"the model's labels {model_labels} name no {sign} label, so the `{tone}` tone "
        "flags nothing; set `sentimentLs.flagLabels` to the labels to flag"
    ]


def rule_for(settings: RuleSettings, model_labels: list[str]) -> tuple[FlagRule, list[str]]:
    """The rule that `settings` (the effective ones of a document) set for a model."""
    labels, problems = tone_labels(settings.tone, settings.flagLabels, model_labels)
    band = 0.0 if neutral_labels(model_labels) else settings.neutralBand
    return FlagRule(labels, settings.threshold, band, settings.minWords), problems
