"""Conversion between str offsets and (line, character) positions.

Python indexes a str by code point; LSP clients count characters in UTF-16 code units unless
the client and server agreed on UTF-8 or UTF-32 during initialisation. Line starts are
precomputed once, so a conversion costs a bisect plus work proportional to one line.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Literal

PositionEncoding = Literal["utf-8", "utf-16", "utf-32"]

# LSP: "\n", "\r\n" and "\r" each end a line. "\r\n" comes first so it counts as one break.
LINE_BREAK = re.compile(r"\r\n|\r|\n")


class LineIndex:
    """Maps between code-point offsets in a str and (line, character) positions.

    Characters are counted in UTF-16 code units (the LSP default), UTF-8 bytes, or UTF-32
    code points.
    """

    __slots__ = ("_ends", "_starts", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        # _starts[n] is the offset of line n's first character; _ends[n] the offset of its line
        # break (or len(text) for the last line), so text[_starts[n]:_ends[n]] is the line.
        self._starts = [0]
        self._ends: list[int] = []
        for line_break in LINE_BREAK.finditer(text):
            self._ends.append(line_break.start())
            self._starts.append(line_break.end())
        self._ends.append(len(text))

    @property
    def line_count(self) -> int:
        """Number of lines; a text ending in a line break has an empty last line."""
        return len(self._starts)

    def position(self, offset: int, encoding: PositionEncoding = "utf-16") -> tuple[int, int]:
        """The (line, character) position of a code-point offset.

        Offsets are clamped to the text; one inside a "\\r\\n" pair, which no position can
        address, is the end of its line.
        """
        offset = min(max(offset, 0), len(self._text))
        line = bisect_right(self._starts, offset) - 1
        offset = min(offset, self._ends[line])
        return line, _width(self._text[self._starts[line] : offset], encoding)

    def offset(self, line: int, character: int, encoding: PositionEncoding = "utf-16") -> int:
        """The code-point offset of a (line, character) position, clamped to the text.

        A line past the end gives len(text); a character past the line's end gives the line's
        end; a position inside a character (a surrogate pair, a multi-byte UTF-8 sequence)
        gives the start of that character.
        """
        if line < 0:
            return 0
        if line >= len(self._starts):
            return len(self._text)
        start, end = self._starts[line], self._ends[line]
        return start + _code_points_in(self._text[start:end], max(character, 0), encoding)


def _width(text: str, encoding: PositionEncoding) -> int:
    """Length of `text` in the encoding's units."""
    if encoding == "utf-32" or text.isascii():
        return len(text)
    # surrogatepass: a lone surrogate (possible in a Python str) still counts as one unit
    # rather than raising.
    if encoding == "utf-16":
        return len(text.encode("utf-16-le", "surrogatepass")) // 2
    return len(text.encode("utf-8", "surrogatepass"))


def _code_points_in(line: str, units: int, encoding: PositionEncoding) -> int:
    """How many leading code points of `line` fit entirely within `units` encoding units."""
    if encoding == "utf-32" or line.isascii():
        return min(units, len(line))
    if encoding == "utf-16" and max(line) <= "\uffff":
        return min(units, len(line))
    total = 0
    for index, char in enumerate(line):
        total += _char_width(char, encoding)
        if total > units:
            return index
    return len(line)


def _char_width(char: str, encoding: PositionEncoding) -> int:
    code_point = ord(char)
    if encoding == "utf-16":
        return 2 if code_point > 0xFFFF else 1
    if code_point < 0x80:
        return 1
    if code_point < 0x800:
        return 2
    return 3 if code_point <= 0xFFFF else 4
