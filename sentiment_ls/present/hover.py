"""The hover over a sentence: what a writer asks first, then the pipeline behind it.

1. The verdict: label and probability, and whether the document's rule flags it or why not
   (present/verdict.py), on the first line.
2. The words that pushed hardest toward the label and against it, with their signed scores,
   quoted as the writer wrote them (inline code as itself, not as the placeholder read).
Then, below a rule, the pipeline's three stages, compact:
3. Tokenizer: what the model read, where it is not the writer's words (a placeholder for
   inline code, markup left out); the word pieces with their input ids (`piece·id`) as a
   wrapped strip, and the attention mask; a long sentence shows its head and tail.
4. Model and post-processing: the logits and the probabilities of every label, one small
   table with the labels as columns.
5. Where the full breakdown is (the `sentiment-ls.breakdown` command: every token, its
   score, every word), the unit of the scores and the model that gave the verdict (with a
   team service: "team service: NAME", or "local fallback" while it is down).

A hover box shows about a dozen lines before it scrolls, so the first two lines carry the
answer; everything is bounded (see `MAX_PIECES`) whatever the sentence's length.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sentiment_ls.analysis.request import LOCAL_FALLBACK
from sentiment_ls.present.attributions import signed
from sentiment_ls.present.check_report import shortened
from sentiment_ls.present.markup import Block, Markup, MarkupKind

if TYPE_CHECKING:
    from sentiment_ls.analysis.engine import SentenceAnalysis
    from sentiment_ls.analysis.explain import Explanation, WordAttribution
    from sentiment_ls.document import Sentence
    from sentiment_ls.present.verdict import Verdict

BREAKDOWN_COMMAND = "sentiment-ls.breakdown"
MAX_PIECES = 40  # shown in the strip: the first MAX_PIECES - TAIL_PIECES, then the last few
TAIL_PIECES = 4
STRIP_WIDTH = 64  # characters per line of the strip: fits a hover box without scrolling
READ_LIMIT = 2 * STRIP_WIDTH  # characters of what the model read, where it is shown


@dataclass(frozen=True)
class HoverInputs:
    """What one hover shows: the sentence, its analysis, its explanation (None when word
    scores are off or left out), the verdict and what chose the flagged labels."""

    sentence: Sentence
    analysis: SentenceAnalysis
    explanation: Explanation | None
    verdict: Verdict
    policy: str  # "the positive tone", "the flagLabels setting" (see verdict.policy_name)
    model_id: str
    words: int = 3  # the `hoverWords` setting: words shown for and against the label
    # Set when word scores were left out because the sentence is too long to explain in a
    # hover: its number of tokens.
    words_left_out: int | None = None


def verdict_line(inputs: HoverInputs, markup: Markup) -> str:
    verdict = inputs.verdict
    label = markup.text(verdict.label)
    why = verdict.explanation(inputs.policy, markup.text)
    if not verdict.judged:
        return f"{markup.bold('Not judged')}: {why} (the model reads {label} {verdict.score:.2f})"
    state = "flagged" if verdict.flagged else "not flagged"
    return f"{markup.bold(f'{label} {verdict.score:.2f} · {state}')}: {why}"


def words_line(inputs: HoverInputs, markup: Markup) -> str | None:
    explanation = inputs.explanation
    if inputs.words_left_out is not None and inputs.words > 0:
        return markup.italic(
            f"Word scores are left out of the hover for a sentence of {inputs.words_left_out} "
            "tokens (their cost grows with the square of its length): the full breakdown "
            "computes them."
        )
    if explanation is None or inputs.words <= 0:
        return None
    supporting, opposing = explanation.strongest(inputs.words)

    def listed(words: list[WordAttribution]) -> str:
        # Quoted, not inline code: Neovim 0.7 shows code spans' backticks, and quotes keep
        # a lone punctuation mark visible, which italics would not.
        return ", ".join(f"“{markup.text(writers(w))}” {signed(w.attribution)}" for w in words)

    def writers(word: WordAttribution) -> str:
        """The word as the writer wrote it, where the analysis read this very sentence."""
        if inputs.analysis.text != inputs.sentence.text:
            return word.text
        return inputs.sentence.quoted(*word.span)

    label = markup.text(explanation.label)
    toward = f"Toward {label}: {listed(supporting)}" if supporting else f"No word for {label}"
    return f"{toward} · against: {listed(opposing)}" if opposing else toward


def piece_strip(analysis: SentenceAnalysis) -> list[str]:
    """`piece·id` cells wrapped into lines of STRIP_WIDTH; a piece whose attention mask is not
    1 carries it as a third field (`piece·id·0`)."""
    tokens = analysis.encoding.tokens
    cells = [
        f"{t.text}·{t.id}" if t.attention == 1 else f"{t.text}·{t.id}·{t.attention}" for t in tokens
    ]
    if len(cells) > MAX_PIECES:
        hidden = len(cells) - MAX_PIECES + 1  # one cell's room goes to saying so
        head = MAX_PIECES - TAIL_PIECES - 1
        cells = [*cells[:head], f"… {hidden} more …", *cells[len(cells) - TAIL_PIECES :]]
    lines: list[str] = []
    for cell in cells:
        if lines and len(lines[-1]) + 1 + len(cell) <= STRIP_WIDTH:
            lines[-1] += f" {cell}"
        else:
            lines.append(cell)
    return lines


def read_line(inputs: HoverInputs, markup: Markup) -> str | None:
    """What the model read, where it is not the writer's words: the pipeline's input."""
    read = " ".join(inputs.analysis.text.split())
    if read == inputs.sentence.quote:
        return None
    return f"The model read “{markup.text(shortened(read, READ_LIMIT))}”"


def tokenizer_heading(inputs: HoverInputs, markup: Markup) -> list[str]:
    analysis = inputs.analysis
    tokens = analysis.encoding.tokens
    masks = {t.attention for t in tokens}
    mask = (
        "attention mask 1 on every piece"
        if masks == {1}
        else "attention mask 1 except where a third field gives it"
    )
    read = read_line(inputs, markup)
    lines = [read] if read else []
    lines.append(f"{markup.bold('1 · Tokenizer')}: {len(tokens)} word pieces as piece·id, {mask}")
    windows = len(analysis.encoding.windows)
    if windows > 1:
        lines.append(
            f"longer than the model's maximum: read in {windows} overlapping windows, logits "
            "averaged; the first window is shown and explained"
        )
    return lines


def scores_table(analysis: SentenceAnalysis, markup: Markup) -> Block:
    prediction = analysis.prediction
    logits = [f"{x:.3f}".replace("-", "\N{MINUS SIGN}") for x in prediction.logits]
    probabilities = [f"{p:.3f}" for p in prediction.probabilities.values()]
    return markup.table(
        ["stage", *prediction.probabilities],
        [["2 · Model: logit", *logits], [f"3 · {prediction.function}", *probabilities]],
    )


def footer(inputs: HoverInputs, markup: Markup) -> list[str]:
    lines = []
    if inputs.explanation is not None and inputs.words > 0:
        label = markup.text(inputs.explanation.label)
        method = inputs.explanation.method
        lines.append(markup.italic(f"Scores: nats of the log-odds of {label} ({method})"))
    lines.append(
        markup.italic(f"Every piece and word: command {markup.code(BREAKDOWN_COMMAND)}")
        + f" · model {model_line(inputs, markup)}"
    )
    return lines


def model_line(inputs: HoverInputs, markup: Markup) -> str:
    """The model that gave the verdict: the configured one, or with a team service, the
    service's ("team service: NAME") or the configured one in its place ("local fallback")."""
    source = inputs.analysis.source
    if source is None:
        return markup.code(inputs.model_id)
    if source == LOCAL_FALLBACK:
        return f"{markup.code(inputs.model_id)} ({source})"
    return markup.text(source)


def hover_text(inputs: HoverInputs, kind: MarkupKind = "markdown") -> str:
    markup = Markup(kind)
    words = words_line(inputs, markup)
    lead = [verdict_line(inputs, markup), *([words] if words else [])]
    return markup.join(
        [
            Block(lead),
            markup.separator(),
            Block(tokenizer_heading(inputs, markup)),
            markup.block(piece_strip(inputs.analysis)),
            scores_table(inputs.analysis, markup),
            Block(footer(inputs, markup)),
        ]
    )


def status_text(message: str, kind: MarkupKind = "markdown") -> str:
    markup = Markup(kind)
    return f"{markup.bold('sentiment-ls')}: {message}"
