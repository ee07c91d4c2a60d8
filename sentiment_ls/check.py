"""`sentiment-ls check`: the server's analysis over files, folders or standard input, written
in the format the user asked for (`present/check_formats/`), with a linter's exit status."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, TypeVar

from sentiment_ls.command_model import command_line_wording
from sentiment_ls.document import LineIndex, document_sentences, language_of
from sentiment_ls.file_selection import walk
from sentiment_ls.present.check_formats import FORMATS, OutputStyle
from sentiment_ls.present.check_report import (
    EXIT_ERROR,
    CheckedFile,
    CheckReport,
    FileFinding,
)
from sentiment_ls.present.findings import findings, rule_for
from sentiment_ls.project_config import ProjectConfigs
from sentiment_ls.settings import Settings, parse_settings

if TYPE_CHECKING:
    from sentiment_ls.analysis.engine import SentimentEngine

T = TypeVar("T")
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


class ProgressBar:
    """A one-line progress bar on stderr, for runs over many files, and only when stderr is a
    terminal: piped or captured output stays clean."""

    MINIMUM_FILES = 10
    WIDTH = 30

    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.total = total
        self.stream = stream or sys.stderr
        self.shown = total >= self.MINIMUM_FILES and self.stream.isatty()

    def over(self, items: list[T]) -> Iterator[T]:
        for done, item in enumerate(items):
            self.draw(done, str(item[0]) if isinstance(item, tuple) else str(item))
            yield item
        if self.shown:
            self.stream.write("\r\033[K")  # leave the line as it was
            self.stream.flush()

    def draw(self, done: int, current: str) -> None:
        if not self.shown:
            return
        filled = self.WIDTH * done // max(self.total, 1)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        self.stream.write(f"\r\033[K[{bar}] {done}/{self.total} {current[-40:]}")
        self.stream.flush()


def use_color(choice: str, stream: TextIO) -> bool:
    """`--color auto`: only on a terminal, never with NO_COLOR set (no-color.org) or on a
    dumb terminal; `always` and `never` are the user's word, over NO_COLOR."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return stream.isatty()


class Notices:
    """Problems said once each on stderr, however many files they concern."""

    def __init__(self) -> None:
        self.said: set[str] = set()

    def say(self, problem: str) -> None:
        if problem not in self.said:
            self.said.add(problem)
            print(f"sentiment-ls: {command_line_wording(problem)}", file=sys.stderr)


