"""CPU speed of the embedded model against a DistilBERT-sized model, measured the same way.

Throughput on the SST-2 validation file (the engine: batches of up to 32 rows of one length
under inference_mode), per-batch latency, and single-sentence latency (median and p95), on
the torch runtime (bench/serving.py compares the runtimes). The
DistilBERT-sized peer is built from `DistilBertConfig()` (6 layers, 768 wide, 66 M
parameters) with random weights: its speed, not its accuracy, is the point.

    .venv/bin/python bench/model_speed.py [--sentences N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results import machine_line, percentile, write_section

from sentiment_ls.analysis.engine import SentimentEngine
from sentiment_ls.analysis.forward import forward
from sentiment_ls.analysis.loaded_model import LoadedModel
from sentiment_ls.analysis.model_loading import load_model
from sentiment_ls.analysis.preprocess import encode
from sentiment_ls.analysis.request import LoadRequest
from sentiment_ls.analysis.runtimes.torch_runtime import (
    TorchModel,
    TorchRuntime,
    configure_threads,
)
from sentiment_ls.training.data import read_labelled_tsv

VALIDATION = Path(__file__).resolve().parents[2] / "shared" / "data" / "sst2" / "validation.tsv"


def distilbert_sized(like: LoadedModel) -> LoadedModel:
    from transformers import AutoModelForSequenceClassification, DistilBertConfig

    config = DistilBertConfig(
        num_labels=2, id2label=like.id2label, label2id={v: k for k, v in like.id2label.items()}
    )
    model = AutoModelForSequenceClassification.from_config(config).eval()
    served = TorchModel(model, torch.device("cpu"))
    return LoadedModel(
        "distilbert-sized (random weights)",
        like.tokenizer,
        TorchRuntime(served),
        like.id2label,
        512,
        None,
        like.pad_id,
        _torch={"model": served},
    )


def measure(loaded: LoadedModel, texts: list[str], singles: int) -> dict[str, float]:
    model = loaded.torch_model("the parameter count").model
    parameters = sum(p.numel() for p in model.parameters()) / 1e6
    engine = SentimentEngine(loaded)
    engine.analyze(texts[:64])  # warm up
    engine = SentimentEngine(loaded)
    started = time.perf_counter()
    engine.analyze(texts)
    throughput = len(texts) / (time.perf_counter() - started)
    rows = [encode(loaded.tokenizer, t).windows[0] for t in texts]
    batch_times = []
    for start in range(0, 32 * 20, 32):
        began = time.perf_counter()
        forward(loaded, rows[start : start + 32])
        batch_times.append((time.perf_counter() - began) * 1000)
    single_times = []
    for row in rows[:singles]:
        began = time.perf_counter()
        forward(loaded, [row])
        single_times.append((time.perf_counter() - began) * 1000)
    return {
        "parameters_m": parameters,
        "throughput": throughput,
        "batch_median": statistics.median(batch_times),
        "batch_p95": percentile(batch_times, 0.95),
        "single_median": statistics.median(single_times),
        "single_p95": percentile(single_times, 0.95),
        "mean_tokens": statistics.mean(len(r) for r in rows[:singles]),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sentences", type=int, default=0, help="0: the whole file")
    parser.add_argument("--singles", type=int, default=200)
    args = parser.parse_args()
    configure_threads()
    texts = [e.text for e in read_labelled_tsv(VALIDATION)]
    if args.sentences:
        texts = texts[: args.sentences]
    embedded = load_model(LoadRequest(model="embedded", device="cpu", runtime="torch"))
    rows = [
        ("embedded (MiniLM-L6 + LoRA)", measure(embedded, texts, args.singles)),
        ("DistilBERT-sized", measure(distilbert_sized(embedded), texts, args.singles)),
    ]
    table = [
        "| model | parameters (M) | sentences/s | batch of 32 median ms | p95 ms "
        "| one sentence median ms | p95 ms |",
        "|:--|--:|--:|--:|--:|--:|--:|",
    ]
    for name, r in rows:
        table.append(
            f"| {name} | {r['parameters_m']:.1f} | {r['throughput']:.0f} | {r['batch_median']:.1f} "
            f"| {r['batch_p95']:.1f} | {r['single_median']:.1f} | {r['single_p95']:.1f} |"
        )
    ratio = rows[0][1]["throughput"] / rows[1][1]["throughput"]
    body = "\n".join(
        [
            "## Embedded model speed (`bench/model_speed.py`)",
            "",
            machine_line(),
            "",
            f"{len(texts)} sentences of `validation.tsv` (SST-2 phrases, "
            f"{rows[0][1]['mean_tokens']:.1f} tokens on average with specials); single-sentence "
            f"latency over the first {args.singles}; batch latency over 20 batches of 32.",
            "",
            *table,
            "",
            f"Throughput ratio, embedded / DistilBERT-sized: **{ratio:.2f}x**.",
        ]
    )
    print(body)
    write_section("model-speed", body)


if __name__ == "__main__":
    main()
