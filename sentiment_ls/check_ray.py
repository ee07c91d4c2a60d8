"""`sentiment-ls check --ray [ADDRESS]`: the same report as `check`, from a Ray Data job.

The driver reads the files (so that a cluster's nodes need not share its disk), then
files -> prose regions -> sentences (tasks: read and split, positions computed beside the
text) -> batched inference on a pool of actors, each holding one model copy -> findings
(only flagged sentences and one row per file come back to the driver). The driver chooses
the files, each file's settings and flag rule exactly as the local run does, and builds the
same `CheckedFile`s from the rows, so every output format is the local run's.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sentiment_ls.analysis.request import LoadRequest
from sentiment_ls.analysis.runtimes.ort import THREADS_ENV
from sentiment_ls.present.check_report import CheckedFile, FileFinding
from sentiment_ls.present.findings import Finding, FlagRule
from sentiment_ls.settings import Settings

BATCH_SIZE = 256


@dataclass(frozen=True)
class JobStats:
    rows: int  # rows that came back: one per file and one per flagged sentence
    workers: frozenset[int]  # the processes of the actors that analysed them


last_job: JobStats | None = None  # the latest job's, for tests and benchmarks
STDIN = "-"


@dataclass(frozen=True)
class Selected:
    path: Path
    language: str
    settings: Settings
    rule: FlagRule
    text: str | None = None  # None: it could not be read
    error: str | None = None  # why, as the local run says it


def split_file(item: dict[str, Any]) -> list[dict[str, Any]]:
    """One row for the file (its sentence count, or why it could not be read) and one per
    sentence, with its position in code points (1-based, as `check` reports it)."""
    from sentiment_ls.document import LineIndex, document_sentences

    base = {"index": item["index"], "n": -1, "text": "", "quote": "", "line": 0, "column": 0}
    base |= {"end_line": 0, "end_column": 0, "rule": item["rule"], "count": 0, "error": ""}
    if item["error"]:
        return [{**base, "error": item["error"]}]
    source = item["text"]
    sentences = document_sentences(source, item["language"])
    index = LineIndex(source)
    rows = [{**base, "count": len(sentences)}]
    for n, sentence in enumerate(sentences):
        line, column = index.position(sentence.start, "utf-32")
        end_line, end_column = index.position(sentence.end, "utf-32")
        rows.append(
            {
                **base,
                "n": n,
                "text": sentence.text,
                "quote": sentence.quote,
                "line": line + 1,
                "column": column + 1,
                "end_line": end_line + 1,
                "end_column": end_column + 1,
            }
        )
    return rows


def _rule_json(rule: FlagRule) -> str:
    return json.dumps([sorted(rule.labels), rule.threshold, rule.neutral_band, rule.min_words])


def _rule(text: str) -> FlagRule:
    labels, threshold, band, min_words = json.loads(text)
    return FlagRule(frozenset(labels), threshold, band, min_words)


class Predictor:
    """An actor of the pool: the model loaded once, sentences analysed a batch at a time."""

    def __init__(self, request: LoadRequest) -> None:
        from sentiment_ls.analysis.engine import SentimentEngine
        from sentiment_ls.analysis.model_loading import load_model

        self.engine = SentimentEngine(load_model(request))

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, list[Any]]:
        sentence_rows = [i for i, n in enumerate(batch["n"]) if n >= 0]
        analyses = self.engine.analyze([str(batch["text"][i]) for i in sentence_rows])
        verdicts = dict(zip(sentence_rows, analyses, strict=True))
        kept: dict[str, list[Any]] = {name: [] for name in (*batch, "prediction", "worker")}
        for i in range(len(batch["n"])):
            analysis = verdicts.get(i)
            if analysis is not None and not _rule(str(batch["rule"][i])).flags(analysis):
                continue
            for name, column in batch.items():
                kept[name].append(column[i].item() if hasattr(column[i], "item") else column[i])
            prediction = analysis.prediction if analysis else None
            kept["prediction"].append(
                json.dumps(
                    [prediction.label, prediction.score, prediction.probabilities,
                     prediction.logits, prediction.function]
                )
                if prediction
                else ""
            )
            kept["worker"].append(os.getpid())
        return kept


def pool_size() -> int:
    import ray

    cpus = int(ray.available_resources().get("CPU", 1))  # type: ignore[no-untyped-call]
    return max(1, cpus - 1)  # a CPU for the tasks that read and split


def check_on_ray(
    selected: Sequence[Selected], address: str, request: LoadRequest
) -> list[CheckedFile]:
    import ray
    from ray.data import ActorPoolStrategy, DataContext

    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    started_here = not ray.is_initialized()
    if started_here:
        if address == "local":
            ray.init(include_dashboard=False, log_to_driver=False)
        else:
            ray.init(address=address, log_to_driver=False)
    try:
        context = DataContext.get_current()
        context.enable_progress_bars = sys.stderr.isatty() and len(selected) >= 10
        if not context.enable_progress_bars:  # and no word about their absence either
            logging.getLogger("ray.data").setLevel(logging.ERROR)
        items = [
            {
                "index": i,
                "path": str(s.path),
                "language": s.language,
                "text": s.text or "",
                "error": s.error or "",
                "rule": _rule_json(s.rule),
            }
            for i, s in enumerate(selected)
        ]
        if not items:
            return []
        dataset = ray.data.from_items(items).flat_map(split_file, num_cpus=0.5)
        dataset = dataset.map_batches(
            Predictor,
            fn_constructor_kwargs={"request": request},
            compute=ActorPoolStrategy(size=pool_size()),
            batch_size=BATCH_SIZE,
            num_cpus=1,
            runtime_env={"env_vars": {THREADS_ENV: "1"}},
        )
        rows = dataset.take_all()
        global last_job
        last_job = JobStats(len(rows), frozenset(int(r["worker"]) for r in rows))
    finally:
        if started_here:
            ray.shutdown()
    return _checked_files(selected, rows)


def _checked_files(selected: Sequence[Selected], rows: list[dict[str, Any]]) -> list[CheckedFile]:
    from sentiment_ls.analysis.engine import SentenceAnalysis
    from sentiment_ls.analysis.postprocess import Prediction
    from sentiment_ls.analysis.preprocess import Encoding
    from sentiment_ls.document import Sentence

    files = [CheckedFile(str(s.path), s.language) for s in selected]
    for row in sorted(rows, key=lambda r: (r["index"], r["n"])):
        checked = files[row["index"]]
        if row["n"] < 0:
            checked.sentences = int(row["count"])
            if row["error"]:
                checked.error = str(row["error"])
                print(f"sentiment-ls: {checked.error}", file=sys.stderr)
            continue
        label, score, probabilities, logits, function = json.loads(row["prediction"])
        text, quote = str(row["text"]), str(row["quote"])
        # Only a finding's words and verdict are reported; its character offsets stay with
        # the worker, which computed the positions from them.
        sentence = Sentence(quote, tuple(range(len(quote))))
        prediction = Prediction(label, score, probabilities, tuple(logits), function)
        analysis = SentenceAnalysis(text, Encoding((), ()), prediction)
        checked.findings.append(
            FileFinding(
                checked.path,
                int(row["line"]),
                int(row["column"]),
                int(row["end_line"]),
                int(row["end_column"]),
                selected[row["index"]].settings.severity,
                Finding(sentence, analysis),
            )
        )
    return files
