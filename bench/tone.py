"""Verdicts where users live: the embedded model beside the model it replaced and the binary
SST-2 model, in one run.

Per domain, every model through the product's own rule at its default settings
(`rules.rule_for` on `Settings()`, the minimum-words rule included):

- the dev splits (`tone/docs/dev.tsv`, `tone/issues/dev.tsv`): whole repositories that training
  never sees. They are the splits the default model was *selected and calibrated on* and the
  default threshold chosen on;
- the held-out 15% of each software-engineering set and of the tweets (seeded, stratified:
  `training.mix.split_holdout`), and SST-2 `validation.tsv`: never used for any choice;
- SST-2 validation's whole sentences (8 words or more), as review prose: how many negative
  reviews get a flag, and how many flags are right;
- the behavioural suite of `tests/behaviour/suite.py`: the pass rate per category and the
  invariance templates broken;
- the natural-rate documentation sample (`data/natural_labels.tsv`, issue 22): 1,600
  sentences drawn at random from docs no training set or pool reads, labelled by careful
  readers; its *neutral flagged* is the false-flag rate users meet. Its text is rebuilt by
  `python -m sentiment_ls.training.pool sample --out runs/pool/natural.tsv` (`--natural`);
  without that file the row is left out, and the run says so.

The previous embedded model is rebuilt from git (`--previous COMMIT`, default the last commit of
issue 11's model) into `runs/`, so the comparison needs nothing but a clone.

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
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.behaviour
from results import machine_line, write_section

from sentiment_ls.analysis.engine import SentenceAnalysis, SentimentEngine
from sentiment_ls.analysis.labels import negative_labels, neutral_labels, positive_labels
from sentiment_ls.analysis.model_loading import load_model
from sentiment_ls.analysis.request import LoadRequest
from sentiment_ls.rules import FlagRule, rule_for
from sentiment_ls.settings import Settings
from sentiment_ls.training.calibration import expected_calibration_error
from sentiment_ls.training.data import read_labelled_tsv
from sentiment_ls.training.evaluate import polarity_predictions
from sentiment_ls.training.mix import LABELS, heldout_rows, source_named

PREVIOUS = "8dc0148"  # the stage-2 model (issue 17) that stage 3 replaced
PREVIOUS_THRESHOLD = 0.6  # its default
REPO = Path(__file__).resolve().parents[1]
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


def dev_split(data_dir: Path, path: str) -> list[Row]:
    with (data_dir / path).open(encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [Row(r["text"], r["label"], r["clear"] == "1") for r in reader]


def sst2_sentences(data_dir: Path, min_words: int = 8) -> list[Row]:
    """SST-2 validation rows that are whole review sentences, as negative/positive rows."""
    rows = read_labelled_tsv(data_dir / "sst2/validation.tsv")
    names = ("negative", "positive")
    return [Row(e.text, names[e.label]) for e in rows if len(e.text.split()) >= min_words]


def previous_model(commit: str) -> str:
    """The embedded model of `commit`, as a folder the loader takes (built once, from git)."""
    import subprocess

    folder = REPO / "runs" / f"embedded-{commit}"
    weights = "sentiment_ls/embedded/weights"
    if not (folder / "model.safetensors").is_file():
        folder.mkdir(parents=True, exist_ok=True)
        names = subprocess.run(
            ["git", "-C", str(REPO), "ls-tree", "--name-only", f"{commit}:{weights}"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        for name in names:
            blob = subprocess.run(
                ["git", "-C", str(REPO), "show", f"{commit}:{weights}/{name}"],
                check=True,
                capture_output=True,
            ).stdout
            (folder / name).write_bytes(blob)
    return str(folder)


def natural_sample(texts: Path) -> list[Row]:
    """The natural-rate sample: labels from data/, text from the rebuilt sample file."""
    with texts.open(encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream, delimiter="\t", quoting=csv.QUOTE_NONE)
        text = {r["id"]: r["text"] for r in reader}
    with (REPO / "data/natural_labels.tsv").open(encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream, delimiter="\t", quoting=csv.QUOTE_NONE)
        labels = list(reader)
    # Ids hash the sentence as the splitter cut it: a sample rebuilt after the document layer
    # changes may cut a few sentences differently. Those are left out, and the run says so.
    rows = [Row(text[r["id"]], r["label"], r["clear"] == "1") for r in labels if r["id"] in text]
    if len(rows) < len(labels):
        missing = len(labels) - len(rows)
        print(f"natural sample: {missing} labelled ids not in {texts}", file=sys.stderr)
    return rows


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


DOCS_DEV = "docs dev (tuned on)"
ISSUES_DEV = "issues dev (tuned on)"
SST2_SENTENCES = "SST-2 validation, whole sentences"
NATURAL = "natural-rate docs sample"
SWEEP = (0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8)


def behaviour(engine: SentimentEngine, rule: FlagRule) -> tuple[dict[str, float], int]:
    """Pass rate per category of the behavioural suite, and invariance templates broken."""
    from tests.behaviour.suite import CATEGORIES, INVARIANCES

    rates: dict[str, float] = {}
    for category in CATEGORIES:
        analyses = engine.analyze(list(category.sentences))
        right = sum(rule.flags(a) == category.flagged for a in analyses)
        rates[category.name] = right / len(category.sentences)
    broken = sum(
        len({rule.flags(a) for a in engine.analyze(inv.sentences())}) > 1 for inv in INVARIANCES
    )
    return rates, broken


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data-dir", default=str(DATA_DIR), help="default: %(default)s")
    parser.add_argument(
        "--previous",
        default=PREVIOUS,
        help="the commit of the model compared (default: %(default)s)",
    )
    parser.add_argument(
        "--models",
        nargs="+",
        default=None,
        help="model names or folders; `previous` is --previous's model at its own threshold "
        "(default: embedded previous embedded-sst2)",
    )
    parser.add_argument(
        "--natural",
        default=str(REPO / "runs/pool/natural.tsv"),
        help="the natural-rate sample's text (training.pool sample) (default: %(default)s)",
    )
    parser.add_argument("--no-write", action="store_true", help="print only, no RESULTS.md")
    args = parser.parse_args()
    previous = previous_model(args.previous)
    chosen = args.models or ("embedded", "previous", "embedded-sst2")
    models = tuple(previous if model == "previous" else model for model in chosen)
    names = {previous: f"previous ({args.previous})"}
    data_dir = Path(args.data_dir)
    domains = {
        DOCS_DEV: dev_split(data_dir, "tone/docs/dev.tsv"),
        ISSUES_DEV: dev_split(data_dir, "tone/issues/dev.tsv"),
    }
    for name in HELD_OUT:
        domains[f"{name} held-out"] = held_out(data_dir, name)
    domains[SST2_SENTENCES] = sst2_sentences(data_dir)
    if Path(args.natural).is_file():
        domains[NATURAL] = natural_sample(Path(args.natural))
    else:
        print(f"{args.natural} is missing: no natural-rate row (see --help)", file=sys.stderr)
    results: dict[str, dict[str, Scores]] = {}
    polarity: dict[str, tuple[int, float]] = {}
    sweeps: dict[tuple[str, str], list[tuple[float, Scores]]] = {}
    suites: dict[str, tuple[dict[str, float], int]] = {}
    speed: dict[str, float] = {}
    for model in models:
        engine = SentimentEngine(load_model(LoadRequest(model=model)))
        # Each model at its own default: the previous one shipped with threshold 0.6.
        settings = Settings(threshold=PREVIOUS_THRESHOLD) if model == previous else Settings()
        rule, _ = rule_for(settings, engine.loaded.labels)
        results[model] = {}
        started = time.perf_counter()
        count = 0
        for domain, rows in domains.items():
            analyses = engine.analyze([r.text for r in rows])
            count += len(rows)
            results[model][domain] = scores(rows, analyses, rule)
            if domain in (DOCS_DEV, ISSUES_DEV):
                sweeps[model, domain] = [
                    (
                        t,
                        scores(
                            rows,
                            analyses,
                            FlagRule(rule.labels, t, rule.neutral_band, rule.min_words),
                        ),
                    )
                    for t in SWEEP
                ]
        speed[model] = count / (time.perf_counter() - started)
        polarity[model] = polarity_accuracy(engine, data_dir)
        suites[model] = behaviour(engine, rule)

    def name(model: str) -> str:
        return names.get(model, model)

    lines = [
        "## Tone verdicts by domain (`bench/tone.py`)",
        "",
        machine_line(),
        "",
        "Default settings of each model (`tone` positive, `threshold` "
        f"{Settings().threshold} ({PREVIOUS_THRESHOLD} for the previous model, its default), "
        f"`minWords` {Settings().minWords}; the binary model also "
        f"`neutralBand` {Settings().neutralBand}). *Flag* = a diagnostic; precision and recall "
        "are of flagging the sentences labelled negative; *neutral flagged* is the share of "
        "neutral sentences that get a diagnostic. The two dev splits chose the default model's "
        "checkpoint, temperature and threshold; every other row was never used for a choice. "
        f"*{name(previous)}* is the embedded model before issue 22 (stage 2, issue 17).",
        "",
        "| domain | n | model | accuracy | macro-F1 | flag precision | flag recall "
        "| recall, clear negatives | neutral flagged | ECE |",
        "|:--|--:|:--|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for domain in domains:
        for model in models:
            s = results[model][domain]
            clear = fmt(s.recall_clear) if domain in (DOCS_DEV, ISSUES_DEV, NATURAL) else ""
            three_class = domain != SST2_SENTENCES
            accuracy = fmt(s.accuracy) if three_class else ""
            macro = fmt(s.macro_f1) if three_class else ""
            neutral = fmt(s.neutral_flagged) if three_class else ""
            lines.append(
                f"| {domain} | {s.n} | {name(model)} | {accuracy} | {macro} | "
                f"{fmt(s.precision)} | {fmt(s.recall)} | {clear} | {neutral} | "
                f"{fmt(s.ece) if three_class else ''} |"
            )
    lines += [
        "",
        "| SST-2 validation polarity (negative vs positive) | n | accuracy |",
        "|:--|--:|--:|",
    ]
    for model in models:
        n, accuracy = polarity[model]
        lines.append(f"| {name(model)} | {n} | {accuracy:.4f} |")
    categories = list(suites[models[0]][0])
    lines += [
        "",
        "Behavioural suite (`tests/behaviour/suite.py`, written for the project and never "
        "trained on): the share of each category's sentences whose verdict (flagged or not) "
        "is the expected one, and the invariance templates whose verdict moved with a name, "
        "product, version or number.",
        "",
        "| model | " + " | ".join(categories) + " | invariances broken |",
        "|:--|" + "--:|" * (len(categories) + 1),
    ]
    for model in models:
        rates, broken = suites[model]
        cells = " | ".join(f"{rates[c]:.2f}" for c in categories)
        lines.append(f"| {name(model)} | {cells} | {broken} |")
    lines += [
        "",
        "Threshold sweeps on the dev splits (the default rule otherwise):",
        "",
        "| split | model | threshold | flagged | precision | recall | recall, clear "
        "| neutral flagged |",
        "|:--|:--|--:|--:|--:|--:|--:|--:|",
    ]
    for (model, domain), sweep in sweeps.items():
        if model == "embedded-sst2":
            continue
        for threshold, s in sweep:
            lines.append(
                f"| {domain.split(' (')[0]} | {name(model)} | {threshold:.2f} | {s.flagged} | "
                f"{fmt(s.precision)} | {fmt(s.recall)} | {fmt(s.recall_clear)} | "
                f"{fmt(s.neutral_flagged)} |"
            )
    lines += [
        "",
        " ".join(f"{name(m)}: {speed[m]:.0f} sentences/s over the domains." for m in models),
    ]
    body = "\n".join(lines)
    print(body)
    if not args.no_write:
        write_section("tone", body)


if __name__ == "__main__":
    main()
