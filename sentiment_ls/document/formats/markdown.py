"""Markdown: one prose region per paragraph, heading or table cell, with exact source offsets.

markdown-it-py (CommonMark, GFM tables and strikethrough, front matter) finds the blocks.
Only `inline` tokens hold prose, so fenced and indented code, HTML blocks and front matter
never reach the analysis. Each inline token's `content` is its source lines with container
markers and indentation removed; its characters are mapped back to the source line by line,
and markdown_inline locates the prose inside that content.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from functools import partial

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.footnote.index import footnote_ref
from mdit_py_plugins.front_matter import front_matter_plugin

from ..model import INLINE_CODE_READS_AS, ProseRegion, StandIn
from .markdown_inline import prose_runs, record_spans

# markdown-it parses a normalised copy of the source; offsets are worked out in that copy,
# which differs from the source only in that "\r\n" became "\n" (one character shorter).
_LINE_ENDING = re.compile(r"\r\n?")
_UNMAPPED = -1
_TABLE_CELLS = frozenset({"th_open", "td_open"})


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"]).use(front_matter_plugin)
    # Footnote definitions are prose where they stand (not moved to the end); a reference
    # ("[^1]") is markup. Inline footnotes ("^[...]") are left to the text rules.
    md.use(footnote_plugin, inline=False, move_to_end=False)
    # Keep escapes and entities as their own tokens: merged into the text around them, their
    # decoded form ("*", "&") could no longer be found where the source has "\*" or "&amp;".
    md.disable("text_join")
    record_spans(md, {"footnote_ref": partial(footnote_ref, always_match=False)})
    return md


_MARKDOWN = _parser()


def prose_regions(source: str) -> list[ProseRegion]:
    text = _LINE_ENDING.sub("\n", source).replace("\0", "\ufffd")
    lines = _Lines(text)
    # Normalised index of each "\n" that was "\r\n": every later offset sits one further on.
    crlf_breaks = [match.start() - n for n, match in enumerate(re.finditer("\r\n", source))]
    tokens = _MARKDOWN.parse(text)

    regions: list[ProseRegion] = []
    row_line, row_cursor = -1, 0
    for index, token in enumerate(tokens):
        if token.type != "inline" or not token.children or token.map is None:
            continue
        first_line = token.map[0]
        if index and tokens[index - 1].type in _TABLE_CELLS:
            # The cells of a row share its line: each is looked for after the previous one.
            if row_line != first_line:
                row_line, row_cursor = first_line, lines.start(first_line)
            content_map, row_cursor = _cell_map(
                token.content, text, row_cursor, lines.end(first_line)
            )
        else:
            content_map = _block_map(token.content, text, lines, first_line)
        region = _region(source, token.content, token.children, content_map, crlf_breaks)
        if region is not None:
            regions.append(region)
    return regions


class _Lines:
    """Line starts and ends of the normalised text (lines end with "\n" only)."""

    def __init__(self, text: str) -> None:
        self._starts = [0, *(match.end() for match in re.finditer("\n", text))]
        self._length = len(text)

    def __len__(self) -> int:
        return len(self._starts)

    def start(self, line: int) -> int:
        return self._starts[line]

    def end(self, line: int) -> int:
        """Offset of the line's "\n", or the text's end for the last line."""
        return self._starts[line + 1] - 1 if line + 1 < len(self._starts) else self._length


def _block_map(content: str, text: str, lines: _Lines, first_line: int) -> list[int]:
    """Offset in `text` of each character of a paragraph's or heading's content.

    Content line k comes from source line first_line + k; a "\n" in the content is the
    break that ends the source line.
    """
    content_map: list[int] = []
    for k, line in enumerate(content.split("\n")):
        line_number = first_line + k
        if k:
            content_map.append(lines.end(line_number - 1))
        if line_number >= len(lines):
            content_map.extend([_UNMAPPED] * len(line))
            continue
        start = lines.start(line_number)
        content_map.extend(_aligned(line, text[start : lines.end(line_number)], start))
    return content_map


def _aligned(line: str, source_line: str, base: int) -> list[int]:
    """Offsets of `line`'s characters in `source_line` (which starts at offset `base`)."""
    if source_line.endswith(line):
        # The usual case: the parser took the line from its container's margin to its end.
        at = base + len(source_line) - len(line)
        return list(range(at, at + len(line)))
    # The last line of a block is trimmed: align what is left of it.
    core = line.rstrip()
    body = core.lstrip()
    blanks = len(core) - len(body)
    tail = [_UNMAPPED] * (len(line) - len(core))
    source_core = source_line.rstrip()
    if source_core.endswith(core):
        at = base + len(source_core) - len(core)
        return [*range(at, at + len(core)), *tail]
    if source_core.endswith(body):
        # The parser expanded a tab of the indentation into spaces the source does not have.
        at = base + len(source_core) - len(body)
        return [_UNMAPPED] * blanks + [*range(at, at + len(body)), *tail]
    found = source_line.find(body)
    if body and found >= 0 and source_line.find(body, found + 1) < 0:
        # Trimmed at both ends, as the closing "##" of an ATX heading; unambiguous only if
        # it occurs once in the line.
        return [_UNMAPPED] * blanks + [*range(base + found, base + found + len(body)), *tail]
    return [_UNMAPPED] * len(line)


