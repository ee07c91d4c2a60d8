"""Which files of a folder `check` reads: those whose kind the formats registry knows, less
hidden files and folders, dependency folders, and what git ignores.

Git's rules are read as git reads them, inside a git repository only: `.git/info/exclude`,
then every `.gitignore` from the repository's root down, a deeper file overriding those
above it, a folder that is ignored never entered. The patterns are matched by `pathspec`'s
`GitIgnoreSpec`, which follows git's own edge cases, rather than by asking `git`: the walk
then needs no git binary, starts no process per folder, and reads the same files whether
the tree came with git or not. Outside a repository no `.gitignore` applies, as git and
ripgrep do it (a stray `.gitignore` with `*` in a home folder would otherwise hide
everything). Per-user ignores (`core.excludesFile`) are not read: a CI run and a laptop
must agree on what is checked.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pathspec import GitIgnoreSpec

from sentiment_ls.document import language_of

# Folders that hold other people's code or build output, never a project's prose.
SKIPPED_FOLDERS = frozenset({"node_modules", "__pycache__", "site-packages", "venv", "target"})


@dataclass(frozen=True)
class IgnoreFile:
    """The patterns of one ignore file, relative to the folder they apply from."""

    base: Path
    spec: GitIgnoreSpec

    def decides(self, path: Path, is_folder: bool) -> bool | None:
        """True: ignored; False: re-included (`!pattern`); None: no pattern speaks of it."""
        relative = path.relative_to(self.base).as_posix() + ("/" if is_folder else "")
        return self.spec.check_file(relative).include


def read_ignore_file(path: Path, base: Path) -> IgnoreFile | None:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    return IgnoreFile(base, GitIgnoreSpec.from_lines(lines))


def is_ignored(path: Path, is_folder: bool, rules: list[IgnoreFile]) -> bool:
    for rule in reversed(rules):  # the deepest file that has a say decides
        decision = rule.decides(path, is_folder)
        if decision is not None:
            return decision
    return False


def repository_root(folder: Path) -> Path | None:
    """The nearest folder at or above `folder` with a `.git` (a folder, or the file that a
    worktree or submodule has instead)."""
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def _git_common_dir(root: Path) -> Path | None:
    dot_git = root / ".git"
    if dot_git.is_dir():
        git_dir = dot_git
    else:
        try:
            text = dot_git.read_text(encoding="utf-8").strip()
        except OSError:
            return None
        if not text.startswith("gitdir:"):
            return None
        git_dir = (root / text.removeprefix("gitdir:").strip()).resolve()
    try:  # a worktree's own git dir names the repository's shared one
        common = (git_dir / "commondir").read_text(encoding="utf-8").strip()
    except OSError:
        return git_dir
    return (git_dir / common).resolve()


def repository_rules(root: Path) -> list[IgnoreFile]:
    """The rules of a repository before any `.gitignore`: its `info/exclude`."""
    common = _git_common_dir(root)
    exclude = None if common is None else read_ignore_file(common / "info" / "exclude", root)
    return [exclude] if exclude else []


def _rules_above(folder: Path) -> tuple[list[IgnoreFile], bool]:
    """The rules in force in `folder` from its repository (info/exclude and the `.gitignore`
    files above it), and whether it is in a repository at all."""
    root = repository_root(folder)
    if root is None:
        return [], False
    rules = repository_rules(root)
    for above in reversed(folder.relative_to(root).parents):  # root first, down to the parent
        own = read_ignore_file(root / above / ".gitignore", root / above)
        if own:
            rules.append(own)
    if folder != root and is_ignored(folder, True, rules):
        # A folder the user names is read even if git ignores it (as ripgrep does): then
        # only the .gitignore files inside it apply, or nothing in it would be read.
        return [], True
    return rules, True


def walk(folder: Path) -> Iterator[tuple[Path, str]]:
    """The files under `folder` that `check` reads, with their languageIds, in name order."""
    rules, in_repository = _rules_above(folder.resolve())
    yield from _visit(folder, folder.resolve(), rules, in_repository)


def _visit(
    folder: Path, resolved: Path, rules: list[IgnoreFile], in_repository: bool
) -> Iterator[tuple[Path, str]]:
    if (resolved / ".git").exists():
        # A repository of its own (a submodule, a clone inside a folder): its own rules.
        rules, in_repository = repository_rules(resolved), True
    if in_repository:
        own = read_ignore_file(resolved / ".gitignore", resolved)
        if own:
            rules = [*rules, own]
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError:
        return  # unreadable folders are passed over, as git does
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            if entry.name in SKIPPED_FOLDERS or is_ignored(resolved / entry.name, True, rules):
                continue
            yield from _visit(Path(entry.path), resolved / entry.name, rules, in_repository)
        elif entry.is_file():
            language = language_of(entry.name, default=None)
            if language is not None and not is_ignored(resolved / entry.name, False, rules):
                yield Path(entry.path), language
