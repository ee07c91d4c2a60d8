"""Where a Python process's memory goes, for bench/load.py: put this folder on PYTHONPATH and
set SENTIMENT_LS_TRACE_MEMORY to a file; every 30 s (and at exit) the process appends its RSS,
the Python heap that tracemalloc traces, and the 12 source files whose allocations grew most
since the sample at 30 s (after bench/load.py's warm-up). RSS growth beyond the traced
growth is native memory (onnxruntime, numpy, the allocator's fragmentation); traced growth is
named by file.

    PYTHONPATH=bench/trace_memory SENTIMENT_LS_TRACE_MEMORY=/tmp/trace.txt \\
        .venv/bin/python bench/load.py --seconds 180 --no-write
"""

from __future__ import annotations

import os

_TARGET = os.environ.get("SENTIMENT_LS_TRACE_MEMORY")

if _TARGET:
    import atexit
    import sys
    import threading
    import time
    import tracemalloc

    def _rss_mb() -> float:
        with open("/proc/self/statm") as stream:
            return int(stream.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6

    def _start() -> None:
        tracemalloc.start(1)
        first: list[tracemalloc.Snapshot] = []
        started = time.monotonic()

        def sample() -> None:
            snapshot = tracemalloc.take_snapshot()
            if not first and time.monotonic() - started >= 25:
                first.append(snapshot)  # the baseline: the documents are open and analysed
            traced, _ = tracemalloc.get_traced_memory()
            lines = [
                f"t={time.monotonic() - started:.0f}s pid={os.getpid()} rss={_rss_mb():.1f} MB "
                f"traced={traced / 1e6:.1f} MB"
            ]
            for stat in snapshot.compare_to(first[0], "filename")[:12] if first else []:
                lines.append(f"  {stat.size_diff / 1e6:+8.2f} MB  {stat.traceback[0].filename}")
            with open(_TARGET, "a", encoding="utf-8") as out:  # type: ignore[arg-type]
                out.write("\n".join(lines) + "\n")

        def loop() -> None:
            while True:
                time.sleep(30)
                sample()

        threading.Thread(target=loop, name="trace-memory", daemon=True).start()
        atexit.register(sample)

    # Only the server (python -m sentiment_ls), not the benchmark's own process.
    if "sentiment_ls" in getattr(sys, "orig_argv", [])[1:3]:
        _start()
