"""`sentiment-ls check`: the server's analysis over files, folders or standard input, written
in the format the user asked for (`present/check_formats/`), with a linter's exit status."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import sys
import time
from collections.abc import Callable, Iterator
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
from sentiment_ls.present.findings import findings
from sentiment_ls.project_config import ProjectConfigs
from sentiment_ls.rules import rule_for
from sentiment_ls.settings import Settings, parse_settings

if TYPE_CHECKING:
    from tqdm import tqdm

    from sentiment_ls.analysis.engine import SentenceAnalysis, SentimentEngine
    from sentiment_ls.analysis.loaded_model import LoadedModel
    from sentiment_ls.analysis.model_identity import ModelIdentity
    from sentiment_ls.analysis.result_store import ResultStore
    from sentiment_ls.document import Sentence

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
    """Progress on stderr through tqdm (count, rate, time left), for runs long enough to
    wait on, and only when stderr is a terminal: piped or captured output stays clean. The
    bar is cleared when done."""

    MINIMUM_FILES = 10
    MINIMUM_SENTENCES = 500

    def __init__(
        self, total: int, stream: TextIO | None = None, unit: str = "file", minimum: int = 0
    ) -> None:
        self.total = total
        self.stream = stream or sys.stderr
        self.unit = unit
        needed = minimum or (self.MINIMUM_FILES if unit == "file" else self.MINIMUM_SENTENCES)
        self.shown = total >= needed and self.stream.isatty()

    def _bar(self, description: str) -> tqdm:
        from tqdm import tqdm

        return tqdm(
            total=self.total,
            file=self.stream,
            unit=self.unit,
            desc=description,
            leave=False,
            dynamic_ncols=True,
            disable=not self.shown,
            mininterval=0.2,
        )

    def over(self, items: list[T]) -> Iterator[T]:
        """The items, the bar moving past each with its name."""
        if not self.shown:
            yield from items
            return
        with self._bar("reading") as bar:
            for item in items:
                bar.set_postfix_str(str(item[0] if isinstance(item, tuple) else item)[-40:])
                yield item
                bar.update(1)

    @contextlib.contextmanager
    def counting(self, description: str) -> Iterator[Callable[[float], None]]:
        """A function to call with each step's amount, while the bar is shown."""
        if not self.shown:
            yield lambda _done: None
            return
        with self._bar(description) as bar:
            total = 0.0

            def advance(done: float) -> None:  # fractions (a long sentence's windows) add up
                nonlocal total
                total += done
                bar.update(min(self.total, round(total)) - bar.n)

            yield advance


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


CACHE_FOLDER = ".sentiment-ls-cache"
PROJECT_MARKERS = (".git", "pyproject.toml", ".sentiment-ls.toml")


def default_cache_dir(start: Path) -> Path:
    """`.sentiment-ls-cache` in the project root: the nearest folder from `start` up with a
    `.git`, `pyproject.toml` or `.sentiment-ls.toml`, else `start` (as ruff finds its)."""
    for folder in (start, *start.parents):
        if any((folder / marker).exists() for marker in PROJECT_MARKERS):
            return folder / CACHE_FOLDER
    return start / CACHE_FOLDER


