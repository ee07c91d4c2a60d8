"""Issue 19: the team service on Ray Serve against the local runtime, in the same run.

The service (`sentiment_ls.serve`, one CPU and one onnxruntime thread per replica) at 1 and
2 replicas, with 1, 8 and 32 concurrent clients over loopback; each client is the remote
runtime's client (`ServiceClient`, urllib, one padded request per chunk of 32 sentences, as
the server's analysis sends a chunk). Beside it, the local runtime on the same chunks in one
thread (the editor's forward stage: rows batched by exact length, one onnxruntime thread).
Sentences/s over the whole run; p50/p95 per request (per chunk locally).

The machine is shared (2 cores, other jobs), so wall-clock rates move with its load. The
CPU time each role spends per sentence does not move much: the replicas' processes, Ray's
HTTP proxy, and the client (this process) are each measured with psutil, and the sizing for
1,000,000 sentences a minute is computed from those costs, then checked against the
1- and 2-replica rates.

    .venv/bin/python bench/team_service.py [--seconds 15] [--chunk 32]
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results import machine_line, percentile, write_section

from sentiment_ls.analysis.forward import forward
from sentiment_ls.analysis.model_loading import load_model
from sentiment_ls.analysis.preprocess import encode
from sentiment_ls.analysis.request import LoadRequest
from sentiment_ls.training.data import read_labelled_tsv

VALIDATION = Path(__file__).resolve().parents[2] / "shared" / "data" / "sst2" / "validation.tsv"
TARGET_PER_MINUTE = 1_000_000
ROLES = {"replica": "ServeReplica:sentiment-ls", "proxy": "ProxyActor"}

Rows = list[list[int]]
Result = dict[str, float]


def chunks_of(size: int) -> list[Rows]:
    loaded = load_model(LoadRequest(model="embedded", device="cpu", runtime="onnxruntime"))
    texts = [e.text for e in read_labelled_tsv(VALIDATION)]
    rows = [list(encode(loaded.tokenizer, t).windows[0]) for t in texts]
    return [rows[i : i + size] for i in range(0, len(rows) - size + 1, size)]


def role_cpu() -> dict[str, float]:
    """CPU seconds so far of the service's processes, by role, and of this process."""
    found = {role: 0.0 for role in ROLES} | {"client": time.process_time()}
    for process in psutil.process_iter(["cmdline", "cpu_times"]):
        line = " ".join(process.info["cmdline"] or [])
        for role, needle in ROLES.items():
            if needle in line and process.info["cpu_times"] is not None:
                times = process.info["cpu_times"]
                found[role] += times.user + times.system
    return found


def measure(
    call: Callable[[Rows], object], chunks: list[Rows], clients: int, seconds: float
) -> Result:
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

    cpu_before = role_cpu()
    began = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    cpu_after = role_cpu()
    result = {
        "sentences_per_s": done[0] / wall,
        "p50_ms": 1000 * percentile(latencies, 0.5),
        "p95_ms": 1000 * percentile(latencies, 0.95),
        "requests": len(latencies),
        "sentences": done[0],
    }
    for role, before in cpu_before.items():
        result[f"{role}_ms"] = 1000 * (cpu_after[role] - before) / max(1, done[0])
    return result


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
    results: list[tuple[str, int, Result]] = []

    local = load_model(LoadRequest(model="embedded", device="cpu", runtime="onnxruntime"))
    forward(local, chunks[0])  # warm
    found = measure(lambda chunk: forward(local, chunk), chunks, 1, args.seconds)
    results.append(("local runtime (1 thread)", 1, found))
    print(results[-1], flush=True)

    import ray
    from ray import serve

    from sentiment_ls.analysis.request import CHECK_TIMEOUT_S, TeamService
    from sentiment_ls.analysis.runtimes.remote import ServiceClient
    from sentiment_ls.serve.command import ServeOptions, deploy

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        for replicas in (1, 2):
            url = deploy(ServeOptions(port=args.port, replicas=replicas, cpus_per_replica=1.0))
            client = ServiceClient(TeamService(url, timeout_s=CHECK_TIMEOUT_S))
            labels = len(local.id2label)
            client.logits(chunks[0], labels)  # warm

            def call(chunk: Rows, client: ServiceClient = client, labels: int = labels) -> object:
                return client.logits(chunk, labels)

            for clients in (1, 8, 32):
                found = measure(call, chunks, clients, args.seconds)
                results.append((f"service, {replicas} replica(s)", clients, found))
                print(results[-1], flush=True)
    finally:
        serve.shutdown()
        ray.shutdown()
    write_section("team-service", report(results, args, tokens))


