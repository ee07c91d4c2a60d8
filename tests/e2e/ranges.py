"""Ranges as the specification reads them, written independently of the server's LineIndex:
lines end at "\\n", "\\r\\n" or "\\r" only, characters count UTF-16 code units (a lone
surrogate, which a client may send, is one unit)."""

from __future__ import annotations

import asyncio
import re
import time

from lsprotocol import types

from tests.e2e.lsp import TIMEOUT, RecordingClient

_BREAK = re.compile(r"\r\n|\r|\n")


def line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in _BREAK.finditer(text)]


def _units(text: str, encoding: str = "utf-16") -> int:
    if encoding == "utf-32":
        return len(text)
    if encoding == "utf-8":
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def position_of(text: str, offset: int, encoding: str = "utf-16") -> types.Position:
    starts = line_starts(text)
    line = max(i for i, start in enumerate(starts) if start <= offset)
    return types.Position(line=line, character=_units(text[starts[line] : offset], encoding))


def offset_of(text: str, position: types.Position, encoding: str = "utf-16") -> int:
    """The offset of a position that must lie in the text: raises when it does not."""
    starts = line_starts(text)
    assert 0 <= position.line < len(starts), f"line {position.line} is outside the text"
    start = starts[position.line]
    found = _BREAK.search(text, start)
    end = found.start() if found else len(text)
    units = 0
    for index in range(start, end + 1):
        if units == position.character:
            return index
        if index < end:
            units += _units(text[index], encoding)
    raise AssertionError(f"{position} is not on a character boundary of line {position.line}")


def range_of(text: str, start: int, end: int, encoding: str = "utf-16") -> types.Range:
    return types.Range(position_of(text, start, encoding), position_of(text, end, encoding))


def text_of(text: str, range_: types.Range, encoding: str = "utf-16") -> str:
    return text[offset_of(text, range_.start, encoding) : offset_of(text, range_.end, encoding)]


def change(
    uri: str, version: int, range_: types.Range | None, new_text: str
) -> types.DidChangeTextDocumentParams:
    event: types.TextDocumentContentChangeEvent = (
        types.TextDocumentContentChangeWholeDocument(text=new_text)
        if range_ is None
        else types.TextDocumentContentChangePartial(range=range_, text=new_text)
    )
    return types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[event],
    )


async def hover_at(
    client: RecordingClient, uri: str, position: types.Position
) -> types.Hover | None:
    return await asyncio.wait_for(
        client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri), position=position
            )
        ),
        TIMEOUT,
    )


async def message_containing(
    client: RecordingClient, needle: str, timeout: float = TIMEOUT
) -> types.ShowMessageParams:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in client.messages:
            if needle in message.message:
                return message
        await asyncio.sleep(0.05)
    raise TimeoutError(f"no message containing {needle!r}: {[m.message for m in client.messages]}")
