"""Load: many open documents and a steady stream of edits, over real stdio, with the real model.

50 Markdown documents are opened and analysed; then edits arrive at a fixed rate (20 per
second by default, each on a random document: typing a word, deleting, replacing a sentence,
adding a paragraph) while a hover is asked every second. At the end every document must carry
the diagnostics a fresh copy of its final text gets, and the server must still be running.

Edit latency: from sending version v of a document to the first publishDiagnostics for that
document at version v or later (a version overtaken by the next edit is served by that edit's
diagnostics, which is what the user sees). It includes the `debounceMs` wait (default 300).
Peak memory is the server's VmHWM from /proc.

    .venv/bin/python bench/load.py [--seconds 60] [--documents 50] [--rate 20] [--no-write]

tests/e2e/test_load.py runs a 10-second version and asserts correctness and liveness only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results import percentile

SENTENCES = [
    "The new release makes syncing noticeably faster.",
    "Unfortunately, the importer still crashes on large files.",
    "Our documentation team rewrote the getting-started guide.",
    "Customers told us the old settings page was confusing and frustrating.",
    "We are delighted with how the community responded.",
    "The migration was a miserable, exhausting failure.",
    "Support answered every ticket within the hour.",
    "Nobody enjoyed the endless meetings about the roadmap.",
    "The café on the corner serves a lovely breakfast 😀.",
    "Sadly the build broke again overnight.",
    "This is the best keyboard I have ever used.",
    "The report was late, incomplete and full of errors.",
]
WORDS = ["really", "quite", "terribly", "wonderfully", "new", "old", "very", "slightly", "é"]
_BREAK = re.compile(r"\r\n|\r|\n")


def make_document(rng: random.Random, index: int, sentences: int = 12) -> str:
    paragraphs = []
    for start in range(0, sentences, 4):
        chosen = [rng.choice(SENTENCES) for _ in range(min(4, sentences - start))]
        paragraphs.append(" ".join(chosen))
    return f"# Document {index}\n\n" + "\n\n".join(paragraphs) + "\n"


def position_of(text: str, offset: int) -> types.Position:
    """LSP position (UTF-16) of a code-point offset, from the specification's line rules."""
    line_start = 0
    line = 0
    for found in _BREAK.finditer(text, 0, offset):
        if found.end() > offset:
            break
        line += 1
        line_start = found.end()
    units = len(text[line_start:offset].encode("utf-16-le")) // 2
    return types.Position(line=line, character=units)


def random_edit(rng: random.Random, text: str) -> tuple[int, int, str]:
    """(start, end, new text) of an edit a writer might make."""
    kind = rng.random()
    if kind < 0.5:  # type a word somewhere
        at = rng.randrange(len(text) + 1)
        return at, at, rng.choice(WORDS) + " "
    if kind < 0.7 and len(text) > 40:  # delete a few characters
        at = rng.randrange(len(text) - 10)
        return at, at + rng.randint(1, 10), ""
    if kind < 0.9:  # replace a sentence
        present = [s for s in SENTENCES if s in text]
        if present:
            old = rng.choice(present)
            at = text.index(old)
            return at, at + len(old), rng.choice(SENTENCES)
    at = len(text)  # a new paragraph at the end
    return at, at, f"\n{rng.choice(SENTENCES)} {rng.choice(SENTENCES)}\n"


def memory_mb(pid: int, field_name: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field_name}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class LoadResult:
    documents: int
    seconds: float
    edits: int
    warmup_s: float
    edit_latencies: list[float] = field(default_factory=list)
    hover_latencies: list[float] = field(default_factory=list)
    unpublished: int = 0  # versions never followed by diagnostics
    mismatched: list[str] = field(default_factory=list)  # documents whose diagnostics are wrong
    alive: bool = True
    peak_rss_mb: float = float("nan")
    rss_samples_mb: list[float] = field(default_factory=list)
    settle_s: float = 0.0
    stderr_tail: list[str] = field(default_factory=list)

    def table(self) -> str:
        lat = self.edit_latencies
        hov = self.hover_latencies
        rss = self.rss_samples_mb
        return (
            "| documents | load s | edits | edits/s | edit latency p50 / p95 / max ms "
            "| hover p50 / p95 ms | peak RSS (VmHWM) MB | RSS first / last s MB "
            "| unpublished versions | documents wrong | server alive |\n"
            "|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|:-:|\n"
            f"| {self.documents} | {self.seconds:.0f} | {self.edits} | "
            f"{self.edits / self.seconds:.1f} | "
            f"{percentile(lat, 0.5) * 1000:.0f} / {percentile(lat, 0.95) * 1000:.0f} / "
            f"{max(lat, default=float('nan')) * 1000:.0f} | "
            f"{percentile(hov, 0.5) * 1000:.0f} / {percentile(hov, 0.95) * 1000:.0f} | "
            f"{self.peak_rss_mb:.0f} | {rss[0] if rss else float('nan'):.0f} / "
            f"{rss[-1] if rss else float('nan'):.0f} | {self.unpublished} | "
            f"{len(self.mismatched)} | {'yes' if self.alive else 'NO'} |"
        )


