"""Cold start and memory of the language server, over real stdio.

Time from process start to the first publishDiagnostics of a 100-sentence Markdown document,
and the server's peak resident memory (VmHWM), median over several runs.

    .venv/bin/python bench/cold_start.py [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

SENTENCES = [
    "The new release makes syncing noticeably faster.",
    "Unfortunately, the importer still crashes on large files.",
    "Our documentation team rewrote the getting-started guide.",
    "Customers told us the old settings page was confusing and frustrating.",
    "We are delighted with how the community responded.",
]


def document(sentence_count: int = 100) -> str:
    paragraphs = []
    for start in range(0, sentence_count, 5):
        chunk = [f"{SENTENCES[(start + i) % 5][:-1]} in part {start + i}." for i in range(5)]
        paragraphs.append(" ".join(chunk))
    return "# Cold start\n\n" + "\n\n".join(paragraphs) + "\n"


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def one_run(text: str, options: dict[str, object] | None = None) -> tuple[float, float, int]:
    client = LanguageClient("cold-start-bench", "1")
    published = asyncio.Event()
    counts: list[int] = []

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
        counts.append(len(params.diagnostics))
        published.set()

    started = time.perf_counter()
    await client.start_io(sys.executable, "-m", "sentiment_ls")
    await client.initialize_async(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(), initialization_options=options or {}
        )
    )
    client.initialized(types.InitializedParams())
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri="file:///cold.md", language_id="markdown", version=1, text=text
            )
        )
    )
    await asyncio.wait_for(published.wait(), timeout=120)
    elapsed = time.perf_counter() - started
    assert client._server is not None
    rss = peak_rss_mb(client._server.pid)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return elapsed, rss, counts[0]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    text = document()
    results = [await one_run(text) for _ in range(args.runs)]
    times = [r[0] for r in results]
    rss = [r[1] for r in results]
    print(
        f"| runs | median s to first diagnostics | min s | max s | median peak RSS MB "
        f"| diagnostics |\n|--:|--:|--:|--:|--:|--:|\n| {args.runs} | "
        f"{statistics.median(times):.2f} | {min(times):.2f} | {max(times):.2f} | "
        f"{statistics.median(rss):.0f} | {results[0][2]} |"
    )


if __name__ == "__main__":
    asyncio.run(main())
