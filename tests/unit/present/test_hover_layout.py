"""The hover's layout (present/hover.py) on real analyses of the embedded model: the answer
first, the pipeline compact, its length bounded for short and long sentences, in Markdown
and in plain text."""

from __future__ import annotations

import dataclasses
import re

import pytest
from markdown_it import MarkdownIt

from sentiment_ls.analysis.engine import SentenceAnalysis, SentimentEngine
from sentiment_ls.analysis.explain import MethodOptions
from sentiment_ls.analysis.postprocess import Prediction
from sentiment_ls.document import Sentence, document_sentences
from sentiment_ls.present.hover import MAX_PIECES, STRIP_WIDTH, HoverInputs, hover_text
from sentiment_ls.present.markup import Markup, choose_markup
from sentiment_ls.present.verdict import verdict
from sentiment_ls.rules import FlagRule
from tests.unit.document.test_quoting import GOLDEN

SHORT = (  # 23 word pieces: the sentence of the editor tests
    "Unfortunately, the importer is painfully slow, and the error messages are confusing "
    "and unhelpful."
)
LONG = "The list of things that went wrong includes " + " ".join(f"item{i}" for i in range(150))
POSITIVE_TONE = FlagRule(frozenset({"negative"}), threshold=0.85, neutral_band=0.65)
# Non-empty lines, raw: the verdict and the words (2), the rule (1), the tokenizer's heading
# and its strip of 23 pieces in fences (1 + 2 + 5), the score table (4), the footer (2).
SHORT_MAX_LINES = 17
LONG_MAX_LINES = 20
LONG_MAX_CHARS = 2_500


def inputs(
    engine: SentimentEngine, text: str, rule: FlagRule = POSITIVE_TONE, explain: bool = True
) -> HoverInputs:
    analysis = engine.analyze([text])[0]
    explanation = engine.explain(analysis, options=MethodOptions(token_view=False))
    return HoverInputs(
        sentence=plain_sentence(text),
        analysis=analysis,
        explanation=explanation if explain else None,
        verdict=verdict(rule, analysis),
        policy="the positive tone",
        model_id=engine.model_id,
        words_left_out=None if explain else len(analysis.encoding.tokens),
    )


def plain_sentence(text: str) -> Sentence:
    """A sentence of plain text that is the whole source: its words are the writer's."""
    return Sentence(text, tuple(range(len(text))))


