"""Are the word attributions faithful? ERASER comprehensiveness and sufficiency.

For each sentence, each method ranks the words by their score for the predicted label; then
the top 10, 20 and 50 % of the words are
- deleted: comprehensiveness = P(label | sentence) - P(label | sentence without them),
  higher is better (the words the method calls decisive really were);
- kept alone: sufficiency = P(label | sentence) - P(label | those words only), lower is
  better (they alone carry the verdict).
(DeYoung et al., 2020, "ERASER: A Benchmark to Evaluate Rationalized NLP Models".) A word
is deleted with all its pieces; the special tokens stay. The number of words is
max(1, round(fraction x words)). Two baselines rank the words without any attribution:
`random` (a seeded shuffle) and `attention` (the raw attention from [CLS] in the last
layer, averaged over heads and summed over a word's pieces).

The sentences are the first 500 rows of ../shared/data/sst2/validation.tsv (relative to the
repository root; the data is not copied into the repository) with at least 10 words, so that
10 % is at least one word. Both servings (the `precision` setting) are measured, fp32 and
int8, each against its own verdicts. Run (about 20 minutes on 2 cores; a full run writes
its section of bench/RESULTS.md):
    .venv/bin/python bench/faithfulness.py [--sentences 500] [--json runs/faithfulness.json]
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import math
import random
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results import machine_line, write_section

from sentiment_ls.analysis.engine import SentenceAnalysis, SentimentEngine
from sentiment_ls.analysis.explain import MethodOptions
from sentiment_ls.analysis.explain.attributions import label_log_odds
from sentiment_ls.analysis.explain.words import merge_words
from sentiment_ls.analysis.forward import forward
from sentiment_ls.analysis.model_loading import load_model
from sentiment_ls.analysis.postprocess import function_to_apply
from sentiment_ls.analysis.request import LoadRequest
from sentiment_ls.analysis.runtimes.torch_runtime import (
    TorchRuntime,
    configure_threads,
    native_bfloat16,
)
from sentiment_ls.embedded import SST2_WEIGHTS_DIR, WEIGHTS_DIR
from sentiment_ls.settings import Settings

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared/data/sst2/validation.tsv"
FRACTIONS = (0.10, 0.20, 0.50)
MIN_WORDS = 10
DEFAULT_PRECISION = Settings().precision
DEFAULT_SENTENCES = 500

# name -> (registry method, options); the cheap Integrated Gradients settings are here to
# find the fewest steps that stay faithful, float32 occlusion to check that bfloat16 is.
METHODS: dict[str, tuple[str, MethodOptions]] = {
    "occlusion": ("occlusion", MethodOptions()),
    # Occlusion runs in bfloat16 where the processor has it; this is the check that bfloat16
    # ranks words as float32 does.
    "occlusion (float32)": ("occlusion", MethodOptions(reduced_precision=False)),
    "integrated-gradients (20 steps)": ("integrated-gradients", MethodOptions(steps=20)),
    "integrated-gradients (8 steps)": ("integrated-gradients", MethodOptions(steps=8)),
    "integrated-gradients (4 steps)": ("integrated-gradients", MethodOptions(steps=4)),
    "grad-x-input": ("grad-x-input", MethodOptions()),
}
BASELINES = ("random", "attention")


def read_sentences(count: int) -> list[str]:
    rows = DATA.read_text(encoding="utf-8").splitlines()[1:]
    texts = [row.split("\t")[0].strip() for row in rows]
    return [t for t in texts if len(t.split()) >= MIN_WORDS][:count]


def attention_scores(engine: SentimentEngine, analysis: SentenceAnalysis) -> list[float]:
    """[CLS]'s attention to each token in the last layer, averaged over heads."""
    served = engine.loaded.torch_model("attention scores")
    model = served.model
    ids = torch.tensor([analysis.encoding.windows[0]], device=served.device)
    # Raw attention weights need the eager kernel: scaled-dot-product attention hides them.
    model.set_attn_implementation("eager")
    try:
        with torch.inference_mode():
            output = model(input_ids=ids, output_attentions=True)
    finally:
        model.set_attn_implementation("sdpa")
    row = output.attentions[-1][0, :, 0, :].mean(dim=0).float().cpu().tolist()
    words = merge_words(analysis.text, analysis.encoding.tokens)
    return [sum(row[i] for i in word.tokens) for word in words]


