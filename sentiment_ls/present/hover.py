"""Hover Markdown: the pipeline's three stages for one sentence, as compact tables.

1. Tokenizer: word pieces with their input ids and attention mask (what `tokenizer(text)`
   gives), plus each token's contribution to the label.
2. Model: the logits.
3. Post-processing: softmax (or sigmoid) probabilities and the label.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sentiment_ls.analysis.engine import SentenceAnalysis
    from sentiment_ls.analysis.explain import Explanation

MAX_TOKEN_ROWS = 24
BAR_WIDTH = 8


def code_cell(text: str) -> str:
    """A table cell holding `text` as inline code: pipes escaped (GFM tables split on them
    even inside code spans), backticks fenced with a longer run."""
    text = text.replace("|", "\\|")
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def bar(value: float, scale: float) -> str:
    """Toward the label in full blocks, against it in light shade; length relative to the
    sentence's largest contribution so the strongest token always has a full bar."""
    if scale <= 0:
        return ""
    width = round(abs(value) / scale * BAR_WIDTH)
    return ("█" if value > 0 else "░") * width


def signed(value: float) -> str:
    return f"{value:+.2f}".replace("-", "\N{MINUS SIGN}")  # aligns with "+" in proportional fonts


def token_table(analysis: SentenceAnalysis, explanation: Explanation | None) -> list[str]:
    tokens = analysis.encoding.tokens
    contributions = explanation.contributions if explanation else (None,) * len(tokens)
    scale = max((abs(c) for c in contributions if c is not None), default=0.0)
    header = ["| token | input id | mask | contribution |", "|:--|--:|:-:|:--|"]
    rows = []
    for token, contribution in list(zip(tokens, contributions, strict=True))[:MAX_TOKEN_ROWS]:
        column = (
            "" if contribution is None else f"{signed(contribution)} {bar(contribution, scale)}"
        )
        rows.append(f"| {code_cell(token.text)} | {token.id} | {token.attention} | {column} |")
    hidden = len(tokens) - MAX_TOKEN_ROWS
    footer = ["", f"*… {hidden} more tokens*"] if hidden > 0 else []
    return header + rows + footer


def hover_markdown(
    analysis: SentenceAnalysis, explanation: Explanation | None, model_id: str
) -> str:
    prediction = analysis.prediction
    windows = len(analysis.encoding.windows)
    lines = [f"**{prediction.label}** {prediction.score:.2f} · sentiment-ls · `{model_id}`", ""]
    lines.append(f"**1 · Tokenizer** — {len(analysis.encoding.tokens)} tokens")
    if windows > 1:
        lines.append(
            f"(longer than the model's maximum: read in {windows} overlapping windows, "
            "logits averaged; the first window is shown)"
        )
    lines += ["", *token_table(analysis, explanation), ""]
    if explanation is not None:
        lines += [
            f"*contribution: drop in the log-odds of {explanation.label} without the token "
            f"({explanation.method})*",
            "",
        ]
    lines += [f"**2 · Model** → logits · **3 · Post-processing** → {prediction.function}", ""]
    lines += ["| label | logit | probability |", "|:--|--:|--:|"]
    for (label, probability), logit in zip(
        prediction.probabilities.items(), prediction.logits, strict=True
    ):
        mark = "**" if label == prediction.label else ""
        lines.append(f"| {mark}{label}{mark} | {logit:.3f} | {mark}{probability:.3f}{mark} |")
    return "\n".join(lines)


def status_markdown(message: str) -> str:
    return f"**sentiment-ls**: {message}"
