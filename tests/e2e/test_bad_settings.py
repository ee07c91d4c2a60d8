"""Settings no server should be sent, over stdio with the real model: each is reported in a
`window/showMessage`, something sensible takes its place, and diagnostics keep coming.
(A model path that does not exist, and recovering from it: test_model_failure.py.)"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import client_capabilities

from tests.e2e.lsp import CONFIG, RecordingClient, diagnostics_for, hover_text, open_document
from tests.e2e.ranges import change, hover_at, text_of

pytestmark = pytest.mark.asyncio(loop_scope="module")

NEGATIVE = "This is a terrible, miserable and hateful disaster."
POSITIVE = "What a wonderful, delightful and lovely day."
TEXT = f"{POSITIVE} {NEGATIVE}\n"
URI = "file:///settings.md"


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def client(lsp_client: RecordingClient):  # type: ignore[no-untyped-def]
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            initialization_options={"debounceMs": 0},
        )
    )
    open_document(lsp_client, URI, TEXT)
    await diagnostics_for(lsp_client, URI, 1)
    yield
    await lsp_client.shutdown_session()


_version = 1


async def _configure_and_reanalyse(
    client: RecordingClient, section: dict[str, object]
) -> tuple[list[str], list[types.ShowMessageParams]]:
    """Send the settings, then an edit that changes nothing: the diagnostics of that new
    version come after the settings applied (and any model reload settled), and so do the
    messages about them."""
    global _version
    before = len(client.messages)
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"sentimentLs": {"debounceMs": 0, **section}})
    )
    _version += 1
    empty = types.Range(types.Position(0, 0), types.Position(0, 0))
    client.text_document_did_change(change(URI, _version, empty, ""))
    diagnostics = await diagnostics_for(client, URI, _version)
    return [text_of(TEXT, d.range) for d in diagnostics], client.messages[before:]


async def _message(client: RecordingClient, needle: str, since: int = 0) -> types.ShowMessageParams:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        for message in client.messages[since:]:
            if needle in message.message:
                return message
        await asyncio.sleep(0.05)
    raise TimeoutError(f"no message with {needle!r}: {[m.message for m in client.messages]}")


async def test_wrong_types_and_out_of_range_values(client: RecordingClient) -> None:
    flagged, messages = await _configure_and_reanalyse(
        client,
        {
            "threshold": 7,
            "severity": 3,
            "languages": "markdown",
            "maxDocumentChars": -5,
            "allowPickle": "yes please",
            "hoverWords": 1e9,
            "flagLabels": "negative",
            "noSuchSetting": True,
        },
    )
    text = "\n".join(m.message for m in messages)
    for name in (
        "threshold",
        "severity",
        "languages",
        "maxDocumentChars",
        "allowPickle",
        "hoverWords",
        "flagLabels",
        "noSuchSetting",
    ):
        assert f"sentimentLs.{name}" in text, name
    assert "between 0 and 1" in text
    assert flagged == [NEGATIVE]  # every bad value fell back to its default


async def test_settings_that_are_not_an_object(client: RecordingClient) -> None:
    before = len(client.messages)
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"sentimentLs": ["threshold", 0.5]})
    )
    flagged, _ = await _configure_and_reanalyse(client, {})
    assert flagged == [NEGATIVE]
    assert not [m for m in client.messages[before:] if m.message.startswith("Error in server")]


async def test_unknown_labels_fall_back_to_the_negative_ones(client: RecordingClient) -> None:
    flagged, messages = await _configure_and_reanalyse(client, {"flagLabels": ["JOY"]})
    assert any("JOY" in m.message and "instead" in m.message for m in messages)
    assert flagged == [NEGATIVE]


async def test_cuda_on_a_machine_without_it_falls_back_to_the_cpu(client: RecordingClient) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    flagged, _ = await _configure_and_reanalyse(client, {"device": "cuda"})
    message = await _message(client, "`cuda` is not available")
    assert message.type == types.MessageType.Warning
    assert flagged == [NEGATIVE]


async def test_a_hub_id_that_does_not_exist(client: RecordingClient) -> None:
    since = len(client.messages)
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={"sentimentLs": {"debounceMs": 0, "model": "nobody-at-all/made-up-model"}}
        )
    )
    message = await _message(client, "could not be loaded", since)
    assert message.type == types.MessageType.Error
    assert "not in the local Hugging Face cache" in message.message
    assert "allowDownload" in message.message
    hover = await hover_at(client, URI, types.Position(0, 3))
    assert "could not be loaded" in hover_text(hover)
    flagged, _ = await _configure_and_reanalyse(client, {"model": "embedded"})
    assert flagged == [NEGATIVE]


async def test_a_folder_without_weights(client: RecordingClient, tmp_path: Path) -> None:
    folder = tmp_path / "no-weights"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"model_type": "bert"}))
    since = len(client.messages)
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={"sentimentLs": {"debounceMs": 0, "model": str(folder)}}
        )
    )
    message = await _message(client, "has no weights", since)
    assert message.type == types.MessageType.Error and str(folder) in message.message
    # The server keeps answering, with the reason instead of results.
    hover = await hover_at(client, URI, types.Position(0, 3))
    assert "has no weights" in hover_text(hover)
    flagged, _ = await _configure_and_reanalyse(client, {"model": "embedded"})
    assert flagged == [NEGATIVE]
