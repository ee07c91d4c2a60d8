"""The command line, run as a user runs it."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
from pathlib import Path

from sentiment_ls import __version__

REPO = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sentiment_ls", *args], capture_output=True, text=True, timeout=300
    )


def test_version_and_help() -> None:
    assert _run("--version").stdout.strip() == f"sentiment-ls {__version__}"
    help_text = _run("--help").stdout
    for word in ("check", "eval", "train", "export-model", "export-onnx", "--tcp"):
        assert word in help_text


HEAVY = ("torch", "transformers", "onnxruntime", "captum", "tokenizers")


def test_version_and_help_import_no_model_library() -> None:
    """They answer in a fraction of a second only if parsing arguments imports no runtime."""
    probe = (
        "import sys\n"
        "from sentiment_ls.cli import main\n"
        "for argv in (['--version'], ['--help'], ['check', '--help']):\n"
        "    try:\n"
        "        main(argv)\n"
        "    except SystemExit:\n"
        "        pass\n"
        f"loaded = sorted({{m.partition('.')[0] for m in sys.modules}} & set({HEAVY!r}))\n"
        "print('LOADED', loaded, file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120
    )
    assert "LOADED []" in result.stderr, result.stderr


def test_check_reports_compiler_style_lines_with_the_sentence_and_a_summary(
    tmp_path: Path,
) -> None:
    document = tmp_path / "notes.md"
    document.write_text(
        "# Notes\n\nThe launch went well.\n\n"
        "```\nAn awful code block.\n```\n\n"
        "  The installer is a slow, broken, infuriating mess.\n",
        encoding="utf-8",
    )
    completed = _run("check", str(document))
    assert completed.returncode == 1, completed.stderr
    finding, summary = completed.stdout.splitlines()
    location, message = finding.split(": information: ")
    assert location == f"{document}:9:3"
    assert re.fullmatch(
        r"Negative sentiment \([01]\.\d\d\) \[sentiment-negative\] "
        r'"The installer is a slow, broken, infuriating mess\."',
        message,
    ), message
    assert re.fullmatch(
        r"Checked 1 file \(3 sentences\) in \d+\.\d s: 1 flagged \(all information\)\.",
        summary,
    ), summary
    assert "\033[" not in completed.stdout  # not a terminal: no colour


def test_check_json_and_a_clean_file_exits_0(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("What a lovely, helpful guide.\n", encoding="utf-8")
    (tmp_path / "bad.md").write_text("This is a dreadful, useless product.\n", encoding="utf-8")
    completed = _run("check", str(tmp_path), "--format", "json")
    assert completed.returncode == 1
    report = json.loads(completed.stdout)
    assert report["model"] == "embedded"
    assert [f["path"] for f in report["findings"]] == [str(tmp_path / "bad.md")]
    finding = report["findings"][0]
    assert (finding["line"], finding["column"]) == (1, 1)
    assert finding["label"] == "negative"
    assert report["summary"]["files"] == 2 and report["summary"]["flagged"] == 1
    clean = _run("check", "--quiet", str(tmp_path / "good.txt"))
    assert clean.returncode == 0 and clean.stdout == ""


def test_check_on_the_readme_sample_flags_the_known_problems() -> None:
    completed = _run("check", str(REPO / "examples" / "welcome.md"))
    assert completed.returncode == 1
    assert "Negative sentiment" in completed.stdout
    assert "disaster" not in completed.stdout  # the code block is skipped


def _start_tcp(*args: str) -> tuple[subprocess.Popen[str], int]:
    """The server on TCP, on a free port it chose (`--port 0`), read from the line it
    writes on stderr once it listens."""
    server = subprocess.Popen(
        [sys.executable, "-m", "sentiment_ls", "--tcp", "--port", "0", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert server.stderr is not None
    line = server.stderr.readline()
    match = re.fullmatch(r"sentiment-ls: listening for LSP on 127\.0\.0\.1:(\d+)\n", line)
    assert match, line
    return server, int(match[1])


def _message(payload: dict[str, object]) -> bytes:
    body = json.dumps({"jsonrpc": "2.0", **payload}).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def _receive_until(connection: socket.socket, marker: bytes) -> bytes:
    received = b""
    connection.settimeout(60)
    while marker not in received or not received.rstrip().endswith(b"}"):
        chunk = connection.recv(65536)
        assert chunk, "connection closed before the answer"
        received += chunk
    return received


def test_tcp_says_where_it_listens_speaks_lsp_and_exits_cleanly() -> None:
    server, port = _start_tcp()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
            initialize = {"processId": None, "rootUri": None, "capabilities": {}}
            connection.sendall(_message({"id": 1, "method": "initialize", "params": initialize}))
            received = _receive_until(connection, b"serverInfo")
            payload = json.loads(received.split(b"\r\n\r\n", 1)[1])
            assert payload["id"] == 1
            assert payload["result"]["serverInfo"]["name"] == "sentiment-ls"
            connection.sendall(_message({"id": 2, "method": "shutdown"}))
            _receive_until(connection, b'"id": 2')
            connection.sendall(_message({"method": "exit"}))
            assert server.wait(timeout=60) == 0  # shutdown, then exit: status 0
    finally:
        if server.poll() is None:
            server.kill()
        _, stderr = server.communicate(timeout=30)
    assert stderr == "", stderr  # no traceback, nothing after the listening line


def test_a_port_in_use_is_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        completed = _run("--tcp", "--port", str(port))
    assert completed.returncode == 1
    assert completed.stderr == (
        f"sentiment-ls: cannot listen on 127.0.0.1:{port}: the port is in use (another "
        "server?); choose another with --port\n"
    )
