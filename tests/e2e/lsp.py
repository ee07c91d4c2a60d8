"""Helpers for end-to-end tests: the real server as a subprocess, spoken to over stdio."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Sequence
from typing import Any

from lsprotocol import types
from lsprotocol.converters import get_converter
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

SERVER_COMMAND = [sys.executable, "-m", "sentiment_ls"]
SERVER_ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
TIMEOUT = 120.0  # generous: the model loads in a few seconds, but CI machines are noisy


class RecordingClient(LanguageClient):
    """A pytest-lsp client that also keeps every publishDiagnostics with its version."""

    published: dict[str, list[types.PublishDiagnosticsParams]]
    registrations: list[types.Registration]


def _record(client: RecordingClient, params: types.PublishDiagnosticsParams) -> None:
    client.diagnostics[params.uri] = params.diagnostics
    client.published.setdefault(params.uri, []).append(params)


def _accept_registration(client: RecordingClient, params: types.RegistrationParams) -> None:
    """Accept dynamic registrations, as the editors whose capabilities the tests replay do."""
    client.registrations.extend(params.registrations)


def make_client() -> RecordingClient:
    client = RecordingClient(converter_factory=get_converter)
    client.published = {}
    client.registrations = []
    features = dict(DEFAULT_CLIENT_FEATURES)
    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = _record
    features[types.CLIENT_REGISTER_CAPABILITY] = _accept_registration
    register_lsp_features(client, features)
    return client


CONFIG = ClientServerConfig(
    server_command=SERVER_COMMAND, client_factory=make_client, server_env=SERVER_ENV
)


async def diagnostics_for(
    client: RecordingClient, uri: str, version: int, timeout: float = TIMEOUT
) -> Sequence[types.Diagnostic]:
    """The diagnostics the server published for this version of the document."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for params in reversed(client.published.get(uri, [])):
            if params.version == version:
                return params.diagnostics
        await asyncio.sleep(0.05)
    raise TimeoutError(f"no diagnostics for {uri} version {version} within {timeout} s")


def open_document(
    client: LanguageClient, uri: str, text: str, language_id: str = "markdown", version: int = 1
) -> None:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id=language_id, version=version, text=text
            )
        )
    )


def utf16_position(text: str, offset: int) -> types.Position:
    """Independent of the server's code: count UTF-16 code units by encoding."""
    before = text[:offset]
    line = before.count("\n")
    line_start = before.rfind("\n") + 1
    character = len(text[line_start:offset].encode("utf-16-le")) // 2
    return types.Position(line=line, character=character)


def text_in_range(text: str, range_: types.Range, units: str = "utf-16") -> str:
    lines = text.split("\n")

    def offset(position: types.Position) -> int:
        start = sum(len(line) + 1 for line in lines[: position.line])
        line = lines[position.line]
        if units == "utf-32":
            return start + position.character
        codec = "utf-16-le" if units == "utf-16" else "utf-8"
        width = 2 if units == "utf-16" else 1
        encoded = line.encode(codec)[: position.character * width]
        return start + len(encoded.decode(codec))

    return text[offset(range_.start) : offset(range_.end)]


def hover_text(hover: Any) -> str:
    assert hover is not None
    assert isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.kind == types.MarkupKind.Markdown
    return str(hover.contents.value)
