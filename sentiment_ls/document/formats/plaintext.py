"""Plain text: paragraphs separated by blank lines; a single line break inside one is a space.

A line that opens a list item (`- `, `* `, `1. `...) starts a region of its own, marker left
out: a NEWS file's entries end without a full stop. Backtick code spans read as the
placeholder (see regions.RegionBuilder.add_with_code).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import ProseRegion
from ..positions import LINE_BREAK
from .regions import RegionBuilder, list_item_start


def prose_regions(source: str) -> list[ProseRegion]:
    builder = RegionBuilder(source)
    joined = False  # whether the region so far has a line the next one joins
    previous_line_end = 0
    for line_start, line_end in _lines(source):
        if not source[line_start:line_end].strip():
            builder.close()
            joined = False
        else:
            item_start = list_item_start(source, line_start, line_end)
            if item_start is not None:
                builder.close()
                line_start = item_start
            elif joined:
                # The line break joining this line to the previous one reads as a space; it
                # keeps the offset of the break's first character (the "\r" of "\r\n").
                builder.add_char(" ", previous_line_end)
            builder.add_with_code(line_start, line_end)
            joined = True
        previous_line_end = line_end
    return builder.finish()


def _lines(source: str) -> Iterator[tuple[int, int]]:
    """[start, end) of each line, without its line break."""
    line_start = 0
    for line_break in LINE_BREAK.finditer(source):
        yield line_start, line_break.start()
        line_start = line_break.end()
    yield line_start, len(source)
