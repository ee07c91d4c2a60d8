"""`sentiment-ls check` reads the project file the server reads, with the same rules."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def _check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sentiment_ls", "check", "--format", "json", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_check_follows_the_project_file_per_path(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.sentiment-ls]\nseverity = "warning"\n\n'
        '[[tool.sentiment-ls.overrides]]\npaths = ["CHANGELOG.md"]\nenabled = false\n\n'
        '[[tool.sentiment-ls.overrides]]\npaths = ["docs/api/**"]\ntone = "neutral"\n'
        'model = "someone/else"\n',
        encoding="utf-8",
    )
    glowing = "Our support team is wonderful and we love working with you."
    awful = "The old installer was a slow, broken and infuriating mess."
    (tmp_path / "CHANGELOG.md").write_text(f"# Changes\n\n{awful}\n", encoding="utf-8")
    (tmp_path / "docs" / "api").mkdir(parents=True)
    (tmp_path / "docs" / "api" / "client.md").write_text(f"{glowing}\n", encoding="utf-8")
    (tmp_path / "docs" / "guide.md").write_text(f"{glowing}\n\n{awful}\n", encoding="utf-8")

    completed = _check(str(tmp_path))
    assert completed.returncode == 1, completed.stderr
    found = {
        (Path(f["path"]).name, f["label"], f["severity"])
        for f in json.loads(completed.stdout)["findings"]
    }
    assert found == {
        ("client.md", "positive", "warning"),  # a neutral page must not gush
        ("guide.md", "negative", "warning"),  # the default tone flags only the negative
    }  # and CHANGELOG.md is off
    assert "`model` ignored" in completed.stderr  # a repository cannot choose the model

    # The command line is the user's layer: the project file wins for the keys it sets...
    assert {
        f["severity"]
        for f in json.loads(_check(str(tmp_path), "--severity", "error").stdout)["findings"]
    } == {"warning"}
    # ...and --no-config leaves only the command line.
    plain = json.loads(_check(str(tmp_path), "--no-config").stdout)["findings"]
    assert {(Path(f["path"]).name, f["severity"]) for f in plain} == {
        ("CHANGELOG.md", "information"),
        ("guide.md", "information"),
    }
