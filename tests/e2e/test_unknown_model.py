"""A model name that is nowhere (not embedded, not a folder, not in the local Hugging Face
cache, downloads off) is refused at once, over stdio and on the command line, and neither
torch nor transformers is imported to say so (they took 17 s before).

`import_guard/` on PYTHONPATH makes torch and transformers look installed but records and
fails any import of them, so the fast path is tested as such, not merely timed."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, client_capabilities

from tests.e2e.lsp import CONFIG, RecordingClient, make_client

UNKNOWN = "no-such-org/no-such-model-xyz"
GUARD = Path(__file__).resolve().parent / "import_guard"
# Generous for a loaded CI machine: the target is 1 s (bench/check_speed.py measures it);
# the guard, not this bound, is what proves that no runtime was imported.
QUICK_S = 5.0
_STATE = Path(tempfile.mkdtemp(prefix="sentiment-ls-unknown-model-"))
IMPORT_LOG = _STATE / "imports.log"


def _guarded_env() -> dict[str, str]:
    env = dict(CONFIG.server_env or os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(GUARD), env.get("PYTHONPATH")]))
    env["SENTIMENT_LS_IMPORT_LOG"] = str(IMPORT_LOG)
    env["HF_HOME"] = str(_STATE / "hf-home")  # an empty cache
    env.pop("HF_HUB_CACHE", None)
    return env


def _imports() -> str:
    return IMPORT_LOG.read_text(encoding="utf-8") if IMPORT_LOG.exists() else ""


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=CONFIG.server_command,
        server_env=_guarded_env(),
        client_factory=make_client,
    ),
    scope="module",
)
async def client(lsp_client: RecordingClient):  # type: ignore[no-untyped-def]
    capabilities = client_capabilities("neovim")
    await lsp_client.initialize_session(
        types.InitializeParams(capabilities=capabilities, initialization_options={"model": UNKNOWN})
    )
    lsp_client.initialized_at = time.monotonic()  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio(loop_scope="module")
async def test_the_server_says_at_once_that_the_model_is_not_in_the_cache(
    client: RecordingClient,
) -> None:
    started: float = client.initialized_at  # type: ignore[attr-defined]
    deadline = started + 60
    found = None
    while found is None and time.monotonic() < deadline:
        found = next((m for m in client.messages if UNKNOWN in m.message), None)
        await asyncio.sleep(0.02)
    assert found is not None, client.messages
    took = time.monotonic() - started
    assert found.type == types.MessageType.Error
    assert "not in the local Hugging Face cache" in found.message
    assert took < QUICK_S, f"the message took {took:.1f} s"
    assert _imports() == "", f"imported to say so: {_imports()}"


def test_check_exits_2_at_once_with_the_reason(tmp_path: Path) -> None:
    document = tmp_path / "note.md"
    document.write_text("A sentence to check.\n", encoding="utf-8")
    started = time.monotonic()
    completed = subprocess.run(
        [sys.executable, "-m", "sentiment_ls", "check", str(document), "--model", UNKNOWN],
        capture_output=True,
        text=True,
        timeout=120,
        env=_guarded_env(),
        cwd=tmp_path,
    )
    took = time.monotonic() - started
    assert completed.returncode == 2, completed.stderr
    assert completed.stdout == ""
    assert "not in the local Hugging Face cache" in completed.stderr
    assert "--allow-download" in completed.stderr  # the flag, in the command line's words
    assert took < QUICK_S, f"check took {took:.1f} s"
    assert _imports() == "", f"imported to say so: {_imports()}"
