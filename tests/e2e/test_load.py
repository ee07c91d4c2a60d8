"""bench/load.py for 10 seconds: 50 open documents, 20 edits per second, over real stdio.

Correctness and liveness only: the server is still running, every version of every document
was followed by diagnostics, and every document ends with the diagnostics a fresh copy of its
text gets. Timings are the benchmark's to report (bench/RESULTS.md), never asserted here.
"""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "load.py"


def test_the_server_survives_and_stays_correct_under_load() -> None:
    spec = importlib.util.spec_from_file_location("bench_load", BENCH)
    assert spec is not None and spec.loader is not None
    load = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = load  # dataclasses look their module up there
    spec.loader.exec_module(load)
    result = asyncio.run(load.run_load(seconds=10, documents=50, rate=20))
    assert result.alive, "\n".join(result.stderr_tail)
    assert result.edits >= 50  # the load really ran
    assert result.unpublished == 0
    assert result.mismatched == []
    assert result.peak_rss_mb == result.peak_rss_mb  # measured (not NaN) while it ran
