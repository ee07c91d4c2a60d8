"""`check --ray` on the session's Ray cluster gives the local `check`'s report: JSON equal
but for the timing, SARIF byte for byte, the same exit status and the same unreadable file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from sentiment_ls.cli import main

PAGES = {
    "docs/guide.md": "# Guide\n\nThe new release is wonderful and fast.\n\n"
    "This is the worst update we have ever shipped, and everyone hates it.\n\n"
    "| a | b |\n|---|---|\n| I hate this broken table cell text. | ok |\n",
    # An inline literal: findings quote it as written, on Ray's workers as locally.
    "docs/deep/notes.rst": "Notes\n=====\n\n"
    "The ``installer`` failed again and ruined my afternoon.\n"
    "The meeting is on Tuesday at three.\n",
    "docs/plain.txt": "Support was rude, useless and completely unhelpful.\nShort.\n",
    "docs/changelog/CHANGELOG.md": "Fixed the terrible, awful crash that everyone hated.\n",
    "docs/empty.md": "",
    "src/tool.py": "# This awful hack is a disgrace and I hate it.\nx = 1\n",
}
PROJECT = """[tool.sentiment-ls]
severity = "warning"
[[tool.sentiment-ls.overrides]]
paths = ["docs/changelog/**"]
enabled = false
[[tool.sentiment-ls.overrides]]
paths = ["docs/plain.txt"]
severity = "hint"
"""


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, text in PAGES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "docs/broken.md").write_bytes(b"Bad \xff\xfe bytes here.\n")
    (tmp_path / "pyproject.toml").write_text(PROJECT)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["check", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_check_on_ray_equals_check(
    ray_cluster: None, tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = ["docs", "src/tool.py"]
    local_code, local_json, local_err = run(capsys, *paths, "--format", "json")
    ray_code, ray_json, ray_err = run(capsys, *paths, "--format", "json", "--ray")
    assert ray_code == local_code == 2  # docs/broken.md cannot be read
    local, remote = json.loads(local_json), json.loads(ray_json)
    assert local["summary"].pop("seconds") >= 0 and remote["summary"].pop("seconds") >= 0
    assert remote == local
    from sentiment_ls.check import on_ray

    assert on_ray.last_job is not None and on_ray.last_job.rows > len(local["findings"])
    assert os.getpid() not in on_ray.last_job.workers  # analysed by Ray's actors
    # Not vacuous: something is flagged (the model may be retrained: no verdict is assumed).
    assert local["findings"] and local["summary"]["unreadable"] == ["docs/broken.md"]
    assert {f["severity"] for f in local["findings"]} <= {"warning", "hint"}  # the overrides
    assert "cannot read docs/broken.md" in ray_err and "cannot read docs/broken.md" in local_err
    local_sarif = run(capsys, *paths, "--format", "sarif")[1]
    assert run(capsys, *paths, "--format", "sarif", "--ray")[1] == local_sarif


def test_ray_is_a_flag_before_or_after_the_paths(
    ray_cluster: None, tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sentiment_ls.check import on_ray

    local = run(capsys, "--format", "sarif", "docs/guide.md")
    for args in (["--ray", "docs/guide.md", "--format", "sarif"],
                 ["--format", "sarif", "docs/guide.md", "--ray"]):  # fmt: skip
        on_ray.last_job = None
        assert run(capsys, *args)[:2] == local[:2]
        assert on_ray.last_job is not None  # `docs/guide.md` was a path, not an address
