"""The project configuration file: `.sentiment-ls.toml`, or `[tool.sentiment-ls]` in
`pyproject.toml`, with per-path overrides.

    [tool.sentiment-ls]              # in .sentiment-ls.toml: the same keys at the top level
    threshold = 0.9
    tone = "positive"

    [[tool.sentiment-ls.overrides]]  # in .sentiment-ls.toml: [[overrides]]
    paths = ["docs/release-notes/**"]
    threshold = 0.7

    [[tool.sentiment-ls.overrides]]
    paths = ["CHANGELOG.md"]
    enabled = false

    exclude = ["docs/_build", "vendor/**"]   # (in the table) never read, whatever overrides say

A document's file is found by walking up from its folder (to the workspace root when there
is one): the nearest folder with a `.sentiment-ls.toml`, or a `pyproject.toml` that has the
table, holds its file, and only that one applies (files are not merged across folders, so
what a file says is all there is to read). Glob patterns are relative to that folder.

Only settings about how a document is judged may be set here. The model and where it runs
stay the user's: a repository someone clones must not choose what code or downloads run on
their machine. This module knows nothing of LSP.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from sentiment_ls.settings import Settings, SettingsResult, parse_settings

CONFIG_FILE = ".sentiment-ls.toml"
PYPROJECT = "pyproject.toml"
CONFIG_FILE_NAMES = (CONFIG_FILE, PYPROJECT)
TABLE = "tool.sentiment-ls"
# The settings a project may set: how its documents are judged, nothing that loads or runs.
PROJECT_KEYS = frozenset(
    {"enabled", "threshold", "tone", "neutralBand", "minWords", "flagLabels", "severity"}
)


@dataclass(frozen=True)
class Override:
    paths: tuple[str, ...]
    values: Mapping[str, Any]

    def matches(self, relative: str) -> bool:
        return any(glob_matches(pattern, relative) for pattern in self.paths)


@dataclass(frozen=True)
class ProjectConfig:
    path: Path  # the file
    values: Mapping[str, Any]  # the table's own settings
    overrides: tuple[Override, ...] = ()
    problems: tuple[str, ...] = ()  # what was wrong in the file (each part was skipped)
    # Paths never read (glob patterns as in overrides): as an override with `enabled = false`
    # that comes last, so that no override turns them back on.
    exclude: tuple[str, ...] = ()

    @property
    def root(self) -> Path:
        """The folder that the override patterns are relative to."""
        return self.path.parent

    @property
    def where(self) -> str:
        return f"{self.path.name} [{TABLE}]" if self.path.name == PYPROJECT else self.path.name

    def values_for(self, document: Path) -> dict[str, Any]:
        """The table's settings, then those of every override whose paths match the
        document, in file order: a later override wins over an earlier one."""
        values = dict(self.values)
        try:
            relative = document.relative_to(self.root).as_posix()
        except ValueError:
            return values  # not below the file's folder: no override can mean it
        for override in self.overrides:
            if override.matches(relative):
                values.update(override.values)
        if any(glob_matches(pattern, relative) for pattern in self.exclude):
            values["enabled"] = False
        return values

    def settings_for(self, document: Path, base: Settings) -> SettingsResult:
        return parse_settings(self.values_for(document), base, where=str(self.path))


def _setting_name(key: str) -> str:
    """`neutral-band` and `neutral_band` (TOML's usual spellings) are `neutralBand`."""
    head, *rest = re.split(r"[-_]", key)
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _project_values(
    table: Mapping[str, Any], where: str, structure: tuple[str, ...]
) -> tuple[dict[str, Any], list[str]]:
    """The settings of a table, less its `structure` keys (`overrides`, `paths`...)."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    for key, value in table.items():
        if key in structure:
            continue
        name = _setting_name(key)
        if name not in PROJECT_KEYS:
            why = (
                "only the editor's settings choose the model and where it runs"
                if hasattr(Settings(), name)
                else "not a project setting"
            )
            problems.append(
                f"{where}: `{key}` ignored ({why}; a project file may set "
                f"{', '.join(sorted(PROJECT_KEYS))})"
            )
            continue
        values[name] = value
    # Validate now, so that a typo is reported once, when the file is read.
    problems += parse_settings(values, where=where).problems
    return values, problems


def parse_project_config(path: Path, document: Mapping[str, Any]) -> ProjectConfig | None:
    """The configuration in a parsed TOML file, or None if it has none (a pyproject.toml
    without the table)."""
    if path.name == PYPROJECT:
        tool = document.get("tool")
        table = tool.get("sentiment-ls") if isinstance(tool, Mapping) else None
        if table is None:
            return None
    else:
        table = document
    where = str(path)
    if not isinstance(table, Mapping):
        return ProjectConfig(path, {}, (), (f"{where}: `{TABLE}` must be a table",))
    values, problems = _project_values(table, where, ("overrides", "exclude"))
    exclude = table.get("exclude", [])
    if isinstance(exclude, str):
        exclude = [exclude]
    if not isinstance(exclude, list) or not all(isinstance(p, str) for p in exclude):
        exclude, problems = [], [*problems, f"{where}: `exclude` must be a list of glob patterns"]
    overrides: list[Override] = []
    raw_overrides = table.get("overrides", [])
    if not isinstance(raw_overrides, list):
        raw_overrides, problems = [], [*problems, f"{where}: `overrides` must be an array"]
    for number, raw in enumerate(raw_overrides, 1):
        label = f"{where}: override {number}"
        paths = raw.get("paths") if isinstance(raw, Mapping) else None
        if isinstance(paths, str):
            paths = [paths]
        if not isinstance(paths, list) or not paths or not all(isinstance(p, str) for p in paths):
            problems.append(f"{label} ignored: `paths` must be a list of glob patterns")
            continue
        override_values, override_problems = _project_values(raw, label, ("paths",))
        problems += override_problems
        overrides.append(Override(tuple(paths), override_values))
    return ProjectConfig(path, values, tuple(overrides), tuple(problems), tuple(exclude))


def read_project_config(path: Path) -> ProjectConfig | None:
    """The configuration in the file at `path`; a file that cannot be read or parsed is a
    configuration with a problem and no settings, so that the user hears of it."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        return ProjectConfig(path, {}, (), (f"{path}: cannot be read: {error}",))
    return parse_project_config(path, document)


def find_project_config(document: Path, stop_at: Path | None = None) -> ProjectConfig | None:
    """The nearest configuration above `document`, looking no higher than `stop_at` (the
    workspace folder) when the document is inside it; else up to the file system's root."""
    return ProjectConfigs().for_document(document, [stop_at] if stop_at else [])


@dataclass
class ProjectConfigs:
    """Configurations found per folder, read once until `forget()` (a file changed)."""

    _by_folder: dict[Path, ProjectConfig | None] = field(default_factory=dict)

    def forget(self) -> None:
        self._by_folder.clear()

    def for_document(self, document: Path, roots: list[Path]) -> ProjectConfig | None:
        folder = document.parent
        # The deepest workspace folder that holds the document bounds the walk.
        inside = [root for root in roots if root == folder or root in folder.parents]
        stop = max(inside, key=lambda root: len(root.parts)) if inside else None
        return self._in_folder(folder, stop)

    def _in_folder(self, folder: Path, stop: Path | None) -> ProjectConfig | None:
        if folder in self._by_folder:
            return self._by_folder[folder]
        found: ProjectConfig | None = None
        for name in CONFIG_FILE_NAMES:
            candidate = folder / name
            if candidate.is_file():
                found = read_project_config(candidate)
                if found is not None:
                    break
        if found is None and folder != stop and folder.parent != folder:
            found = self._in_folder(folder.parent, stop)
        self._by_folder[folder] = found
        return found


def is_config_file(path: str) -> bool:
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    return name in CONFIG_FILE_NAMES


# -- glob patterns ----------------------------------------------------------------------


def glob_matches(pattern: str, relative: str) -> bool:
    """Whether a `/`-separated path relative to the configuration's folder matches a glob.

    As in .gitignore: `*` and `?` stay within a name, `**` spans folders, `[abc]` is a
    class; a pattern without a `/` matches a name at any depth (`CHANGELOG.md`), one with a
    `/` is anchored at the folder (`docs/release-notes/**`); a pattern that matches a folder
    matches everything in it (`docs/api`).
    """
    regex = _glob_regex(pattern)
    parts = relative.split("/")
    # The path itself or any folder above it.
    return any(regex.fullmatch("/".join(parts[:count])) for count in range(len(parts), 0, -1))


@lru_cache(maxsize=256)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    body = pattern.strip().removeprefix("./")
    anchored = "/" in body.rstrip("/")
    body = body.strip("/")
    out: list[str] = [] if anchored else ["(?:.*/)?"]
    index = 0
    while index < len(body):
        if body.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
        elif body.startswith("**", index):
            out.append(".*")
            index += 2
        elif body[index] == "*":
            out.append("[^/]*")
            index += 1
        elif body[index] == "?":
            out.append("[^/]")
            index += 1
        elif body[index] == "[" and (close := body.find("]", index + 2)) > 0:
            members = body[index + 1 : close]
            negated = members[:1] in ("!", "^")
            members = re.sub(r"([\\^])", r"\\\1", members[1:] if negated else members)
            out.append(f"[{'^' if negated else ''}{members}]")
            index = close + 1
        else:
            out.append(re.escape(body[index]))
            index += 1
    return re.compile("".join(out))