def occlusion_on_the_int8_copy(engine: SentimentEngine, analysis: SentenceAnalysis) -> list[float]:
    """Leave-one-word-out run on the int8 copy itself, as the occlusion module once did: kept
    here to show why it no longer does (int8 activations are scaled per batch)."""
    loaded = engine.loaded
    ids = analysis.encoding.windows[0]
    words = merge_words(analysis.text, analysis.encoding.tokens)
    rows = [list(ids)] + [[t for i, t in enumerate(ids) if i not in w.tokens] for w in words]
    logits = forward(loaded, rows)
    label_id = loaded.labels.index(analysis.prediction.label)
    function = function_to_apply(loaded.problem_type, logits.shape[-1])
    log_odds = label_log_odds(logits, label_id, function).tolist()
    return [log_odds[0] - value for value in log_odds[1:]]


def label_probability(
    engine: SentimentEngine, rows: Sequence[Sequence[int]], label: str
) -> list[float]:
    loaded = engine.loaded
    logits = forward(loaded, rows)
    function = function_to_apply(loaded.problem_type, logits.shape[-1])
    values = torch.from_numpy(np.asarray(logits, dtype=np.float32))
    scores = torch.sigmoid(values) if function == "sigmoid" else torch.softmax(values, dim=-1)
    label_id = next(i for i, name in loaded.id2label.items() if name == label)
    return scores[:, label_id].tolist()


def erase(
    engine: SentimentEngine, analysis: SentenceAnalysis, rankings: dict[str, list[int]]
) -> dict[str, dict[str, float]]:
    """For each ranking (word indices, most important first): comprehensiveness and
    sufficiency at each fraction, all variants in one batch."""
    ids = analysis.encoding.windows[0]
    words = merge_words(analysis.text, analysis.encoding.tokens)
    content = {i for word in words for i in word.tokens}
    rows: list[list[int]] = [list(ids)]
    keys: list[tuple[str, str]] = []
    for name, ranking in rankings.items():
        for fraction in FRACTIONS:
            top = ranking[: max(1, round(fraction * len(words)))]
            chosen = {i for w in top for i in words[w].tokens}
            rows.append([t for i, t in enumerate(ids) if i not in chosen])
            rows.append([t for i, t in enumerate(ids) if i in chosen or i not in content])
            keys += [
                (name, f"comprehensiveness@{fraction:.0%}"),
                (name, f"sufficiency@{fraction:.0%}"),
            ]
    probabilities = label_probability(engine, rows, analysis.prediction.label)
    full = probabilities[0]
    result: dict[str, dict[str, float]] = {name: {} for name in rankings}
    for (name, metric), value in zip(keys, probabilities[1:], strict=True):
        result[name][metric] = full - value
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sentences",
        type=int,
        default=DEFAULT_SENTENCES,
        help="fewer for a trial run: only a full run writes bench/RESULTS.md",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, default=None, help="also write the raw means here")
    parser.add_argument(
        "--from-json", type=Path, default=None, help="publish a run saved with --json again"
    )
    parser.add_argument(
        "--model", default="embedded", help="embedded (three-class) or embedded-sst2"
    )
    parser.add_argument(
        "--methods",
        default=",".join(METHODS),
        help="comma-separated methods to measure (default: all); the baselines always run",
    )
    parser.add_argument(
        "--servings", default="fp32,int8", help="which `precision` servings (default: both)"
    )
    parser.add_argument(
        "--section",
        default="explain-faithfulness",
        help="the RESULTS.md section a full run writes (issue 18: one per model)",
    )
    args = parser.parse_args()
    if args.from_json:
        saved = json.loads(args.from_json.read_text())
        publish(saved, write=saved["sentences"] == DEFAULT_SENTENCES, name=args.section)
        return
    methods = {name: METHODS[name] for name in args.methods.split(",")}
    servings = args.servings.split(",")

    configure_threads()
    served = load_model(
        LoadRequest(model=args.model, device="cpu", precision="int8", runtime="torch")
    )
    float_runtime = TorchRuntime(served.torch_model("the fp32 serving"))
    # The same weights served in float32 (the `precision` setting's other value): the
    # verdicts, and so what a faithful explanation must track, differ a little.
    engines = {
        "int8": SentimentEngine(served),
        "fp32": SentimentEngine(
            dataclasses.replace(served, runtime=float_runtime, precision="fp32")
        ),
    }
    exact = engines["fp32"]
    engines = {name: engine for name, engine in engines.items() if name in servings}
    exact = engines["fp32"]
    shuffle = random.Random(args.seed)
    texts = read_sentences(args.sentences)
    sums: dict[str, dict[str, dict[str, list[float]]]] = {p: {} for p in engines}
    began = time.perf_counter()
    for number, text in enumerate(texts, 1):
        exact_analysis = exact.analyze([text])[0]
        count = len(merge_words(text, exact_analysis.encoding.tokens))
        random_scores = [shuffle.random() for _ in range(count)]
        attention = attention_scores(exact, exact_analysis)
        for precision, engine in engines.items():
            analysis = engine.analyze([text])[0]
            label = analysis.prediction.label
            scores: dict[str, list[float]] = {"random": random_scores, "attention": attention}
            for name, (method, options) in methods.items():
                # Every method runs the float weights, so both servings share the scores
                # when they agree on the label (the cache sees to that).
                explanation = exact.explain(exact_analysis, label, method, options)
                scores[name] = [w.attribution for w in explanation.words]
            if precision == "int8":
                scores["occlusion on the int8 copy (not used)"] = occlusion_on_the_int8_copy(
                    engine, analysis
                )
            rankings = {
                name: sorted(range(count), key=lambda i, s=values: -s[i])  # type: ignore[misc]
                for name, values in scores.items()
            }
            for name, metrics in erase(engine, analysis, rankings).items():
                for metric, value in metrics.items():
                    sums[precision].setdefault(name, {}).setdefault(metric, []).append(value)
        if number % 50 == 0:
            print(
                f"{number}/{len(texts)} sentences, {time.perf_counter() - began:.0f} s", flush=True
            )

    run = {
        "sentences": len(texts),
        "model": args.model,
        "weights": weights_fingerprint(args.model),
        "machine": machine_line(),
        "native_bfloat16": native_bfloat16(),
        "means": {
            precision: {
                name: {m: statistics.fmean(v) for m, v in metrics.items()}
                for name, metrics in by_method.items()
            }
            for precision, by_method in sums.items()
        },
    }
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(run, indent=2))
    publish(run, write=args.sentences == DEFAULT_SENTENCES, name=args.section)


