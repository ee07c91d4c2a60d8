"""How many English Golden Rules split_sentences gets right, and how fast it splits.

The rules are read from ../shared/data/segmentation/golden_rules_en.json (relative to the
repository root); they are not copied into the repository. Run:
    .venv/bin/python bench/segmentation.py
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from sentiment_ls.document import ProseRegion, split_sentences
from sentiment_ls.document.sentences import sentence_spans

RULES = Path(__file__).resolve().parents[1].parent / "shared/data/segmentation/golden_rules_en.json"
PASSES = 20


def main() -> None:
    cases = json.loads(RULES.read_text(encoding="utf-8"))["cases"]
    regions = [ProseRegion(case["text"], tuple(range(len(case["text"])))) for case in cases]

    failures = []
    for case, region in zip(cases, regions, strict=True):
        got = [sentence.text for sentence in split_sentences(region)]
        if got != case["sentences"]:
            failures.append((case["text"], got, case["sentences"]))
    print(f"Golden Rules (en): {len(cases) - len(failures)}/{len(cases)} passed")
    for text, got, expected in failures:
        print(f"  FAIL {text!r}\n    got      {got}\n    expected {expected}")

    size = sum(len(case["text"].encode("utf-8")) for case in cases) * PASSES
    elapsed = 0.0
    for _ in range(PASSES):
        sentence_spans.cache_clear()  # time pySBD, not the cache
        began = time.perf_counter()
        for region in regions:
            split_sentences(region)
        elapsed += time.perf_counter() - began
    print(f"speed, uncached: {size / elapsed / 1e6:.3f} MB/s ({size} bytes in {elapsed:.2f} s)")

    began = time.perf_counter()
    for _ in range(PASSES):
        for region in regions:
            split_sentences(region)
    cached = time.perf_counter() - began
    print(f"speed, cached:   {size / cached / 1e6:.1f} MB/s")


if __name__ == "__main__":
    main()
