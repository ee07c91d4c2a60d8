"""Plain text: paragraphs separated by blank lines; a single line break inside one is a space."""

from __future__ import annotations

from collections.abc import Iterator

from ..model import ProseRegion
from ..positions import LINE_BREAK


def prose_regions(source: str) -> list[ProseRegion]:
    regions: list[ProseRegion] = []
    pieces: list[str] = []
    offsets: list[int] = []
    previous_line_end = 0
    for line_start, line_end in _lines(source):
        if not source[line_start:line_end].strip():
            if pieces:
                regions.append(ProseRegion("".join(pieces), tuple(offsets)))
                pieces.clear()
                offsets.clear()
        else:
            if pieces:
                # The line break joining this line to the previous one reads as a space; it
                # keeps the offset of the break's first character (the "\r" of "\r\n").
                pieces.append(" ")
                offsets.append(previous_line_end)
            pieces.append(source[line_start:line_end])
            offsets.extend(range(line_start, line_end))
        previous_line_end = line_end
    if pieces:
        regions.append(ProseRegion("".join(pieces), tuple(offsets)))
    return regions


def _lines(source: str) -> Iterator[tuple[int, int]]:
    """[start, end) of each line, without its line break."""
    line_start = 0
    for line_break in LINE_BREAK.finditer(source):
        yield line_start, line_break.start()
        line_start = line_break.end()
    yield line_start, len(source)
