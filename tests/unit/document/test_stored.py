"""A document's sentences survive the round trip through check's cache exactly (offsets
included, where markup was skipped), and a foreign blob is refused rather than trusted."""

from __future__ import annotations

from sentiment_ls.document import document_sentences
from sentiment_ls.document.stored import decode_sentences, document_key, encode_sentences

MARKDOWN = (
    "# Notes 😀\n\nThe *installer* is `slow` and [badly](http://x) documented. "
    "It works.\n\n- A list item with **bold** text.\n"
)


def test_sentences_round_trip_with_their_offsets() -> None:
    sentences = document_sentences(MARKDOWN, "markdown")
    assert any(s.end - s.start != len(s.text) for s in sentences)  # skipped markup inside
    assert decode_sentences(encode_sentences(sentences)) == sentences


def test_the_key_is_the_text_and_its_language() -> None:
    key = document_key(MARKDOWN, "markdown")
    assert key == document_key(MARKDOWN, "markdown")
    assert key != document_key(MARKDOWN, "plaintext")
    assert key != document_key(MARKDOWN + " ", "markdown")


def test_a_blob_that_is_not_ours_is_refused() -> None:
    assert decode_sentences(b"not json") is None
    assert decode_sentences(b'[["text", [0], []]]') is None  # runs come in pairs
    assert decode_sentences(b'[["text", [0, 2], []]]') is None  # one offset per character
