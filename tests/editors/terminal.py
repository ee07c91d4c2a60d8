"""A real terminal for the terminal editors (Neovim, Emacs -nw): tmux at a fixed size, so a
test reads the screen as a person sees it (markup concealed, floats and the echo area
drawn) and saves it as a text screenshot under build/screenshots/."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.editors.common import screenshots_dir, unavailable

COLUMNS, ROWS = 100, 30  # a roomy terminal; the hover must lead with its answer even so


@dataclass
class Terminal:
    socket: Path
    status: Path  # the command's exit status, written when it ends

    def tmux(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-S", str(self.socket), *args],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout

    def screen(self) -> list[str]:
        """The visible screen, one string per row (trailing blanks trimmed)."""
        return [line.rstrip() for line in self.tmux("capture-pane", "-p").split("\n")[:ROWS]]

    def save(self, name: str, lines: list[str]) -> Path:
        path = screenshots_dir() / f"{name}.txt"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    def wait_for_exit(self, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.status.exists() and self.status.read_text().strip():
                return int(self.status.read_text())
            time.sleep(0.1)
        raise TimeoutError(f"the editor did not exit within {timeout} s")


@contextmanager
def terminal(
    tmp_path: Path, command: list[str], env: dict[str, str], cwd: Path
) -> Iterator[Terminal]:
    """`command` running in a fresh tmux server of its own (its own socket, no user
    configuration), COLUMNS x ROWS; the server is killed on the way out."""
    if shutil.which("tmux") is None:
        unavailable("`tmux` not installed (Debian package tmux)")
    socket = tmp_path / "tmux.sock"
    status = tmp_path / "exit-status"
    # The tmux server starts from this call and hands its environment to the command.
    tmux = ["tmux", "-S", str(socket)]
    shell = f"cd {shlex.quote(str(cwd))} && {shlex.join(command)}; echo $? > {status}"
    subprocess.run(
        [*tmux, "-f", "/dev/null", "new-session", "-d", "-x", str(COLUMNS), "-y", str(ROWS), shell],
        env={**env, "TERM": "xterm-256color"},
        check=True,
        timeout=30,
    )
    try:
        yield Terminal(socket, status)
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True, timeout=30)