def report(results: list[tuple[str, int, Result]], args: argparse.Namespace, tokens: float) -> str:
    lines = [
        "## Issue 19: team service on Ray",
        "",
        f"`.venv/bin/python bench/team_service.py --seconds {args.seconds:g}`: {machine_line()}; "
        f"load average {os.getloadavg()[0]:.1f} at the end (a training job and other "
        f"benchmarks shared the 2 cores). SST-2 validation sentences ({tokens:.1f} tokens on "
        f"average with specials), chunks of {args.chunk} sentences (one request each), "
        f"{args.seconds:g} s per row; the clients, Ray's proxy and the replicas share the cores. "
        "CPU ms per sentence: what each role's processes spent (psutil), over the sentences done.",
        "",
        "| runs on | clients | sentences/s | p50 ms/request | p95 ms/request | "
        "CPU ms/sentence: model process | proxy | client |",
        "|:--|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for name, clients, found in results:
        model = found["client_ms"] if name.startswith("local") else found["replica_ms"]
        proxy = "" if name.startswith("local") else f"{found['proxy_ms']:.2f}"
        client = "" if name.startswith("local") else f"{found['client_ms']:.2f}"
        lines.append(
            f"| {name} | {clients} | {found['sentences_per_s']:.0f} | {found['p50_ms']:.1f} | "
            f"{found['p95_ms']:.1f} | {model:.2f} | {proxy} | {client} |"
        )
    local = results[0][2]
    service = [f for n, _, f in results if n.startswith("service")]
    replica_ms = sorted(f["replica_ms"] for f in service)[len(service) // 2]
    proxy_ms = sorted(f["proxy_ms"] for f in service)[len(service) // 2]
    client_ms = sorted(f["client_ms"] for f in service)[len(service) // 2]
    per_second = TARGET_PER_MINUTE / 60
    replica_cores = per_second * replica_ms / 1000
    proxy_cores = per_second * proxy_ms / 1000
    total = replica_cores + proxy_cores
    best = {
        r: max(f["sentences_per_s"] for n, _, f in results if n.startswith(f"service, {r}"))
        for r in (1, 2)
    }
    best_one = max(
        (f for n, _, f in results if n.startswith("service, 1")), key=lambda f: f["sentences_per_s"]
    )
    # Two cores shared by replicas, proxy and client: the most this machine can do.
    predicted_two = 2000 / (replica_ms + proxy_ms + client_ms)
    predicted_one = min(1000 / replica_ms, predicted_two)
    lines += [
        "",
        f"- CPU cost per sentence (medians over the service rows): the replica {replica_ms:.2f} "
        f"ms (the model, onnxruntime on one thread, plus HTTP and JSON in the replica), "
        f"Ray's proxy {proxy_ms:.2f} ms, the client {client_ms:.2f} ms (JSON); the local "
        f"runtime {local['client_ms']:.2f} ms. The service's overhead is thus "
        f"{replica_ms + proxy_ms - local['client_ms']:.2f} ms of server CPU per sentence "
        f"({(replica_ms + proxy_ms) / local['client_ms']:.2f}x the model alone), at "
        f"{args.chunk} sentences a request.",
        f"- **Sizing for 1,000,000 sentences a minute** ({per_second:.0f} sentences/s): "
        f"{replica_cores:.0f} replica cores and {proxy_cores:.0f} proxy cores, "
        f"{total:.0f} cores busy in all; {total / 0.7:.0f} cores to run them at 70%, "
        f"{per_second / args.chunk:.0f} requests/s; e.g. {math.ceil(total / 0.7 / 16)} nodes "
        "of 16 cores, one proxy per node. "
        "The clients' JSON is their own CPU, not the cluster's.",
        f"- Checked against this machine: from the median costs, one replica (one core) "
        f"would do about {predicted_one:.0f} sentences/s and two about {predicted_two:.0f} if "
        f"the 2 cores were the service's alone; measured at best {best[1]:.0f} (with 32 "
        f"clients more requests merge into a batch, and the replica's cost fell to "
        f"{best_one['replica_ms']:.2f} ms) and {best[2]:.0f}. The second replica added "
        f"{100 * (best[2] / best[1] - 1):.0f}%, not the {100 * (predicted_two / best[1] - 1):.0f}% "
        "the costs allow: the other jobs on the machine (load average above) took the rest. "
        "The wall-clock rates here are lower bounds; the sizing rests on the CPU costs, which "
        "a busy machine moves far less.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