def _cell_map(content: str, text: str, cursor: int, row_end: int) -> tuple[list[int], int]:
    """Offsets of a table cell's content, found in its row from `cursor`, and the new cursor.

    The parser splits the row on "|" and turns each escaped "\\|" into "|": so every "|" of
    the content stands for a "\\|" of the source, and no unescaped "|" of the row (nor
    another cell's text) can be mistaken for this cell.
    """
    if not content:
        return [], cursor
    pattern = content.replace("|", "\\|")
    found = text.find(pattern, cursor, row_end)
    if found < 0:
        return [_UNMAPPED] * len(content), cursor
    if pattern == content:
        return list(range(found, found + len(content))), found + len(pattern)
    content_map: list[int] = []
    position = found
    for char in content:
        if char == "|":
            position += 1  # the backslash before it
        content_map.append(position)
        position += 1
    return content_map, found + len(pattern)


def _region(
    source: str,
    content: str,
    children: Sequence[Token],
    content_map: list[int],
    crlf_breaks: list[int],
) -> ProseRegion | None:
    pieces: list[str] = []
    offsets: list[int] = []
    literals: list[tuple[int, int]] = []  # text index, offset of the literal's last character
    has_prose = False  # a cell or a heading of inline code alone is no prose at all
    for start, piece, spread, literal_end in prose_runs(content, children):
        has_prose = has_prose or (bool(piece.strip()) and literal_end is None)
        if spread:
            mapped = content_map[start : start + len(piece)]
        else:
            mapped = [content_map[start]] * len(piece)
        if len(mapped) == len(piece) and _UNMAPPED not in mapped:
            if literal_end is not None and content_map[literal_end - 1] != _UNMAPPED:
                literals.append((len(offsets), content_map[literal_end - 1]))
            pieces.append(piece)
            offsets.extend(mapped)
            continue
        # Characters without a place in the source are left out rather than misplaced.
        for char, offset in zip(piece, mapped, strict=False):
            if offset != _UNMAPPED:
                pieces.append(char)
                offsets.append(offset)
    region_text = "".join(pieces)
    if not has_prose:
        return None
    if crlf_breaks:
        offsets = [offset + bisect_left(crlf_breaks, offset) for offset in offsets]
    stand_ins = []
    for at, last in literals:
        end = last + bisect_left(crlf_breaks, last) + 1
        stand_ins.append(
            StandIn(at, at + len(INLINE_CODE_READS_AS), end, source[offsets[at] : end])
        )
    return ProseRegion(region_text, tuple(offsets), tuple(stand_ins))
