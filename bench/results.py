"""Write one benchmark's section of bench/RESULTS.md, leaving the other sections alone.

Each benchmark owns the text between `<!-- NAME:start -->` and `<!-- NAME:end -->`.
"""

from __future__ import annotations

import argparse
import platform
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
HEADER = (
    "# Benchmark results\n\nEach section is written by the script it names; rerun it to refresh.\n"
)


def machine_line() -> str:
    import onnxruntime
    import torch
    import transformers

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {cpu}; torch {torch.__version__} "
        f"({torch.get_num_threads()} threads); transformers {transformers.__version__}; "
        f"onnxruntime {onnxruntime.__version__}; "
        f"Python {platform.python_version()}"
    )


def write_section(name: str, body: str) -> None:
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else HEADER
    block = f"<!-- {name}:start -->\n{body.rstrip()}\n<!-- {name}:end -->"
    pattern = re.compile(
        rf"<!-- {re.escape(name)}:start -->.*?<!-- {re.escape(name)}:end -->", re.DOTALL
    )
    text = (
        pattern.sub(lambda _: block, text)
        if pattern.search(text)
        else f"{text.rstrip()}\n\n{block}\n"
    )
    RESULTS.write_text(text, encoding="utf-8")


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (`fraction` 0.95 for p95); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def plain_arguments(doc: str | None, writes: bool = True) -> argparse.Namespace:
    """The command line of a benchmark with no options of its own: `--help` (the first line
    of its docstring) and, for one that writes its section, `--no-write` (`args.write`)."""
    parser = argparse.ArgumentParser(description=(doc or "").strip().split("\n")[0])
    if writes:
        parser.add_argument(
            "--no-write", dest="write", action="store_false", help="do not update RESULTS.md"
        )
    return parser.parse_args()
