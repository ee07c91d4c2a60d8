"""Verdicts where users live: the embedded three-class model against the binary SST-2 model.

Per domain, in one run, both models through the product's own rule at the default settings
(`present.findings.rule_for` on `Settings()`, the minimum-words rule included):

- docs dev split (`tone/docs/dev.tsv`): whole repositories that training never sees. It is the
  split the default model was *selected and calibrated on* and the default threshold chosen on;
- the held-out 15% of each software-engineering set and of the tweets (seeded, stratified:
  `training.mix.split_holdout`), and SST-2 `validation.tsv`: never used for any choice.

Reports accuracy and macro-F1 (three classes; the binary model never says neutral), the
negative flag's precision and recall, the share of neutral sentences flagged, the expected
calibration error of the top label, polarity accuracy on SST-2 (negative against positive,
neutral left out), and a threshold sweep on the docs dev split.

    .venv/bin/python bench/tone.py [--data-dir ../shared/data]
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results import machine_line, write_section

from sentiment_ls.analysis.engine import SentenceAnalysis, SentimentEngine
from sentiment_ls.analysis.labels import negative_labels, neutral_labels, positive_labels
from sentiment_ls.analysis.model_loading import load_model
from sentiment_ls.present.findings import FlagRule, rule_for
from sentiment_ls.settings import Settings
from sentiment_ls.training.calibration import expected_calibration_error
from sentiment_ls.training.data import read_labelled_tsv
from sentiment_ls.training.evaluate import polarity_predictions
from sentiment_ls.training.mix import LABELS, heldout_rows, source_named

MODELS = ("embedded", "embedded-sst2")
DATA_DIR = Path(__file__).resolve().parents[2] / "shared/data"
HELD_OUT = ("github", "jira", "stackoverflow", "javalib", "tweets-val", "tweets-test")


@dataclass(frozen=True)
class Row:
    text: str
    label: str  # negative / neutral / positive
    clear: bool = True


@dataclass(frozen=True)
class Scores:
    n: int
    accuracy: float
    macro_f1: float
    precision: float  # of the negative flag
    recall: float
    recall_clear: float
    neutral_flagged: float
    flagged: int
    ece: float


def docs_dev(data_dir: Path) -> list[Row]:
    with (data_dir / "tone/docs/dev.tsv").open(encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [Row(r["text"], r["label"], r["clear"] == "1") for r in reader]


def held_out(data_dir: Path, name: str) -> list[Row]:
    return [Row(e.text, LABELS[e.label]) for e in heldout_rows(data_dir, source_named(name))]


def tone_of(label: str, labels: list[str]) -> str:
    """The model's label as negative / neutral / positive (a binary model has no neutral)."""
    if label in negative_labels(labels):
        return "negative"
    if label in positive_labels(labels):
        return "positive"
    return "neutral" if label in neutral_labels(labels) else label


def scores(rows: list[Row], analyses: list[SentenceAnalysis], rule: FlagRule) -> Scores:
    labels = list(analyses[0].prediction.probabilities)
    predicted = [tone_of(a.prediction.label, labels) for a in analyses]
    gold = [r.label for r in rows]
    flagged = [rule.flags(a) for a in analyses]
    f1s = []
    for c in LABELS:
        tp = sum(g == p == c for g, p in zip(gold, predicted, strict=True))
        fp = sum(p == c != g for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == c != p for g, p in zip(gold, predicted, strict=True))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    negative = [g == "negative" for g in gold]
    clear_negative = [r.label == "negative" and r.clear for r in rows]
    neutral = [g == "neutral" for g in gold]
    true_flags = sum(f and n for f, n in zip(flagged, negative, strict=True))

    def share(mask: list[bool]) -> float:
        total = sum(mask)
        hits = sum(f and m for f, m in zip(flagged, mask, strict=True))
        return hits / total if total else float("nan")

    logits = np.array([a.prediction.logits for a in analyses], dtype=np.float64)
    top = [labels.index(a.prediction.label) for a in analyses]
    correct_index = [
        top[i] if predicted[i] == gold[i] else (top[i] + 1) % len(labels) for i in range(len(rows))
    ]
    return Scores(
        n=len(rows),
        accuracy=sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(rows),
        macro_f1=sum(f1s) / len(f1s),
        precision=true_flags / sum(flagged) if any(flagged) else float("nan"),
        recall=share(negative),
        recall_clear=share(clear_negative),
        neutral_flagged=share(neutral),
        flagged=sum(flagged),
        # ECE of the top label: "correct" is whether its tone is the gold tone.
        ece=expected_calibration_error(logits, correct_index),
    )