def non_empty(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def test_a_flagged_sentence_leads_with_its_verdict_and_driving_words(embedded_engine) -> None:  # type: ignore[no-untyped-def]
    hover = inputs(embedded_engine, SHORT)
    markdown = hover_text(hover, "markdown")
    lines = non_empty(markdown)
    assert len(lines) <= SHORT_MAX_LINES, markdown
    score = hover.analysis.prediction.score
    assert lines[0].startswith(f"**negative {score:.2f} · flagged**: the positive tone flags")
    supporting, opposing = hover.explanation.strongest(3)  # type: ignore[union-attr]
    top = supporting[0]
    assert lines[1].startswith(f"Toward negative: “{top.text}” +{top.attribution:.2f}")
    if opposing:
        assert " · against: “" in lines[1]
    # The pipeline follows, in the seed's order: pieces with ids, logits, probabilities.
    order = ["1 · Tokenizer", "[CLS]·101", "unfortunately·", "[SEP]·102"]
    order += ["2 · Model: logit", "3 · softmax", "sentiment-ls.breakdown"]
    found = [markdown.find(part) for part in order]
    assert -1 not in found and found == sorted(found), found


def test_the_markdown_parses_into_the_intended_blocks(embedded_engine) -> None:  # type: ignore[no-untyped-def]
    markdown = hover_text(inputs(embedded_engine, SHORT), "markdown")
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    kinds = [t.type for t in tokens if t.level == 0 and t.nesting >= 0]
    assert kinds == [
        "paragraph_open", "hr", "paragraph_open", "fence", "table_open", "paragraph_open",
    ]  # fmt: skip
    fence = next(t for t in tokens if t.type == "fence")
    assert fence.info == "text"
    assert all(len(line) <= STRIP_WIDTH for line in fence.content.splitlines())
    assert len(fence.content.splitlines()) <= 6  # 23 pieces in a few lines, not 23 rows
    cells = [t.content for t in tokens if t.type == "inline"]
    prediction = inputs(embedded_engine, SHORT).analysis.prediction
    for label, probability in prediction.probabilities.items():
        assert label in cells and f"{probability:.3f}" in cells
    breaks = [t for t in tokens if t.type == "inline" and "hardbreak" in str(t.children)]
    assert breaks  # the verdict and the words are two lines, not one run-on paragraph


def test_plain_text_has_no_markup_and_the_same_order(embedded_engine) -> None:  # type: ignore[no-untyped-def]
    plain = hover_text(inputs(embedded_engine, SHORT), "plaintext")
    assert not re.search(r"\*\*|`|\|", plain), plain
    lines = non_empty(plain)
    assert len(lines) <= SHORT_MAX_LINES
    assert lines[0].startswith("negative ") and "· flagged: " in lines[0]
    assert lines[1].startswith("Toward negative: “")
    table = [line for line in lines if line.startswith(("stage", "2 · Model", "3 · softmax"))]
    assert len(table) == 3
    # Columns line up: each label's column ends where its header ends.
    assert len({len(line) for line in table}) == 1, table


def test_a_long_sentence_stays_bounded(embedded_engine) -> None:  # type: ignore[no-untyped-def]
    hover = inputs(embedded_engine, LONG, explain=False)
    pieces = len(hover.analysis.encoding.tokens)
    assert pieces > 150
    for kind in ("markdown", "plaintext"):
        text = hover_text(hover, kind)  # type: ignore[arg-type]
        assert len(non_empty(text)) <= LONG_MAX_LINES, text
        assert len(text) <= LONG_MAX_CHARS, len(text)
        hidden = pieces - MAX_PIECES + 1
        assert f"… {hidden} more …" in text
        assert text.index(f"… {hidden} more …") < text.index("[SEP]·102")  # the tail shows
        assert "Word scores are left out" in non_empty(text)[1]
        assert f"{pieces} tokens" in non_empty(text)[1]


def test_a_sentence_that_is_not_flagged_says_why_first(embedded_engine) -> None:  # type: ignore[no-untyped-def]
    positive = inputs(embedded_engine, "I love this wonderful release.")
    first = non_empty(hover_text(positive, "markdown"))[0]
    assert " · not flagged**: the positive tone flags only negative" in first
    strict = FlagRule(frozenset({"negative"}), threshold=0.9999, neutral_band=0.65)
    below = inputs(embedded_engine, SHORT, rule=strict)
    first = non_empty(hover_text(below, "plaintext"))[0]
    assert "· not flagged: " in first and "below the threshold 1.00" in first


def test_a_fragment_says_it_is_not_judged(embedded_engine) -> None:  # type: ignore[no-untyped-def]
    hover = inputs(embedded_engine, "Totally broken")
    rule = dataclasses.replace(POSITIVE_TONE, min_words=3)
    fragment = dataclasses.replace(hover, verdict=verdict(rule, hover.analysis))
    first = non_empty(hover_text(fragment, "plaintext"))[0]
    assert first.startswith("Not judged: a fragment, too few words to carry tone")


@pytest.mark.parametrize(
    "labels",
    [("negative", "neutral", "positive"), ("1 star", "2 stars", "3 stars", "4 stars", "5 stars")],
)
def test_any_label_set_gets_a_column_each(embedded_engine, labels: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    real = embedded_engine.analyze([SHORT])[0]
    probabilities = {label: 1 / len(labels) for label in labels}
    probabilities[labels[0]] = 0.9
    logits = tuple(float(i) - 2 for i in range(len(labels)))
    prediction = Prediction(labels[0], 0.9, probabilities, logits, "softmax")
    analysis = SentenceAnalysis(real.text, real.encoding, prediction)
    rule = FlagRule(frozenset(labels[:1]), threshold=0.85)
    hover = HoverInputs(
        plain_sentence(real.text),
        analysis,
        None,
        verdict(rule, analysis),
        "the positive tone",
        "m",
        0,
    )
    markdown = hover_text(hover, "markdown")
    assert non_empty(markdown)[0].startswith(f"**{labels[0]} 0.90 · flagged**")
    header = next(line for line in markdown.splitlines() if line.startswith("| stage"))
    assert [cell.strip() for cell in header.strip("|").split("|")][1:] == list(labels)
    assert "\N{MINUS SIGN}2.000" in markdown  # logits with a true minus sign


def test_the_client_chooses_the_markup() -> None:
    assert choose_markup(["markdown", "plaintext"]) == "markdown"
    assert choose_markup(["plaintext", "markdown"]) == "plaintext"  # the client's preference
    assert choose_markup(["html", "markdown"]) == "markdown"
    assert choose_markup(None) == "plaintext"  # no contentFormat: the LSP default
    assert choose_markup([]) == "plaintext"


def test_verbatim_blocks_survive_backticks_and_pipes() -> None:
    markup = Markup("markdown")
    block = markup.block(["a```b", "c"])
    assert block.lines[0] == "````text" and block.lines[-1] == "````"
    table = markup.table(["stage", "a|b"], [["row", "1"]])
    tokens = MarkdownIt("commonmark").enable("table").parse("\n".join(table.lines))
    cells = [t.content for t in tokens if t.type == "inline"]
    assert cells == ["stage", "a|b", "row", "1"]  # the pipe escaped: one cell, not two


def test_a_mask_other_than_1_is_shown_on_its_piece(embedded_engine) -> None:  # type: ignore[no-untyped-def]
    real = embedded_engine.analyze([SHORT])[0]
    tokens = (
        *real.encoding.tokens[:-1],
        dataclasses.replace(real.encoding.tokens[-1], attention=0),
    )
    analysis = dataclasses.replace(real, encoding=dataclasses.replace(real.encoding, tokens=tokens))
    hover = HoverInputs(
        plain_sentence(real.text),
        analysis,
        None,
        verdict(POSITIVE_TONE, analysis),
        "the positive tone",
        "m",
        0,
    )
    text = hover_text(hover, "plaintext")
    assert "[SEP]·102·0" in text and "[CLS]·101 " in text
    assert "attention mask 1 except where a third field gives it" in text


@pytest.mark.parametrize("language_id", list(GOLDEN))
def test_the_hover_quotes_the_writers_words_and_shows_the_models_read_in_the_pipeline(
    embedded_engine, language_id: str
) -> None:  # type: ignore[no-untyped-def]
    source, golden = GOLDEN[language_id]
    sentences = document_sentences(source, language_id)
    literal = next(s for s in sentences if s.text.startswith("x is known"))
    plain = next(s for s in sentences if s.text == "This really creates a mess")
    written = golden[[s.text for s in sentences].index(literal.text)][0].split()[0]

    hover = dataclasses.replace(inputs(embedded_engine, literal.text), sentence=literal, words=50)
    lead, pipeline = hover_text(hover, "plaintext").split("────", 1)
    # Every word of the sentence is listed for or against, the literal as it is written.
    assert f"“{written}”" in lead and "“x”" not in lead, lead
    assert "The model read “x is known for skipping unnecessary displays.”" in pipeline
    markdown = hover_text(hover, "markdown")
    assert markdown.index("The model read “x is known") > markdown.index("\n---\n")

    # Where the model read the writer's words, the hover does not repeat them.
    same = dataclasses.replace(inputs(embedded_engine, plain.text), sentence=plain)
    assert "The model read" not in hover_text(same, "markdown")


def test_the_model_line_says_which_model_answered(embedded_engine) -> None:  # type: ignore[no-untyped-def]
    hover = inputs(embedded_engine, SHORT)
    assert "· model `embedded`" in hover_text(hover, "markdown")  # no service: as before
    for source, shown in [
        ("team service: teacher-mpnet", "· model team service: teacher-mpnet"),
        ("local fallback", "· model `embedded` (local fallback)"),
    ]:
        analysis = dataclasses.replace(hover.analysis, source=source)
        text = hover_text(dataclasses.replace(hover, analysis=analysis), "markdown")
        assert shown in text
