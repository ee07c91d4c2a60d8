"""Emacs (Debian's 28.2) with eglot (Debian's elpa-eglot 1.9) running the README's
configuration against the real server: in a terminal (emacs -nw in tmux), where the test
reads the hover as ElDoc shows it, and in batch with an Emacs that cannot render Markdown,
which is sent plain text."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any

from tests.editors.common import (
    TIMEOUT,
    Sample,
    assert_hover_layout,
    assert_hover_screen,
    readme_block,
    require_binary,
    unavailable,
    with_server,
)
from tests.editors.terminal import ROWS, Terminal, terminal

SCRIPT = Path(__file__).with_name("eglot.el")
ELPA = Path("/usr/share/emacs/site-lisp/elpa")


def emacs_env(
    sample: Sample, server_command: list[str], server_env: dict[str, str], tmp_path: Path
) -> dict[str, str]:
    require_binary("emacs", "emacs-nox")
    for package in ("eglot", "markdown-mode"):
        if not any(ELPA.glob(f"{package}-*")):
            unavailable(f"Debian package elpa-{package} not installed")
    config = tmp_path / "config.el"
    config.write_text(with_server(readme_block("Emacs with eglot", "elisp"), server_command, " "))
    return {
        **server_env,
        "SLS_CONFIG": str(config),
        "SLS_FILE": str(sample.path),
        "SLS_RESULT": str(tmp_path / "result.json"),
        "SLS_HOVER_LINE": str(sample.negative_line),
        "SLS_TIMEOUT_MS": str(int(TIMEOUT * 1000)),
        "HOME": str(tmp_path),  # no ~/.emacs.d state from the machine
    }


def read_result(env: dict[str, str]) -> dict[str, Any]:
    path = Path(env["SLS_RESULT"])
    assert path.exists(), "emacs wrote no result"
    result: dict[str, Any] = json.loads(path.read_text())
    assert "error" not in result, result["error"]
    return result


def assert_diagnostics(result: dict[str, Any], sample: Sample) -> None:
    assert result["major_mode"] == "markdown-mode"
    assert result["language_id"] == "markdown"
    diagnostics = result["diagnostics"]
    assert diagnostics, f"no diagnostics within {TIMEOUT} s"
    flagged_lines = {d["line"] for d in diagnostics}
    assert sample.negative_line in flagged_lines, diagnostics
    assert flagged_lines.isdisjoint(sample.positive_lines), diagnostics
    negative = next(d for d in diagnostics if d["line"] == sample.negative_line)
    assert negative["type"] == "eglot-note"  # severity information
    assert negative["column"] == 0
    # eglot writes "source [code]: message"
    assert negative["text"].startswith("sentiment-ls [sentiment-negative]: Negative sentiment")


def wait_for_screen(screen: Terminal, text: str, after: int = 0) -> list[str]:
    """The screen once `text` shows on a row at or below `after`."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        rows = screen.screen()
        if any(text in row for row in rows[after:]):
            return rows
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never showed:\n" + "\n".join(screen.screen()))


def test_emacs_eglot_diagnostics_and_hover_in_eldoc(
    sample: Sample, server_command: list[str], server_env: dict[str, str], tmp_path: Path
) -> None:
    env = emacs_env(sample, server_command, server_env, tmp_path)
    emacs = require_binary("emacs", "emacs-nox")
    ready = tmp_path / "screen-ready"
    env["SLS_SCREEN_READY"] = str(ready)
    started = time.monotonic()
    with terminal(
        tmp_path, [emacs, "-nw", "-Q", "-l", str(SCRIPT)], env, sample.path.parent
    ) as screen:
        deadline = time.monotonic() + 2 * TIMEOUT
        while not ready.exists() and time.monotonic() < deadline:
            assert not (screen.status.exists() and screen.status.read_text()), read_result(env)
            time.sleep(0.1)
        assert ready.exists(), "emacs never got ready:\n" + "\n".join(screen.screen())
        # Point is just before the flagged sentence; moving onto it is what shows ElDoc.
        screen.tmux("send-keys", "C-f")
        echo_top = ROWS - 8  # the echo area grows up to a quarter of the frame
        echo = wait_for_screen(screen, "flagged", after=echo_top)
        screen.save("emacs-hover-echo-area", echo)
        screen.tmux("send-keys", "M-x")
        screen.tmux("send-keys", "eldoc-doc-buffer", "Enter")
        doc = wait_for_screen(screen, "1 · Tokenizer")
        screen.save("emacs-hover-eldoc-buffer", doc)
        screen.tmux("send-keys", "C-x", "C-c")
        status = screen.wait_for_exit(60)
    elapsed = time.monotonic() - started
    result = read_result(env)
    assert status == 0, result
    assert_diagnostics(result, sample)
    assert result["hover_kind"] == "markdown"
    assert_hover_layout(result["hover"], "markdown", sample)
    # The echo area: the rows below the last mode line hold the hover's first lines.
    mode_line = max(i for i, row in enumerate(echo) if "release.md" in row)
    assert_hover_screen(echo[mode_line + 1 :], sample, whole=False)
    # The *eldoc* buffer: the whole hover, rendered (markup hidden).
    top = next(i for i, row in enumerate(doc) if "· flagged:" in row)
    assert_hover_screen(doc[top:], sample)
    print(
        f"emacs {result['emacs']} + eglot {result['eglot']}: diagnostics after "
        f"{result['diagnostics_s']:.1f} s, run {elapsed:.1f} s"
    )


def test_emacs_eglot_without_markdown_rendering_gets_plain_text(
    sample: Sample, server_command: list[str], server_env: dict[str, str], tmp_path: Path
) -> None:
    env = emacs_env(sample, server_command, server_env, tmp_path) | {"SLS_PLAIN_HOVER": "1"}
    run = subprocess.run(
        [require_binary("emacs", "emacs-nox"), "--batch", "-Q", "-l", str(SCRIPT)],
        env=env,
        cwd=sample.path.parent,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT + 60,
    )
    result = read_result(env)
    assert run.returncode == 0, run.stderr[-3000:]
    assert_diagnostics(result, sample)
    assert result["hover_kind"] == "plaintext"
    assert_hover_layout(result["hover"], "plaintext", sample)
    assert result["hover_rendered"] == result["hover"].strip()  # shown as it is
