"""Comments and docstrings of source files, found by tree-sitter's parsers.

Each language's grammar ships as a wheel (tree-sitter-python, -javascript, -typescript,
-go, -rust), so what is a comment is decided by the language's real grammar: a "#" or "//"
inside a string or a regular expression is never taken for one. Python docstrings (the
string that opens a module, class or function body) are prose too.

Inside a comment the markers ("//", "#", "/*", " * ", "*/") are not prose, nor are the lines
that are code or markup written in a comment: doctest lines (">>>"), fenced blocks, lines
indented deeper than the comment's text, JSDoc/Javadoc tags ("@param"), and tool directives
("noqa", "eslint-disable"...). Consecutive line comments read as one block; a blank comment
line ends a paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import tree_sitter

from ..model import ProseRegion
from .regions import line_spans, paragraph_regions, stripped

Line = tuple[int, int] | None


@dataclass(frozen=True)
class _Grammar:
    load: Callable[[], Any]  # the grammar wheel's language() capsule
    comment_types: frozenset[str]
    python_docstrings: bool = False


def _python() -> Any:
    import tree_sitter_python

    return tree_sitter_python.language()


def _javascript() -> Any:
    import tree_sitter_javascript

    return tree_sitter_javascript.language()


def _typescript() -> Any:
    import tree_sitter_typescript

    return tree_sitter_typescript.language_typescript()


def _tsx() -> Any:
    import tree_sitter_typescript

    return tree_sitter_typescript.language_tsx()


def _go() -> Any:
    import tree_sitter_go

    return tree_sitter_go.language()


def _rust() -> Any:
    import tree_sitter_rust

    return tree_sitter_rust.language()


_COMMENT = frozenset({"comment"})
GRAMMARS: dict[str, _Grammar] = {
    "python": _Grammar(_python, _COMMENT, python_docstrings=True),
    # JSX and TSX are supersets of their languages; the TSX grammar parses both.
    "javascript": _Grammar(_javascript, _COMMENT),
    "javascriptreact": _Grammar(_javascript, _COMMENT),
    "typescript": _Grammar(_typescript, _COMMENT),
    "typescriptreact": _Grammar(_tsx, _COMMENT),
    "go": _Grammar(_go, _COMMENT),
    "rust": _Grammar(_rust, frozenset({"line_comment", "block_comment"})),
}

# A comment that talks to a tool rather than a reader.
_DIRECTIVE = re.compile(
    r"\s*(noqa|type:|pragma|pylint:|mypy:|fmt:|isort:|ruff:|eslint|prettier-|@ts-|tslint:"
    r"|istanbul |c8 |jshint|global |nolint|go:|\+build|!|-\*-|sentiment-ls:)",
    re.IGNORECASE,
)
# Used with match(), which anchors at the position given.
_FENCE = re.compile(r"\s*(```|~~~)")
_CODE_LINE = re.compile(r"\s*(>>>|\.\.\. |\$ )")
_TAG = re.compile(r"\s*@[A-Za-z]")
_STRING_PREFIX = re.compile(r"^[rRuU]?")
_QUOTES = ('"""', "'''", '"', "'")


def prose_regions_for(language_id: str) -> Callable[[str], list[ProseRegion]]:
    grammar = GRAMMARS[language_id]

    def prose_regions(source: str) -> list[ProseRegion]:
        return paragraph_regions(source, _prose_lines(source, grammar))

    return prose_regions


@cache
def _parser(load: Callable[[], Any]) -> tree_sitter.Parser:
    return tree_sitter.Parser(tree_sitter.Language(load()))


def _prose_lines(source: str, grammar: _Grammar) -> Iterator[Line]:
    data = source.encode("utf-8", "surrogatepass")
    tree = _parser(grammar.load).parse(data)
    to_char = _CharOffsets(source, data)
    # Consecutive line comments, each on its own line, read as one block.
    block: list[tuple[int, int]] = []
    block_end: int | None = None
    for kind, node in _prose_nodes(tree.root_node, grammar):
        start, end = to_char(node.start_byte), to_char(node.end_byte)
        while end > start and source[end - 1] in "\r\n":
            end -= 1  # some grammars end a line comment after its line break
        text = source[start:end]
        if kind == "comment" and not text.startswith("/*"):
            own_line = _starts_line(source, start)
            joins = (
                own_line
                and block_end is not None
                and not source[block_end:start].strip()
                and source.count("\n", block_end, start) == 1
            )
            if not joins:
                yield from _line_comment_block(source, block)
                block = []
            block.append((_after_marker(source, start), end))
            # A comment after code speaks of that code: it starts no block for the next.
            block_end = end if own_line else None
            continue
        yield from _line_comment_block(source, block)
        block, block_end = [], None
        yield None
        if kind == "docstring":
            yield from _docstring_lines(source, start, end)
        else:
            yield from _block_comment_lines(source, start, end)
    yield from _line_comment_block(source, block)
    yield None


