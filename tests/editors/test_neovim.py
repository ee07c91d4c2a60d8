"""Neovim (Debian's 0.7.2, the `start_client` API), headless, against the real server."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

from tests.editors.common import TIMEOUT, Sample, assert_pipeline_hover, require_binary

SCRIPT = Path(__file__).with_name("neovim.lua")


def test_neovim_diagnostics_and_hover(
    sample: Sample, server_command: list[str], server_env: dict[str, str], tmp_path: Path
) -> None:
    nvim = require_binary("nvim", "neovim")
    result_path = tmp_path / "result.json"
    env = {
        **server_env,
        "SLS_FILE": str(sample.path),
        "SLS_RESULT": str(result_path),
        "SLS_COMMAND": json.dumps(server_command),
        "SLS_HOVER_LINE": str(sample.negative_line),
        "SLS_TIMEOUT_MS": str(int(TIMEOUT * 1000)),
        "XDG_STATE_HOME": str(tmp_path / "state"),  # the LSP log goes here, not to ~
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    started = time.monotonic()
    run = subprocess.run(
        [nvim, "--headless", "-u", "NONE", "-i", "NONE", "-n", "-c", f"luafile {SCRIPT}"],
        env=env,
        cwd=sample.path.parent,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT + 60,
    )
    elapsed = time.monotonic() - started
    assert result_path.exists(), f"nvim wrote no result (exit {run.returncode}): {run.stderr}"
    result = json.loads(result_path.read_text())
    assert "error" not in result, result["error"]
    assert run.returncode == 0, run.stderr
    assert result["filetype"] == "markdown"
    assert not result["timed_out"], f"no diagnostics within {TIMEOUT} s: {result}"

    diagnostics = result["diagnostics"]
    flagged_lines = {d["lnum"] for d in diagnostics}
    assert sample.negative_line in flagged_lines, diagnostics
    assert flagged_lines.isdisjoint(sample.positive_lines), diagnostics
    negative = next(d for d in diagnostics if d["lnum"] == sample.negative_line)
    assert negative["source"] == "sentiment-ls"
    assert negative["code"] == "sentiment-negative"
    assert negative["message"].startswith("Negative sentiment")
    assert negative["severity"] == 3  # vim.diagnostic.severity.INFO: the default "information"
    assert negative["col"] == 0 and negative["end_lnum"] == sample.negative_line

    hover = result.get("hover")
    assert hover, f"no hover: {result.get('hover_error')}"
    assert hover["kind"] == "markdown"
    assert_pipeline_hover(hover["value"])
    version = "{major}.{minor}.{patch}".format(**result["version"])
    print(
        f"neovim {version}: diagnostics after "
        f"{result['diagnostics_ms'] / 1000:.1f} s, run {elapsed:.1f} s"
    )