def polarity_accuracy(engine: SentimentEngine, data_dir: Path) -> tuple[int, float]:
    examples = read_labelled_tsv(data_dir / "sst2/validation.tsv")
    analyses = engine.analyze([e.text for e in examples])
    labels = engine.loaded.labels
    pair = (negative_labels(labels)[0], positive_labels(labels)[0])
    predicted = polarity_predictions(analyses, pair)
    correct = sum(p == e.label for p, e in zip(predicted, examples, strict=True))
    return len(examples), correct / len(examples)


def fmt(value: float) -> str:
    return "n/a" if value != value else f"{value:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data-dir", default=str(DATA_DIR), help="default: %(default)s")
    parser.add_argument(
        "--models", nargs="+", default=list(MODELS), help="default: %(default)s (folders too)"
    )
    parser.add_argument("--no-write", action="store_true", help="print only, no RESULTS.md")
    args = parser.parse_args()
    models = tuple(args.models)
    data_dir = Path(args.data_dir)
    domains = {"docs dev (tuned on)": docs_dev(data_dir)}
    for name in HELD_OUT:
        domains[f"{name} held-out"] = held_out(data_dir, name)
    results: dict[str, dict[str, Scores]] = {}
    polarity: dict[str, tuple[int, float]] = {}
    sweep: dict[str, list[tuple[float, Scores]]] = {}
    speed: dict[str, float] = {}
    for model in models:
        engine = SentimentEngine(load_model(model))
        rule, _ = rule_for(Settings(), engine.loaded.labels)
        results[model] = {}
        started = time.perf_counter()
        count = 0
        for domain, rows in domains.items():
            analyses = engine.analyze([r.text for r in rows])
            count += len(rows)
            results[model][domain] = scores(rows, analyses, rule)
        speed[model] = count / (time.perf_counter() - started)
        polarity[model] = polarity_accuracy(engine, data_dir)
        dev_rows = domains["docs dev (tuned on)"]
        dev_analyses = engine.analyze([r.text for r in dev_rows])
        sweep[model] = [
            (
                t,
                scores(
                    dev_rows,
                    dev_analyses,
                    FlagRule(rule.labels, t, rule.neutral_band, rule.min_words),
                ),
            )
            for t in (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)
        ]

    lines = [
        "## Tone verdicts by domain (`bench/tone.py`)",
        "",
        machine_line(),
        "",
        "Default settings of each model (`tone` positive, `threshold` "
        f"{Settings().threshold}, `minWords` {Settings().minWords}; the binary model also "
        f"`neutralBand` {Settings().neutralBand}). *Flag* = a diagnostic; precision and recall "
        "are of flagging the sentences labelled negative; *neutral flagged* is the share of "
        "neutral sentences that get a diagnostic. The docs dev split chose the default model's "
        "checkpoint, temperature and threshold; every other row was never used for a choice.",
        "",
        "| domain | n | model | accuracy | macro-F1 | flag precision | flag recall "
        "| recall, clear negatives | neutral flagged | ECE |",
        "|:--|--:|:--|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for domain in domains:
        for model in models:
            s = results[model][domain]
            clear = fmt(s.recall_clear) if domain.startswith("docs") else ""
            lines.append(
                f"| {domain} | {s.n} | {model} | {fmt(s.accuracy)} | {fmt(s.macro_f1)} | "
                f"{fmt(s.precision)} | {fmt(s.recall)} | {clear} | {fmt(s.neutral_flagged)} | "
                f"{fmt(s.ece)} |"
            )
    lines += [
        "",
        "| SST-2 validation polarity (negative vs positive) | n | accuracy |",
        "|:--|--:|--:|",
    ]
    for model in models:
        n, accuracy = polarity[model]
        lines.append(f"| {model} | {n} | {accuracy:.4f} |")
    lines += [
        "",
        "Threshold sweep on the docs dev split (the default rule otherwise):",
        "",
        "| model | threshold | flagged | precision | recall | recall, clear | neutral flagged |",
        "|:--|--:|--:|--:|--:|--:|--:|",
    ]
    for model in models:
        for threshold, s in sweep[model]:
            lines.append(
                f"| {model} | {threshold:.2f} | {s.flagged} | {fmt(s.precision)} | "
                f"{fmt(s.recall)} | {fmt(s.recall_clear)} | {fmt(s.neutral_flagged)} |"
            )
    lines += [
        "",
        " ".join(f"{m}: {speed[m]:.0f} sentences/s over the domains." for m in models),
    ]
    body = "\n".join(lines)
    print(body)
    if not args.no_write:
        write_section("tone", body)


if __name__ == "__main__":
    main()
