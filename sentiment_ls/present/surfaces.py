"""The optional editor surfaces, each off by default: an inlay hint with the verdict at the
end of each sentence, a code lens per Markdown heading with its section's balance of
positive and negative sentences, and semantic tokens on the words that most decided each
flagged sentence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from sentiment_ls.analysis.labels import display_name, negative_labels, positive_labels
from sentiment_ls.document import LineIndex, PositionEncoding, Sentence
from sentiment_ls.document.headings import Heading
from sentiment_ls.present.attributions import range_json
from sentiment_ls.present.diagnostics import lsp_range

if TYPE_CHECKING:
    from sentiment_ls.analysis.engine import SentenceAnalysis
    from sentiment_ls.analysis.explain import Explanation

# Semantic token types, one per direction of the label a word supports; editors colour them
# through their theme (VS Code: semanticTokenColors; Neovim: @lsp.type.sentimentNegative).
TOKEN_TYPES = ["sentimentNegative", "sentimentPositive", "sentimentOther"]
LEGEND = types.SemanticTokensLegend(token_types=TOKEN_TYPES, token_modifiers=[])
TINTED_WORDS = 2  # per flagged sentence: enough to see why, few enough to stay readable
MINIMUM_NATS = 0.1  # weaker words are noise, not reasons


def inlay_hints(
    sentences: Sequence[Sentence],
    analyses: Sequence[SentenceAnalysis],
    index: LineIndex,
    encoding: PositionEncoding,
) -> list[types.InlayHint]:
    hints = []
    for sentence, analysis in zip(sentences, analyses, strict=True):
        prediction = analysis.prediction
        line, character = index.position(sentence.end, encoding)
        tooltip = ", ".join(f"{k} {v:.3f}" for k, v in prediction.probabilities.items())
        hints.append(
            types.InlayHint(
                position=types.Position(line, character),
                label=f"{display_name(prediction.label)} {prediction.score:.2f}",
                padding_left=True,
                tooltip=tooltip,
            )
        )
    return hints


@dataclass(frozen=True)
class Balance:
    positive: int = 0
    negative: int = 0
    other: int = 0

    @property
    def title(self) -> str:
        parts = [f"{self.positive} positive", f"{self.negative} negative"]
        if self.other:
            parts.append(f"{self.other} other")
        return " · ".join(parts)


def section_lenses(
    uri: str,
    headings: Sequence[Heading],
    sentences: Sequence[Sentence],
    analyses: Sequence[SentenceAnalysis],
    labels: Sequence[str],
    command: str,
    index: LineIndex,
    encoding: PositionEncoding,
) -> list[types.CodeLens]:
    """One lens per heading: how many of its section's sentences (its subsections included)
    are positive and negative; headings are titles, not sentences of the prose, and are not
    counted. Clicking it runs `command` on the section's range."""
    negative, positive = set(negative_labels(labels)), set(positive_labels(labels))
    prose = [
        (sentence, analysis)
        for sentence, analysis in zip(sentences, analyses, strict=True)
        if not any(h.start <= sentence.start < h.end for h in headings)
    ]
    lenses = []
    for heading in headings:
        counts = {"positive": 0, "negative": 0, "other": 0}
        for sentence, analysis in prose:
            if heading.end <= sentence.start < heading.section_end:
                label = analysis.prediction.label
                kind = (
                    "negative"
                    if label in negative
                    else "positive"
                    if label in positive
                    else "other"
                )
                counts[kind] += 1
        balance = Balance(**counts)
        section: dict[str, Any] = range_json(index, heading.start, heading.section_end, encoding)
        lenses.append(
            types.CodeLens(
                range=lsp_range(index, heading.start, heading.end, encoding),
                command=types.Command(
                    title=balance.title, command=command, arguments=[uri, section]
                ),
            )
        )
    return lenses


def semantic_tokens(
    flagged: Sequence[tuple[Sentence, Explanation]],
    labels: Sequence[str],
    index: LineIndex,
    encoding: PositionEncoding,
) -> list[int]:
    """LSP's relative encoding (line delta, start delta, length, type, modifiers) of the
    strongest words of each flagged sentence, in source order."""
    negative, positive = set(negative_labels(labels)), set(positive_labels(labels))
    spans: list[tuple[int, int, int]] = []  # source start, source end, token type
    for sentence, explanation in flagged:
        label = explanation.label
        kind = 0 if label in negative else 1 if label in positive else 2
        strongest, _ = explanation.strongest(TINTED_WORDS)
        for word in strongest:
            if word.attribution >= MINIMUM_NATS:
                start, end = sentence.source_span(*word.span)
                spans.append((start, end, kind))
    data: list[int] = []
    previous_line = previous_character = 0
    for start, end, kind in sorted(spans):
        line, character = index.position(start, encoding)
        end_line, end_character = index.position(end, encoding)
        if end_line != line:
            continue  # a token cannot span lines; a word broken by a line break is left plain
        delta_character = character - previous_character if line == previous_line else character
        data += [line - previous_line, delta_character, end_character - character, kind, 0]
        previous_line, previous_character = line, character
    return data
