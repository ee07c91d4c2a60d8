"""Issue 19: the team service on Ray Serve against the local runtime, in the same run.

The service (`sentiment_ls.serve`, one CPU and one onnxruntime thread per replica) at 1 and
2 replicas, with 1, 8 and 32 concurrent clients over loopback; each client is the remote
runtime's client (`ServiceClient`, urllib, one padded request per chunk of 32 sentences, as
the server's analysis sends a chunk). Beside it, the local runtime on the same chunks in one
thread (the editor's forward stage: rows batched by exact length, one onnxruntime thread).
Sentences/s over the whole run; p50/p95 per request (per chunk locally). Then the sizing
estimate for 1,000,000 sentences a minute, from these numbers.

    .venv/bin/python bench/team_service.py [--seconds 15] [--chunk 32]
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results import machine_line, percentile, write_section

from sentiment_ls.analysis.forward import forward
from sentiment_ls.analysis.model_loading import load_model
from sentiment_ls.analysis.preprocess import encode
from sentiment_ls.training.data import read_labelled_tsv

VALIDATION = Path(__file__).resolve().parents[2] / "shared" / "data" / "sst2" / "validation.tsv"
TARGET_PER_MINUTE = 1_000_000


def chunks_of(size: int) -> list[list[list[int]]]:
    loaded = load_model("embedded", "cpu", runtime="onnxruntime")
    texts = [text for text, _ in read_labelled_tsv(VALIDATION)]
    rows = [list(encode(loaded.tokenizer, t).windows[0]) for t in texts]
    return [rows[i : i + size] for i in range(0, len(rows) - size + 1, size)]


def measure(call, chunks: list[list[list[int]]], clients: int, seconds: float) -> dict[str, float]:  # type: ignore[no-untyped-def]
    latencies: list[float] = []
    done = [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client(offset: int) -> None:
        i = offset
        while time.perf_counter() < stop_at:
            chunk = chunks[i % len(chunks)]
            started = time.perf_counter()
            call(chunk)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                done[0] += len(chunk)
            i += clients

    began = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    return {
        "sentences_per_s": done[0] / wall,
        "p50_ms": 1000 * percentile(latencies, 0.5),
        "p95_ms": 1000 * percentile(latencies, 0.95),
        "requests": len(latencies),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--chunk", type=int, default=32)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    os.environ["SENTIMENT_LS_THREADS"] = "1"  # the local runtime as the service's replicas
    chunks = chunks_of(args.chunk)
    tokens = sum(len(r) for c in chunks for r in c) / sum(len(c) for c in chunks)
    results: list[tuple[str, int, dict[str, float]]] = []

    local = load_model("embedded", "cpu", runtime="onnxruntime")
    forward(local, chunks[0])  # warm
    results.append(
        (
            "local runtime (1 thread)",
            1,
            measure(lambda chunk: forward(local, chunk), chunks, 1, args.seconds),
        )
    )
    print(results[-1], flush=True)

    import ray
    from ray import serve

    from sentiment_ls.analysis.runtimes.remote import ServiceClient
    from sentiment_ls.analysis.spec import CHECK_TIMEOUT_S, ServiceSpec
    from sentiment_ls.serve.command import ServeOptions, deploy

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        for replicas in (1, 2):
            url = deploy(ServeOptions(port=args.port, replicas=replicas, cpus_per_replica=1.0))
            spec = ServiceSpec(url, timeout_s=CHECK_TIMEOUT_S)
            labels = len(local.id2label)
            client = ServiceClient(spec)  # urllib: a connection per request, thread-safe
            client.logits(chunks[0], labels)  # warm
            for clients in (1, 8, 32):
                found = measure(
                    lambda chunk, c=client, n=labels: c.logits(chunk, n),
                    chunks,
                    clients,
                    args.seconds,
                )
                results.append((f"service, {replicas} replica(s)", clients, found))
                print(results[-1], flush=True)
    finally:
        serve.shutdown()
        ray.shutdown()
    write_section("team-service", report(results, args, tokens))


def report(
    results: list[tuple[str, int, dict[str, float]]], args: argparse.Namespace, tokens: float
) -> str:
    lines = [
        "## Issue 19: team service on Ray",
        "",
        f"`.venv/bin/python bench/team_service.py --seconds {args.seconds:g}`: {machine_line()}. "
        f"SST-2 validation sentences ({tokens:.1f} tokens on average with specials), chunks of "
        f"{args.chunk} sentences (one request each); {args.seconds:g} s per row; clients, "
        "Ray's proxy and the replicas share the machine's 2 cores.",
        "",
        "| runs on | clients | sentences/s | p50 ms/request | p95 ms/request | requests |",
        "|:--|--:|--:|--:|--:|--:|",
    ]
    for name, clients, found in results:
        lines.append(
            f"| {name} | {clients} | {found['sentences_per_s']:.0f} | {found['p50_ms']:.1f} | "
            f"{found['p95_ms']:.1f} | {found['requests']:.0f} |"
        )
    local = results[0][2]
    one = max(f["sentences_per_s"] for n, _, f in results if n.startswith("service, 1"))
    two = max(f["sentences_per_s"] for n, _, f in results if n.startswith("service, 2"))
    single = next(f for n, c, f in results if n.startswith("service, 1") and c == 1)
    overhead = single["p50_ms"] - 1000 * args.chunk / local["sentences_per_s"]
    per_second = TARGET_PER_MINUTE / 60
    cores = per_second / local["sentences_per_s"]
    lines += [
        "",
        f"- Per core: the local runtime does {local['sentences_per_s']:.0f} sentences/s on one "
        f"thread; one replica (one core) at its best {one:.0f}; two replicas {two:.0f} "
        f"({two / one:.2f}x; the load generator and the proxy share the same 2 cores).",
        f"- Service overhead per request (1 client, 1 replica): {overhead:.1f} ms over the "
        f"local forward of the same {args.chunk} sentences (HTTP, JSON, proxy, batching).",
        f"- 1,000,000 sentences a minute is {per_second:.0f} sentences/s: at the measured "
        f"{local['sentences_per_s']:.0f} sentences/s per replica core that is "
        f"{cores:.0f} replica cores; with requests of {args.chunk} sentences "
        f"{per_second / args.chunk:.0f} requests/s, within a few proxies (one per node, a few "
        "hundred requests/s each).",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
