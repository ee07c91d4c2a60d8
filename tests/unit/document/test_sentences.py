from __future__ import annotations

from sentiment_ls.document import ProseRegion, split_sentences
from sentiment_ls.document.sentences import sentence_spans

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
