"""A model that cannot load: the server says why, keeps serving, and hovers explain it."""

from __future__ import annotations

import asyncio
import time

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import client_capabilities

from tests.e2e.lsp import CONFIG, RecordingClient, hover_text, open_document

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def client(lsp_client: RecordingClient):  # type: ignore[no-untyped-def]
    capabilities = client_capabilities("neovim")
    # This test reads pushed diagnostics, and a client that pulls is never pushed to
    # (pulling is tested in test_project_and_actions.py).
    assert capabilities.text_document is not None
    capabilities.text_document.diagnostic = None
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities,
            initialization_options={"model": "/nonexistent/sentiment-model"},
        )
    )
    yield
    await lsp_client.shutdown_session()


async def _message(client: RecordingClient, needle: str) -> types.ShowMessageParams:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for message in client.messages:
            if needle in message.message:
                return message
        await asyncio.sleep(0.05)
    raise TimeoutError(f"no message containing {needle!r}: {client.messages}")


async def test_failure_is_shown_and_hover_explains_it(client: RecordingClient) -> None:
    message = await _message(client, "could not be loaded")
    assert message.type == types.MessageType.Error
    assert "/nonexistent/sentiment-model" in message.message
    uri = "file:///doc.md"
    open_document(client, uri, "A perfectly ordinary sentence.\n")
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=0, character=3),
        )
    )
    assert "could not be loaded" in hover_text(hover)


async def test_switching_to_a_working_model_recovers(client: RecordingClient) -> None:
    uri = "file:///recover.md"
    open_document(client, uri, "This is a horrible, miserable, hateful failure.\n")
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"sentimentLs": {"model": "embedded"}})
    )
    deadline = time.monotonic() + 120
    while not client.diagnostics.get(uri):
        assert time.monotonic() < deadline, "no diagnostics after switching to the embedded model"
        await asyncio.sleep(0.1)
    assert client.diagnostics[uri][0].code == "sentiment-negative"
