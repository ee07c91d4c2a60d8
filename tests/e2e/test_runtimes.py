"""Both runtimes of the forward stage end to end over stdio, and a server on a machine
without torch: it serves the embedded model on onnxruntime, and what needs torch says which
extra to install while the server keeps serving."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, client_capabilities

from tests.e2e.lsp import CONFIG, RecordingClient, diagnostics_for, hover_text, make_client
from tests.e2e.lsp import open_document as open_doc

pytestmark = pytest.mark.asyncio(loop_scope="module")

TEXT = (
    "# Release notes\n\nThe installer is broken again and nobody seems to care. "
    "The new dashboard is fast and lovely.\n\nWe fixed three bugs.\n"
)
WITHOUT_TORCH = Path(__file__).resolve().parent / "without_torch"


def _torch_installed() -> bool:
    from sentiment_ls.extras import torch_available

    return torch_available()


def _env_without_torch() -> dict[str, str]:
    env = dict(CONFIG.server_env or os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(WITHOUT_TORCH), env.get("PYTHONPATH")]))
    return env


async def _start(client: RecordingClient, options: dict[str, Any]) -> None:
    capabilities = client_capabilities("neovim")
    assert capabilities.text_document is not None
    capabilities.text_document.diagnostic = None  # read pushed diagnostics
    await client.initialize_session(
        types.InitializeParams(capabilities=capabilities, initialization_options=options)
    )


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def onnx_client(lsp_client: RecordingClient):  # type: ignore[no-untyped-def]
    await _start(lsp_client, {"runtime": "onnxruntime", "debounceMs": 0})
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def torch_client(lsp_client: RecordingClient):  # type: ignore[no-untyped-def]
    if not _torch_installed():
        pytest.skip("the torch runtime is an optional install (sentiment-ls[torch])")
    await _start(lsp_client, {"runtime": "torch", "debounceMs": 0})
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=CONFIG.server_command,
        server_env=_env_without_torch(),
        client_factory=make_client,
    ),
    scope="module",
)
async def bare_client(lsp_client: RecordingClient):  # type: ignore[no-untyped-def]
    await _start(lsp_client, {"debounceMs": 0})
    yield
    await lsp_client.shutdown_session()


async def _wait_for(found: Any, what: str, timeout: float = 120) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = found()
        if value:
            return value
        await asyncio.sleep(0.05)
    raise TimeoutError(f"no {what} within {timeout} s")


def _logged(client: RecordingClient, needle: str) -> list[str]:
    return [m.message for m in client.log_messages if needle in m.message]


def _shown(client: RecordingClient, needle: str) -> list[types.ShowMessageParams]:
    return [m for m in client.messages if needle in m.message]


async def _analysis(client: RecordingClient, uri: str) -> dict[str, Any]:
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="sentiment-ls.analyze", arguments=[uri])
    )
    assert isinstance(result, dict)
    return result


async def _hover(client: RecordingClient, uri: str, line: int, character: int) -> str:
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=line, character=character),
        )
    )
    return hover_text(hover)


async def _serves(client: RecordingClient, runtime: str) -> dict[str, Any]:
    """The server announces the runtime, publishes diagnostics, hovers with the three
    stages and the words, and returns the analysis of TEXT."""
    uri = f"file:///{runtime}.md"
    open_doc(client, uri, TEXT)
    await diagnostics_for(client, uri, 1)
    assert _logged(client, f"ready on {runtime} on cpu")
    markdown = await _hover(client, uri, 2, 8)
    # The verdict, the words that drove it (attributions ran) and the model.
    assert "log-odds" in markdown and "model `embedded`" in markdown
    report = await _analysis(client, uri)
    assert len(report["sentences"]) == 4  # the heading is a sentence of its own
    return report


async def test_the_onnxruntime_runtime_serves(onnx_client: RecordingClient) -> None:
    await _serves(onnx_client, "onnxruntime")


async def test_the_torch_runtime_serves_and_agrees(
    torch_client: RecordingClient, onnx_client: RecordingClient
) -> None:
    ours = await _serves(torch_client, "torch")
    theirs = await _analysis(onnx_client, "file:///onnxruntime.md")
    for a, b in zip(ours["sentences"], theirs["sentences"], strict=True):
        assert a["label"] == b["label"]
        assert a["logits"] == pytest.approx(b["logits"], abs=1e-4)


async def test_without_torch_the_embedded_model_serves_on_onnxruntime(
    bare_client: RecordingClient,
) -> None:
    await _serves(bare_client, "onnxruntime")
    assert not bare_client.messages  # nothing to complain about


async def test_without_torch_a_gradient_method_names_the_extra_and_hovers_go_on(
    bare_client: RecordingClient,
) -> None:
    uri = "file:///gradients.md"
    open_doc(bare_client, uri, TEXT)
    await diagnostics_for(bare_client, uri, 1)
    bare_client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={"sentimentLs": {"explainMethod": "integrated-gradients", "debounceMs": 0}}
        )
    )
    await asyncio.sleep(0.5)
    markdown = await _hover(bare_client, uri, 2, 8)
    assert "(shapley)" in markdown  # the verdict is there, words by the default method
    (shown,) = await _wait_for(lambda: _shown(bare_client, "sentiment-ls[torch]"), "message")
    assert "integrated-gradients" in shown.message and "shapley" in shown.message


async def test_without_torch_the_torch_runtime_names_the_extra_and_onnxruntime_serves(
    bare_client: RecordingClient,
) -> None:
    bare_client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={"sentimentLs": {"runtime": "torch", "explainMethod": "occlusion"}}
        )
    )
    shown = await _wait_for(lambda: _shown(bare_client, "the `torch` runtime"), "message")
    assert "sentiment-ls[torch]" in shown[0].message
    uri = "file:///still-serving.md"
    open_doc(bare_client, uri, TEXT)
    await diagnostics_for(bare_client, uri, 1)
    assert (await _analysis(bare_client, uri))["sentences"]


async def test_without_torch_a_model_without_onnx_export_names_the_extra(
    bare_client: RecordingClient,
) -> None:
    bare_client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={"sentimentLs": {"model": "embedded-sst2", "runtime": "auto"}}
        )
    )
    shown = await _wait_for(lambda: _shown(bare_client, "could not be loaded"), "message")
    assert "sentiment-ls[torch]" in shown[0].message and "embedded-sst2" in shown[0].message
