from __future__ import annotations

import pytest

from sentiment_ls.document import ProseRegion, Sentence


def test_region_needs_one_offset_per_character() -> None:
    with pytest.raises(ValueError, match="one source offset per character"):
        ProseRegion("abc", (0, 1))


def test_sentence_needs_one_offset_per_character() -> None:
    with pytest.raises(ValueError, match="one source offset per character"):
        Sentence("abc", (0, 1, 2, 3))


def test_empty_sentence_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        Sentence("", ())


def test_start_and_end_come_from_the_first_and_last_offsets() -> None:
    # "Very **good**." -> "Very good." with the markup skipped.
    sentence = Sentence("Very good.", (0, 1, 2, 3, 4, 7, 8, 9, 10, 13))
    assert (sentence.start, sentence.end) == (0, 14)


def test_source_span_maps_a_token_across_removed_markup() -> None:
    source = "Very **good**."
    sentence = Sentence("Very good.", (0, 1, 2, 3, 4, 7, 8, 9, 10, 13))
    start, end = sentence.source_span(5, 9)
    assert source[start:end] == "good"
    assert sentence.source_span(0, 10) == (0, 14)


def test_source_span_of_an_empty_span_is_a_point() -> None:
    sentence = Sentence("ab", (3, 7))
    assert sentence.source_span(1, 1) == (7, 7)
    assert sentence.source_span(2, 2) == (8, 8)


@pytest.mark.parametrize(("start", "end"), [(-1, 1), (1, 0), (0, 3)])
def test_source_span_outside_the_sentence_is_an_error(start: int, end: int) -> None:
    with pytest.raises(IndexError):
        Sentence("ab", (0, 1)).source_span(start, end)