class Model:
    """The model of this run, loaded on first need: a run whose every sentence is in the
    cache never loads it."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self._loaded: LoadedModel | None = None
        self._engine: SentimentEngine | None = None
        self.failed = False

    def loaded(self) -> LoadedModel | None:
        """The model, or None once why it cannot load was said on stderr."""
        if self._loaded is None and not self.failed:
            from sentiment_ls.command_model import load_command_model

            self._loaded = load_command_model(self.args)
            self.failed = self._loaded is None
        return self._loaded

    def engine(self) -> SentimentEngine | None:
        if self._engine is None and (loaded := self.loaded()) is not None:
            from sentiment_ls.analysis.engine import SentimentEngine

            self._engine = SentimentEngine(loaded)
        return self._engine


class Results:
    """Each sentence's analysis: from the persistent cache where its logits are known
    (post-processed as a fresh result is), else from the model, whose logits are stored."""

    def __init__(
        self, model: Model, store: ResultStore | None, identity: ModelIdentity | None
    ) -> None:
        self.model = model
        self.store = store if identity is not None else None
        self.store_of_documents = store  # sentences need no model identity
        self.identity = identity
        self.analysed = 0  # sentences that reached the model

    def sentences(self, files: list[tuple[str, str]]) -> list[list[Sentence]]:
        """Each (source, languageId)'s sentences: from the cache where the same text was split
        before (the splitter's own version in the key), else split and stored."""
        from sentiment_ls.document.stored import decode_sentences, document_key, encode_sentences

        store = self.store_of_documents
        keys = [document_key(source, language) for source, language in files]
        blobs = store.get_blobs(keys) if store is not None else {}
        result: list[list[Sentence]] = []
        fresh: dict[bytes, bytes] = {}
        for key, (source, language) in zip(keys, files, strict=True):
            known = decode_sentences(blobs[key]) if key in blobs else None
            if known is None:
                known = document_sentences(source, language)
                fresh[key] = encode_sentences(known)
            result.append(known)
        if store is not None:
            store.put_blobs(fresh)
        return result

    def analyse(self, texts: list[str]) -> dict[str, SentenceAnalysis] | None:
        """Every text's analysis, or None when the model was needed and could not load."""
        import numpy as np

        from sentiment_ls.analysis.engine import NOT_TOKENIZED, SentenceAnalysis
        from sentiment_ls.analysis.postprocess import postprocess

        wanted = list(dict.fromkeys(texts))
        results: dict[str, SentenceAnalysis] = {}
        if self.store is not None and self.identity is not None:
            identity = self.identity
            for text, logits in self.store.get(identity.key, wanted).items():
                prediction = postprocess(logits, identity.id2label, identity.problem_type)
                results[text] = SentenceAnalysis(text, NOT_TOKENIZED, prediction)
        missing = [text for text in wanted if text not in results]
        if not missing:
            return results
        engine = self.model.engine()
        if engine is None:
            return None
        self.analysed += len(missing)
        with ProgressBar(len(missing), unit="sentence").counting("analysing") as progress:
            fresh = engine.analyze(missing, progress=progress)
        results.update((analysis.text, analysis) for analysis in fresh)
        if self.store is not None and self.identity is not None:
            self.store.put(
                self.identity.key,
                {a.text: np.asarray(a.prediction.logits, dtype=np.float32) for a in fresh},
            )
        return results


def _open_cache(
    args: argparse.Namespace, notices: Notices
) -> tuple[ResultStore | None, ModelIdentity | None]:
    """The store and the model's identity in it; (None, None) with --no-cache, and when the
    logits come from elsewhere (a service, whose model the local files do not identify; a Ray
    job, whose actors hold their own model)."""
    if args.no_cache or getattr(args, "service", None) or getattr(args, "ray", None):
        return None, None
    from sentiment_ls.analysis.model_identity import identify
    from sentiment_ls.analysis.result_store import ResultStore
    from sentiment_ls.command_model import command_request

    folder = Path(args.cache_dir) if args.cache_dir else default_cache_dir(Path.cwd())
    store = ResultStore(folder, notices.say)
    if not store.usable:
        return None, None
    request = command_request(args)  # the very request the model would load with
    return store, identify(request, store.file_hash)


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
    model = Model(args)
    store, identity = _open_cache(args, notices)
    try:
        return _run(args, started, parsed.settings, notices, model, Results(model, store, identity))
    finally:
        if store is not None:
            store.close()


def _run(
    args: argparse.Namespace,
    started: float,
    base: Settings,
    notices: Notices,
    model: Model,
    results: Results,
) -> int:
    if results.identity is not None:
        labels = results.identity.labels
    else:
        loaded = model.loaded()
        if loaded is None:
            return EXIT_ERROR
        labels = loaded.labels
    unknown = _unknown_labels(args.flag_labels, labels)
    if unknown:
        print(
            f"sentiment-ls check: error: --flag-labels: the model has no label {unknown[0]!r}; "
            f"its labels are {', '.join(labels)}",
            file=sys.stderr,
        )
        return EXIT_ERROR
    report = CheckReport(args.model, fail_on=args.fail_on, max_findings=args.max_findings)
    configs = None if args.no_config else ProjectConfigs()
    sources = [(Path(STDIN), args.language) if raw == STDIN else None for raw in args.paths]
    files = [
        item
        for raw, stdin in zip(args.paths, sources, strict=True)
        for item in ([stdin] if stdin else iter_files([raw]))
    ]
    if args.ray:
        report.files = _check_on_ray(args, files, base, configs, notices, labels)
        # No cache on Ray: every sentence of every file reached the cluster's model.
        results.analysed = sum(file.sentences for file in report.files)
    else:
        from sentiment_ls.analysis.runtimes.remote import ServiceUnavailable

        try:
            if not _check_locally(files, base, configs, notices, results, labels, report):
                return EXIT_ERROR
        except ServiceUnavailable as error:
            print(f"sentiment-ls check: error: {error}", file=sys.stderr)
            return EXIT_ERROR
    report.seconds = time.perf_counter() - started
    report.analysed = results.analysed
    style = OutputStyle(color=use_color(args.color, sys.stdout), quiet=args.quiet)
    sys.stdout.write(FORMATS[args.format](report, style))
    sys.stdout.flush()
    return report.exit_code


def _check_locally(
    files: list[tuple[Path, str]],
    base: Settings,
    configs: ProjectConfigs | None,
    notices: Notices,
    results: Results,
    labels: list[str],
    report: CheckReport,
) -> bool:
    """Read and split every file, analyse their sentences together (whole batches across
    files, cached ones from the store), judge each file; False if the model cannot load."""
    read: list[_ReadFile] = []
    for path, language in ProgressBar(len(files)).over(files):
        settings = _settings_for(path, base, configs, notices)
        if settings.enabled:
            read.append(_read_file(path, language, settings))
    readable = [file for file in read if file.checked.error is None]
    split = results.sentences([(file.source, file.checked.language) for file in readable])
    for file, sentences in zip(readable, split, strict=True):
        file.sentences = sentences
        file.checked.sentences = len(sentences)
    analyses = results.analyse([s.text for file in read for s in file.sentences])
    if analyses is None:
        return False
    for file in read:
        if file.checked.error is None:
            _judge(file, labels, analyses, notices)
        report.files.append(file.checked)
    return True


def _check_on_ray(
    args: argparse.Namespace,
    files: list[tuple[Path, str]],
    base: Settings,
    configs: ProjectConfigs | None,
    notices: Notices,
    labels: list[str],
) -> list[CheckedFile]:
    """The files' settings and rules chosen here as for a local run; the reading, splitting
    and inference on Ray (check_ray.py)."""
    from sentiment_ls.check_ray import Selected, check_on_ray
    from sentiment_ls.command_model import command_request

    selected = []
    for path, language in files:
        settings = _settings_for(path, base, configs, notices)
        if not settings.enabled:
            continue
        rule, problems = rule_for(settings, labels)
        for problem in problems:
            notices.say(problem)
        try:
            selected.append(Selected(path, language, settings, rule, _read(path)))
        except (OSError, UnicodeDecodeError) as error:
            name = "standard input" if str(path) == STDIN else str(path)
            selected.append(Selected(path, language, settings, rule, None, _cannot(name, error)))
    # Each actor is one single-threaded worker running its own forward passes: no team
    # service, no batch run's threads.
    request = dataclasses.replace(command_request(args), team_service=None, batch=False)
    return check_on_ray(selected, args.ray, request)


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


class _ReadFile:
    """A file read, then split into sentences, waiting for its sentences' analyses."""

    def __init__(
        self, checked: CheckedFile, settings: Settings, source: str, sentences: list[Sentence]
    ) -> None:
        self.checked = checked
        self.settings = settings
        self.source = source
        self.sentences = sentences


def _read_file(path: Path, language: str, settings: Settings) -> _ReadFile:
    checked = CheckedFile(str(path), language)
    try:
        source = _read(path)
    except (OSError, UnicodeDecodeError) as error:
        name = "standard input" if checked.path == STDIN else checked.path
        checked.error = _cannot(name, error)
        print(f"sentiment-ls: {checked.error}", file=sys.stderr)
        return _ReadFile(checked, settings, "", [])
    return _ReadFile(checked, settings, source, [])  # split with the others (Results)


def _judge(
    file: _ReadFile,
    labels: list[str],
    analyses: dict[str, SentenceAnalysis],
    notices: Notices,
) -> None:
    rule, problems = rule_for(file.settings, labels)
    for problem in problems:
        notices.say(problem)
    checked = file.checked
    index = LineIndex(file.source)
    ordered = [analyses[s.text] for s in file.sentences]
    for found in findings(file.sentences, ordered, rule):
        line, column = index.position(found.sentence.start, "utf-32")
        end_line, end_column = index.position(found.sentence.end, "utf-32")
        checked.findings.append(
            FileFinding(
                checked.path,
                line + 1,
                column + 1,
                end_line + 1,
                end_column + 1,
                file.settings.severity,
                found,
            )
        )
