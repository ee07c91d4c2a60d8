"""The command line, run as a user runs it."""

from __future__ import annotations

import json
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


def test_check_reports_compiler_style_lines_and_exits_1(tmp_path: Path) -> None:
    document = tmp_path / "notes.md"
    document.write_text(
        "# Notes\n\nThe launch went well.\n\n"
        "```\nAn awful code block.\n```\n\n"
        "  The installer is a slow, broken, infuriating mess.\n",
        encoding="utf-8",
    )
    completed = _run("check", str(document))
    assert completed.returncode == 1, completed.stderr
    lines = completed.stdout.strip().splitlines()
    assert lines == [f"{document}:9:3: information: " + lines[0].split(": ", 2)[2]]
    assert lines[0].split(": ", 2)[2].startswith("Negative sentiment (")


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
    assert finding["label"] == "NEGATIVE"
    clean = _run("check", str(tmp_path / "good.txt"))
    assert clean.returncode == 0 and clean.stdout == ""


def test_check_on_the_readme_sample_flags_the_known_problems() -> None:
    completed = _run("check", str(REPO / "examples" / "welcome.md"))
    assert completed.returncode == 1
    assert "Negative sentiment" in completed.stdout
    assert "disaster" not in completed.stdout  # the code block is skipped


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_tcp_mode_listens_on_loopback_and_speaks_lsp() -> None:
    import socket
    import time

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "sentiment_ls", "--tcp", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                connection = socket.create_connection(("127.0.0.1", port), timeout=5)
                break
            except OSError:
                assert time.monotonic() < deadline, "the server never listened"
                time.sleep(0.1)
        with connection:
            body = json.dumps(
                {
                    "jsonrpc": "2.0",
                    "id": 1,
                    "method": "initialize",
                    "params": {"processId": None, "rootUri": None, "capabilities": {}},
                }
            ).encode()
            connection.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            received = b""
            connection.settimeout(60)
            while b"serverInfo" not in received or not received.rstrip().endswith(b"}"):
                chunk = connection.recv(65536)
                assert chunk, "connection closed before the initialize result"
                received += chunk
        payload = json.loads(received.split(b"\r\n\r\n", 1)[1])
        assert payload["id"] == 1
        assert payload["result"]["serverInfo"]["name"] == "sentiment-ls"
    finally:
        server.terminate()
        server.wait(timeout=30)
