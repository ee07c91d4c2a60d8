"""Serving speed and footprint, both runtimes side by side in one run on one machine
(issue 12's targets):

1. throughput on 2,000 prose sentences: `transformers.pipeline("text-classification")` on the
   exported model against the engine on each runtime, all warm, and `sentiment-ls check` on a
   2,000-sentence file as a user runs it (process start included);
2. per runtime, over real stdio: cold start (process start to the first diagnostics of a
   100-sentence document); 50 single-sentence edits of a 2,000-sentence Markdown document
   (didChange to the publishDiagnostics of that version, minus the debounce); hovers on any
   sentence while a second 2,000-sentence document is analysed, then on flagged sentences
   once their attributions were computed in the background; peak RSS (VmHWM) with both
   documents open;
3. `--version` and `--help`, process start to exit.

    .venv/bin/python bench/serving.py
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cold_start import document as cold_document
from cold_start import one_run as cold_run
from cold_start import peak_rss_mb
from results import machine_line, percentile, plain_arguments, write_section

from sentiment_ls.training.data import read_labelled_tsv
from sentiment_ls.training.mix import prose_variant

VALIDATION = Path(__file__).resolve().parents[2] / "shared" / "data" / "sst2" / "validation.tsv"
DEBOUNCE_MS = 300
RUNTIMES = ("onnxruntime", "torch")


def prose_sentences(count: int) -> list[str]:
    """SST-2 validation rows written as prose (detokenized, sentence-cased, full stop),
    the ones of six words or more, in file order; repeated with a suffix past the end."""
    rows = [prose_variant(e.text) for e in read_labelled_tsv(VALIDATION)]
    chosen = [r if r.endswith((".", "!", "?")) else r + "." for r in rows if len(r.split()) >= 6]
    result = list(chosen)
    copy = 1
    while len(result) < count:
        result += [f"{s[:-1]}, part {copy}{s[-1]}" for s in chosen]
        copy += 1
    return result[:count]


def throughput(sentences: list[str]) -> list[tuple[str, float]]:
    import transformers

    from sentiment_ls.analysis.engine import SentimentEngine
    from sentiment_ls.analysis.model_loading import load_model
    from sentiment_ls.analysis.request import LoadRequest
    from sentiment_ls.analysis.runtimes.torch_runtime import configure_threads
    from sentiment_ls.embedded.export import export_model

    configure_threads()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        export_model(folder)
        classifier = transformers.pipeline("text-classification", model=folder, device="cpu")
        classifier(sentences[:64])
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            classifier(sentences)
            timings.append(len(sentences) / (time.perf_counter() - started))
        results.append(("transformers.pipeline (defaults, fp32)", statistics.median(timings)))
    for runtime in RUNTIMES:
        loaded = load_model(LoadRequest(model="embedded", device="cpu", runtime=runtime))
        timings = []
        for _ in range(3):
            engine = SentimentEngine(loaded)  # an empty cache every run
            engine.analyze(sentences[:64])
            engine = SentimentEngine(loaded)
            started = time.perf_counter()
            engine.analyze(sentences)
            timings.append(len(sentences) / (time.perf_counter() - started))
        results.append((f"sentiment-ls engine, {runtime} fp32", statistics.median(timings)))
    return results


def check_throughput(sentences: list[str]) -> list[tuple[str, float]]:
    """`sentiment-ls check` on a file of the sentences, process start to exit."""
    results = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "prose.md"
        path.write_text(markdown_document(sentences)[0], encoding="utf-8")
        for runtime in RUNTIMES:
            timings = []
            for _ in range(2):
                started = time.perf_counter()
                subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "sentiment_ls",
                        "check",
                        str(path),
                        "--no-config",
                        "--no-cache",  # each run analyses (bench/speed.py measures the cache)
                        "--runtime",
                        runtime,
                    ],
                    capture_output=True,
                    check=False,
                )
                timings.append(len(sentences) / (time.perf_counter() - started))
            results.append((f"`sentiment-ls check`, {runtime}", statistics.median(timings)))
    return results


def command_seconds(*args: str) -> float:
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "sentiment_ls", *args], capture_output=True)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def markdown_document(sentences: list[str], per_paragraph: int = 4) -> tuple[str, list[int]]:
    """The sentences as paragraphs; returns the text and each paragraph's line number."""
    paragraphs, lines = [], []
    for start in range(0, len(sentences), per_paragraph):
        lines.append(2 * len(paragraphs) + 2)
        paragraphs.append(" ".join(sentences[start : start + per_paragraph]))
    return "# Benchmark document\n\n" + "\n\n".join(paragraphs) + "\n", lines


