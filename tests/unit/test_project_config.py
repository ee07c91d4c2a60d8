"""The project configuration file: discovery, parsing, per-glob overrides and the merge."""

from __future__ import annotations

from pathlib import Path

import pytest

from sentiment_ls.project_config import (
    ProjectConfigs,
    find_project_config,
    glob_matches,
    read_project_config,
)
from sentiment_ls.settings import Settings

PYPROJECT = """\
[project]
name = "tidy"

[tool.sentiment-ls]
threshold = 0.9
tone = "positive"

[[tool.sentiment-ls.overrides]]
paths = ["docs/release-notes/**"]
threshold = 0.7

[[tool.sentiment-ls.overrides]]
paths = ["CHANGELOG.md"]
enabled = false

[[tool.sentiment-ls.overrides]]
paths = ["docs/api/**", "docs/reference.md"]
tone = "neutral"
neutral-band = 0.7
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write(tmp_path / "pyproject.toml", PYPROJECT)
    return tmp_path


def effective(root: Path, relative: str, base: Settings | None = None) -> Settings:
    document = root / relative
    config = find_project_config(document, root)
    assert config is not None
    result = config.settings_for(document, base or Settings())
    assert result.problems == []
    return result.settings


def test_the_table_applies_everywhere_and_overrides_where_they_match(project: Path) -> None:
    assert effective(project, "README.md").threshold == 0.9
    assert effective(project, "docs/release-notes/2.0.md").threshold == 0.7
    assert effective(project, "docs/release-notes/old/1.0.md").threshold == 0.7
    assert effective(project, "docs/guide.md").threshold == 0.9
    assert effective(project, "CHANGELOG.md").enabled is False
    assert effective(project, "pkg/CHANGELOG.md").enabled is False  # a name at any depth
    api = effective(project, "docs/api/client.md")
    assert (api.tone, api.neutralBand, api.threshold) == ("neutral", 0.7, 0.9)
    assert effective(project, "docs/reference.md").tone == "neutral"
    assert effective(project, "docs/guide.md").tone == "positive"


def test_the_project_file_wins_over_the_editor_for_the_keys_it_sets(project: Path) -> None:
    editor = Settings(threshold=0.5, severity="warning", tone="neutral")
    notes = effective(project, "docs/release-notes/2.0.md", editor)
    assert notes.threshold == 0.7  # the override
    assert notes.tone == "positive"  # the table
    assert notes.severity == "warning"  # the project says nothing: the editor's stands


def test_later_overrides_win(tmp_path: Path) -> None:
    write(
        tmp_path / ".sentiment-ls.toml",
        'threshold = 0.8\n[[overrides]]\npaths = ["docs/**"]\nthreshold = 0.6\n'
        '[[overrides]]\npaths = ["docs/strict/*.md"]\nthreshold = 0.95\n',
    )
    assert effective(tmp_path, "docs/a.md").threshold == 0.6
    assert effective(tmp_path, "docs/strict/b.md").threshold == 0.95
    assert effective(tmp_path, "notes.md").threshold == 0.8


def test_the_nearest_file_is_found_walking_up_and_dot_file_wins_in_a_folder(
    project: Path,
) -> None:
    write(project / "docs" / ".sentiment-ls.toml", "tone = 'neutral'\n")
    write(project / "docs" / "pyproject.toml", "[tool.sentiment-ls]\ntone = 'any'\n")
    config = find_project_config(project / "docs" / "api" / "x.md", project)
    assert config is not None and config.path == project / "docs" / ".sentiment-ls.toml"
    # Only the nearest file applies: the root's threshold is not merged in.
    assert effective(project, "docs/api/x.md").threshold == Settings().threshold
    assert effective(project, "docs/api/x.md").tone == "neutral"


def test_a_pyproject_without_the_table_is_passed_over(tmp_path: Path) -> None:
    write(tmp_path / ".sentiment-ls.toml", "threshold = 0.6\n")
    write(tmp_path / "pkg" / "pyproject.toml", "[project]\nname = 'pkg'\n")
    assert effective(tmp_path, "pkg/README.md").threshold == 0.6


def test_the_walk_stops_at_the_workspace_root(tmp_path: Path) -> None:
    write(tmp_path / ".sentiment-ls.toml", "threshold = 0.6\n")
    workspace = tmp_path / "workspace"
    (workspace / "docs").mkdir(parents=True)
    assert find_project_config(workspace / "docs" / "a.md", workspace) is None
    assert find_project_config(workspace / "docs" / "a.md") is not None  # no root: go on up
    nested = ProjectConfigs().for_document(workspace / "docs" / "a.md", [tmp_path, workspace])
    assert nested is None  # the deepest workspace folder holding it bounds the walk


def test_lookups_are_cached_until_forgotten(tmp_path: Path) -> None:
    configs = ProjectConfigs()
    document = tmp_path / "a.md"
    assert configs.for_document(document, [tmp_path]) is None
    write(tmp_path / ".sentiment-ls.toml", "threshold = 0.6\n")
    assert configs.for_document(document, [tmp_path]) is None
    configs.forget()
    found = configs.for_document(document, [tmp_path])
    assert found is not None and found.values == {"threshold": 0.6}


def test_problems_are_reported_and_the_rest_applies(tmp_path: Path) -> None:
    path = write(
        tmp_path / ".sentiment-ls.toml",
        'model = "evil/model"\nallow-pickle = true\ncolour = "red"\nthreshold = 2\n'
        'tone = "neutral"\n[[overrides]]\nthreshold = 0.5\n'
        '[[overrides]]\npaths = ["a/**"]\nseverity = "loud"\n',
    )
    config = read_project_config(path)
    assert config is not None
    text = "\n".join(config.problems)
    assert "`model` ignored (only the editor's settings choose the model" in text
    assert "`allow-pickle` ignored" in text
    assert "`colour` ignored (not a project setting" in text
    assert "threshold` = 2" in text
    assert "override 1 ignored: `paths`" in text
    assert "severity` = 'loud'" in text
    settings = config.settings_for(tmp_path / "a" / "b.md", Settings()).settings
    assert settings.model == Settings().model and settings.allowPickle is False
    assert (settings.tone, settings.threshold, settings.severity) == (
        "neutral",
        0.85,
        "information",
    )


def test_exclude_turns_paths_off_and_no_override_turns_them_back_on(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        '[tool.sentiment-ls]\nexclude = ["docs/_build", "vendor/**/*.md"]\n'
        '[[tool.sentiment-ls.overrides]]\npaths = ["docs/**"]\nenabled = true\n',
    )
    assert effective(tmp_path, "docs/_build/html/index.html").enabled is False
    assert effective(tmp_path, "vendor/lib/README.md").enabled is False
    assert effective(tmp_path, "docs/guide.md").enabled is True
    assert effective(tmp_path, "vendor/lib/notes.txt").enabled is True


def test_a_bad_exclude_or_one_in_an_override_is_reported(tmp_path: Path) -> None:
    path = write(
        tmp_path / ".sentiment-ls.toml",
        'exclude = "CHANGELOG.md"\n[[overrides]]\npaths = ["a/**"]\nexclude = ["b"]\n',
    )
    config = read_project_config(path)
    assert config is not None and config.exclude == ("CHANGELOG.md",)  # one pattern: a list
    assert ["`exclude` ignored (not a project setting" in p for p in config.problems] == [True]
    broken = read_project_config(write(tmp_path / "x" / ".sentiment-ls.toml", "exclude = 3\n"))
    assert broken is not None and broken.exclude == ()
    assert broken.problems == (
        f"{tmp_path / 'x' / '.sentiment-ls.toml'}: `exclude` must be a list of glob patterns",
    )


def test_a_broken_file_is_one_problem(tmp_path: Path) -> None:
    path = write(tmp_path / ".sentiment-ls.toml", "threshold = = 0.6\n")
    config = read_project_config(path)
    assert config is not None and config.values == {}
    assert "cannot be read" in config.problems[0]


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("docs/release-notes/**", "docs/release-notes/2.0.md", True),
        ("docs/release-notes/**", "docs/release-notes/a/b/c.md", True),
        ("docs/release-notes/**", "docs/guide.md", False),
        ("docs/release-notes/**", "other/docs/release-notes/2.0.md", False),
        ("CHANGELOG.md", "CHANGELOG.md", True),
        ("CHANGELOG.md", "pkg/CHANGELOG.md", True),
        ("/CHANGELOG.md", "pkg/CHANGELOG.md", False),
        ("CHANGELOG.md", "CHANGELOG.md.bak", False),
        ("docs/api", "docs/api/client.md", True),
        ("docs/*.md", "docs/a.md", True),
        ("docs/*.md", "docs/sub/a.md", False),
        ("docs/**/*.md", "docs/a.md", True),
        ("docs/**/*.md", "docs/sub/deeper/a.md", True),
        ("*.rst", "a/b/c.rst", True),
        ("notes-?.txt", "notes-1.txt", True),
        ("notes-?.txt", "notes-10.txt", False),
        ("[!_]*.md", "_draft.md", False),
        ("[!_]*.md", "final.md", True),
        ("./docs/**", "docs/a.md", True),
    ],
)
def test_glob_patterns(pattern: str, path: str, matches: bool) -> None:
    assert glob_matches(pattern, path) is matches
