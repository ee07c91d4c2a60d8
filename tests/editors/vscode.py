"""code-server (a real VS Code build from npm) with the extension installed from the .vsix,
started on a free loopback port in a throwaway profile."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from tests.editors.common import ROOT

CODE_SERVER = ROOT / "build" / "editors" / "code-server" / "node_modules" / ".bin" / "code-server"
VSIX = ROOT / "build" / "sentiment-ls.vsix"
CHROMIUM = Path("/usr/bin/chromium")
EXTENSION_ID = "sentiment-ls.sentiment-ls"

USER_SETTINGS = {
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": False,
    "workbench.enableExperiments": False,
    "workbench.welcomePage.walkthroughs.openOnInstall": False,
    "security.workspace.trust.enabled": False,
    "telemetry.telemetryLevel": "off",
    "update.mode": "none",
    "extensions.autoCheckUpdates": False,
    "extensions.autoUpdate": False,
    "extensions.ignoreRecommendations": True,
    "chat.commandCenter.enabled": False,
    "chat.disableAIFeatures": True,
    "editor.hover.delay": 200,
    "editor.minimap.enabled": False,
    "workbench.colorTheme": "Default Light Modern",
    "window.commandCenter": False,
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class CodeServer:
    url: str
    workspace: Path
    log: Path


def install_extension(profile: Path, env: dict[str, str]) -> str:
    """Install the .vsix offline into the profile; the installed extensions, listed."""
    (profile / "data").mkdir(parents=True, exist_ok=True)
    (profile / "extensions").mkdir(parents=True, exist_ok=True)
    run = subprocess.run(
        [
            str(CODE_SERVER),
            "--user-data-dir", str(profile / "data"),
            "--extensions-dir", str(profile / "extensions"),
            "--install-extension", str(VSIX),
        ],
        env=env, capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    installed = subprocess.run(
        [
            str(CODE_SERVER),
            "--user-data-dir", str(profile / "data"),
            "--extensions-dir", str(profile / "extensions"),
            "--list-extensions", "--show-versions",
        ],
        env=env, capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert EXTENSION_ID in installed.stdout, installed.stdout + installed.stderr
    return installed.stdout.strip()


@contextmanager
def code_server(
    profile: Path, workspace: Path, settings: dict[str, object], env: dict[str, str]
) -> Iterator[CodeServer]:
    # The server's command is a `machine-overridable` setting: in a remote window (which a
    # code-server window is) VS Code reads it from the Remote settings (Machine/), as users
    # of Remote-SSH, WSL or code-server set it; everything else goes in the User settings.
    machine = {k: v for k, v in settings.items() if k.startswith("sentimentLs.server.")}
    user = {k: v for k, v in settings.items() if k not in machine}
    for folder, values in (("User", {**USER_SETTINGS, **user}), ("Machine", machine)):
        (profile / "data" / folder).mkdir(parents=True, exist_ok=True)
        (profile / "data" / folder / "settings.json").write_text(json.dumps(values, indent=2))
    config = profile / "config.yaml"
    config.write_text("auth: none\ncert: false\n")
    port = free_port()
    log = profile / "code-server.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [
                str(CODE_SERVER),
                "--config", str(config),
                "--user-data-dir", str(profile / "data"),
                "--extensions-dir", str(profile / "extensions"),
                "--auth", "none",
                "--bind-addr", f"127.0.0.1:{port}",
                "--disable-telemetry",
                "--disable-update-check",
                "--disable-workspace-trust",
                "--disable-getting-started-override",
                str(workspace),
            ],
            env=env, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert process.poll() is None, f"code-server exited: {log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"code-server not healthy: {log.read_text()}"
            time.sleep(0.25)
        yield CodeServer(f"{url}/?folder={workspace}", workspace, log)
    finally:
        # code-server and the extension host (and the language server it started) share
        # the process group made for code-server above: end that group only.
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with suppress(ProcessLookupError):
                os.killpg(process.pid, sig)
            try:
                process.wait(timeout=15)
                break
            except subprocess.TimeoutExpired:
                continue


def missing() -> str | None:
    """Why the VS Code test cannot run here, or None."""
    if not CODE_SERVER.exists():
        return f"code-server not installed at {CODE_SERVER.relative_to(ROOT)}"
    if not VSIX.exists():
        return f"the extension is not packaged at {VSIX.relative_to(ROOT)}"
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        return "chromium not installed (Debian package chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python not installed in this environment"
    return None
