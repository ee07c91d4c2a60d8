"""`sentiment-ls eval`: accuracy, macro-F1, the confusion matrix and speed on a TSV file."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sentiment_ls.training.data import DataError, read_labelled_tsv

if TYPE_CHECKING:
    from sentiment_ls.analysis.engine import SentenceAnalysis


@dataclass(frozen=True)
class Metrics:
    labels: list[str]
    n: int
    accuracy: float
    macro_f1: float
    confusion: list[list[int]]  # confusion[true][predicted]
    seconds: float

    @property
    def sentences_per_second(self) -> float:
        return self.n / self.seconds if self.seconds > 0 else float("inf")

    def as_json(self, model: str) -> dict[str, Any]:
        return {
            "model": model,
            "n": self.n,
            "accuracy": round(self.accuracy, 5),
            "macro_f1": round(self.macro_f1, 5),
            "labels": self.labels,
            "confusion_matrix": self.confusion,
            "sentences_per_second": round(self.sentences_per_second, 1),
        }

    def as_text(self, model: str) -> str:
        width = max(len(label) for label in self.labels) + 2
        lines = [
            f"model: {model}",
            f"n: {self.n}",
            f"accuracy: {self.accuracy:.4f}",
            f"macro-F1: {self.macro_f1:.4f}",
            f"sentences per second: {self.sentences_per_second:.1f}",
            "confusion matrix (rows: true, columns: predicted):",
            " " * width + "".join(label.rjust(width) for label in self.labels),
        ]
        for label, row in zip(self.labels, self.confusion, strict=True):
            lines.append(label.ljust(width) + "".join(str(c).rjust(width) for c in row))
        return "\n".join(lines)


def score(
    labels: list[str], truth: Sequence[int], predicted: Sequence[int], seconds: float
) -> Metrics:
    size = len(labels)
    confusion = [[0] * size for _ in range(size)]
    for t, p in zip(truth, predicted, strict=True):
        confusion[t][p] += 1
    correct = sum(confusion[i][i] for i in range(size))
    f1s = []
    for i in range(size):
        true_positive = confusion[i][i]
        predicted_i = sum(confusion[r][i] for r in range(size))
        actual_i = sum(confusion[i])
        if actual_i == 0 and predicted_i == 0:
            continue  # a label absent from both sides says nothing about the model
        precision = true_positive / predicted_i if predicted_i else 0.0
        recall = true_positive / actual_i if actual_i else 0.0
        f1s.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    n = len(truth)
    return Metrics(
        labels,
        n,
        correct / n if n else 0.0,
        sum(f1s) / len(f1s) if f1s else 0.0,
        confusion,
        seconds,
    )


def average_precision(scores: Sequence[float], positives: Sequence[bool]) -> float:
    """Average precision of ranking `positives` first by `scores` (ties in input order)."""
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    hits, total = 0, 0.0
    for rank, index in enumerate(order, start=1):
        if positives[index]:
            hits += 1
            total += hits / rank
    return total / hits if hits else 0.0


def run_eval(args: argparse.Namespace) -> int:
    from sentiment_ls.analysis.engine import SentimentEngine
    from sentiment_ls.command_model import load_command_model

    loaded = load_command_model(args)
    if loaded is None:
        return 2
    label2id = {name: index for index, name in loaded.id2label.items()}
    try:
        examples = read_labelled_tsv(Path(args.file), label2id)
        numeric_only = _numeric_labels_only(Path(args.file))
    except (OSError, DataError) as error:
        print(f"sentiment-ls: {error}", file=sys.stderr)
        return 2
    pair = polarity_pair(loaded.labels)
    polarity = bool(getattr(args, "polarity", False))
    if not polarity and pair and numeric_only and {e.label for e in examples} <= {0, 1}:
        polarity = True
        print(
            "sentiment-ls: the file's labels are 0 and 1 and the model has a neutral class: "
            f"scoring polarity ({pair[0]} against {pair[1]}, neutral left out)",
            file=sys.stderr,
        )
    if polarity and pair is None:
        print(
            f"sentiment-ls: --polarity needs a model with negative, neutral and positive "
            f"labels; its labels are {loaded.labels}",
            file=sys.stderr,
        )
        return 2
    bad = [] if polarity else sorted({e.label for e in examples if e.label not in loaded.id2label})
    if bad:
        print(
            f"sentiment-ls: labels {bad} are not ids of the model ({loaded.id2label})",
            file=sys.stderr,
        )
        return 2
    # A fresh engine: its cache is empty, so every distinct sentence is timed through the model.
    engine = SentimentEngine(loaded)
    started = time.perf_counter()
    analyses = engine.analyze([e.text for e in examples])
    seconds = time.perf_counter() - started
    if polarity and pair is not None:
        labels, model = list(pair), f"{loaded.model_id} (polarity)"
        predicted = polarity_predictions(analyses, pair)
    else:
        labels, model = loaded.labels, loaded.model_id
        predicted = [label2id[a.prediction.label] for a in analyses]
    metrics = score(labels, [e.label for e in examples], predicted, seconds)
    print(json.dumps(metrics.as_json(model)) if args.format == "json" else metrics.as_text(model))
    return 0


def polarity_pair(labels: list[str]) -> tuple[str, str] | None:
    """(negative, positive) of a model that also has a neutral class, else None."""
    from sentiment_ls.analysis.labels import negative_labels, neutral_labels, positive_labels

    negative, positive = negative_labels(labels), positive_labels(labels)
    if len(negative) == 1 and len(positive) == 1 and neutral_labels(labels):
        return negative[0], positive[0]
    return None


def _numeric_labels_only(path: Path) -> bool:
    """Whether every label in the file is written as a number (0/1), not as a name."""
    lines = path.read_text(encoding="utf-8").splitlines()
    labels = [line.rsplit("\t", 1)[-1].strip() for line in lines[1:] if "\t" in line]
    return all(label.isdigit() for label in labels)


def polarity_predictions(analyses: Sequence[SentenceAnalysis], pair: tuple[str, str]) -> list[int]:
    """A two-label reading of a three-class model: 1 where the positive label's probability
    is above the negative one's, else 0 (the neutral class left out)."""
    negative, positive = pair
    return [
        int(a.prediction.probabilities[positive] > a.prediction.probabilities[negative])
        for a in analyses
    ]
