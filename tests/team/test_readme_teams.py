"""The README's Teams section, run as written: its shell blocks, taken from README.md, in a
clone's layout (`.venv/` and `examples/`), on a free port instead of 8000. The service
starts its own local Ray cluster, as it does for a user, and `check --service` reports
through it what the local `check` reports."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from sentiment_ls.cli import main
from tests.team.conftest import free_port

ROOT = Path(__file__).parents[2]
SECTION = "\n## Teams: a shared inference service\n"


def teams_shell_blocks() -> list[str]:
    readme = ROOT.joinpath("README.md").read_text(encoding="utf-8")
    section = readme.split(SECTION, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^```sh\n(.*?)^```", section, re.DOTALL | re.MULTILINE)


def on_a_free_port(block: str, port: int) -> str:
    """The block with the service on `port` (and on loopback, said explicitly)."""
    adapted = block.replace("127.0.0.1:8000", f"127.0.0.1:{port}").replace(
        "sentiment-ls serve ", f"sentiment-ls serve --host 127.0.0.1 --port {port} "
    )
    assert "8000" not in adapted and f"serve --host 127.0.0.1 --port {port}" in adapted
    return adapted


def test_the_teams_commands_run_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    install, session = teams_shell_blocks()
    # The install from the clone: scripts/setup.sh did it for this environment.
    assert install.split("#")[0].strip() == ".venv/bin/pip install -e '.[ray]'"
    assert "pip install 'sentiment-ls" not in install + session  # not on any index
    pytest.importorskip("ray", reason="the `ray` extra is not installed (scripts/setup.sh)")
    # A clone's layout: its examples and its environment (the one running the tests).
    (tmp_path / ".venv").symlink_to(sys.prefix, target_is_directory=True)
    (tmp_path / "examples").symlink_to(ROOT / "examples", target_is_directory=True)
    # A fresh shell's: no cluster to join, no token but the one the block makes.
    unset = ("RAY_ADDRESS", "SENTIMENT_LS_SERVICE_TOKEN")
    env = {k: v for k, v in os.environ.items() if not k.startswith(unset)}
    shell = subprocess.Popen(
        ["bash", "-c", on_a_free_port(session, free_port())],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # the service and its Ray cluster stopped with it, whatever
    )
    try:
        out, err = shell.communicate(timeout=480)
    finally:
        if shell.poll() is None:
            os.killpg(shell.pid, signal.SIGTERM)
            shell.wait(timeout=60)
    assert shell.returncode == 0, err  # `kill %1` found the service still running
    assert "/v2/models/sentiment-ls ready" in err and "sentiment-ls serve: stopping" in err
    assert "unavailable" not in err and "sentiment-ls check: error" not in err, err

    monkeypatch.chdir(tmp_path)
    main(["check", "examples/", "--no-cache", "--color", "never"])
    local = capsys.readouterr().out.splitlines()
    findings = [line for line in local if line.startswith("examples/")]
    assert findings and [line for line in out.splitlines() if line.startswith("examples/")] == (
        findings
    )
    assert "Checked 1 file (7 sentences) in " in out  # `check`'s summary: it ran to the end
