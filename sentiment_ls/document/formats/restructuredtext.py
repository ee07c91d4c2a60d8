"""reStructuredText: one region per paragraph, title, list item, table cell, footnote...,
parsed by docutils, with exact source offsets.

docutils gives each block its raw source (markup and all, indentation removed) but no
offsets, so a block's raw lines are found in the source lines at a cursor that only moves
forward; within a block, docutils' inline nodes (emphasis, references, literals, roles...)
are found in the raw text in order the same way. Only text that is found, and found in order,
is kept: a block or a piece that cannot be placed is left out rather than misplaced.

Not prose: literal and code blocks, comments, raw and math, substitution definitions, roles
docutils does not know (Sphinx's :ref:, :func:... arrive as "problematic"), directives it
does not know (they arrive as error messages), footnote and citation references, bare URLs and
link targets. Link text is prose. An inline literal (``code``, :code:) reads as the
placeholder, as in every format. A paragraph's line that opens a list item (a list docutils
did not see, for want of a blank line before it) starts a region of its own.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from docutils.core import publish_doctree
from docutils.utils import SystemMessage

from ..model import ProseRegion
from .regions import RegionBuilder, line_spans, list_item_start

_BLOCKS = (
    nodes.paragraph,
    nodes.title,
    nodes.subtitle,
    nodes.term,
    nodes.rubric,
    nodes.line,
    nodes.caption,
    nodes.attribution,
)
_NOT_PROSE_BLOCKS = (
    nodes.literal_block,
    nodes.doctest_block,
    nodes.comment,
    nodes.raw,
    nodes.math_block,
    nodes.substitution_definition,
    nodes.system_message,
    nodes.target,
)
# Inline elements whose text is prose (their children are looked at); any other inline
# element is stepped over.
_PROSE_INLINES = (
    nodes.emphasis,
    nodes.strong,
    nodes.reference,
    nodes.title_reference,
    nodes.inline,
    nodes.abbreviation,
    nodes.acronym,
    nodes.subscript,
    nodes.superscript,
)
_SUBSTITUTION_REFERENCE = re.compile(r"\|[^|\s][^|]*\|_{0,2}")
_SETTINGS = {
    "report_level": 5,  # nothing on stderr
    "halt_level": 5,  # never raise on a markup error: it is the user's draft
    "_disable_config": True,  # no docutils.conf from the user's folders
    "file_insertion_enabled": False,  # no `include` reads files
    "raw_enabled": False,
    "warning_stream": False,
}


def prose_regions(source: str) -> list[ProseRegion]:
    try:
        doctree = publish_doctree(source, settings_overrides=_SETTINGS)
    except (SystemMessage, Exception):  # docutils may still give up on odd input
        return []
    lines = line_spans(source)
    builder = RegionBuilder(source)
    cursor = (0, 0)  # (line, column) in the source after the last block placed
    for block in doctree.findall(_is_prose_block):
        raw = block.rawsource
        if not isinstance(raw, str) or not raw.strip():
            continue
        placed = _place_lines(source, lines, raw, cursor)
        if placed is None:
            continue
        raw_offsets, cursor = placed
        _Inline(source, raw, raw_offsets, builder).place(block, 0, len(raw))
        builder.close()
    return builder.finish()


def _is_prose_block(node: Any) -> bool:
    if not isinstance(node, _BLOCKS):
        return False
    parent = node.parent
    while parent is not None:
        if isinstance(parent, _NOT_PROSE_BLOCKS):
            return False
        parent = parent.parent
    return True


def _place_lines(
    source: str, lines: list[tuple[int, int]], raw: str, cursor: tuple[int, int]
) -> tuple[list[int], tuple[int, int]] | None:
    """The source offset of each character of `raw` (whose lines were taken from
    consecutive source lines, from some column on), looked for at or after `cursor`."""
    raw_lines = raw.split("\n")
    first = raw_lines[0].rstrip()
    for line_number in range(cursor[0], len(lines) - len(raw_lines) + 1):
        start, end = lines[line_number]
        from_column = cursor[1] if line_number == cursor[0] else 0
        column = source.find(first, start + from_column, end) if first else start
        if column < 0:
            continue
        offsets: list[int] = []
        at = column
        for k, raw_line in enumerate(raw_lines):
            if k:
                line_start, line_end = lines[line_number + k]
                piece = raw_line.strip()
                found = source.find(piece, line_start, line_end) if piece else line_start
                if found < 0:
                    break
                at = found - (len(raw_line) - len(raw_line.lstrip()))
                offsets.append(lines[line_number + k - 1][1])  # the line break
            offsets.extend(range(at, at + len(raw_line)))
        else:
            last = line_number + len(raw_lines) - 1
            return offsets, (last, at + len(raw_lines[-1]) - lines[last][0])
    return None


class _Inline:
    """Places the inline nodes of one block in its raw text, in order."""

    def __init__(
        self, source: str, raw: str, raw_offsets: list[int], builder: RegionBuilder
    ) -> None:
        self.source = source
        self.raw = raw
        self.offsets = raw_offsets
        self.builder = builder

    def place(self, node: Any, cursor: int, limit: int) -> int:
        """Add the prose of `node`'s children found in raw[cursor:limit]; the new cursor."""
        for child in node.children:
            if isinstance(child, nodes.Text):
                cursor = self._text(str(child), cursor, limit)
                continue
            child_raw = child.rawsource if isinstance(child.rawsource, str) else ""
            found = _found_near(self.raw, child_raw, cursor, limit) if child_raw else None
            if found is None:
                continue  # generated (a substitution's text, a footnote's number)
            end = found + len(child_raw)
            if isinstance(child, nodes.literal):
                self.builder.add_literal(self.offsets[found], self.offsets[end - 1] + 1)
            elif isinstance(child, _PROSE_INLINES) and not _is_bare_url(child):
                self.place(child, found, end)
            cursor = end
        return cursor

    def _text(self, text: str, cursor: int, limit: int) -> int:
        # docutils keeps an escaping backslash as "\x00" before the escaped character.
        found = _found_near(self.raw, text.replace("\x00", "\\"), cursor, limit)
        if found is None:
            return cursor  # generated text (a substitution's replacement): not in the source
        end = found + len(text)
        item_from = -1
        for index, char in enumerate(text, start=found):
            if index < item_from:
                continue  # a list item's marker
            if char == "\n":
                item_from = list_item_start(self.raw, index + 1, end) or -1
                if item_from > index:
                    self.builder.close()
                    continue
            if char != "\x00":
                self._add(index)
        return end

    def _add(self, index: int) -> None:
        char = self.raw[index]
        self.builder.add_char(" " if char == "\n" else char, self.offsets[index])


def _found_near(raw: str, needle: str, cursor: int, limit: int) -> int | None:
    """Where `needle` is in raw[cursor:limit], if only markup (no letter or digit) precedes
    it: text further on would belong to something else."""
    found = raw.find(needle, cursor, limit)
    if found < 0:
        return None
    # A substitution reference ("|name|") whose replacement was generated may lie between.
    gap = _SUBSTITUTION_REFERENCE.sub("", raw[cursor:found])
    return None if any(char.isalnum() for char in gap) else found


def _is_bare_url(node: Any) -> bool:
    return isinstance(node, nodes.reference) and node.get("refuri") == node.astext()
