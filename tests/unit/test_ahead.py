"""What is explained ahead of the hover, in which order (lsp/ahead.py)."""

from __future__ import annotations

from sentiment_ls.document import document_sentences
from sentiment_ls.lsp.ahead import explain_order, sentence_at


def test_flagged_first_then_the_rest_each_outward_from_the_last_requested_position() -> None:
    order = explain_order(200, flagged=[5, 150, 101], anchor=100)
    assert order[:3] == [101, 150, 5]  # flagged, nearest the position first
    # Then outward, the earlier of two at one distance first (101 came with the flagged).
    assert order[3:9] == [100, 99, 98, 102, 97, 103]
    assert sorted(order) == list(range(200))  # every sentence, each once


def test_without_a_requested_position_the_order_starts_at_the_top() -> None:
    order = explain_order(5000, flagged=[4000, 2], anchor=None)
    assert order[:2] == [2, 4000]
    assert order[2:6] == [0, 1, 3, 4]
    assert order[-1] == 4999 and len(order) == 5000


def test_an_anchor_at_the_end_goes_backwards() -> None:
    assert explain_order(6, flagged=[1], anchor=5) == [1, 5, 4, 3, 2, 0]


def test_the_sentence_at_an_offset() -> None:
    text = "First one here. Second one there.\n\nThird paragraph sentence."
    sentences = document_sentences(text, "markdown")
    assert [sentence_at(sentences, text.index(word)) for word in ("First", "Second", "Third")] == [
        0,
        1,
        2,
    ]
    assert sentence_at([], 10) is None
