"""Edits over real stdio: the edited document is analysed part way through the debounce, so
that its end leaves only the publish (lsp/publish.py); the diagnostics still wait for the
debounce, and a keystroke after the analysis began publishes nothing of the older text."""

from __future__ import annotations

import asyncio
import time

import pytest
import pytest_lsp
from lsprotocol import types

from tests.e2e.lsp import diagnostics_for, open_document
from tests.e2e.ranges import change
from tests.e2e.test_explain_ahead import CONFIG, TracingClient, traced

pytestmark = pytest.mark.asyncio(loop_scope="module")
DEBOUNCE_S = 3.0  # long enough that the analysis of one edited sentence ends within its half
TEXT = "The release went out on Tuesday.\n\nThe installer is broken and nobody cares.\n"


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def client(lsp_client: TracingClient):  # type: ignore[no-untyped-def]
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            trace=types.TraceValue.Verbose,
            initialization_options={"debounceMs": int(DEBOUNCE_S * 1000), "hoverWords": 0},
        )
    )
    yield
    await lsp_client.shutdown_session()


def edit(client: TracingClient, uri: str, version: int, text: str) -> float:
    """The whole text replaced; when it was sent."""
    client.text_document_did_change(change(uri, version, None, text))
    return time.monotonic()


async def test_an_edit_is_analysed_within_the_debounce_and_published_at_its_end(
    client: TracingClient,
) -> None:
    uri = "file:///debounced.md"
    open_document(client, uri, TEXT)
    assert len(await diagnostics_for(client, uri, 1)) == 1
    sent = edit(client, uri, 2, TEXT + "\nThe new dashboard is a slow and painful mess.\n")
    diagnostics = await diagnostics_for(client, uri, 2)
    assert time.monotonic() - sent >= DEBOUNCE_S  # not shown before the debounce ends
    assert len(diagnostics) == 2
    await traced(client, rf"publish: {uri} version 2: analysed during the debounce")


async def test_a_keystroke_after_the_analysis_began_publishes_only_the_newer_text(
    client: TracingClient,
) -> None:
    uri = "file:///typed.md"
    open_document(client, uri, TEXT)
    await diagnostics_for(client, uri, 1)
    edit(client, uri, 2, TEXT + "\nThe new dashboard is a slow and painful mess.\n")
    await asyncio.sleep(DEBOUNCE_S * 0.75)  # past the point where version 2's analysis began
    sent = edit(client, uri, 3, TEXT + "\nThe new dashboard is fine.\n")
    diagnostics = await diagnostics_for(client, uri, 3)
    assert time.monotonic() - sent >= DEBOUNCE_S
    assert len(diagnostics) == 1
    assert [p.version for p in client.published[uri]] == [1, 3]
