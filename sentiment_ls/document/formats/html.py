"""HTML: the text content of a page, one region per block element (paragraph, heading, list
item, table cell...), with exact source offsets.

The standard library's html.parser tokenises the page and reports where each piece of text
starts. Character references are decoded (each decoded character sits at the reference's
"&"); scripts, styles, preformatted text and attribute values are not prose. Inline code
(<code>, <kbd>, <samp>, <var> outside <pre>) reads as the placeholder, as in every format.
"""

from __future__ import annotations

import html
from html.parser import HTMLParser

from ..model import ProseRegion
from .regions import RegionBuilder

# Elements whose content is not prose, however deeply nested.
_SKIPPED = frozenset(
    {
        "script",
        "style",
        "pre",
        "code",
        "kbd",
        "samp",
        "var",
        "textarea",
        "template",
        "svg",
        "math",
        "noscript",
        "object",
        "iframe",
        "select",
    }
)
# Skipped elements that, outside any other, are a literal inside the sentence around them.
_LITERALS = frozenset({"code", "kbd", "samp", "var"})
# Elements that start and end a region: text never runs across them.
_BLOCKS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "head",
        "header",
        "hr",
        "html",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "title",
        "tr",
        "ul",
        "button",
        "label",
        "option",
        "legend",
        "img",
    }
)


def prose_regions(source: str) -> list[ProseRegion]:
    parser = _ProseParser(source)
    parser.feed(source)
    parser.close()
    return parser.builder.finish()


class _ProseParser(HTMLParser):
    def __init__(self, source: str) -> None:
        # Raw text and references come as separate events, so each can be placed exactly.
        super().__init__(convert_charrefs=False)
        self.builder = RegionBuilder(source)
        self._source = source
        # html.parser counts lines by "\n" and columns in characters from the line's start.
        self._line_starts = [0]
        self._line_starts.extend(i + 1 for i, char in enumerate(source) if char == "\n")
        self._skipping = 0
        self._literal_start: int | None = None  # where the literal being skipped opened

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            if not self._skipping and tag in _LITERALS:
                self._literal_start = self._offset()
            self._skipping += 1
        elif tag in _BLOCKS or tag == "br":
            # A <br> ends the region too: it has no source space to read as one.
            self.builder.close()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS or tag == "br":
            self.builder.close()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skipping = max(0, self._skipping - 1)
            if not self._skipping and self._literal_start is not None:
                close = self._source.find(">", self._offset())
                end = len(self._source) if close < 0 else close + 1
                self.builder.add_literal(self._literal_start, end)
                self._literal_start = None
        elif tag in _BLOCKS:
            self.builder.close()

    def handle_data(self, data: str) -> None:
        if self._skipping:
            return
        start = self._offset()
        self.builder.add(start, start + len(data))

    def handle_entityref(self, name: str) -> None:
        self._reference(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self._reference(f"&#{name};")

    def _reference(self, reference: str) -> None:
        if self._skipping:
            return
        offset = self._offset()
        for char in html.unescape(reference):
            self.builder.add_char(char, offset)
