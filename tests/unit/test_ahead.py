"""What is explained ahead of the hover, in which order (lsp/ahead.py)."""

from __future__ import annotations

from sentiment_ls.document import document_sentences
from sentiment_ls.lsp.ahead import NEAR_CURSOR, explain_order, sentence_at


def test_flagged_where_the_user_is_then_flagged_then_where_the_user_is_then_outward() -> None:
    order = explain_order(200, flagged=[5, 150, 101], visible=[0, 1, 2], cursor=100)
    assert order[0] == 101  # flagged and near the cursor, ...
    assert order[1:3] == [150, 5]  # ... the other flagged, nearest the cursor first, ...
    near = set(range(100 - NEAR_CURSOR, 100 + NEAR_CURSOR + 1)) | {0, 1, 2}
    assert set(order[3 : 3 + len(near) - 1]) == near - {101}  # ... where the user is, ...
    assert order[3:5] == [100, 99]  # (from the cursor outward)
    assert len(order) == len(near | {5, 150})  # and nothing else, each once


def test_without_a_cursor_the_visible_top_comes_first_and_the_list_is_bounded() -> None:
    order = explain_order(5000, flagged=[4000, 2], visible=range(80), cursor=None)
    assert order[:2] == [2, 4000]
    assert order[2:] == [i for i in range(80) if i != 2]
    flagged = range(0, 5000, 2)
    assert len(explain_order(5000, flagged, visible=range(80), cursor=None, limit=300)) == 300


def test_the_sentence_at_an_offset() -> None:
    text = "First one here. Second one there.\n\nThird paragraph sentence."
    sentences = document_sentences(text, "markdown")
    assert [sentence_at(sentences, text.index(word)) for word in ("First", "Second", "Third")] == [
        0,
        1,
        2,
    ]
    assert sentence_at([], 10) is None
