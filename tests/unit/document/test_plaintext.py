from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sentiment_ls.document import document_sentences, prose_regions

from .helpers import assert_faithful, assert_plain_slices, texts


def test_blank_lines_separate_paragraphs() -> None:
    source = "First paragraph. Still first.\n\nSecond paragraph.\n   \n\t\nThird."
    regions = prose_regions(source, "plaintext")
    assert texts(regions) == ["First paragraph. Still first.", "Second paragraph.", "Third."]
    assert_faithful(source, regions)


@pytest.mark.parametrize("line_break", ["\n", "\r\n", "\r"])
def test_a_single_line_break_is_a_space_at_the_break(line_break: str) -> None:
    source = f"This sentence is{line_break}wrapped. So{line_break}is this one."
    (region,) = prose_regions(source, "plaintext")
    assert region.text == "This sentence is wrapped. So is this one."
    assert region.offsets[16] == source.index(line_break)
    sentences = document_sentences(source, "plaintext")
    assert texts(sentences) == ["This sentence is wrapped.", "So is this one."]
    assert_faithful(source, sentences)
    assert_plain_slices(source, sentences)


@pytest.mark.parametrize("line_break", ["\n", "\r\n", "\r"])
def test_paragraph_breaks_with_every_line_ending(line_break: str) -> None:
    source = line_break.join(["One.", "", "Two.", "", "", "Three."])
    sentences = document_sentences(source, "plaintext")
    assert texts(sentences) == ["One.", "Two.", "Three."]
    assert_plain_slices(source, sentences)


def test_indentation_is_kept_but_sentences_are_stripped() -> None:
    source = "    Indented start.\n  Next line here."
    sentences = document_sentences(source, "plaintext")
    assert texts(sentences) == ["Indented start.", "Next line here."]
    assert_plain_slices(source, sentences)


def test_emoji_cjk_and_combining_characters() -> None:
    source = (
        "Great 👍🏽 job! 👩\u200d💻 codes.\n\n"
        "今日は良い日です。明日も。\n\n"
        "Nai\u0308ve cafe\u0301 plan."
    )
    sentences = document_sentences(source, "plaintext")
    assert texts(sentences) == [
        "Great 👍🏽 job!",
        "👩\u200d💻 codes.",
        "今日は良い日です。",
        "明日も。",
        "Nai\u0308ve cafe\u0301 plan.",
    ]
    assert_faithful(source, sentences)
    assert_plain_slices(source, sentences)


@settings(max_examples=40, deadline=None, database=None)
@given(
    st.lists(
        st.sampled_from(["Good", "bad", " ", ".", "!", "\n", "\r\n", "\r", "😀", "é", "中", "Dr."]),
        max_size=25,
    ).map("".join)
)
def test_any_text_maps_back_exactly(source: str) -> None:
    sentences = document_sentences(source, "plaintext")
    assert_faithful(source, sentences)
    assert_plain_slices(source, sentences)
