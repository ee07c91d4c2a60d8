"""A client whose hover takes plain text only (`hover.contentFormat: ["plaintext"]`) gets
plain text: the same verdict first and the same pipeline, without Markdown's markup."""

from __future__ import annotations

import re

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import client_capabilities

from tests.e2e.lsp import CONFIG, RecordingClient, diagnostics_for, open_document

pytestmark = pytest.mark.asyncio(loop_scope="module")

NEGATIVE = "This release is a terrible, frustrating mess."


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def client(lsp_client: RecordingClient):  # type: ignore[no-untyped-def]
    capabilities = client_capabilities("neovim")
    assert capabilities.text_document is not None
    capabilities.text_document.diagnostic = None  # read pushed diagnostics
    capabilities.text_document.hover = types.HoverClientCapabilities(
        content_format=[types.MarkupKind.PlainText]
    )
    await lsp_client.initialize_session(types.InitializeParams(capabilities=capabilities))
    yield
    await lsp_client.shutdown_session()


async def test_a_plain_text_client_gets_the_hover_in_plain_text(client: RecordingClient) -> None:
    uri = "file:///plain.md"
    open_document(client, uri, f"{NEGATIVE}\n")
    await diagnostics_for(client, uri, 1)
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=0, character=NEGATIVE.index("terrible")),
        )
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.kind == types.MarkupKind.PlainText
    text = hover.contents.value
    assert not re.search(r"\*\*|`|\|", text), text
    lines = text.splitlines()
    assert lines[0].startswith("negative ") and "· flagged: the positive tone flags" in lines[0]
    assert lines[1].startswith("Toward negative: “")
    assert "[CLS]·101" in text and "3 · softmax" in text and "sentiment-ls.breakdown" in text
