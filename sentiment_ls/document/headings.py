"""Markdown headings with their source ranges and levels, for per-section summaries.

Parsed with markdown-it (front matter recognised, so a YAML `# comment` is no heading);
offsets are code points in the source, as everywhere in this layer.
"""

from __future__ import annotations

from dataclasses import dataclass

from markdown_it import MarkdownIt
from mdit_py_plugins.front_matter import front_matter_plugin

from .positions import LineIndex

_PARSER = MarkdownIt("commonmark").use(front_matter_plugin)


@dataclass(frozen=True)
class Heading:
    level: int  # 1 for "#", 6 for "######"; setext headings are 1 ("===") or 2 ("---")
    start: int  # the start of its first line
    end: int  # the end of its last line (before the line break)
    section_end: int  # where the next heading of the same or a higher level starts, or EOF


def markdown_headings(source: str) -> list[Heading]:
    index = LineIndex(source)
    found: list[tuple[int, int, int]] = []
    for token in _PARSER.parse(source):
        if token.type == "heading_open" and token.map is not None:
            first, after = token.map
            start = index.offset(first, 0)
            end = index.offset(after - 1, len(source))  # clamped to the end of that line
            found.append((int(token.tag[1:]), start, end))
    headings = []
    for number, (level, start, end) in enumerate(found):
        later = [s for lv, s, _ in found[number + 1 :] if lv <= level]
        headings.append(Heading(level, start, end, later[0] if later else len(source)))
    return headings
