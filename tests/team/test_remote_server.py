"""The language server over stdio (the real subprocess, the real embedded model) with its
forward passes on the real service: it uses the service, falls back to the local model when
the service stops mid-session (one message), and uses the service again when it returns."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import AsyncIterator

import pytest
from lsprotocol import types
from pytest_lsp import ClientServerConfig, client_capabilities

from sentiment_ls.analysis.engine import SentimentEngine
from tests.e2e.lsp import (
    SERVER_COMMAND,
    SERVER_ENV,
    RecordingClient,
    diagnostics_for,
    hover_text,
    make_client,
)
from tests.team.conftest import Service

URI = "file:///team/notes.md"
# Each phase analyses new sentences: results are cached by text, and a cached sentence never
# reaches a runtime. Each phase's document has a clearly negative and a neutral sentence.
NEGATIVE = [
    "This is the worst update we have ever shipped, and everyone hates it.",
    "I hate how slow and broken this terrible tool has become.",
    "The awful new installer failed again and ruined my whole afternoon.",
    "Support was rude, useless and completely unhelpful about the crash.",
]
NEUTRAL = "The meeting about release {} is on Tuesday at three in room four."
counter = itertools.count()


def phase_text() -> str:
    n = next(counter)
    return f"# Notes {n}\n\n{NEGATIVE[n % len(NEGATIVE)]} Case {n}.\n\n{NEUTRAL.format(n)}\n"


def local_lines(engine: SentimentEngine, text: str) -> list[int]:
    """The lines the embedded model flags here, with the default settings: what the server
    must publish whichever runtime ran it (the model may be retrained; nothing is assumed
    of its verdicts but that it flags something in these documents)."""
    from sentiment_ls.document import LineIndex, document_sentences
    from sentiment_ls.present.findings import findings
    from sentiment_ls.rules import rule_for
    from sentiment_ls.settings import Settings

    rule, _ = rule_for(Settings(), engine.loaded.labels)
    sentences = document_sentences(text, "markdown")
    analyses = engine.analyze([s.text for s in sentences])
    index = LineIndex(text)
    flagged = findings(sentences, analyses, rule)
    return [index.position(f.sentence.start, "utf-16")[0] for f in flagged]


async def until(check, what: str, timeout: float = 90.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        await asyncio.sleep(0.1)
    raise TimeoutError(f"no {what} within {timeout} s")


def texts(messages: list[types.ShowMessageParams] | list[types.LogMessageParams]) -> list[str]:
    return [m.message for m in messages]


async def edit(client: RecordingClient, version: int, engine: SentimentEngine) -> bool:
    """A new text; whether the server's diagnostics for it are the local model's."""
    text = phase_text()
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=URI, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )
    published = await diagnostics_for(client, URI, version)
    expected = local_lines(engine, text)
    assert expected, "the model flags none of the negative sentences: the test proves nothing"
    return [d.range.start.line for d in published] == expected


@contextlib.asynccontextmanager
async def server_on(service: Service, mode: str) -> AsyncIterator[RecordingClient]:
    """The real server over stdio, its token in its environment, the service in `mode`,
    connected and with its first document (version 1) analysed."""
    config = ClientServerConfig(
        server_command=SERVER_COMMAND,
        client_factory=make_client,
        server_env={**SERVER_ENV, "SENTIMENT_LS_SERVICE_TOKEN": service.token},
    )
    client = await config.start()
    assert isinstance(client, RecordingClient)
    capabilities = client_capabilities("neovim")
    assert capabilities.text_document is not None
    capabilities.text_document.diagnostic = None  # pushed diagnostics, read per version
    try:
        await client.initialize_session(
            types.InitializeParams(
                capabilities=capabilities,
                initialization_options={"service": {"url": service.url, "mode": mode}},
            )
        )
        ready = await until(
            lambda: [m for m in texts(client.log_messages) if "ready on remote" in m],
            "model-ready log",
        )
        assert service.url in ready[0]
        assert texts(client.messages) == []  # reachable, same labels and weights: no warning
        yield client
    finally:
        await client.shutdown_session()
        await client.stop()


async def open_first(client: RecordingClient, engine: SentimentEngine) -> str:
    first = phase_text()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=URI, language_id="markdown", version=1, text=first
            )
        )
    )
    published = await diagnostics_for(client, URI, 1)
    assert [d.range.start.line for d in published] == local_lines(engine, first)
    return first


async def until_back(client: RecordingClient, engine: SentimentEngine, version: int) -> int:
    """Edits until the server says the service is back; the next version."""
    while not any("is back" in m for m in texts(client.log_messages)):
        assert version < 200, "the server never used the service again"
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=URI, version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=phase_text())],
            )
        )
        version += 1
        await asyncio.sleep(0.5)
    assert await edit(client, version, engine)
    return version + 1


@pytest.mark.asyncio(loop_scope="function")
async def test_server_uses_the_service_falls_back_and_recovers(
    service: Service, embedded_engine: SentimentEngine
) -> None:
    from ray import serve

    from sentiment_ls.serve.command import APP_NAME, deploy

    async with server_on(service, "prefer") as client:
        await open_first(client, embedded_engine)
        serve.delete(APP_NAME)  # the service stops mid-session
        try:
            assert await edit(client, 2, embedded_engine)  # analysed locally
            assert await edit(client, 3, embedded_engine)
            outage = [m for m in texts(client.messages) if "unavailable" in m]
            assert len(outage) == 1 and "using the local model" in outage[0]
        finally:
            deploy(service.options)  # the service returns
        await until_back(client, embedded_engine, 4)
        assert len([m for m in texts(client.messages) if "unavailable" in m]) == 1


@pytest.mark.asyncio(loop_scope="function")
async def test_require_reports_the_outage_once_and_hovers_explain_it(
    service: Service, embedded_engine: SentimentEngine
) -> None:
    from ray import serve

    from sentiment_ls.serve.command import APP_NAME, deploy

    async with server_on(service, "require") as client:
        await open_first(client, embedded_engine)
        serve.delete(APP_NAME)
        try:
            for version in (2, 3):
                client.text_document_did_change(
                    types.DidChangeTextDocumentParams(
                        text_document=types.VersionedTextDocumentIdentifier(
                            uri=URI, version=version
                        ),
                        content_changes=[
                            types.TextDocumentContentChangeWholeDocument(text=phase_text())
                        ],
                    )
                )
            outage = await until(
                lambda: [m for m in client.messages if "unavailable" in m.message], "outage"
            )
            hover = await client.text_document_hover_async(
                types.HoverParams(
                    text_document=types.TextDocumentIdentifier(uri=URI),
                    position=types.Position(line=2, character=3),
                )
            )
            assert "unavailable" in hover_text(hover)
            assert len(outage) == 1 and "`require`" in outage[0].message
            assert not [m for m in texts(client.messages) if m.startswith("Error in server")]
            assert client.published[URI][-1].version == 1  # nothing published meanwhile
        finally:
            deploy(service.options)
        await until_back(client, embedded_engine, 4)


@pytest.mark.asyncio(loop_scope="function")
async def test_a_missing_token_is_named_in_the_message_and_the_hover(service: Service) -> None:
    """The editor started without the token in its environment: the message at connect
    and a hover (`require`: nothing analysed) both say which variable to set, and where."""
    env = {k: v for k, v in SERVER_ENV.items() if not k.startswith("SENTIMENT_LS_SERVICE_TOKEN")}
    config = ClientServerConfig(
        server_command=SERVER_COMMAND, client_factory=make_client, server_env=env
    )
    client = await config.start()
    assert isinstance(client, RecordingClient)
    wanted = (
        "HTTP 401: SENTIMENT_LS_SERVICE_TOKEN is not set: set SENTIMENT_LS_SERVICE_TOKEN in "
        "the editor's environment to one of its tokens"
    )
    try:
        await client.initialize_session(
            types.InitializeParams(
                capabilities=client_capabilities("neovim"),
                initialization_options={"service": {"url": service.url, "mode": "require"}},
            )
        )
        told = await until(lambda: [m for m in texts(client.messages) if wanted in m], "401")
        assert len(told) == 1 and "nothing analysed" in told[0]
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=URI, language_id="markdown", version=1, text=phase_text()
                )
            )
        )
        hover = await client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=URI),
                position=types.Position(line=2, character=3),
            )
        )
        assert wanted in hover_text(hover)
    finally:
        await client.shutdown_session()
        await client.stop()
