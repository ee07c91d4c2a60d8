"""Visible sentences first: on a long document, what the user is looking at is analysed and
published before the rest.

LSP has no standard "visible range" message, so clients may send the notification
`sentiment-ls/visibleRanges` with `{"uri": ..., "ranges": [Range, ...]}`; without it the
top of the document counts as visible, which is what an editor shows on open.
"""

from __future__ import annotations

from collections.abc import Sequence

from sentiment_ls.document import Sentence

METHOD = "sentiment-ls/visibleRanges"
TOP_SENTENCES = 80  # about two screens of prose
# Below this many sentences left to analyse, a second publish would only add noise.
MIN_REST = 64


class VisibleRanges:
    def __init__(self) -> None:
        self._ranges: dict[str, list[tuple[int, int]]] = {}

    def set(self, uri: str, ranges: Sequence[tuple[int, int]]) -> None:
        self._ranges[uri] = sorted(ranges)

    def forget(self, uri: str) -> None:
        self._ranges.pop(uri, None)

    def first_pass(self, uri: str, sentences: Sequence[Sentence]) -> list[int]:
        """Indexes of the sentences to analyse first: those overlapping the visible ranges,
        or the top of the document when the client said nothing."""
        ranges = self._ranges.get(uri)
        if not ranges:
            return list(range(min(TOP_SENTENCES, len(sentences))))
        return [
            index
            for index, sentence in enumerate(sentences)
            if any(sentence.start < end and start < sentence.end for start, end in ranges)
        ]
