"""MDX: Markdown with JavaScript. Its ES module lines (`import`/`export` at the top level, up
to the next blank line) and lines that are a `{...}` expression are code; the rest is read as
Markdown. Those lines are blanked (same length, so every offset stays put) before parsing.
"""

from __future__ import annotations

import re

from ..model import ProseRegion
from . import markdown
from .regions import line_spans

_ESM = re.compile(r"(import|export)\s")
_EXPRESSION = re.compile(r"\s*\{.*\}\s*$")


def prose_regions(source: str) -> list[ProseRegion]:
    pieces: list[str] = []
    cursor = 0
    in_module = False
    for start, end in line_spans(source):
        line = source[start:end]
        in_module = bool(_ESM.match(line)) or (in_module and bool(line.strip()))
        if in_module or _EXPRESSION.match(line):
            pieces.append(source[cursor:start])
            pieces.append(" " * (end - start))
            cursor = end
    pieces.append(source[cursor:])
    return markdown.prose_regions("".join(pieces))
