"""Which files `check` reads in a folder (file_selection.py): git's ignore rules inside a
repository, checked against what `git` itself lists, and none outside one."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from sentiment_ls.file_selection import walk

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="needs the git command")


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "core.excludesFile=/dev/null", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def _selected(folder: Path) -> set[str]:
    return {path.relative_to(folder).as_posix() for path, _ in walk(folder)}


TREE = {
    ".gitignore": "/build/\n*.egg-info/\n*.log.md\ndrafts/*\n!drafts/keep.md\n",
    "README.md": "x",
    "build/out.md": "x",  # ignored folder, anchored
    "pkg/sentiment_ls.egg-info/requires.txt": "x",  # the finding that started this
    "pkg/notes.log.md": "x",
    "pkg/build/page.md": "x",  # `/build/` is anchored at the root: this one stays
    "drafts/old.md": "x",
    "drafts/keep.md": "x",  # re-included by `!`
    "docs/.gitignore": "generated.md\n!README.md\n",
    "docs/generated.md": "x",  # a deeper .gitignore
    "docs/guide.rst": "x",
    "docs/private.md": "x",  # .git/info/exclude below
    "docs/api/generated.md": "x",  # the deeper file's pattern has no `/`: any depth below it
    "node_modules/pkg/README.md": "x",  # a dependency folder
    ".github/notes.md": "x",  # hidden
    "src/main.py": "# x",
    "image.png": "x",  # no known kind
}


@needs_git
def test_the_walk_reads_what_git_tracks_or_would_track(tmp_path: Path) -> None:
    _write(tmp_path, TREE)
    _git(tmp_path, "init", "-q")
    (tmp_path / ".git" / "info").mkdir(exist_ok=True)
    (tmp_path / ".git" / "info" / "exclude").write_text("docs/private.md\n", encoding="utf-8")
    selected = _selected(tmp_path)
    assert selected == {
        "README.md",
        "pkg/build/page.md",
        "drafts/keep.md",
        "docs/guide.rst",
        "src/main.py",
    }
    # The same as git's own answer, less what `check` never reads (hidden, dependency
    # folders, unknown kinds).
    listed = set(_git(tmp_path, "ls-files", "--others", "--cached", "--exclude-standard").split())
    known = {
        name
        for name in listed
        if not name.startswith((".", "node_modules/"))
        and "/." not in name
        and not name.endswith(".png")
    }
    assert selected == known


@needs_git
def test_a_subfolder_obeys_the_gitignore_files_above_it(tmp_path: Path) -> None:
    _write(tmp_path, TREE)
    _git(tmp_path, "init", "-q")
    assert _selected(tmp_path / "pkg") == {"build/page.md"}
    assert _selected(tmp_path / "docs") == {"guide.rst", "private.md"}
    # A folder named on the command line is read even if git ignores it, as ripgrep does
    # (else nothing in it would be): then only the .gitignore files inside it apply.
    _write(tmp_path, {"build/.gitignore": "tmp.md\n", "build/tmp.md": "x"})
    assert _selected(tmp_path / "build") == {"out.md"}


@needs_git
def test_a_worktree_reads_info_exclude_from_the_shared_git_folder(tmp_path: Path) -> None:
    main = tmp_path / "main"
    _write(main, {"README.md": "x"})
    _git(main, "init", "-q")
    _git(main, "-c", "user.name=t", "-c", "user.email=t@t", "add", ".")
    _git(main, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x")
    (main / ".git" / "info").mkdir(exist_ok=True)
    (main / ".git" / "info" / "exclude").write_text("scratch.md\n", encoding="utf-8")
    _git(main, "worktree", "add", "-q", str(tmp_path / "wt"))
    _write(tmp_path / "wt", {"scratch.md": "x", "kept.md": "x"})
    assert (tmp_path / "wt" / ".git").is_file()
    assert _selected(tmp_path / "wt") == {"README.md", "kept.md"}


@needs_git
def test_a_nested_repository_has_its_own_rules(tmp_path: Path) -> None:
    _write(tmp_path, {".gitignore": "*.txt\n", "a.txt": "x", "vendor/lib/b.txt": "x"})
    _write(tmp_path, {"vendor/lib/.gitignore": "c.md\n", "vendor/lib/c.md": "x"})
    _git(tmp_path, "init", "-q")
    _git(tmp_path / "vendor" / "lib", "init", "-q")
    assert _selected(tmp_path) == {"vendor/lib/b.txt"}


def test_outside_a_repository_no_gitignore_applies(tmp_path: Path) -> None:
    # As git and ripgrep: a stray .gitignore with `*` (say, in a home folder) hides nothing.
    _write(tmp_path, {".gitignore": "*\n", "notes.md": "x", "build/out.md": "x"})
    assert _selected(tmp_path) == {"notes.md", "build/out.md"}
