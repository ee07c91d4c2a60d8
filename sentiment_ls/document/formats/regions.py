"""Building prose regions out of source pieces, shared by the formats.

A format finds where its prose is; this module turns those places into ProseRegions whose
every character keeps the offset of the source character it came from. Line breaks inside a
region read as spaces (at the offset of the break), as in plain text.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..model import ProseRegion

_LINE_BREAKS = "\r\n"


class RegionBuilder:
    """Collects characters with their source offsets; `close` ends the current region."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.regions: list[ProseRegion] = []
        self._chars: list[str] = []
        self._offsets: list[int] = []
        self._stack: list[tuple[list[str], list[int]]] = []

    def add(self, start: int, end: int) -> None:
        """The source slice [start, end), line breaks read as spaces."""
        if start >= end:
            return
        piece = self.source[start:end]
        if "\n" in piece or "\r" in piece:
            piece = piece.replace("\r", " ").replace("\n", " ")
        self._chars.append(piece)
        self._offsets.extend(range(start, end))

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
        """End the current region; one without a letter or digit is dropped."""
        text = "".join(self._chars)
        if any(char.isalnum() for char in text):
            self.regions.append(ProseRegion(text, tuple(self._offsets)))
        self._chars.clear()
        self._offsets.clear()

    def push(self) -> None:
        """Set the current region aside to build one inside it (a footnote in a sentence)."""
        self._stack.append((self._chars, self._offsets))
        self._chars, self._offsets = [], []

    def pop(self) -> None:
        """Close the region begun at `push` and go on with the one set aside."""
        self.close()
        self._chars, self._offsets = self._stack.pop()

    def finish(self) -> list[ProseRegion]:
        self.close()
        # A region built inside another (`push`) was closed first: put it back in order.
        return sorted(self.regions, key=lambda region: region.offsets[0])


def paragraph_regions(source: str, lines: Iterable[tuple[int, int] | None]) -> list[ProseRegion]:
    """Regions from the prose span of each line, in order; None (a blank line, a line that is
    not prose) ends a paragraph. Consecutive lines are joined by a space at the first white
    space character between them, usually the line break."""
    builder = RegionBuilder(source)
    previous_end: int | None = None
    for line in lines:
        if line is None:
            builder.close()
            previous_end = None
            continue
        start, end = line
        if start >= end:
            continue
        if previous_end is not None:
            builder.separate(_white_space_between(source, previous_end, start))
        builder.add(start, end)
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
