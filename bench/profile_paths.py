"""Where the time goes: the edit path and the cold start, stage by stage, in one process.

The edit path is what the server does after the debounce for a one-sentence edit of a
2,000-sentence Markdown document; the cold start is what a new server process does before
its first diagnostics. Each stage is timed on its own (median of 5).

    .venv/bin/python bench/profile_paths.py
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results import machine_line, plain_arguments, write_section
from serving import markdown_document, prose_sentences


def timed(function: Callable[[], Any], runs: int = 5) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def cold_start_stages() -> list[tuple[str, float]]:
    script = (
        "import time, json; t0 = time.perf_counter()\n"
        "import sentiment_ls.lsp.server; t1 = time.perf_counter()\n"
        "import onnxruntime, tokenizers; t2 = time.perf_counter()\n"
        "from sentiment_ls.analysis.model_loading import load_model\n"
        "from sentiment_ls.analysis.request import LoadRequest\n"
        "loaded = load_model(LoadRequest(model='embedded', device='cpu'))\n"
        "t3 = time.perf_counter()\n"
        "from sentiment_ls.analysis.engine import SentimentEngine\n"
        "SentimentEngine(loaded).analyze(['A first sentence to warm up.'])\n"
        "t4 = time.perf_counter()\n"
        "print(json.dumps([t1 - t0, t2 - t1, t3 - t2, t4 - t3]))\n"
    )
    runs = [
        json.loads(
            subprocess.run(
                [sys.executable, "-c", script], capture_output=True, text=True, check=True
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        for _ in range(3)
    ]
    names = [
        "import the server (pygls, lsprotocol, document layer)",
        "import onnxruntime and tokenizers (on the model worker)",
        "load the embedded model (packed weights, onnxruntime session)",
        "first forward pass",
    ]
    return [(name, statistics.median(r[i] for r in runs) * 1000) for i, name in enumerate(names)]


def main() -> None:
    args = plain_arguments(__doc__)
    from lsprotocol import types
    from lsprotocol.converters import get_converter

    from sentiment_ls.analysis.engine import SentimentEngine
    from sentiment_ls.analysis.labels import resolve_flag_labels
    from sentiment_ls.analysis.model_loading import load_model
    from sentiment_ls.analysis.request import LoadRequest
    from sentiment_ls.document import LineIndex, document_sentences
    from sentiment_ls.present.diagnostics import to_diagnostics
    from sentiment_ls.present.findings import findings
    from sentiment_ls.rules import FlagRule

    text, lines = markdown_document(prose_sentences(2000))
    engine = SentimentEngine(load_model(LoadRequest(model="embedded", device="cpu")))
    sentences = document_sentences(text, "markdown")
    engine.analyze([s.text for s in sentences])
    labels, _ = resolve_flag_labels(None, engine.loaded.labels)
    rule = FlagRule(labels=labels, threshold=0.85, neutral_band=0.65)
    source_lines = text.split("\n")
    counter = iter(range(10_000))

    def edited() -> str:
        i = next(counter)
        copy = list(source_lines)
        copy[lines[i % len(lines)]] = (
            f"Edit {i} is a cheerful new sentence. " + copy[lines[i % len(lines)]]
        )
        return "\n".join(copy)

    stages: list[tuple[str, float]] = []
    new_text = edited()
    split_ms, new_sentences = timed(lambda: document_sentences(edited(), "markdown"))
    stages.append(
        ("split the edited document into sentences (Markdown parse, cached regions)", split_ms)
    )
    new_sentences = document_sentences(new_text, "markdown")
    texts = [s.text for s in new_sentences]
    analyze_ms, analyses = timed(
        lambda: engine.analyze([*texts, f"Fresh {next(counter)} words."]), 5
    )
    analyses = engine.analyze(texts)
    stages.append(("model: the one new sentence, the rest from the cache", analyze_ms))
    index_ms, index = timed(lambda: LineIndex(new_text))
    stages.append(("line index of the document", index_ms))
    diag_ms, diagnostics = timed(
        lambda: to_diagnostics(
            findings(new_sentences, analyses, rule), index, "utf-16", "information", "embedded"
        )
    )
    stages.append((f"findings and {len(diagnostics)} diagnostics", diag_ms))
    converter = get_converter()
    params = types.PublishDiagnosticsParams(uri="file:///d.md", diagnostics=diagnostics, version=2)
    ser_ms, payload = timed(lambda: json.dumps(converter.unstructure(params)))
    stages.append(("serialise publishDiagnostics to JSON (server)", ser_ms))
    parse_ms, _ = timed(
        lambda: converter.structure(json.loads(payload), types.PublishDiagnosticsParams)
    )
    stages.append(("parse it back (a Python LSP client, as in bench/serving.py)", parse_ms))
    cold = cold_start_stages()
    body = "\n".join(
        [
            "## Where the time goes (`bench/profile_paths.py`)",
            "",
            machine_line(),
            "",
            "A one-sentence edit of a 2,000-sentence Markdown document, after the debounce "
            "(median of 5 per stage):",
            "",
            "| stage | ms |",
            "|:--|--:|",
            *[f"| {name} | {ms:.1f} |" for name, ms in stages],
            f"| **sum** | **{sum(ms for _, ms in stages):.1f}** |",
            "",
            "A cold start, stage by stage (median of 3 fresh processes):",
            "",
            "| stage | ms |",
            "|:--|--:|",
            *[f"| {name} | {ms:.0f} |" for name, ms in cold],
        ]
    )
    print(body)
    if args.write:
        write_section("profile", body)


if __name__ == "__main__":
    main()