def run_check(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    missing = missing_paths(args.paths)
    if missing:  # said before the model loads: a typo should not cost seconds
        print(f"sentiment-ls check: error: no such file or folder: {missing[0]}", file=sys.stderr)
        return EXIT_ERROR
    if args.paths.count(STDIN) > 1:
        print("sentiment-ls check: error: `-` (standard input) given twice", file=sys.stderr)
        return EXIT_ERROR
    if args.ray and args.service:
        print(
            "sentiment-ls check: error: --ray runs the model on the cluster's actors; "
            "it does not combine with --service",
            file=sys.stderr,
        )
        return EXIT_ERROR
    if args.ray:
        from sentiment_ls.serve.command import RAY_MISSING, ray_available

        if not ray_available():
            print(f"sentiment-ls check: error: --ray: {RAY_MISSING}", file=sys.stderr)
            return EXIT_ERROR
    from sentiment_ls.analysis.engine import SentimentEngine
    from sentiment_ls.command_model import load_command_model

    # The command line is the user's layer, as the editor's settings are in the server:
    # the project file that governs a file wins over it (see lsp/project.py for why).
    flags = {
        "threshold": args.threshold,
        "flagLabels": args.flag_labels,
        "tone": args.tone,
        "severity": args.severity,
    }
    parsed = parse_settings({k: v for k, v in flags.items() if v is not None}, where="check")
    notices = Notices()
    for problem in parsed.problems:
        notices.say(problem)
    loaded = load_command_model(args)
    if loaded is None:
        return EXIT_ERROR
    unknown = _unknown_labels(args.flag_labels, loaded.labels)
    if unknown:
        print(
            f"sentiment-ls check: error: --flag-labels: the model has no label {unknown[0]!r}; "
            f"its labels are {', '.join(loaded.labels)}",
            file=sys.stderr,
        )
        return EXIT_ERROR
    engine = SentimentEngine(loaded)
    report = CheckReport(engine.model_id, fail_on=args.fail_on, max_findings=args.max_findings)
    configs = None if args.no_config else ProjectConfigs()
    sources = [(Path(STDIN), args.language) if raw == STDIN else None for raw in args.paths]
    files = [
        item
        for raw, stdin in zip(args.paths, sources, strict=True)
        for item in ([stdin] if stdin else iter_files([raw]))
    ]
    from sentiment_ls.analysis.runtimes.remote import ServiceUnavailable

    if args.ray:
        report.files = _check_on_ray(args, files, parsed.settings, configs, notices, engine)
        files = []
    try:
        for path, language in ProgressBar(len(files)).over(files):
            settings = _settings_for(path, parsed.settings, configs, notices)
            if not settings.enabled:
                continue
            report.files.append(_check_file(path, language, settings, engine, notices))
    except ServiceUnavailable as error:
        print(f"sentiment-ls check: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    report.seconds = time.perf_counter() - started
    style = OutputStyle(color=use_color(args.color, sys.stdout), quiet=args.quiet)
    sys.stdout.write(FORMATS[args.format](report, style))
    sys.stdout.flush()
    return report.exit_code


def _check_on_ray(
    args: argparse.Namespace,
    files: list[tuple[Path, str]],
    base: Settings,
    configs: ProjectConfigs | None,
    notices: Notices,
    engine: SentimentEngine,
) -> list[CheckedFile]:
    """The files' settings and rules chosen here as for a local run; the reading, splitting
    and inference on Ray (check_ray.py)."""
    from sentiment_ls.check_ray import Selected, check_on_ray

    selected = []
    for path, language in files:
        settings = _settings_for(path, base, configs, notices)
        if not settings.enabled:
            continue
        rule, problems = rule_for(settings, engine.loaded.labels)
        for problem in problems:
            notices.say(problem)
        try:
            selected.append(Selected(path, language, settings, rule, _read(path)))
        except (OSError, UnicodeDecodeError) as error:
            name = "standard input" if str(path) == STDIN else str(path)
            selected.append(Selected(path, language, settings, rule, None, _cannot(name, error)))
    model = {
        "spec": args.model,
        "device": args.device,
        "allow_download": args.allow_download,
        "precision": args.precision,
        "allow_pickle": args.allow_pickle,
        "runtime": args.runtime,
    }
    return check_on_ray(selected, args.ray, model)


def _unknown_labels(requested: list[str] | None, labels: list[str]) -> list[str]:
    known = {label.casefold() for label in labels}
    return [name for name in requested or [] if name.casefold() not in known]


def _settings_for(
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


def _read(path: Path) -> str:
    if str(path) == STDIN:
        return sys.stdin.buffer.read().decode("utf-8")
    return path.read_text(encoding="utf-8")


def _cannot(name: str, error: Exception) -> str:
    return f"cannot read {name}: {error}"


def _check_file(
    path: Path, language: str, settings: Settings, engine: SentimentEngine, notices: Notices
) -> CheckedFile:
    checked = CheckedFile(str(path), language)
    try:
        source = _read(path)
    except (OSError, UnicodeDecodeError) as error:
        name = "standard input" if checked.path == STDIN else checked.path
        checked.error = _cannot(name, error)
        print(f"sentiment-ls: {checked.error}", file=sys.stderr)
        return checked
    rule, problems = rule_for(settings, engine.loaded.labels)
    for problem in problems:
        notices.say(problem)
    sentences = document_sentences(source, language)
    analyses = engine.analyze([s.text for s in sentences])
    checked.sentences = len(sentences)
    index = LineIndex(source)
    for found in findings(sentences, analyses, rule):
        line, column = index.position(found.sentence.start, "utf-32")
        end_line, end_column = index.position(found.sentence.end, "utf-32")
        checked.findings.append(
            FileFinding(
                checked.path,
                line + 1,
                column + 1,
                end_line + 1,
                end_column + 1,
                settings.severity,
                found,
            )
        )
    return checked
