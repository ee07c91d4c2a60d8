"""Emacs (Debian's 28.2) with eglot (Debian's elpa-eglot 1.9), in batch, running the README's
configuration against the real server."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

from tests.editors.common import (
    TIMEOUT,
    Sample,
    assert_pipeline_hover,
    readme_block,
    require_binary,
    unavailable,
    with_server,
)

SCRIPT = Path(__file__).with_name("eglot.el")
ELPA = Path("/usr/share/emacs/site-lisp/elpa")


def test_emacs_eglot_diagnostics_and_hover(
    sample: Sample, server_command: list[str], server_env: dict[str, str], tmp_path: Path
) -> None:
    emacs = require_binary("emacs", "emacs-nox")
    for package in ("eglot", "markdown-mode"):
        if not any(ELPA.glob(f"{package}-*")):
            unavailable(f"Debian package elpa-{package} not installed")
    config = tmp_path / "config.el"
    config.write_text(with_server(readme_block("Emacs with eglot", "elisp"), server_command, " "))
    result_path = tmp_path / "result.json"
    env = {
        **server_env,
        "SLS_CONFIG": str(config),
        "SLS_FILE": str(sample.path),
        "SLS_RESULT": str(result_path),
        "SLS_HOVER_LINE": str(sample.negative_line),
        "SLS_TIMEOUT_MS": str(int(TIMEOUT * 1000)),
        "HOME": str(tmp_path),  # no ~/.emacs.d state from the machine
    }
    started = time.monotonic()
    run = subprocess.run(
        [emacs, "--batch", "-Q", "-l", str(SCRIPT)],
        env=env,
        cwd=sample.path.parent,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT + 60,
    )
    elapsed = time.monotonic() - started
    assert result_path.exists(), f"emacs wrote no result (exit {run.returncode}): {run.stderr}"
    result = json.loads(result_path.read_text())
    assert "error" not in result, f"{result['error']}\n{run.stderr[-3000:]}"
    assert run.returncode == 0, run.stderr[-3000:]
    assert result["major_mode"] == "markdown-mode"
    assert result["language_id"] == "markdown"

    diagnostics = result["diagnostics"]
    assert diagnostics, f"no diagnostics within {TIMEOUT} s: {run.stderr[-3000:]}"
    flagged_lines = {d["line"] for d in diagnostics}
    assert sample.negative_line in flagged_lines, diagnostics
    assert flagged_lines.isdisjoint(sample.positive_lines), diagnostics
    negative = next(d for d in diagnostics if d["line"] == sample.negative_line)
    assert negative["type"] == "eglot-note"  # severity information
    assert negative["column"] == 0
    # eglot writes "source [code]: message"
    assert negative["text"].startswith("sentiment-ls [sentiment-negative]: Negative sentiment")

    assert result["hover_kind"] == "markdown"
    assert_pipeline_hover(result["hover"])
    assert "unfortunately" in result["hover_rendered"].lower()
    print(
        f"emacs {result['emacs']} + eglot {result['eglot']}: diagnostics after "
        f"{result['diagnostics_s']:.1f} s, run {elapsed:.1f} s"
    )
