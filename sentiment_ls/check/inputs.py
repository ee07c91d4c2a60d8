"""What `check` reads: the files the paths name (folders walked as `file_selection.walk`
selects, `-` for standard input), each with the settings that govern it, read as UTF-8."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from sentiment_ls.check.terminal import Notices, ProgressBar
from sentiment_ls.document import language_of
from sentiment_ls.file_selection import walk
from sentiment_ls.present.check_report import CheckedFile
from sentiment_ls.project_config import ProjectConfigs
from sentiment_ls.settings import Settings, parse_settings

if TYPE_CHECKING:
    from sentiment_ls.document import Sentence

STDIN = "-"


def iter_files(paths: list[str]) -> Iterator[tuple[Path, str]]:
    """Files with their languageId: named files as given (plain text if their kind is not
    known), folders walked for the files that `file_selection.walk` selects."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from walk(path)
        else:
            yield path, language_of(path.name) or "plaintext"


def missing_paths(paths: list[str]) -> list[str]:
    return [raw for raw in paths if raw != STDIN and not os.path.exists(raw)]


def files_to_check(paths: list[str], stdin_language: str) -> list[tuple[Path, str]]:
    """Every file the paths name, in their order; standard input as `stdin_language`."""
    return [
        item
        for raw in paths
        for item in ([(Path(STDIN), stdin_language)] if raw == STDIN else iter_files([raw]))
    ]


class ReadFile:
    """A file read, then split into sentences, waiting for its sentences' analyses."""

    def __init__(self, checked: CheckedFile, settings: Settings, source: str) -> None:
        self.checked = checked
        self.settings = settings
        self.source = source
        self.sentences: list[Sentence] = []  # split with the others' (cache.CheckCache)


def read_files(
    files: list[tuple[Path, str]],
    base: Settings,
    configs: ProjectConfigs | None,
    notices: Notices,
) -> list[ReadFile]:
    """The files their settings enable, read; one that cannot be read carries why, said on
    stderr."""
    read: list[ReadFile] = []
    for path, language in ProgressBar(len(files)).over(files):
        settings = settings_for(path, base, configs, notices)
        if settings.enabled:
            read.append(_read_file(path, language, settings))
    return read


def settings_for(
    path: Path, base: Settings, configs: ProjectConfigs | None, notices: Notices
) -> Settings:
    """The settings of one file: the command line's, under the project file that governs
    it (for standard input, the one governing the working directory, without overrides)."""
    if configs is None:
        return base
    stdin = str(path) == STDIN
    document = Path.cwd() / "<stdin>" if stdin else path.resolve()
    config = configs.for_document(document, [])
    if config is None:
        return base
    for problem in config.problems:
        notices.say(problem)
    if stdin:
        result = parse_settings(dict(config.values), base, where=str(config.path))
    else:
        result = config.settings_for(document, base)
    return result.settings


def _read_file(path: Path, language: str, settings: Settings) -> ReadFile:
    checked = CheckedFile(str(path), language)
    try:
        if checked.path == STDIN:
            source = sys.stdin.buffer.read().decode("utf-8")
        else:
            source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        name = "standard input" if checked.path == STDIN else checked.path
        checked.error = f"cannot read {name}: {error}"
        print(f"sentiment-ls: {checked.error}", file=sys.stderr)
        return ReadFile(checked, settings, "")
    return ReadFile(checked, settings, source)
