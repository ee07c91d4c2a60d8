"""One `check` run: the options checked, the files chosen, read and split, their sentences
analysed (here, `local`, or on a Ray cluster, `on_ray`), each file judged with the editor's
`findings()`, and the report written with the run's exit status."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol

from sentiment_ls import extras
from sentiment_ls.analysis.request import LOCAL_FALLBACK
from sentiment_ls.check.arguments import RAY_TIMEOUT_S
from sentiment_ls.check.cache import CheckCache
from sentiment_ls.check.inputs import STDIN, ReadFile, files_to_check, missing_paths, read_files
from sentiment_ls.check.local import LazyModel, LocalAnalysis
from sentiment_ls.check.terminal import Notices, use_color
from sentiment_ls.command_model import command_line_wording
from sentiment_ls.document import LineIndex
from sentiment_ls.present.check_formats import FORMATS, OutputStyle
from sentiment_ls.present.check_report import EXIT_ERROR, CheckReport, FileFinding
from sentiment_ls.present.findings import findings
from sentiment_ls.project_config import ProjectConfigs
from sentiment_ls.rules import rule_for
from sentiment_ls.settings import Settings, parse_settings

if TYPE_CHECKING:
    from sentiment_ls.analysis.engine import SentenceAnalysis
    from sentiment_ls.analysis.loaded_model import LoadedModel
    from sentiment_ls.analysis.model_identity import ModelIdentity


class Analysis(Protocol):
    """Where a run's sentences are analysed: `local.LocalAnalysis`, `on_ray.RayAnalysis`."""

    analysed: int  # sentences that reached the model

    def analyse(self, texts: list[str]) -> dict[str, SentenceAnalysis] | None:
        """Every text's analysis, or None once why the model could not load was said."""
        ...


def run_check(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    problem = _usage_problem(args)
    if problem is not None:  # said before the model loads: a typo should not cost seconds
        print(f"sentiment-ls check: error: {problem}", file=sys.stderr)
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
    cache = CheckCache.open(args, notices)
    try:
        return _run(args, started, parsed.settings, notices, cache)
    finally:
        cache.close()


def _usage_problem(args: argparse.Namespace) -> str | None:
    missing = missing_paths(args.paths)
    if missing:
        return f"no such file or folder: {missing[0]}"
    if args.paths.count(STDIN) > 1:
        return "`-` (standard input) given twice"
    if args.ray_address and not args.ray:
        return "--ray-address: the cluster of a --ray run; pass --ray too"
    if args.ray_timeout and not args.ray:
        return "--ray-timeout: the wait of a --ray run; pass --ray too"
    if args.ray and args.service:
        return "--ray runs the model on the cluster's actors; it does not combine with --service"
    if args.ray and not extras.ray_available():
        return f"--ray: {extras.RAY_MISSING}"
    return None


def _run(
    args: argparse.Namespace, started: float, base: Settings, notices: Notices, cache: CheckCache
) -> int:
    model = LazyModel(args)
    labelled = _labelled(args, cache, model)
    if labelled is None:
        return EXIT_ERROR
    labels = labelled.labels
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
    files = files_to_check(args.paths, args.language)
    read = read_files(files, base, configs, notices)
    readable = [file for file in read if file.checked.error is None]
    split = cache.sentences([(file.source, file.checked.language) for file in readable])
    for file, sentences in zip(readable, split, strict=True):
        file.sentences = sentences
        file.checked.sentences = len(sentences)
    analysis = _analysis(args, model, cache, labelled)
    from sentiment_ls.analysis.runtimes.remote import ServiceUnavailable

    try:
        analyses = analysis.analyse([s.text for file in readable for s in file.sentences])
    except ServiceUnavailable as error:
        print(f"sentiment-ls check: error: {command_line_wording(str(error))}", file=sys.stderr)
        return EXIT_ERROR
    if analyses is None:
        return EXIT_ERROR
    for file in read:
        if file.checked.error is None:
            _judge(file, labels, analyses, notices)
        report.files.append(file.checked)
    report.seconds = time.perf_counter() - started
    report.analysed = analysis.analysed
    if args.service:
        report.answered_by = answered_by(args.model, analyses.values())
    style = OutputStyle(color=use_color(args.color, sys.stdout), quiet=args.quiet)
    sys.stdout.write(FORMATS[args.format](report, style))
    sys.stdout.flush()
    return report.exit_code


def _labelled(
    args: argparse.Namespace, cache: CheckCache, model: LazyModel
) -> ModelIdentity | LoadedModel | None:
    """Where the model's labels are read: its identity, told from its files, else the model
    itself, loaded (None once why it cannot load was said). A Ray run identifies the model
    without a cache: its driver never loads it only to read its labels."""
    identity = cache.identity
    if args.ray:
        from sentiment_ls.check.on_ray import model_identity
        from sentiment_ls.command_model import command_request

        identity = model_identity(command_request(args))
    return identity or model.loaded()


def _analysis(
    args: argparse.Namespace,
    model: LazyModel,
    cache: CheckCache,
    labelled: ModelIdentity | LoadedModel,
) -> Analysis:
    if not args.ray:
        return LocalAnalysis(model, cache)
    from sentiment_ls.check.on_ray import RayAnalysis
    from sentiment_ls.command_model import command_request

    address = args.ray_address or os.environ.get("RAY_ADDRESS")  # Ray's own variable
    timeout = args.ray_timeout or RAY_TIMEOUT_S
    return RayAnalysis(command_request(args), address, labelled, timeout)


def answered_by(model: str, analyses: Iterable[SentenceAnalysis]) -> str:
    """Which model answered a run with a team service: the service's, the configured one in
    its place (`prefer` while it was down), or both, with how many sentences each."""
    sources = Counter(a.source for a in analyses if a.source is not None)
    fallback = f"{model} ({LOCAL_FALLBACK})"
    services = [source for source in sources if source != LOCAL_FALLBACK]
    if not services:
        return fallback if sources else model
    if LOCAL_FALLBACK not in sources:
        return ", ".join(services)
    counted = [(source, sources[source]) for source in services]
    counted.append((fallback, sources[LOCAL_FALLBACK]))
    return ", ".join(
        f"{source} for {count} sentence{'' if count == 1 else 's'}" for source, count in counted
    )


def _unknown_labels(requested: list[str] | None, labels: list[str]) -> list[str]:
    known = {label.casefold() for label in labels}
    return [name for name in requested or [] if name.casefold() not in known]


def _judge(
    file: ReadFile, labels: list[str], analyses: dict[str, SentenceAnalysis], notices: Notices
) -> None:
    """The file's findings by the editor's rule, placed in code points, 1-based."""
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
