"""Open documents kept in step with the client by LSP's own rules.

pygls 2.1 applies incremental changes on `str.splitlines()` lines, and that splits at form
feeds, vertical tabs, U+0085, U+2028, U+2029 and \\x1c-\\x1e too, where LSP sees no line
break: after one of those, every edit lands on the wrong line and the server's text silently
drifts from the editor's. It also clamps a character past the end of the last line to one
before it, and can put a position between the "\\r" and "\\n" of a CRLF. Here positions
resolve through LineIndex, the same code that turns offsets back into diagnostic ranges, so
what comes in and what goes out agree by construction.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote

from lsprotocol import types
from pygls.workspace import TextDocument, Workspace

from sentiment_ls.document import LineIndex, PositionEncoding
from sentiment_ls.document.positions import LINE_BREAK

LOG = logging.getLogger(__name__)


def negotiated_encoding(value: Any) -> PositionEncoding:
    """The position encoding the client and server agreed on (LSP's default: UTF-16)."""
    text = str(value or "utf-16")
    return text if text in ("utf-8", "utf-32") else "utf-16"  # type: ignore[return-value]


def apply_change(
    source: str, change_range: types.Range, text: str, encoding: PositionEncoding
) -> str:
    """`source` with the text in `change_range` replaced by `text`.

    Positions past the end of a line or of the document clamp to that end, as LSP says; a
    reversed range is read in order rather than duplicating text.
    """
    index = LineIndex(source)
    start = index.offset(change_range.start.line, change_range.start.character, encoding)
    end = index.offset(change_range.end.line, change_range.end.character, encoding)
    if end < start:
        start, end = end, start
    return source[:start] + text + source[end:]


def lsp_lines(source: str) -> tuple[str, ...]:
    """The lines of `source` as LSP counts them, each with its line break."""
    lines: list[str] = []
    start = 0
    for line_break in LINE_BREAK.finditer(source):
        lines.append(source[start : line_break.end()])
        start = line_break.end()
    if start < len(source):
        lines.append(source[start:])
    return tuple(lines)


class LspTextDocument(TextDocument):
    @property
    def lines(self) -> Sequence[str]:
        # pygls helpers (offset_at_position, word_at_position...) index these lines.
        return lsp_lines(self.source)

    def _apply_incremental_change(self, change: types.TextDocumentContentChangePartial) -> None:
        encoding = negotiated_encoding(self.position_codec.encoding)
        self._source = apply_change(self.source, change.range, change.text, encoding)


class LspWorkspace(Workspace):
    """pygls's workspace with LspTextDocument documents."""

    @classmethod
    def like(cls, workspace: Workspace) -> LspWorkspace:
        """A copy of a freshly initialised workspace (no documents yet)."""
        folders = list(workspace.folders.values())
        return cls(
            workspace.root_uri,
            workspace._sync_kind,
            folders,
            workspace.position_encoding,
        )

    def open_document(self, uri: str) -> TextDocument | None:
        """The open document at `uri`, or None; never one read from disk.

        pygls keys documents by the unquoted URI (`file:///a%20b.md` is `file:///a b.md`), so
        a plain dictionary lookup with the client's URI misses every name with a space.
        """
        document: TextDocument | None = self.text_documents.get(unquote(uri))
        return document

    def _create_text_document(
        self,
        doc_uri: str,
        source: str | None = None,
        version: int | None = None,
        language_id: str | None = None,
    ) -> TextDocument:
        return LspTextDocument(
            doc_uri,
            source=source,
            version=version,
            language_id=language_id,
            sync_kind=self._sync_kind,
            position_codec=self.position_codec,
        )

    def update_text_document(
        self,
        text_doc: types.VersionedTextDocumentIdentifier,
        change: types.TextDocumentContentChangeEvent,
    ) -> None:
        # A change to a document the client never opened has nothing to apply to; pygls
        # would raise KeyError and show the user "Error in server: 'file:///...'".
        if self.open_document(text_doc.uri) is None:
            LOG.warning("didChange for %s, which was never opened: ignored", text_doc.uri)
            return
        super().update_text_document(text_doc, change)