def _key(diagnostics: Sequence[types.Diagnostic]) -> list[tuple[object, ...]]:
    return sorted(
        (
            d.range.start.line,
            d.range.start.character,
            d.range.end.line,
            d.range.end.character,
            d.message,
            d.code,
        )
        for d in diagnostics
    )


async def run_load(
    seconds: float = 60.0,
    documents: int = 50,
    rate: float = 20.0,
    seed: int = 7,
    settle_timeout: float = 180.0,
    options: dict[str, object] | None = None,
) -> LoadResult:
    rng = random.Random(seed)
    client = LanguageClient("sentiment-ls-load", "1")
    latest: dict[str, tuple[int, list[types.Diagnostic]]] = {}
    pending: dict[str, dict[int, float]] = {}  # uri -> version -> time sent
    latencies: list[float] = []
    published = asyncio.Event()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
        now = time.perf_counter()
        if params.version is None:
            return
        latest[params.uri] = (params.version, list(params.diagnostics))
        waiting = pending.get(params.uri, {})
        for version in [v for v in waiting if v <= params.version]:
            latencies.append(now - waiting.pop(version))
        published.set()

    @client.feature(types.WINDOW_LOG_MESSAGE)
    def on_log(params: types.LogMessageParams) -> None:
        pass  # the model-ready line and the like; showMessage is what users see

    @client.feature(types.WINDOW_SHOW_MESSAGE)
    def on_message(params: types.ShowMessageParams) -> None:
        print(f"server says: {params.message}", file=sys.stderr)

    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    await client.start_io(sys.executable, "-m", "sentiment_ls", env=env)
    server = client._server
    assert server is not None and server.stderr is not None
    stderr_tail: list[str] = []

    async def drain_stderr() -> None:
        # An undrained pipe would block the server once 64 KB of log piled up.
        assert server.stderr is not None
        while line := await server.stderr.readline():
            stderr_tail.append(line.decode(errors="replace").rstrip())
            del stderr_tail[:-30]

    drain = asyncio.ensure_future(drain_stderr())
    await client.initialize_async(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(), initialization_options=options or {}
        )
    )
    client.initialized(types.InitializedParams())

    texts: dict[str, str] = {}
    versions: dict[str, int] = {}
    started = time.perf_counter()
    for index in range(documents):
        uri = f"file:///load/doc-{index}.md"
        texts[uri], versions[uri] = make_document(rng, index), 1
        pending[uri] = {1: time.perf_counter()}
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "markdown", 1, texts[uri]))
        )

    async def all_published(timeout: float) -> bool:
        deadline = time.perf_counter() + timeout
        while any(pending.values()):
            if time.perf_counter() > deadline or server.returncode is not None:
                return False
            published.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(published.wait(), 1.0)
        return True

    await all_published(settle_timeout)
    warmup = time.perf_counter() - started
    latencies.clear()  # opening is not editing

    hover_latencies: list[float] = []
    rss: list[float] = []
    edits = 0
    load_start = time.perf_counter()
    next_hover = load_start + 1.0
    uris = list(texts)
    while (now := time.perf_counter()) < load_start + seconds and server.returncode is None:
        due = load_start + edits / rate
        if now < due:
            await asyncio.sleep(due - now)
        uri = rng.choice(uris)
        text = texts[uri]
        start, end, new = random_edit(rng, text)
        versions[uri] += 1
        version = versions[uri]
        params = types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(position_of(text, start), position_of(text, end)), text=new
                )
            ],
        )
        texts[uri] = text[:start] + new + text[end:]
        pending[uri][version] = time.perf_counter()
        client.text_document_did_change(params)
        edits += 1
        if time.perf_counter() >= next_hover:
            next_hover += 1.0
            rss.append(memory_mb(server.pid, "VmRSS"))
            target = rng.choice(uris)
            sent = time.perf_counter()
            await client.text_document_hover_async(
                types.HoverParams(types.TextDocumentIdentifier(target), types.Position(2, 5))
            )
            hover_latencies.append(time.perf_counter() - sent)
    load_seconds = time.perf_counter() - load_start

    settle_start = time.perf_counter()
    await all_published(settle_timeout)
    settle = time.perf_counter() - settle_start
    result = LoadResult(documents, load_seconds, edits, warmup, list(latencies), hover_latencies)
    result.settle_s = settle
    result.unpublished = sum(len(v) for v in pending.values())
    result.alive = server.returncode is None
    if result.alive:
        result.peak_rss_mb = memory_mb(server.pid, "VmHWM")
        rss.append(memory_mb(server.pid, "VmRSS"))
        # Correct at the end: the same diagnostics as a fresh copy of the final text.
        for uri, text in texts.items():
            fresh = uri.replace("/load/", "/fresh/")
            pending[fresh] = {1: time.perf_counter()}
            client.text_document_did_open(
                types.DidOpenTextDocumentParams(types.TextDocumentItem(fresh, "markdown", 1, text))
            )
        await all_published(settle_timeout)
        for uri in texts:
            fresh = uri.replace("/load/", "/fresh/")
            edited = latest.get(uri)
            if edited is None or edited[0] != versions[uri]:
                result.mismatched.append(f"{uri}: last publish {edited and edited[0]}")
            elif fresh not in latest or _key(edited[1]) != _key(latest[fresh][1]):
                result.mismatched.append(f"{uri}: differs from a fresh copy")
        await client.shutdown_async(None)
        client.exit(None)
    result.rss_samples_mb = rss
    result.stderr_tail = list(stderr_tail)
    await client.stop()
    drain.cancel()
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--documents", type=int, default=50)
    parser.add_argument("--rate", type=float, default=20.0, help="edits per second")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runtime", default="auto", choices=["auto", "onnxruntime", "torch"])
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    args = parser.parse_args(argv)
    options = {"runtime": args.runtime}
    result = asyncio.run(
        run_load(args.seconds, args.documents, args.rate, args.seed, options=options)
    )
    table = result.table()
    samples = result.rss_samples_mb
    every_10_s = " ".join(f"{mb:.0f}" for mb in samples[9::10])
    table += f"\n\nServer RSS every 10 s of load (MB): {every_10_s}."
    if samples:
        table += (
            f" Growth from the first sample after warm-up to the end: "
            f"{samples[-1] - samples[0]:+.0f} MB (target: at most +30 MB over 180 s)."
        )
    print(table)
    print(
        f"warm-up (open and analyse every document): {result.warmup_s:.1f} s; "
        f"settle after the last edit: {result.settle_s:.1f} s"
    )
    for problem in result.mismatched:
        print("WRONG:", problem)
    if not result.alive:
        print("server died; stderr:\n" + "\n".join(result.stderr_tail))
    if not args.no_write:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from results import machine_line, write_section

        write_section(
            "load",
            "## Load: 50 open documents, 20 edits per second, over stdio\n\n"
            f"`.venv/bin/python bench/load.py --seconds {args.seconds:g} --documents "
            f"{args.documents} --rate {args.rate:g} --runtime {args.runtime}`; default "
            "settings otherwise (debounceMs 300), so "
            "edit latency includes the 300 ms debounce. Latency: from sending a version to "
            "the first diagnostics for it or a later version of that document.\n\n"
            f"{table}\n\nWarm-up (open and analyse all documents): {result.warmup_s:.1f} s; "
            f"settle after the last edit: {result.settle_s:.1f} s. Every document's final "
            "diagnostics compared with a fresh copy of its text: "
            f"{len(result.mismatched)} differ.\n\n{machine_line()}",
        )
    ok = result.alive and not result.mismatched and result.unpublished == 0
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
