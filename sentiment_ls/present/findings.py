"""Which sentences are findings: the rule shared by diagnostics, `check` and reports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sentiment_ls.analysis.engine import SentenceAnalysis
    from sentiment_ls.document import Sentence


@dataclass(frozen=True)
class Finding:
    sentence: Sentence
    analysis: SentenceAnalysis

    @property
    def message(self) -> str:
        prediction = self.analysis.prediction
        label = prediction.label
        name = label[:1].upper() + label[1:].lower() if label.isupper() else label
        return f"{name} sentiment ({prediction.score:.2f})"

    @property
    def code(self) -> str:
        slug = "-".join(self.analysis.prediction.label.lower().split())
        return f"sentiment-{slug}"


def is_flagged(analysis: SentenceAnalysis, flag_labels: frozenset[str], threshold: float) -> bool:
    prediction = analysis.prediction
    return prediction.label in flag_labels and prediction.score >= threshold


def findings(
    sentences: Sequence[Sentence],
    analyses: Sequence[SentenceAnalysis],
    flag_labels: frozenset[str],
    threshold: float,
) -> list[Finding]:
    return [
        Finding(sentence, analysis)
        for sentence, analysis in zip(sentences, analyses, strict=True)
        if is_flagged(analysis, flag_labels, threshold)
    ]
