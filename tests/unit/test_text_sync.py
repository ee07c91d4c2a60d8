"""Incremental text sync by LSP's rules: the server's copy of a document must stay the
editor's copy, whatever the line breaks and characters."""

from __future__ import annotations

import re

from hypothesis import example, given
from hypothesis import strategies as st
from lsprotocol import types
from pygls.workspace import TextDocument

from sentiment_ls.lsp.documents import LspTextDocument, LspWorkspace, apply_change, lsp_lines

# What an editor may hold: LSP's three line breaks, the characters str.splitlines() also
# breaks at (LSP does not), astral characters (two UTF-16 units, four UTF-8 bytes).
ALPHABET = st.sampled_from(
    ["a", "b", " ", ".", "\n", "\r", "\r\n", "é", "€", "😀", "\u2028", "\x0c", "\x85", "\x1e"]
)
TEXT = st.lists(ALPHABET, max_size=30).map("".join)
ENCODINGS = st.sampled_from(["utf-8", "utf-16", "utf-32"])


def reference_offset(text: str, line: int, character: int, encoding: str) -> int:
    """Where a position falls, written from the specification: lines end at \\n, \\r\\n or \\r
    only; a character past the line's end is the line's end; inside a character, its start."""
    starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
    if line >= len(starts):
        return len(text)
    start = starts[line]
    break_at = re.compile(r"\r|\n").search(text, start)
    end = break_at.start() if break_at else len(text)
    units = 0
    for index in range(start, end):
        width = len(
            text[index].encode(
                encoding.replace("utf-16", "utf-16-le").replace("utf-32", "utf-32-le")
            )
        )
        width //= {"utf-8": 1, "utf-16": 2, "utf-32": 4}[encoding]
        if units + width > character:
            return index
        units += width
    return end


@st.composite
def edits(draw: st.DrawFn) -> tuple[str, types.Range, str, str]:
    text = draw(TEXT)
    encoding = draw(ENCODINGS)
    line_count = len(re.findall(r"\r\n|\r|\n", text)) + 1
    positions = [
        types.Position(draw(st.integers(0, line_count)), draw(st.integers(0, 12))) for _ in range(2)
    ]
    positions.sort(key=lambda p: reference_offset(text, p.line, p.character, encoding))
    return text, types.Range(*positions), draw(TEXT), encoding


@given(edits())
@example(("a\u2028b\nc", types.Range(types.Position(1, 0), types.Position(1, 1)), "X", "utf-16"))
@example(("ab", types.Range(types.Position(0, 9), types.Position(0, 9)), "!", "utf-16"))
@example(("ab\r\ncd", types.Range(types.Position(0, 3), types.Position(0, 3)), "X", "utf-16"))
def test_edits_follow_the_specification(case: tuple[str, types.Range, str, str]) -> None:
    text, change_range, new_text, encoding = case
    start = reference_offset(text, change_range.start.line, change_range.start.character, encoding)
    end = reference_offset(text, change_range.end.line, change_range.end.character, encoding)
    expected = text[:start] + new_text + text[end:]
    assert apply_change(text, change_range, new_text, encoding) == expected  # type: ignore[arg-type]


@given(TEXT)
def test_lines_split_at_lsp_line_breaks_only(text: str) -> None:
    lines = lsp_lines(text)
    assert "".join(lines) == text
    for line in lines[:-1]:
        assert line.endswith(("\n", "\r"))
    for line in lines:
        assert not re.search(r"\r\n|\r(?!$)|\n(?!$)", line.rstrip("\r\n"))


def test_pygls_alone_puts_an_edit_after_a_line_separator_on_the_wrong_line() -> None:
    """The bug LspTextDocument exists for: pygls counts U+2028 as a line break."""
    change = types.TextDocumentContentChangePartial(
        range=types.Range(types.Position(1, 0), types.Position(1, 1)), text="X"
    )
    plain = TextDocument("file:///a.txt", "a\u2028b\nc")
    plain.apply_change(change)
    assert plain.source != "a\u2028b\nX"  # pygls replaced the "b" after U+2028
    ours = LspTextDocument("file:///a.txt", "a\u2028b\nc")
    ours.apply_change(change)
    assert ours.source == "a\u2028b\nX"


def test_workspace_finds_documents_by_quoted_uri_and_ignores_unopened_changes() -> None:
    workspace = LspWorkspace(None)
    workspace.put_text_document(
        types.TextDocumentItem(
            uri="file:///my%20notes.md", language_id="markdown", version=1, text="Hi."
        )
    )
    document = workspace.open_document("file:///my%20notes.md")
    assert isinstance(document, LspTextDocument)
    assert document.uri == "file:///my%20notes.md"
    change = types.TextDocumentContentChangeWholeDocument(text="x")
    workspace.update_text_document(
        types.VersionedTextDocumentIdentifier(uri="file:///never-opened.md", version=2), change
    )
    assert workspace.open_document("file:///never-opened.md") is None
