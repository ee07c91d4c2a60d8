"""Issue 25: the team service running the teacher, beside the embedded model, in one run.

`sentiment-ls serve --model FOLDER` with the teacher (MPNet-base, 109 M parameters, an ONNX
export in the folder) at 1 and 2 replicas (one CPU and one onnxruntime thread each), sent
text (the teacher's tokenizer is not the embedded model's, so the remote runtime sends the
sentences as an OIP v2 BYTES input); beside it, in the same run, the embedded model on the
local runtime (one thread) and through the service at one replica (input ids). The
sentences are the two dev splits' (real documentation and issue-thread prose), in requests of
32 as the editor's analysis sends a chunk. Rates, latencies and the CPU each role spends per
sentence are measured as `bench/team_service.py` measures them (psutil by process role), and
the cluster for 1,000,000 sentences a minute is sized from the teacher replica's cost.

Then what a team gains: the dev splits analysed through the product's own engine with the
teacher answering from the service (`LoadRequest.team_service`, `require`), against the
embedded model answering locally, both at the user's default settings (the flag rule is the
editor's; the service changes the model, not the threshold). The dev splits chose both
models' checkpoints and calibration, and the default threshold (on the embedded model).

    .venv/bin/python bench/team_teacher.py --model runs/teacher/model [--seconds 10]
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.behaviour, for tone
from results import machine_line, write_section
from team_service import Result, measure
from tone import DATA_DIR, Row, Scores, dev_split, fmt, scores

from sentiment_ls.analysis.engine import SentenceAnalysis, SentimentEngine
from sentiment_ls.analysis.forward import forward
from sentiment_ls.analysis.labels import negative_labels
from sentiment_ls.analysis.model_loading import load_model
from sentiment_ls.analysis.preprocess import encode
from sentiment_ls.analysis.request import CHECK_TIMEOUT_S, LoadRequest, TeamService
from sentiment_ls.rules import rule_for
from sentiment_ls.settings import Settings
from sentiment_ls.training.evaluate import average_precision

T = TypeVar("T")
TARGET_PER_MINUTE = 1_000_000
CHUNK = 32
DEV = {"docs dev": "tone/docs/dev.tsv", "issues dev": "tone/issues/dev.tsv"}


def chunked(items: Sequence[T], size: int = CHUNK) -> list[list[T]]:
    return [list(items[i : i + size]) for i in range(0, len(items) - size + 1, size)]


def negative_ap(rows: list[Row], analyses: list[SentenceAnalysis]) -> float:
    labels = list(analyses[0].prediction.probabilities)
    negative = negative_labels(labels)[0]
    found = [a.prediction.probabilities[negative] for a in analyses]
    return average_precision(found, [r.label == "negative" for r in rows])


def accuracy(
    engine: SentimentEngine, splits: dict[str, list[Row]]
) -> dict[str, tuple[float, Scores]]:
    rule, _ = rule_for(Settings(), engine.loaded.labels)
    found = {}
    for name, rows in splits.items():
        analyses = engine.analyze([r.text for r in rows])
        found[name] = (negative_ap(rows, analyses), scores(rows, analyses, rule))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--model", required=True, help="the teacher's folder (with its ONNX)")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--data-dir", default=str(DATA_DIR), help="default: %(default)s")
    args = parser.parse_args()
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    os.environ["SENTIMENT_LS_THREADS"] = "1"  # the local runtime as the service's replicas
    splits = {name: dev_split(Path(args.data_dir), path) for name, path in DEV.items()}
    texts = [r.text for rows in splits.values() for r in rows]
    local = load_model(LoadRequest(model="embedded", device="cpu", runtime="onnxruntime"))
    id_chunks = chunked([list(encode(local.tokenizer, t).windows[0]) for t in texts])
    text_chunks = chunked(texts)
    labels = len(local.id2label)
    results: list[tuple[str, int, Result]] = []

    forward(local, id_chunks[0])  # warm
    results.append(
        (
            "embedded, local runtime",
            1,
            measure(lambda c: forward(local, c), id_chunks, 1, args.seconds),
        )
    )
    print(results[-1], flush=True)
    student = accuracy(SentimentEngine(local), splits)

    import ray
    from ray import serve

    from sentiment_ls.analysis.runtimes.remote import ServiceClient
    from sentiment_ls.serve.command import ServeOptions, deploy

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    teacher: dict[str, tuple[float, Scores]] = {}
    try:
        plans: list[tuple[str, str, int, tuple[int, ...]]] = [
            ("embedded", "embedded", 1, (1, 8)),
            ("teacher", args.model, 1, (1, 8, 32)),
            ("teacher", args.model, 2, (1, 8, 32)),
        ]
        for name, model, replicas, clients_each in plans:
            options = ServeOptions(port=args.port, replicas=replicas, args={"model": model})
            url = deploy(options)
            client = ServiceClient(TeamService(url, timeout_s=CHECK_TIMEOUT_S))
            by_text = name == "teacher"

            def call(
                chunk: list[Any], client: ServiceClient = client, text: bool = by_text
            ) -> object:
                if text:
                    return client.text_logits(chunk, labels)
                return client.logits(chunk, labels)

            chunks: list[list[Any]] = list(text_chunks) if by_text else list(id_chunks)
            call(chunks[0])  # warm
            for clients in clients_each:
                found = measure(call, chunks, clients, args.seconds)
                results.append((f"{name}, service, {replicas} replica(s)", clients, found))
                print(results[-1], flush=True)
            if by_text and replicas == 2:
                service = TeamService(url, mode="require", timeout_s=CHECK_TIMEOUT_S)
                remote = load_model(LoadRequest(model="embedded", team_service=service))
                teacher = accuracy(SentimentEngine(remote), splits)
            serve.delete("sentiment-ls")
    finally:
        serve.shutdown()
        ray.shutdown()
    tokens = sum(len(r) for c in id_chunks for r in c) / sum(len(c) for c in id_chunks)
    write_section("team-teacher", report(results, student, teacher, args, tokens, len(texts)))


def report(
    results: list[tuple[str, int, Result]],
    student: dict[str, tuple[float, Scores]],
    teacher: dict[str, tuple[float, Scores]],
    args: argparse.Namespace,
    tokens: float,
    sentences: int,
) -> str:
    lines = [
        "## Issue 25: the team service running the teacher",
        "",
        f"`.venv/bin/python bench/team_teacher.py --model {args.model} --seconds "
        f"{args.seconds:g}`: {machine_line()}; load average {os.getloadavg()[0]:.1f} at the "
        f"end. The dev splits' {sentences} sentences ({tokens:.1f} "
        f"embedded word pieces on average with specials), {CHUNK} sentences a request, "
        f"{args.seconds:g} s per row; clients, Ray's proxy and replicas share the 2 cores. "
        "CPU ms per sentence: what each role's processes spent (psutil), over the sentences "
        "done. The teacher's rows send text (its tokenizer reads it in the replica); the "
        "embedded rows send input ids.",
        "",
        "| model, runs on | clients | sentences/s | p50 ms/request | p95 ms/request | "
        "CPU ms/sentence: model process | proxy | client |",
        "|:--|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for name, clients, found in results:
        is_local = "local" in name
        model = found["client_ms"] if is_local else found["replica_ms"]
        proxy = "" if is_local else f"{found['proxy_ms']:.2f}"
        client = "" if is_local else f"{found['client_ms']:.2f}"
        lines.append(
            f"| {name} | {clients} | {found['sentences_per_s']:.0f} | {found['p50_ms']:.1f} | "
            f"{found['p95_ms']:.1f} | {model:.2f} | {proxy} | {client} |"
        )
    taught = [f for n, _, f in results if n.startswith("teacher")]
    embedded = [f for n, _, f in results if n.startswith("embedded, service")]
    replica_ms = sorted(f["replica_ms"] for f in taught)[len(taught) // 2]
    proxy_ms = sorted(f["proxy_ms"] for f in taught)[len(taught) // 2]
    embedded_ms = sorted(f["replica_ms"] for f in embedded)[len(embedded) // 2]
    per_second = TARGET_PER_MINUTE / 60
    busy = per_second * (replica_ms + proxy_ms) / 1000
    best = {
        r: max(
            f["sentences_per_s"] for n, _, f in results if n.startswith(f"teacher, service, {r}")
        )
        for r in (1, 2)
    }
    lines += [
        "",
        f"- The teacher's replica spends {replica_ms:.2f} CPU ms a sentence (median over its "
        f"rows; tokenizing the text included), {replica_ms / embedded_ms:.1f}x the embedded "
        f"model's replica ({embedded_ms:.2f} ms); Ray's proxy {proxy_ms:.2f} ms.",
        f"- **Sizing for 1,000,000 sentences a minute with the teacher** ({per_second:.0f} "
        f"sentences/s): {busy:.0f} cores busy (replicas and proxies), {busy / 0.7:.0f} to run "
        f"them at 70 %, e.g. {math.ceil(busy / 0.7 / 16)} nodes of 16 cores with one proxy "
        f"each; {per_second / CHUNK:.0f} requests/s of {CHUNK} sentences. The embedded model "
        f"would need {per_second * (embedded_ms + proxy_ms) / 1000 / 0.7:.0f} cores for the "
        "same rate.",
        f"- Measured here: the teacher at best {best[1]:.0f} sentences/s on one replica and "
        f"{best[2]:.0f} on two (the clients and the proxy share the same 2 cores).",
        "",
        "What a team gains, at the user's default settings (threshold "
        f"{Settings().threshold}); AP: the negative class's average precision:",
        "",
        "| dev split | model | negative AP | flag precision | flag recall | "
        "recall, clear negatives | neutral flagged |",
        "|:--|:--|--:|--:|--:|--:|--:|",
    ]
    for split in DEV:
        for name, measured in (
            ("teacher, through the service", teacher),
            ("embedded, local", student),
        ):
            if split not in measured:
                continue
            ap, s = measured[split]
            lines.append(
                f"| {split} | {name} | {ap:.3f} | {fmt(s.precision)} | {fmt(s.recall)} | "
                f"{fmt(s.recall_clear)} | {fmt(s.neutral_flagged)} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
