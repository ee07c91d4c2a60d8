"""What a word attribution costs: median and p95 milliseconds per sentence, per method, for
sentences of 10, 25 and 50 tokens (special tokens included), on the CPU with the server's
thread setting (all cores but one, so 1 torch thread on a 2-core machine).

Each length takes up to 20 rows of ../shared/data/sst2/validation.tsv (relative to the
repository root; the data is not copied) with exactly that many tokens; each sentence is
explained REPEATS times, uncached, after a warm-up. Run (a few minutes on 2 cores):
    .venv/bin/python bench/explain_cost.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import time
from dataclasses import replace
from pathlib import Path

import torch

from sentiment_ls.analysis.explain import MethodOptions, explain
from sentiment_ls.analysis.explain.occlusion import native_bfloat16
from sentiment_ls.analysis.model_loading import configure_threads, load_model
from sentiment_ls.analysis.preprocess import encode
from sentiment_ls.embedded import WEIGHTS_DIR

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared/data/sst2/validation.tsv"
LENGTHS = (10, 25, 50)
PER_LENGTH = 20
# The hover asks for words only; the analyze command and the CLI for words and tokens.
WORDS = MethodOptions(token_view=False)
CONFIGS: dict[str, tuple[str, MethodOptions]] = {
    "occlusion, words (hover)": ("occlusion", WORDS),
    "occlusion, words + tokens": ("occlusion", MethodOptions()),
    "occlusion float32, words": ("occlusion", replace(WORDS, reduced_precision=False)),
    "occlusion float32, words + tokens": ("occlusion", MethodOptions(reduced_precision=False)),
    "integrated-gradients (20 steps)": ("integrated-gradients", MethodOptions(steps=20)),
    "integrated-gradients (8 steps)": ("integrated-gradients", MethodOptions(steps=8)),
    "integrated-gradients (4 steps)": ("integrated-gradients", MethodOptions(steps=4)),
    "grad-x-input": ("grad-x-input", MethodOptions()),
}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    configure_threads()
    loaded = load_model("embedded", "cpu")
    tokenizer = loaded.tokenizer
    rows = [r.split("\t")[0].strip() for r in DATA.read_text(encoding="utf-8").splitlines()[1:]]
    by_length: dict[int, list[str]] = {n: [] for n in LENGTHS}
    for text in rows:
        n = len(tokenizer(text)["input_ids"])
        if n in by_length and len(by_length[n]) < PER_LENGTH:
            by_length[n].append(text)
    print(
        f"{weights_fingerprint()}; "
        f"torch {torch.__version__}, {torch.get_num_threads()} thread(s) on {os.cpu_count()} "
        f"cores, native bfloat16: {native_bfloat16()}, "
        f"load average before: {os.getloadavg()[0]:.2f}"
    )
    print("\n| method | " + " | ".join(f"{n} tokens: median / p95" for n in LENGTHS) + " |")
    print("|:--|" + "--:|" * len(LENGTHS))
    for name, (method, options) in CONFIGS.items():
        cells = []
        for n in LENGTHS:
            texts = by_length[n]
            cases = []
            for text in texts:
                encoding = encode(tokenizer, text, loaded.max_length)
                label = loaded.labels[0]  # the label explained does not change the cost
                cases.append((text, encoding, label))
            for text, encoding, label in cases[:3]:  # warm-up: allocator, kernels, imports
                explain(loaded, text, encoding, label, method, options)
            times = []
            for text, encoding, label in cases:
                for _ in range(args.repeats):
                    began = time.perf_counter()
                    explain(loaded, text, encoding, label, method, options)
                    times.append((time.perf_counter() - began) * 1000)
            cells.append(
                f"{statistics.median(times):.0f} / {percentile(times, 0.95):.0f} ms "
                f"({len(texts)} sentences)"
            )
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


def weights_fingerprint() -> str:
    """Which embedded weights were measured: the lead retrains them now and then."""
    data = (WEIGHTS_DIR / "adapter_model.safetensors").read_bytes()
    return f"embedded adapter sha256 {hashlib.sha256(data).hexdigest()[:12]}"


if __name__ == "__main__":
    main()