class Client:
    def __init__(self) -> None:
        self.lsp = LanguageClient("serving-bench", "1")
        self.published: dict[tuple[str, int | None], list[float]] = {}
        self.diagnostics: dict[str, list[types.Diagnostic]] = {}
        self.events: dict[str, asyncio.Event] = {}

        @self.lsp.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
            self.published.setdefault((params.uri, params.version), []).append(time.perf_counter())
            self.diagnostics[params.uri] = list(params.diagnostics)
            self.events.setdefault(params.uri, asyncio.Event()).set()

        @self.lsp.feature(types.WINDOW_LOG_MESSAGE)
        def on_log(params: types.LogMessageParams) -> None:
            pass

    async def wait_for(self, uri: str, version: int, count: int = 1) -> float:
        while len(self.published.get((uri, version), [])) < count:
            event = self.events.setdefault(uri, asyncio.Event())
            event.clear()
            if len(self.published.get((uri, version), [])) >= count:
                break
            await asyncio.wait_for(event.wait(), timeout=600)
        return self.published[(uri, version)][count - 1]

    def open(self, uri: str, text: str) -> None:
        self.lsp.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id="markdown", version=1, text=text
                )
            )
        )

    async def hover_ms(self, uri: str, position: types.Position) -> float:
        began = time.perf_counter()
        result = await self.lsp.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri), position=position
            )
        )
        assert result is not None
        return (time.perf_counter() - began) * 1000


async def timed_edits(
    client: Client, uri: str, lines: list[int], current: list[str], count: int = 50
) -> list[float]:
    """`count` one-sentence edits of the document whose lines are `current` (updated in
    place), one at a time, each the moment the previous one's diagnostics came: milliseconds
    from didChange to the publish of its version, minus the debounce."""
    edits = []
    for i in range(count):
        version = i + 2
        line = lines[(i * 37) % len(lines)]
        old = current[line]
        first = old.split(". ", 1)
        new = f"Edit {i} made this first sentence cheerful and bright. " + (
            first[1] if len(first) > 1 else ""
        )
        current[line] = new
        sent = time.perf_counter()
        client.lsp.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(types.Position(line, 0), types.Position(line, len(old))),
                        text=new,
                    )
                ],
            )
        )
        arrived = await client.wait_for(uri, version)
        edits.append((arrived - sent) * 1000 - DEBOUNCE_MS)
    return edits


async def flagged_hover_ms(client: Client, uri: str) -> tuple[list[types.Position], list[float]]:
    """The flagged sentences' starts, and hover times on up to 30 of them spread evenly."""
    flagged = [d.range.start for d in client.diagnostics.get(uri, [])]
    step = max(1, len(flagged) // 30)
    hovers = [
        await client.hover_ms(uri, types.Position(p.line, p.character + 1))
        for p in flagged[::step][:30]
    ]
    return flagged, hovers


async def stop_server(client: Client) -> float:
    """The server's peak RSS (MB), then an orderly shutdown and exit."""
    assert client.lsp._server is not None
    rss = peak_rss_mb(client.lsp._server.pid)
    await client.lsp.shutdown_async(None)
    client.lsp.exit(None)
    await client.lsp.stop()
    return rss


async def server_measurements(
    runtime: str, sentences: list[str], others: list[str]
) -> dict[str, object]:
    client = Client()
    await client.lsp.start_io(sys.executable, "-m", "sentiment_ls")
    await client.lsp.initialize_async(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            initialization_options={"debounceMs": DEBOUNCE_MS, "runtime": runtime},
        )
    )
    client.lsp.initialized(types.InitializedParams())
    text, lines = markdown_document(sentences)
    uri = "file:///bench/main.md"
    client.open(uri, text)
    # A long document publishes its top first, then the whole.
    await client.wait_for(uri, 1, count=2 if len(sentences) > 144 else 1)
    edits = await timed_edits(client, uri, lines, text.split("\n"))
    # Hovers on any sentence (the first word of a paragraph, flagged or not, computed on
    # demand unless flagged) while another long document is being analysed.
    other_uri = "file:///bench/other.md"
    other_text, _ = markdown_document(others)
    client.open(other_uri, other_text)
    await asyncio.sleep(0.5)  # let its analysis start
    any_hovers = [
        await client.hover_ms(
            uri, types.Position(line=lines[(i * 53 + 11) % len(lines)], character=3)
        )
        for i in range(30)
    ]
    other_busy = (other_uri, 1) not in client.published or len(client.published[(other_uri, 1)]) < 2
    await client.wait_for(other_uri, 1, count=2)
    # Flagged sentences, once the background has had the time to explain them: their
    # attributions were computed after diagnostics were published.
    await asyncio.sleep(20)
    flagged, flagged_hovers = await flagged_hover_ms(client, uri)
    rss = await stop_server(client)
    return {
        "edits": edits,
        "any": any_hovers,
        "flagged": flagged_hovers,
        "flagged_count": len(flagged),
        "rss": rss,
        "other_busy_during_hovers": other_busy,
    }


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values):.0f} | {percentile(values, 0.95):.0f}"


