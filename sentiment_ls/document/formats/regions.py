"""Building prose regions out of source pieces, shared by the formats.

A format finds where its prose is; this module turns those places into ProseRegions whose
every character keeps the offset of the source character it came from. Line breaks inside a
region read as spaces (at the offset of the break), as in plain text. An inline literal reads
as the placeholder (model.INLINE_CODE_READS_AS), recorded as a stand-in for its source.

Text without markup of its own (plain text, comments, commit messages) still has two habits
of the writers of Markdown and AsciiDoc: backticks around code, and list items, which end a
sentence at the line's end whether or not it has a full stop (a changelog's entries rarely
do).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..model import INLINE_CODE_READS_AS, ProseRegion, StandIn

_LINE_BREAKS = "\r\n"
# `code` or ``code``, on one line: as many backticks close it as opened it.
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)[^\r\n]*?[^`\r\n]\1(?!`)")
# A list item's marker opening a line: a bullet, or a number or a lowercase letter with "." or
# ")" ("1.", "2)", "a)"), then a blank and the item's first word.
_LIST_MARKER = re.compile(
    r"[ \t]*(?:[-*+\u2022\u2023\u2043\u25e6]|\d{1,3}[.)]|[a-z]\))[ \t]+(?=\S)"
)


def has_prose(text: str, stand_ins: Iterable[StandIn]) -> bool:
    """Whether `text` has a letter or a digit outside its stand-ins."""
    at = 0
    for stand_in in stand_ins:
        if any(char.isalnum() for char in text[at : stand_in.start]):
            return True
        at = stand_in.end
    return any(char.isalnum() for char in text[at:])


def list_item_start(source: str, start: int, end: int) -> int | None:
    """Where the item's text starts, if source[start:end] is a line that opens a list item."""
    marker = _LIST_MARKER.match(source, start, end)
    return None if marker is None else marker.end()


class RegionBuilder:
    """Collects characters with their source offsets; `close` ends the current region."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.regions: list[ProseRegion] = []
        self._chars: list[str] = []
        self._offsets: list[int] = []
        self._stand_ins: list[StandIn] = []
        self._stack: list[tuple[list[str], list[int], list[StandIn]]] = []

    def add(self, start: int, end: int) -> None:
        """The source slice [start, end), line breaks read as spaces."""
        if start >= end:
            return
        piece = self.source[start:end]
        if "\n" in piece or "\r" in piece:
            piece = piece.replace("\r", " ").replace("\n", " ")
        self._chars.append(piece)
        self._offsets.extend(range(start, end))

    def add_with_code(self, start: int, end: int) -> None:
        """The source slice [start, end), each backtick code span in it read as the
        placeholder (`add_literal`)."""
        for span in _CODE_SPAN.finditer(self.source, start, end):
            self.add(start, span.start())
            self.add_literal(span.start(), span.end())
            start = span.end()
        self.add(start, end)

    def add_literal(self, start: int, end: int) -> None:
        """An inline literal, source[start:end]: the placeholder, all of it at `start`."""
        at = len(self._offsets)
        stand_in = StandIn(at, at + len(INLINE_CODE_READS_AS), end, self.source[start:end])
        self._stand_ins.append(stand_in)
        self._chars.append(INLINE_CODE_READS_AS)
        self._offsets.extend([start] * len(INLINE_CODE_READS_AS))

    def add_char(self, char: str, offset: int) -> None:
        """One character that is not a copy of the source (a decoded entity, a joining space)."""
        self._chars.append(char)
        self._offsets.append(offset)

    def separate(self, offset: int) -> None:
        """A word boundary that the source marks with markup rather than a space (a line
        break between two lines of a paragraph, a `<br>`): one space, at `offset`, unless the
        region is empty or already ends in white space."""
        if self._chars and not self._chars[-1][-1:].isspace():
            self.add_char(" ", offset)

    def close(self) -> None:
        """End the current region; one without a letter or digit but in its literals (a table
        cell of inline code alone) is dropped."""
        text = "".join(self._chars)
        if has_prose(text, self._stand_ins):
            self.regions.append(ProseRegion(text, tuple(self._offsets), tuple(self._stand_ins)))
        self._chars.clear()
        self._offsets.clear()
        self._stand_ins.clear()

    def push(self) -> None:
        """Set the current region aside to build one inside it (a footnote in a sentence)."""
        self._stack.append((self._chars, self._offsets, self._stand_ins))
        self._chars, self._offsets, self._stand_ins = [], [], []

    def pop(self) -> None:
        """Close the region begun at `push` and go on with the one set aside."""
        self.close()
        self._chars, self._offsets, self._stand_ins = self._stack.pop()

    def finish(self) -> list[ProseRegion]:
        self.close()
        # A region built inside another (`push`) was closed first: put it back in order.
        return sorted(self.regions, key=lambda region: region.offsets[0])


def paragraph_regions(source: str, lines: Iterable[tuple[int, int] | None]) -> list[ProseRegion]:
    """Regions from the prose span of each line, in order; None (a blank line, a line that is
    not prose) ends a paragraph, and so does a line that opens a list item. Consecutive lines
    are joined by a space at the first white space character between them, usually the line
    break."""
    builder = RegionBuilder(source)
    previous_end: int | None = None
    for line in lines:
        if line is None:
            builder.close()
            previous_end = None
            continue
        start, end = line
        item_start = list_item_start(source, start, end)
        if item_start is not None:
            builder.close()
            start, previous_end = item_start, None
        if start >= end:
            continue
        if previous_end is not None:
            builder.separate(_white_space_between(source, previous_end, start))
        builder.add_with_code(start, end)
        previous_end = end
    return builder.finish()


def _white_space_between(source: str, start: int, end: int) -> int:
    for offset in range(start, end):
        if source[offset] in _LINE_BREAKS:
            return offset
    for offset in range(start, end):
        if source[offset].isspace():
            return offset
    return start


def line_spans(source: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """[start, end) of each line of source[start:end], without its line break."""
    end = len(source) if end is None else end
    spans: list[tuple[int, int]] = []
    line_start = start
    offset = start
    while offset < end:
        char = source[offset]
        if char in _LINE_BREAKS:
            spans.append((line_start, offset))
            if char == "\r" and offset + 1 < end and source[offset + 1] == "\n":
                offset += 1
            line_start = offset + 1
        offset += 1
    spans.append((line_start, end))
    return spans


def stripped(source: str, start: int, end: int) -> tuple[int, int]:
    """The span without leading and trailing white space."""
    while start < end and source[start].isspace():
        start += 1
    while end > start and source[end - 1].isspace():
        end -= 1
    return start, end
