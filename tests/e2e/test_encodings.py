"""Exact ranges for multi-byte text, in the default UTF-16 and in negotiated UTF-8."""

from __future__ import annotations

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import client_capabilities

from tests.e2e.lsp import CONFIG, RecordingClient, diagnostics_for, open_document, text_in_range

pytestmark = pytest.mark.asyncio(loop_scope="module")

# Astral emoji (2 UTF-16 units, 4 UTF-8 bytes), a ZWJ family, CJK, and combining accents.
SENTENCES = [
    "Le café est délicieux 😀 et l'équipe est merveilleuse.",
    "你好 — the 👨‍👩‍👧 family trip was a horrible, miserable disaster 😡.",
    "Zoë's naïve plan (with e\u0301 combining) failed terribly and everyone hated it.",
]
TEXT = "🎉 Title 🎉\n\n" + " ".join(SENTENCES[:2]) + "\n\n" + SENTENCES[2] + "\n"


def _capabilities(encodings: list[str]) -> types.ClientCapabilities:
    capabilities = client_capabilities("visual-studio-code")
    capabilities.general = types.GeneralClientCapabilities(position_encodings=encodings)
    return capabilities


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def utf16_client(lsp_client: RecordingClient):  # type: ignore[no-untyped-def]
    await lsp_client.initialize_session(types.InitializeParams(capabilities=_capabilities([])))
    yield
    await lsp_client.shutdown_session()


async def test_utf16_ranges_cover_exactly_the_sentence(utf16_client: RecordingClient) -> None:
    uri = "file:///multibyte.md"
    open_document(utf16_client, uri, TEXT)
    diagnostics = await diagnostics_for(utf16_client, uri, 1)
    flagged = sorted(text_in_range(TEXT, d.range, "utf-16") for d in diagnostics)
    assert flagged == sorted(SENTENCES[1:])
    hover = await utf16_client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=diagnostics[0].range.end
        )
    )
    # The end position is exclusive: a hover there is past the sentence.
    assert hover is None or text_in_range(TEXT, hover.range, "utf-16") != text_in_range(
        TEXT, diagnostics[0].range, "utf-16"
    )
