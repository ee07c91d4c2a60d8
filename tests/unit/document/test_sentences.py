from __future__ import annotations

import json
from pathlib import Path

import pytest

from sentiment_ls.document import ProseRegion, document_sentences, split_sentences
from sentiment_ls.document.sentences import pysbd_spans, sentence_spans

from .helpers import assert_faithful, texts


def region_of(text: str, first_offset: int = 0) -> ProseRegion:
    return ProseRegion(text, tuple(range(first_offset, first_offset + len(text))))


def test_splits_and_strips() -> None:
    sentences = split_sentences(region_of("  I loved it. It broke on day two!  Why?  "))
    assert texts(sentences) == ["I loved it.", "It broke on day two!", "Why?"]
    assert [(s.start, s.end) for s in sentences] == [(2, 13), (14, 34), (36, 40)]


def test_abbreviations_do_not_end_sentences() -> None:
    sentences = split_sentences(region_of("Mr. Smith met Dr. Jones on p. 5 today. They talked."))
    assert texts(sentences) == ["Mr. Smith met Dr. Jones on p. 5 today.", "They talked."]


def test_offsets_follow_the_region_not_the_text() -> None:
    # A region whose characters are scattered in the source, as markup removal leaves them.
    source = "**Great** work. `x` Awful *result*."
    text = "Great work.  Awful result."
    offsets = (2, 3, 4, 5, 6, 9, 10, 11, 12, 13, 14, 15, 19, 20, 21, 22, 23, 24, 25, 27, 28, 29,
               30, 31, 32, 34)  # fmt: skip
    region = ProseRegion(text, offsets)
    assert_faithful(source, [region])
    sentences = split_sentences(region)
    assert texts(sentences) == ["Great work.", "Awful result."]
    assert_faithful(source, sentences)
    assert source[sentences[1].start : sentences[1].end] == "Awful *result*."


def test_segments_without_a_letter_or_digit_are_dropped() -> None:
    assert split_sentences(region_of("... --- !!!")) == []
    assert texts(split_sentences(region_of("Fine. ... Really."))) == ["Fine.", "Really."]


def test_empty_and_blank_regions_have_no_sentences() -> None:
    assert split_sentences(region_of("")) == []
    assert split_sentences(region_of(" \t ")) == []


def test_emoji_cjk_and_combining_characters_keep_their_offsets() -> None:
    source = (
        "I love it 😀. The family 👩\u200d👩\u200d👧 was happy! Cafe\u0301 é. 我很高兴。今天很好。"
    )
    sentences = split_sentences(region_of(source))
    assert texts(sentences) == [
        "I love it 😀.",
        "The family 👩\u200d👩\u200d👧 was happy!",
        "Cafe\u0301 é.",
        "我很高兴。",
        "今天很好。",
    ]
    for sentence in sentences:
        assert source[sentence.start : sentence.end] == sentence.text


def test_a_moved_paragraph_reuses_its_split_with_its_new_offsets() -> None:
    text = "This paragraph is cached. It has two sentences."
    sentence_spans.cache_clear()
    first = split_sentences(region_of(text))
    moved = split_sentences(region_of(text, first_offset=100))
    info = sentence_spans.cache_info()
    assert (info.misses, info.hits) == (1, 1)
    assert texts(moved) == texts(first)
    assert [s.start - 100 for s in moved] == [s.start for s in first]


GOLDEN_RULES = Path(__file__).resolve().parents[3].parent / (
    "shared/data/segmentation/golden_rules_en.json"
)


@pytest.mark.skipif(not GOLDEN_RULES.exists(), reason="the shared Golden Rules are not here")
def test_at_least_47_of_the_48_english_golden_rules() -> None:
    cases = json.loads(GOLDEN_RULES.read_text(encoding="utf-8"))["cases"]
    passed = sum(texts(split_sentences(region_of(c["text"]))) == c["sentences"] for c in cases)
    assert len(cases) == 48
    assert passed >= 47


@pytest.mark.parametrize(
    "text",
    [
        "The build is green. Everyone is happy! Are we done? Not yet.",
        "We met Dr. Smith at 5 p.m. on Jan. 3. It went well.",
        "Use os.path, e.g. for joins. Version 3.11.2 is out. Read it (see Fig. 2). Done.",
        'She said "This is great." She left. Then I.B.M. called.',
        "1. The first item. 2. The second item. Wow!! Really?! Yes...",
    ],
)
def test_the_fast_path_agrees_with_pysbd(text: str) -> None:
    pysbd_sentences = [text[a:b].strip() for a, b in pysbd_spans(text) if text[a:b].strip()]
    assert [text[a:b] for a, b in sentence_spans(text)] == pysbd_sentences


def test_an_edit_re_splits_only_the_paragraph_it_changed() -> None:
    paragraphs = [f"Paragraph {n} is here. It has two sentences of its own." for n in range(20)]
    source = "\n\n".join(paragraphs)
    document_sentences(source, "markdown")
    before = sentence_spans.cache_info()
    edited = source.replace("Paragraph 7 is here.", "Paragraph 7 is edited here.")
    # The edit moves every later paragraph in the source, which must not matter.
    document_sentences("New first line.\n\n" + edited, "markdown")
    after = sentence_spans.cache_info()
    assert after.misses - before.misses == 2  # the edited paragraph and the new line
