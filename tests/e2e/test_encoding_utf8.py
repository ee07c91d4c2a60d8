"""A client that prefers UTF-8 positions gets them (positionEncoding negotiation)."""

from __future__ import annotations

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import client_capabilities

from tests.e2e.lsp import CONFIG, RecordingClient, diagnostics_for, open_document, text_in_range
from tests.e2e.test_encodings import SENTENCES, TEXT

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def client(lsp_client: RecordingClient):  # type: ignore[no-untyped-def]
    capabilities = client_capabilities("neovim")
    # This test reads pushed diagnostics, and a client that pulls is never pushed to
    # (pulling is tested in test_project_and_actions.py).
    assert capabilities.text_document is not None
    capabilities.text_document.diagnostic = None
    capabilities.general = types.GeneralClientCapabilities(position_encodings=["utf-8", "utf-16"])
    result = await lsp_client.initialize_session(types.InitializeParams(capabilities=capabilities))
    lsp_client.negotiated = result.capabilities.position_encoding  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


async def test_utf8_is_negotiated_and_ranges_are_in_bytes(client: RecordingClient) -> None:
    assert client.negotiated == types.PositionEncodingKind.Utf8  # type: ignore[attr-defined]
    uri = "file:///multibyte-utf8.md"
    open_document(client, uri, TEXT)
    diagnostics = await diagnostics_for(client, uri, 1)
    flagged = sorted(text_in_range(TEXT, d.range, "utf-8") for d in diagnostics)
    assert flagged == sorted(SENTENCES[1:])
