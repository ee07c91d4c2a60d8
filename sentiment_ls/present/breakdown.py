"""The full token breakdown of sentences as Markdown: every token of the tokenizer with its
input id, attention mask and attribution, the logits and probabilities, and every word.
What the hover shortens to stay readable, in full, for the quick fix that opens it."""

from __future__ import annotations

from collections.abc import Sequence

from sentiment_ls.document import LineIndex
from sentiment_ls.present.attributions import (
    ExplainedSentence,
    bar,
    bar_scale,
    code_cell,
    signed,
    word_rows,
)


def breakdown_markdown(items: Sequence[ExplainedSentence], index: LineIndex, model_id: str) -> str:
    lines = [f"# sentiment-ls: token breakdown · `{model_id}`"]
    for item in items:
        prediction, explanation = item.analysis.prediction, item.explanation
        line, column = index.position(item.sentence.start, "utf-32")
        lines += [
            "",
            f"## {line + 1}:{column + 1} · **{prediction.label}** {prediction.score:.2f}",
            "",
            f"> {item.sentence.quote}",
            "",
            f"### Tokenizer: {len(item.analysis.encoding.tokens)} tokens",
            "",
            f"Attributions toward **{explanation.label}** ({explanation.method}), in nats of "
            "its log-odds; special tokens are not scored.",
            "",
            "| # | token | input id | mask | attribution | |",
            "|--:|:--|--:|:-:|--:|:--|",
        ]
        scores = explanation.token_attributions or ()
        scale = bar_scale([s for s in scores if s is not None])
        for number, token in enumerate(item.analysis.encoding.tokens):
            score = scores[number] if number < len(scores) else None
            shown = ("", "") if score is None else (signed(score), bar(score, scale))
            lines.append(
                f"| {number} | {code_cell(token.text)} | {token.id} | {token.attention} | "
                f"{shown[0]} | {shown[1]} |"
            )
        lines += [
            "",
            f"### Model and post-processing ({prediction.function})",
            "",
            "| label | logit | probability |",
            "|:--|--:|--:|",
        ]
        for (label, probability), logit in zip(
            prediction.probabilities.items(), prediction.logits, strict=True
        ):
            lines.append(f"| {label} | {logit:.3f} | {probability:.3f} |")
        word_scale = bar_scale([w.attribution for w in explanation.words])
        lines += ["", "### Words", "", "| word | nats | |", "|:--|--:|:--|"]
        lines += word_rows(explanation.words, word_scale)
    return "\n".join(lines) + "\n"
