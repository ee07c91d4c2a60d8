"""Which way a batch run (`check`) should use the cores, measured in one process: the same
2,000 prose sentences in the same length-sorted batches of 32, on one session with 2
intra-op threads, on one single-threaded session called from 2 threads at once (what
`check` does, analysis/forward.py), and on one thread; the three take turns, median of 3.

    .venv/bin/python bench/check_threads.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results import plain_arguments
from serving import prose_sentences

from sentiment_ls.analysis.model_loading import load_model
from sentiment_ls.analysis.preprocess import encode
from sentiment_ls.analysis.request import LoadRequest
from sentiment_ls.analysis.runtimes.ort import OnnxRuntime, open_session, read_weights
from sentiment_ls.embedded import WEIGHTS_DIR


def main() -> None:
    plain_arguments(__doc__, writes=False)  # --help
    loaded = load_model(LoadRequest(model="embedded", device="cpu"))
    weights = read_weights(WEIGHTS_DIR / "model.safetensors")
    two = open_session(WEIGHTS_DIR / "model.graph.onnx", weights, threads=2)
    one = open_session(WEIGHTS_DIR / "model.graph.onnx", weights, threads=1)
    rows = [encode(loaded.tokenizer, t).windows[0] for t in prose_sentences(2000)]
    by_length: dict[int, list[int]] = {}
    for index, row in enumerate(rows):
        by_length.setdefault(len(row), []).append(index)
    batches = [
        np.array([rows[i] for i in indices[start : start + 32]], dtype=np.int64)
        for indices in (by_length[n] for n in sorted(by_length))
        for start in range(0, len(indices), 32)
    ]

    def serial(runtime: OnnxRuntime) -> None:
        for batch in batches:
            runtime.logits(batch)

    def side_by_side(runtime: OnnxRuntime) -> None:
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(runtime.logits, batches))

    ways: dict[str, Callable[[], None]] = {
        "1 session, 2 intra-op threads": lambda: serial(two),
        "2 workers x 1 thread (check)": lambda: side_by_side(one),
        "1 thread": lambda: serial(one),
    }
    timings: dict[str, list[float]] = {name: [] for name in ways}
    load = os.getloadavg()[0]
    for _ in range(3):
        for name, way in ways.items():
            started = time.perf_counter()
            way()
            timings[name].append(time.perf_counter() - started)
    print(f"2,000 sentences, {len(batches)} batches; load average {load:.1f} before")
    for name, values in timings.items():
        rounded = ", ".join(f"{v:.2f}" for v in values)
        print(f"| {name} | {statistics.median(values):.2f} s | {rounded} |")


if __name__ == "__main__":
    main()
