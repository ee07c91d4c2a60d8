"""TCP mode listens on loopback unless told otherwise, and says so when told otherwise."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _listening_addresses(port: int) -> list[str]:
    """Local addresses with a socket in LISTEN state on `port`, from /proc/net/tcp."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.rsplit(":", 1)
            if int(port_hex, 16) == port and state == "0A":
                found.append(address)
    return found


def _wait_listening(port: int, server: subprocess.Popen[str]) -> list[str]:
    deadline = time.monotonic() + 60
    while not (addresses := _listening_addresses(port)):
        assert server.poll() is None, server.communicate()
        assert time.monotonic() < deadline, "the server never listened"
        time.sleep(0.1)
    return addresses


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc")
def test_default_binds_loopback_only() -> None:
    port = _free_port()
    command = [sys.executable, "-m", "sentiment_ls", "--tcp", "--port", str(port)]
    server = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    try:
        assert _wait_listening(port, server) == ["0100007F"]  # 127.0.0.1
    finally:
        server.kill()
        _, stderr = server.communicate()
    assert "not on loopback" not in stderr


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc")
def test_another_host_is_announced() -> None:
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "sentiment_ls",
        "--tcp",
        "--host",
        "0.0.0.0",
        "--port",
        str(port),
    ]
    server = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    try:
        assert _wait_listening(port, server) == ["00000000"]
    finally:
        server.kill()
        _, stderr = server.communicate()
    assert "not on loopback" in stderr