def publish(run: dict[str, Any], write: bool, name: str = "explain-faithfulness") -> None:
    """Print the section; write it into bench/RESULTS.md for a full run only."""
    body = section(run)
    print(body)
    if write:
        write_section(name, body)


def section(run: dict[str, Any]) -> str:
    fractions = [f"{f:.0%}" for f in FRACTIONS]
    lines = [
        "## Word attributions: faithfulness (`bench/faithfulness.py"
        + (f" --model {run['model']}" if "model" in run else "")
        + "`)",
        "",
        f"{run['machine']}; {run['weights']}; native bfloat16: {run['native_bfloat16']}",
        "",
        f"ERASER on the first {run['sentences']} rows of `validation.tsv` with at least "
        f"{MIN_WORDS} words: delete (comprehensiveness, higher is better) or keep alone "
        "(sufficiency, lower is better) the top 10/20/50 % of words by attribution for the "
        "predicted label; the change in its probability. Target for the default: "
        "comprehensiveness at 20 % at least 0.30 and at least 3x random. Each serving (the "
        f"`precision` setting, `{DEFAULT_PRECISION}` by default) is scored against its own "
        "verdicts. Every method runs the float32 weights (occlusion in bfloat16 where the "
        "processor has it, unless it says float32); an int8 copy only gives the verdicts.",
    ]
    servings = sorted(run["means"], key=lambda p: p != DEFAULT_PRECISION)  # the default first
    for precision in servings:
        means = run["means"][precision]
        random_comp = means["random"]["comprehensiveness@20%"]
        lines += [
            "",
            f"Served in {precision}"
            + (" (the default)" if precision == DEFAULT_PRECISION else "")
            + ":",
            "",
            "| method | "
            + " | ".join(f"comp. {f}" for f in fractions)
            + " | "
            + " | ".join(f"suff. {f}" for f in fractions)
            + " | comp. 20 % / random | meets the target |",
            "|:--|" + "--:|" * (2 * len(fractions) + 1) + ":-:|",
        ]
        for name in [n for n in means if n not in BASELINES] + list(BASELINES):
            metrics = means[name]
            comp = [metrics[f"comprehensiveness@{f}"] for f in fractions]
            suff = [metrics[f"sufficiency@{f}"] for f in fractions]
            ratio = metrics["comprehensiveness@20%"] / random_comp if random_comp > 0 else math.nan
            meets = metrics["comprehensiveness@20%"] >= 0.30 and ratio >= 3
            verdict = "" if name in BASELINES else ("yes" if meets else "**no**")
            cells = [f"{v:.3f}" for v in comp + suff]
            lines.append(f"| {name} | " + " | ".join(cells) + f" | {ratio:.1f}x | {verdict} |")
    return "\n".join(lines) + "\n"


def weights_fingerprint(model: str) -> str:
    """Which embedded weights were measured: the lead retrains them now and then."""
    if model == "embedded-sst2":
        data = (SST2_WEIGHTS_DIR / "adapter_model.safetensors").read_bytes()
        return f"{model} adapter sha256 {hashlib.sha256(data).hexdigest()[:12]}"
    data = (WEIGHTS_DIR / "model.safetensors").read_bytes()
    return f"{model} weights sha256 {hashlib.sha256(data).hexdigest()[:12]}"


if __name__ == "__main__":
    main()
