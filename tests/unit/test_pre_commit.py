"""The pre-commit hook (.pre-commit-hooks.yaml), run by the real `pre-commit try-repo` in a
temporary repository, offline: `language: system` installs nothing, it runs the
`sentiment-ls` installed beside this Python."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

pytestmark = [
    pytest.mark.skipif(shutil.which("git") is None, reason="needs the git command"),
    pytest.mark.skipif(
        shutil.which("pre-commit", path=str(BIN)) is None,
        reason="needs pre-commit beside this Python: pip install -e '.[dev]'",
    ),
    pytest.mark.skipif(
        shutil.which("sentiment-ls", path=str(BIN)) is None,
        reason="needs the sentiment-ls command beside this Python: pip install -e .",
    ),
]


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=test", "-c", "user.email=test@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def test_pre_commit_runs_the_hook_on_prose_files_and_fails_on_a_finding(tmp_path: Path) -> None:
    # The hook repository: the manifest as this checkout has it, committed (try-repo reads
    # a revision, and this checkout's own state, committed or not, must not matter).
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    shutil.copy(REPO / ".pre-commit-hooks.yaml", hooks)
    _git(hooks, "init", "-q")
    _git(hooks, "add", ".")
    _git(hooks, "commit", "-qm", "hooks")

    project = tmp_path / "project"
    project.mkdir()
    (project / "notes.md").write_text(
        "# Notes\n\nThe installer is a slow, broken and infuriating mess.\n", encoding="utf-8"
    )
    (project / "guide.txt").write_text("What a lovely, helpful guide.\n", encoding="utf-8")
    (project / "tool.py").write_text("x = 1  # this awful, broken hack\n", encoding="utf-8")
    _git(project, "init", "-q")
    _git(project, "add", ".")

    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
        "PRE_COMMIT_COLOR": "never",
        "NO_COLOR": "1",
    }
    completed = subprocess.run(
        [str(BIN / "pre-commit"), "try-repo", str(hooks), "sentiment-ls", "--all-files"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 1, output
    assert re.search(r"^sentiment-ls\.+Failed$", output, re.MULTILINE), output
    assert re.search(
        r"^notes\.md:3:1: information: Negative sentiment \([01]\.\d\d\) \[sentiment-negative\] "
        r'"The installer is a slow, broken and infuriating mess\."$',
        output,
        re.MULTILINE,
    ), output
    # Prose files only: guide.txt was read, tool.py (a comment) was not passed.
    assert re.search(r"^Checked 2 files \(3 sentences\) in ", output, re.MULTILINE), output


def test_the_readme_snippet_names_the_hook() -> None:
    manifest = (REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    ids = re.findall(r"^- id: (\S+)$", manifest, re.MULTILINE)
    assert ids == ["sentiment-ls"]
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    snippet = readme.split("```yaml\n", 1)[1].split("```", 1)[0]
    assert re.search(r"^\s*hooks: \[\{id: sentiment-ls\}\]$", snippet, re.MULTILINE), snippet
    assert len([line for line in snippet.splitlines() if line.strip()]) <= 4  # repos: + 3