def _line_comment_block(source: str, block: list[tuple[int, int]]) -> Iterator[Line]:
    if block:
        yield None
        yield from _comment_body(source, block, first_line_indented=True)


def _after_marker(source: str, start: int) -> int:
    for marker in ("///", "//!", "//", "#"):
        if source.startswith(marker, start):
            return start + len(marker)
    return start


def _prose_nodes(root: Any, grammar: _Grammar) -> Iterator[tuple[str, Any]]:
    """("comment" | "docstring", node) in source order."""
    cursor = root.walk()
    while True:
        node = cursor.node
        descend = True
        if node.type in grammar.comment_types:
            yield "comment", node
            descend = False
        elif grammar.python_docstrings and node.type in ("module", "block"):
            docstring = _docstring_of(node)
            if docstring is not None:
                yield "docstring", docstring
        if descend and cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return


def _docstring_of(body: Any) -> Any | None:
    """The string node that opens a module's or a class's or function's body, if any."""
    if body.type == "block" and (
        body.parent is None or body.parent.type not in ("function_definition", "class_definition")
    ):
        return None
    for child in body.named_children:
        if child.type == "comment":
            continue
        if child.type == "expression_statement" and child.named_child_count == 1:
            string = child.named_children[0]
            if string.type == "string":
                return string
        return None
    return None


def _docstring_lines(source: str, start: int, end: int) -> Iterator[Line]:
    text = source[start:end]
    prefix = _STRING_PREFIX.match(text)
    at = prefix.end() if prefix else 0
    quote = next((q for q in _QUOTES if text.startswith(q, at)), None)
    if quote is None or not text.endswith(quote) or len(text) < at + 2 * len(quote):
        return  # a bytes or f-string: not a docstring that documents anything
    yield from _comment_body(source, line_spans(source, start + at + len(quote), end - len(quote)))


def _block_comment_lines(source: str, start: int, end: int) -> Iterator[Line]:
    # "/*", "/**" and "/*!" open; "*/" closes; a "*" starting a line is a decoration.
    body_start = start + 2
    while body_start < end - 2 and source[body_start] in "*!":
        body_start += 1
    body_end = end - 2 if source.endswith("*/", start, end) else end
    spans = []
    for line_start, line_end in line_spans(source, body_start, body_end):
        first, line_end = stripped(source, line_start, line_end)
        if first < line_end and source[first] == "*":
            line_start = first + 1  # keep the indentation after the "*": it marks code
        spans.append((line_start, line_end))
    yield from _comment_body(source, spans)


def _comment_body(
    source: str, spans: list[tuple[int, int]], first_line_indented: bool = False
) -> Iterator[Line]:
    """The prose lines of a comment or docstring body. The first line of a docstring or block
    comment follows its opening quotes or marker, so its indentation says nothing."""
    measured = spans if first_line_indented else spans[1:]
    indents = [_indent(source, s, e) for s, e in measured if source[s:e].strip()] or [0]
    base = min(indents)
    fenced = False
    example = False  # in a doctest or shell example: its output runs to the next blank line
    for number, (line_start, line_end) in enumerate(spans):
        line = source[line_start:line_end]
        if _FENCE.match(line):
            fenced = not fenced
            yield None
            continue
        example = bool(_CODE_LINE.match(line)) or (example and bool(line.strip()))
        deeper = (first_line_indented or number > 0) and _indent(
            source, line_start, line_end
        ) >= base + 4
        if (
            fenced
            or not line.strip()
            or deeper
            or example
            or _TAG.match(line)
            or _DIRECTIVE.match(line)
        ):
            yield None
            continue
        yield stripped(source, line_start, line_end)


def _indent(source: str, start: int, end: int) -> int:
    line = source[start:end]
    return len(line) - len(line.lstrip())


def _starts_line(source: str, offset: int) -> bool:
    line_start = max(source.rfind("\n", 0, offset), source.rfind("\r", 0, offset)) + 1
    return not source[line_start:offset].strip()


class _CharOffsets:
    """UTF-8 byte offsets (tree-sitter's) to str offsets; fast when asked in order."""

    def __init__(self, source: str, data: bytes) -> None:
        self._ascii = len(data) == len(source)
        self._data = data
        self._byte = 0
        self._char = 0

    def __call__(self, byte: int) -> int:
        if self._ascii:
            return byte
        if byte < self._byte:
            self._byte = self._char = 0
        self._char += len(self._data[self._byte : byte].decode("utf-8", "surrogatepass"))
        self._byte = byte
        return self._char
