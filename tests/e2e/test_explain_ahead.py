"""Explaining ahead over real stdio, from a plain LSP client (no visible ranges, pushed
diagnostics): once a document settles its sentences are explained in the background, so a
hover far from any earlier request finds its word scores ready; an edit drops the pending
work of the old version. Observed as any client can: `$/logTrace` at trace `verbose`."""

from __future__ import annotations

import asyncio
import re
import time

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig

from tests.e2e.lsp import (
    SERVER_COMMAND,
    SERVER_ENV,
    TIMEOUT,
    RecordingClient,
    diagnostics_for,
    make_client,
    open_document,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")


class TracingClient(RecordingClient):
    traces: list[str]


def make_tracing_client() -> TracingClient:
    client = make_client()
    client.traces = []  # type: ignore[attr-defined]

    @client.feature(types.LOG_TRACE)
    def on_trace(params: types.LogTraceParams) -> None:
        client.traces.append(params.message)  # type: ignore[attr-defined]

    return client  # type: ignore[return-value]


CONFIG = ClientServerConfig(
    server_command=SERVER_COMMAND, client_factory=make_tracing_client, server_env=SERVER_ENV
)


def document(topic: str, paragraphs: int) -> str:
    """Two sentences a paragraph, each distinct (the cache cannot serve them from another
    test); every fifth paragraph's second sentence is negative (flagged)."""
    return (
        "\n\n".join(
            f"The {topic} notes for week {i} were filed on time. "
            + (
                f"The {topic} dashboard is a slow, broken and infuriating mess in week {i}."
                if i % 5 == 0
                else f"The {topic} team met on day {i} to plan the next steps."
            )
            for i in range(paragraphs)
        )
        + "\n"
    )


async def traced(client: TracingClient, pattern: str, timeout: float = TIMEOUT) -> str:
    """The first trace message matching `pattern`, waiting for it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = next((m for m in client.traces if re.search(pattern, m)), None)
        if found is not None:
            return found
        await asyncio.sleep(0.05)
    raise TimeoutError(f"no trace {pattern!r} within {timeout} s; got {client.traces[-5:]}")


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def client(lsp_client: TracingClient):  # type: ignore[no-untyped-def]
    hover = types.HoverClientCapabilities(content_format=[types.MarkupKind.Markdown])
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(
                text_document=types.TextDocumentClientCapabilities(hover=hover)
            ),
            trace=types.TraceValue.Verbose,
            initialization_options={"debounceMs": 200},
        )
    )
    yield
    await lsp_client.shutdown_session()


async def test_a_hover_far_from_any_request_finds_its_words_explained_ahead(
    client: TracingClient,
) -> None:
    uri = "file:///ahead.md"
    paragraphs = 30
    open_document(client, uri, document("release", paragraphs))
    flagged = await diagnostics_for(client, uri, 1)
    assert flagged  # the background explains these first
    done = await traced(client, rf"explain ahead: {uri} version 1: all explained")
    assert re.search(rf"of {2 * paragraphs} sentences", done), done
    # The last paragraph's first sentence: unflagged, and as far from the top (where the
    # order starts, no request having named a position) as the document goes.
    last_line = 2 * (paragraphs - 1)
    assert all(d.range.start.line != last_line for d in flagged)
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=last_line, character=10),
        )
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert "notes" in hover.contents.value  # its words are scored
    said = await traced(client, rf"hover: {uri} sentence {2 * paragraphs - 1}: word scores")
    assert said.endswith("ready (explained ahead or asked before)"), said


async def test_an_edit_drops_the_pending_work_of_the_old_version(client: TracingClient) -> None:
    uri = "file:///edited.md"
    text = document("billing", 60)
    open_document(client, uri, text)
    await diagnostics_for(client, uri, 1)
    # At once: 120 sentences at tens of milliseconds each are still being explained.
    edited = text.replace("week 0 were", "week zero were")
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=edited)],
        )
    )
    dropped = await traced(client, rf"explain ahead: {uri} version 1: edited")
    pending = int(re.search(r"([\d,]+) pending explanations dropped", dropped)[1].replace(",", ""))  # type: ignore[index]
    assert 0 < pending <= 120
    await diagnostics_for(client, uri, 2)
    done = await traced(client, rf"explain ahead: {uri} version 2: all explained")
    # Version 2 explains what version 1 dropped, and the edited sentence where version 1
    # had explained the old one; what version 1 explained is left out.
    computed, ready, queued = (
        int(re.search(rf"([\d,]+) {word}", done)[1].replace(",", ""))  # type: ignore[index]
        for word in ("computed", "ready", "sentences")
    )
    assert computed + ready == queued and pending <= queued <= pending + 1
    assert not any(re.search(rf"{uri} version 1: all explained", m) for m in client.traces)
