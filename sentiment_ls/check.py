"""`sentiment-ls check`: the server's analysis over files and folders, compiler-style output."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO, TypeVar

from sentiment_ls.document import LineIndex, document_sentences, language_of
from sentiment_ls.present.findings import Finding, findings, rule_for
from sentiment_ls.project_config import ProjectConfigs
from sentiment_ls.settings import parse_settings

T = TypeVar("T")


@dataclass(frozen=True)
class FileFinding:
    path: str
    line: int  # 1-based
    column: int  # 1-based, in characters (code points)
    end_line: int
    end_column: int
    severity: str
    finding: Finding

    def as_text(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.severity}: {self.finding.message}"

    def as_json(self) -> dict[str, object]:
        prediction = self.finding.analysis.prediction
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "severity": self.severity,
            "code": self.finding.code,
            "message": self.finding.message,
            "sentence": self.finding.sentence.text,
            "label": prediction.label,
            "probabilities": prediction.probabilities,
        }


def iter_files(paths: list[str]) -> Iterator[tuple[Path, str]]:
    """Files with their languageId: named files as given (plain text if their kind is not
    known), folders walked for the files whose name or suffix the formats registry knows."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                hidden = any(part.startswith(".") for part in child.relative_to(path).parts)
                language = language_of(child.name, default=None)
                if child.is_file() and not hidden and language is not None:
                    yield child, language
        else:
            yield path, language_of(path.name) or "plaintext"


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


def run_check(args: argparse.Namespace) -> int:
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
    for problem in parsed.problems:
        print(f"sentiment-ls: {problem}", file=sys.stderr)
    configs = None if args.no_config else ProjectConfigs()
    told: set[Path] = set()
    told_problems: set[str] = set()
    loaded = load_command_model(args)
    if loaded is None:
        return 2
    engine = SentimentEngine(loaded)
    results: list[FileFinding] = []
    status = 0
    files = list(iter_files(args.paths))
    progress = ProgressBar(len(files))
    for path, language in progress.over(files):
        settings = parsed.settings
        config = None if configs is None else configs.for_document(path.resolve(), [])
        if config is not None:
            if config.path not in told:
                told.add(config.path)
                for problem in config.problems:
                    print(f"sentiment-ls: {problem}", file=sys.stderr)
            settings = config.settings_for(path.resolve(), settings).settings
        if not settings.enabled:
            continue
        rule, problems = rule_for(settings, engine.loaded.labels)
        for problem in problems:
            if problem not in told_problems:
                told_problems.add(problem)
                print(f"sentiment-ls: {problem}", file=sys.stderr)
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            print(f"sentiment-ls: cannot read {path}: {error}", file=sys.stderr)
            status = 2
            continue
        sentences = document_sentences(source, language)
        analyses = engine.analyze([s.text for s in sentences])
        index = LineIndex(source)
        for found in findings(sentences, analyses, rule):
            line, column = index.position(found.sentence.start, "utf-32")
            end_line, end_column = index.position(found.sentence.end, "utf-32")
            results.append(
                FileFinding(
                    str(path),
                    line + 1,
                    column + 1,
                    end_line + 1,
                    end_column + 1,
                    settings.severity,
                    found,
                )
            )
    if args.format == "json":
        print(
            json.dumps(
                {"model": engine.model_id, "findings": [r.as_json() for r in results]}, indent=2
            )
        )
    else:
        for result in results:
            print(result.as_text())
    if status:
        return status
    return 1 if results else 0
