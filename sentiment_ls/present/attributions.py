"""Attributions for people and for programs: bars, the full word table, and the JSON object
that `sentiment-ls.analyze` returns and `sentiment-ls explain` prints.

JSON shape (ranges are LSP ranges, 0-based, in the stated position encoding):

    {"model": str, "method": str, "unit": str, "position_encoding": str, "labels": [str],
     "sentences": [{"text", "range", "label", "probabilities": {label: p},
                    "logits": [float, in the order of "labels"], "attribution_label",
                    "windows": int,
                    "tokens": [{"text", "id", "range", "attribution"}],
                    "words": [{"text", "range", "attribution", "token_indices"}]}]}

Special tokens ([CLS], [SEP]...) are left out of "tokens": they are not in the text and are
never scored. A positive attribution supports "attribution_label", which is the sentence's
label unless another was asked for. "token_indices" point into the sentence's "tokens".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sentiment_ls.document import LineIndex, PositionEncoding, Sentence

if TYPE_CHECKING:
    from sentiment_ls.analysis.engine import SentenceAnalysis
    from sentiment_ls.analysis.explain import Explanation, WordAttribution

BAR_WIDTH = 8
MINIMUM_SCALE = 1.0  # nats: a sentence whose words all move it less shows short bars


@dataclass(frozen=True)
class ExplainedSentence:
    sentence: Sentence
    analysis: SentenceAnalysis
    explanation: Explanation


def bar_scale(values: Sequence[float]) -> float:
    """The value drawn as a full bar: the strongest shown, but never under MINIMUM_SCALE, so
    that a sentence where nothing matters much does not look decided."""
    return max([MINIMUM_SCALE, *(abs(v) for v in values)])


def bar(value: float, scale: float, width: int = BAR_WIDTH) -> str:
    """Full blocks toward the label, light shade against it; at least one block when the
    value is not zero, so that a weak word still shows its direction."""
    if scale <= 0 or value == 0:
        return ""
    cells = max(1, round(min(abs(value) / scale, 1.0) * width))
    return ("█" if value > 0 else "░") * cells


def signed(value: float) -> str:
    return f"{value:+.2f}".replace("-", "\N{MINUS SIGN}")  # aligns with "+" in proportional fonts


def range_json(
    index: LineIndex, start: int, end: int, encoding: PositionEncoding
) -> dict[str, Any]:
    start_line, start_character = index.position(start, encoding)
    end_line, end_character = index.position(end, encoding)
    return {
        "start": {"line": start_line, "character": start_character},
        "end": {"line": end_line, "character": end_character},
    }


def sentence_json(
    item: ExplainedSentence, index: LineIndex, encoding: PositionEncoding
) -> dict[str, Any]:
    sentence, analysis, explanation = item.sentence, item.analysis, item.explanation
    prediction = analysis.prediction

    def text_range(span: tuple[int, int]) -> dict[str, Any]:
        return range_json(index, *sentence.source_span(*span), encoding)

    token_scores = explanation.token_attributions
    if token_scores is None:
        raise ValueError("the JSON object needs the token view of the explanation")
    tokens: list[dict[str, Any]] = []
    position: dict[int, int] = {}  # index in Encoding.tokens -> index in "tokens"
    for number, (token, score) in enumerate(
        zip(analysis.encoding.tokens, token_scores, strict=True)
    ):
        if token.span is None:
            continue
        position[number] = len(tokens)
        tokens.append(
            {
                "text": token.text,
                "id": token.id,
                "range": text_range(token.span),
                "attribution": score,
            }
        )
    return {
        "text": sentence.text,
        "range": range_json(index, sentence.start, sentence.end, encoding),
        "label": prediction.label,
        "probabilities": dict(prediction.probabilities),
        "logits": list(prediction.logits),
        "attribution_label": explanation.label,
        "windows": len(analysis.encoding.windows),
        "tokens": tokens,
        "words": [
            {
                "text": word.text,
                "range": text_range(word.span),
                "attribution": word.attribution,
                "token_indices": [position[i] for i in word.tokens],
            }
            for word in explanation.words
        ],
    }


def analysis_json(
    model_id: str,
    labels: Sequence[str],
    method: str,
    items: Sequence[ExplainedSentence],
    index: LineIndex,
    encoding: PositionEncoding,
) -> dict[str, Any]:
    from sentiment_ls.analysis.explain import UNIT

    return {
        "model": model_id,
        "method": method,
        "unit": UNIT,
        "position_encoding": encoding,
        "labels": list(labels),
        "sentences": [sentence_json(item, index, encoding) for item in items],
    }


def word_rows(words: Sequence[WordAttribution], scale: float) -> list[str]:
    return [
        f"| {code_cell(w.text)} | {signed(w.attribution)} | {bar(w.attribution, scale)} |"
        for w in words
    ]


def code_cell(text: str) -> str:
    """A table cell holding `text` as inline code: pipes escaped (GFM tables split on them
    even inside code spans), backticks fenced with a longer run."""
    text = text.replace("|", "\\|")
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def explained_text(items: Sequence[ExplainedSentence], index: LineIndex, model_id: str) -> str:
    """The full word table of every sentence, for a terminal: position (1-based line:column
    in characters), verdict, and each word in text order with its score and bar."""
    blocks = []
    for item in items:
        prediction = item.analysis.prediction
        line, column = index.position(item.sentence.start, "utf-32")
        probabilities = ", ".join(f"{k} {v:.3f}" for k, v in prediction.probabilities.items())
        explanation = item.explanation
        scale = bar_scale([w.attribution for w in explanation.words])
        width = max((len(w.text) for w in explanation.words), default=4)
        lines = [
            f"{line + 1}:{column + 1}: {prediction.label} {prediction.score:.2f} "
            f"({probabilities}; logits {', '.join(f'{x:.3f}' for x in prediction.logits)})",
            f"  {item.sentence.quote}",
            f"  words toward {explanation.label} ({explanation.method}, nats of log-odds):",
        ]
        lines += [
            f"    {w.text:<{width}}  {signed(w.attribution):>6}  {bar(w.attribution, scale)}"
            for w in explanation.words
        ]
        blocks.append("\n".join(lines))
    return f"model {model_id}\n\n" + "\n\n".join(blocks) if blocks else f"model {model_id}\n"
