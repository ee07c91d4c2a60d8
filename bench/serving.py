"""Serving speed, in one run on one machine (issue 5's benchmark):

1. throughput on 2,000 prose sentences: the project's engine against
   `transformers.pipeline("text-classification")` with the same model, both warm;
2. edit latency over real stdio: a 2,000-sentence Markdown document, 50 single-sentence
   edits, time from didChange to the publishDiagnostics of that version, minus the debounce;
3. hover latency on analysed sentences while another document is being analysed;
4. cold start: process start to the first diagnostics of a 100-sentence document;
5. the server's peak memory (VmHWM).

    .venv/bin/python bench/serving.py
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cold_start import document as cold_document
from cold_start import one_run as cold_run
from cold_start import peak_rss_mb
from results import machine_line, percentile, write_section

from sentiment_ls.training.data import read_labelled_tsv
from sentiment_ls.training.train import prose_variant

VALIDATION = Path(__file__).resolve().parents[2] / "shared" / "data" / "sst2" / "validation.tsv"
DEBOUNCE_MS = 300


def prose_sentences(count: int) -> list[str]:
    """SST-2 validation rows written as prose (detokenized, sentence-cased, full stop),
    the ones of six words or more, in file order."""
    rows = [prose_variant(e.text) for e in read_labelled_tsv(VALIDATION)]
    chosen = [r if r.endswith((".", "!", "?")) else r + "." for r in rows if len(r.split()) >= 6]
    return chosen[:count]


def throughput(sentences: list[str]) -> list[tuple[str, float]]:
    import transformers

    from sentiment_ls.analysis.engine import SentimentEngine
    from sentiment_ls.analysis.model_loading import configure_threads, load_model
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
    for precision in ("fp32", "int8"):
        loaded = load_model("embedded", "cpu", precision=precision)
        timings = []
        for _ in range(3):
            engine = SentimentEngine(loaded)  # an empty cache every run
            engine.analyze(sentences[:64])
            engine = SentimentEngine(loaded)
            started = time.perf_counter()
            engine.analyze(sentences)
            timings.append(len(sentences) / (time.perf_counter() - started))
        results.append((f"sentiment-ls engine ({precision})", statistics.median(timings)))
    return results


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
        self.events: dict[str, asyncio.Event] = {}

        @self.lsp.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
            self.published.setdefault((params.uri, params.version), []).append(time.perf_counter())
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
            await asyncio.wait_for(event.wait(), timeout=300)
        return self.published[(uri, version)][count - 1]

    def open(self, uri: str, text: str) -> None:
        self.lsp.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id="markdown", version=1, text=text
                )
            )
        )


async def server_measurements(sentences: list[str], others: list[str]) -> dict[str, object]:
    client = Client()
    await client.lsp.start_io(sys.executable, "-m", "sentiment_ls")
    await client.lsp.initialize_async(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            initialization_options={"debounceMs": DEBOUNCE_MS},
        )
    )
    client.lsp.initialized(types.InitializedParams())
    text, lines = markdown_document(sentences)
    uri = "file:///bench/main.md"
    client.open(uri, text)
    # A long document publishes its top first, then the whole.
    await client.wait_for(uri, 1, count=2 if len(sentences) > 144 else 1)
    edits = []
    current = text.split("\n")
    for i in range(50):
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
    # Hovers on analysed sentences while another long document is being analysed.
    other_text, _ = markdown_document(others)
    client.open("file:///bench/other.md", other_text)
    await asyncio.sleep(0.5)  # let its analysis start
    hovers, repeats = [], []
    for round_, store in ((0, hovers), (1, repeats)):
        for i in range(30):
            line = lines[(i * 53 + 11) % len(lines)]
            began = time.perf_counter()
            result = await client.lsp.text_document_hover_async(
                types.HoverParams(
                    text_document=types.TextDocumentIdentifier(uri=uri),
                    position=types.Position(line=line, character=3 + round_ * 0),
                )
            )
            store.append((time.perf_counter() - began) * 1000)
            assert result is not None
    other_done = ("file:///bench/other.md", 1) in client.published
    assert client.lsp._server is not None
    rss = peak_rss_mb(client.lsp._server.pid)
    await client.lsp.shutdown_async(None)
    client.lsp.exit(None)
    await client.lsp.stop()
    return {
        "edits": edits,
        "hovers": hovers,
        "repeats": repeats,
        "rss": rss,
        "other_done_during_hovers": other_done,
    }


def main() -> None:
    sentences = prose_sentences(4000)
    # Throughput runs in this process, the documents in the server's: they may share text.
    bench, main_doc, other_doc = sentences[:2000], sentences[:2000], sentences[2000:4000]
    rates = throughput(bench)
    pipeline_rate = rates[0][1]
    served = asyncio.run(server_measurements(main_doc, other_doc))
    cold = [asyncio.run(cold_run(cold_document())) for _ in range(3)]
    edits, hovers, repeats = served["edits"], served["hovers"], served["repeats"]
    assert isinstance(edits, list) and isinstance(hovers, list) and isinstance(repeats, list)
    lines = [
        "## Serving (`bench/serving.py`)",
        "",
        machine_line(),
        "",
        f"Sentences: SST-2 validation rows written as prose, six words or more "
        f"({len(bench)} for throughput; a {len(main_doc)}-sentence Markdown document for "
        "edits and hovers).",
        "",
        "| throughput, 2,000 prose sentences (median of 3, warm) | sentences/s | vs pipeline |",
        "|:--|--:|--:|",
        *[f"| {name} | {rate:.0f} | {rate / pipeline_rate:.2f}x |" for name, rate in rates],
        "",
        "| over stdio | median ms | p95 ms | target |",
        "|:--|--:|--:|--:|",
        f"| edit latency, didChange to publishDiagnostics minus the {DEBOUNCE_MS} ms debounce "
        f"(50 one-sentence edits, 2,000-sentence document) | {statistics.median(edits):.0f} "
        f"| {percentile(edits, 0.95):.0f} | p95 ≤ 100 |",
        f"| hover on an analysed sentence while another 2,000-sentence document is analysed "
        f"(first hover: word attributions computed) | {statistics.median(hovers):.0f} | "
        f"{percentile(hovers, 0.95):.0f} | p95 ≤ 20 |",
        f"| the same hovers again (attributions cached) | {statistics.median(repeats):.0f} | "
        f"{percentile(repeats, 0.95):.0f} | p95 ≤ 20 |",
        "",
        "| process | value | target |",
        "|:--|--:|--:|",
        f"| cold start to first diagnostics, 100 sentences (median of 3) | "
        f"{statistics.median(c[0] for c in cold):.2f} s | ≤ 3 s |",
        f"| peak RSS after the edits and hovers above | {served['rss']:.0f} MB | ≤ 600 MB |",
        f"| peak RSS at cold start (100 sentences) | {statistics.median(c[1] for c in cold):.0f} MB"
        " | |",
        "",
        "The other document's analysis had "
        + ("finished" if served["other_done_during_hovers"] else "not finished")
        + " when the hovers ended.",
    ]
    body = "\n".join(lines)
    print(body)
    write_section("serving", body)


if __name__ == "__main__":
    main()