def main() -> None:
    args = plain_arguments(__doc__)
    sentences = prose_sentences(4000)
    bench, main_doc, other_doc = sentences[:2000], sentences[:2000], sentences[2000:4000]
    rates = throughput(bench) + check_throughput(bench)
    pipeline_rate = rates[0][1]
    served = {r: asyncio.run(server_measurements(r, main_doc, other_doc)) for r in RUNTIMES}
    cold = {
        r: [asyncio.run(cold_run(cold_document(), {"runtime": r})) for _ in range(3)]
        for r in RUNTIMES
    }
    version_s, help_s = command_seconds("--version"), command_seconds("--help")

    def row(name: str, target: str, value: Callable[[dict[str, Any], list[Any]], str]) -> str:
        cells = " | ".join(value(served[r], cold[r]) for r in RUNTIMES)
        return f"| {name} | {cells} | {target} |"

    lines = [
        "## Serving (`bench/serving.py`)",
        "",
        machine_line(),
        "",
        f"Sentences: SST-2 validation rows written as prose, six words or more "
        f"({len(bench)} for throughput; {len(main_doc)}-sentence Markdown documents for "
        "edits and hovers).",
        "",
        "| throughput, 2,000 prose sentences (median, warm) | sentences/s | vs pipeline |",
        "|:--|--:|--:|",
        *[f"| {name} | {rate:.0f} | {rate / pipeline_rate:.2f}x |" for name, rate in rates],
        "",
        "Target: `check` ≥ 5x the pipeline.",
        "",
        "| over stdio | onnxruntime | torch | target |",
        "|:--|--:|--:|--:|",
        row(
            "cold start to first diagnostics, 100 sentences (median of 3)",
            "≤ 1.0 s",
            lambda s, c: f"{statistics.median(x[0] for x in c):.2f} s",
        ),
        row(
            f"edit, didChange to publishDiagnostics minus the {DEBOUNCE_MS} ms debounce, "
            "median / p95 ms (50 one-sentence edits, 2,000-sentence document)",
            "p95 ≤ 100",
            lambda s, c: "{:.0f} / {:.0f}".format(
                statistics.median(s["edits"]), percentile(s["edits"], 0.95)
            ),
        ),
        row(
            "hover on any sentence while a second 2,000-sentence document is analysed, "
            "median / p95 ms",
            "p95 ≤ 50",
            lambda s, c: "{:.0f} / {:.0f}".format(
                statistics.median(s["any"]), percentile(s["any"], 0.95)
            ),
        ),
        row(
            "hover on a flagged sentence (attributions from the background), median / p95 ms",
            "p95 ≤ 20",
            lambda s, c: "{:.0f} / {:.0f}".format(
                statistics.median(s["flagged"]), percentile(s["flagged"], 0.95)
            ),
        ),
        row(
            "peak RSS, two 2,000-sentence documents open, after the edits and hovers",
            "≤ 300 MB",
            lambda s, c: f"{s['rss']:.0f} MB",
        ),
        row(
            "peak RSS at cold start (100 sentences)",
            "",
            lambda s, c: f"{statistics.median(x[1] for x in c):.0f} MB",
        ),
        "",
        "| command, process start to exit (median of 5) | seconds | target |",
        "|:--|--:|--:|",
        f"| `sentiment-ls --version` | {version_s:.2f} | ≤ 0.3 |",
        f"| `sentiment-ls --help` | {help_s:.2f} | ≤ 0.3 |",
        "",
        "Flagged sentences in the main document: "
        + ", ".join(f"{r} {served[r]['flagged_count']}" for r in RUNTIMES)
        + ". The second document was "
        + ", ".join(
            f"{r}: {'still being analysed' if served[r]['other_busy_during_hovers'] else 'done'}"
            for r in RUNTIMES
        )
        + " when the hovers on any sentence ended.",
    ]
    body = "\n".join(lines)
    print(body)
    if args.write:
        write_section("serving", body)


if __name__ == "__main__":
    main()
