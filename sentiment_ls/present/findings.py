"""Findings: the sentences of a document that its flag rule (sentiment_ls/rules.py) flags,
shared by diagnostics, `check` and reports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sentiment_ls.analysis.labels import display_name

if TYPE_CHECKING:
    from sentiment_ls.analysis.engine import SentenceAnalysis
    from sentiment_ls.document import Sentence
    from sentiment_ls.rules import FlagRule


@dataclass(frozen=True)
class Finding:
    sentence: Sentence
    analysis: SentenceAnalysis

    @property
    def message(self) -> str:
        prediction = self.analysis.prediction
        label = prediction.label
        return f"{display_name(label)} sentiment ({prediction.score:.2f})"

    @property
    def code(self) -> str:
        slug = "-".join(self.analysis.prediction.label.lower().split())
        return f"sentiment-{slug}"


def findings(
    sentences: Sequence[Sentence], analyses: Sequence[SentenceAnalysis], rule: FlagRule
) -> list[Finding]:
    return [
        Finding(sentence, analysis)
        for sentence, analysis in zip(sentences, analyses, strict=True)
        if rule.flags(analysis)
    ]
