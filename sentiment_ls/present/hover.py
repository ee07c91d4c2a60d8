"""Hover Markdown: the pipeline's three stages for one sentence, as compact tables, then why.

1. Tokenizer: word pieces with their input ids and attention mask (what `tokenizer(text)`
   gives).
2. Model: the logits.
3. Post-processing: softmax (or sigmoid) probabilities and the label.
Then the few words that pushed hardest toward the label and against it, with bars; the full
table is the `sentiment-ls.analyze` command's (and `sentiment-ls explain`'s) job, so that the
hover stays readable in small hover windows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sentiment_ls.present.attributions import bar_scale, code_cell, word_rows

if TYPE_CHECKING:
    from sentiment_ls.analysis.engine import SentenceAnalysis
    from sentiment_ls.analysis.explain import Explanation

MAX_TOKEN_ROWS = 24
ANALYZE_COMMAND = "sentiment-ls.analyze"


def token_table(analysis: SentenceAnalysis) -> list[str]:
    tokens = analysis.encoding.tokens
    header = ["| token | input id | mask |", "|:--|--:|:-:|"]
    rows = [
        f"| {code_cell(token.text)} | {token.id} | {token.attention} |"
        for token in tokens[:MAX_TOKEN_ROWS]
    ]
    hidden = len(tokens) - MAX_TOKEN_ROWS
    footer = ["", f"*… {hidden} more tokens*"] if hidden > 0 else []
    return header + rows + footer


def word_table(explanation: Explanation, count: int) -> list[str]:
    """The strongest words for the label, then against it; bars on one scale."""
    supporting, opposing = explanation.strongest(count)
    shown = supporting + opposing
    if not shown:
        return []
    scale = bar_scale([w.attribution for w in shown])
    return [
        f"**Why {explanation.label}** — the words that moved it most",
        "",
        "| word | nats | |",
        "|:--|--:|:--|",
        *word_rows(shown, scale),
        "",
        f"*nats of the log-odds of {explanation.label} ({explanation.method}); "
        f"all {len(explanation.words)} words: command `{ANALYZE_COMMAND}`*",
    ]


def hover_markdown(
    analysis: SentenceAnalysis, explanation: Explanation | None, model_id: str, words: int = 3
) -> str:
    prediction = analysis.prediction
    windows = len(analysis.encoding.windows)
    lines = [f"**{prediction.label}** {prediction.score:.2f} · sentiment-ls · `{model_id}`", ""]
    lines.append(f"**1 · Tokenizer** — {len(analysis.encoding.tokens)} tokens")
    if windows > 1:
        lines.append(
            f"(longer than the model's maximum: read in {windows} overlapping windows, "
            "logits averaged; the first window is shown and explained)"
        )
    lines += ["", *token_table(analysis), ""]
    lines += [f"**2 · Model** → logits · **3 · Post-processing** → {prediction.function}", ""]
    lines += ["| label | logit | probability |", "|:--|--:|--:|"]
    for (label, probability), logit in zip(
        prediction.probabilities.items(), prediction.logits, strict=True
    ):
        mark = "**" if label == prediction.label else ""
        lines.append(f"| {mark}{label}{mark} | {logit:.3f} | {mark}{probability:.3f}{mark} |")
    if explanation is not None and words > 0:
        table = word_table(explanation, words)
        if table:
            lines += ["", *table]
    return "\n".join(lines)


def status_markdown(message: str) -> str:
    return f"**sentiment-ls**: {message}"
