"""Scheduling over real stdio: stale versions are never published, the top of a long
document is published first, and a hover does not wait for a long analysis."""

from __future__ import annotations

import asyncio
import time

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import client_capabilities

from tests.e2e.lsp import CONFIG, RecordingClient, diagnostics_for, hover_text, open_document

pytestmark = pytest.mark.asyncio(loop_scope="module")

NEGATIVE = "The checkout page is a slow, broken and infuriating mess."


def long_document(paragraphs: int) -> str:
    """Three sentences a paragraph, one of them negative, each paragraph distinct (so the
    cache cannot serve them) and on its own line."""
    return (
        "\n\n".join(
            f"Section {i} describes the setup in detail. {NEGATIVE[:-1]} in region {i}. "
            f"The team shipped version {i} on time."
            for i in range(paragraphs)
        )
        + "\n"
    )


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def client(lsp_client: RecordingClient):  # type: ignore[no-untyped-def]
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            initialization_options={"debounceMs": 200},
        )
    )
    yield
    await lsp_client.shutdown_session()


async def test_only_the_latest_version_is_published(client: RecordingClient) -> None:
    uri = "file:///typing.md"
    text = "The report is ready.\n"
    open_document(client, uri, text)
    await diagnostics_for(client, uri, 1)
    for version in range(2, 12):
        text = f"The report is ready, draft {version}.\n" + (NEGATIVE + "\n") * (version % 2)
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )
    final = await diagnostics_for(client, uri, 11)
    assert len(final) == 1  # version 11 has the negative sentence
    await asyncio.sleep(1.0)  # anything still in flight would arrive now
    versions = [p.version for p in client.published[uri]]
    assert versions == sorted(versions)  # never an older version after a newer one
    assert versions[-1] == 11
    assert set(versions) <= {1, 11}  # edits within the debounce never ran


async def test_long_document_top_first_and_hover_does_not_wait(client: RecordingClient) -> None:
    uri = "file:///long.md"
    paragraphs = 700
    text = long_document(paragraphs)
    open_document(client, uri, text)
    # Hover a sentence near the end while the document is being analysed.
    last_line = 2 * (paragraphs - 1)
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=last_line, character=len("Section 699 describes") + 10),
        )
    )
    answered_at = len(client.published.get(uri, []))
    assert "negative" in hover_text(hover) or "positive" in hover_text(hover)

    def reaches_the_end(params: types.PublishDiagnosticsParams) -> bool:
        return any(d.range.start.line == last_line for d in params.diagnostics)

    deadline = time.monotonic() + 300
    while not any(reaches_the_end(p) for p in client.published.get(uri, [])):
        assert time.monotonic() < deadline, "the whole document was never published"
        await asyncio.sleep(0.1)
    publishes = client.published[uri]
    complete = next(i for i, p in enumerate(publishes) if reaches_the_end(p))
    assert answered_at <= complete  # the hover came back before the full analysis
    # The first publish covered the top of the document only, and came first.
    first = publishes[0]
    assert first.version == 1 and first.diagnostics
    assert max(d.range.start.line for d in first.diagnostics) < 2 * 80
    assert len(publishes[complete].diagnostics) > len(first.diagnostics)
