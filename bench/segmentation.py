"""How many English Golden Rules split_sentences gets right, and how fast it splits.

The rules are read from ../shared/data/segmentation/golden_rules_en.json (relative to the
repository root); they are not copied into the repository. Speed is measured twice: on the
Golden Rules (48 short texts, nearly all hard cases) and on prose as this server meets it,
the comments and docstrings of the Python standard library's top-level modules as the
`python` format extracts them (about 1.2 MB, every region split once, cache cleared). The
same prose is split by pySBD alone, for its speed and for how often the two agree. Run:
    .venv/bin/python bench/segmentation.py
and the numbers replace the `segmentation` section of bench/RESULTS.md.
"""

from __future__ import annotations

import json
import os
import sysconfig
import time
from collections.abc import Callable
from pathlib import Path

from results import machine_line, plain_arguments, write_section

from sentiment_ls.document import ProseRegion, prose_regions, split_sentences
from sentiment_ls.document.sentences import pysbd_spans, sentence_spans

RULES = Path(__file__).resolve().parents[1].parent / "shared/data/segmentation/golden_rules_en.json"
PASSES = 20
PROSE_BYTES = 1_200_000
RUNS = 3  # best of: the machine is shared


def golden_rules() -> tuple[list[str], int, int, list[ProseRegion]]:
    cases = json.loads(RULES.read_text(encoding="utf-8"))["cases"]
    regions = [ProseRegion(case["text"], tuple(range(len(case["text"])))) for case in cases]
    failures = []
    passed = pysbd_passed = 0
    for case, region in zip(cases, regions, strict=True):
        text, expected = case["text"], case["sentences"]
        got = [sentence.text for sentence in split_sentences(region)]
        pysbd_passed += [text[a:b] for a, b in stripped_spans(text, pysbd_spans(text))] == expected
        if got == expected:
            passed += 1
        else:
            failures.append(f"FAIL {text!r}\n  got      {got}\n  expected {expected}")
    return failures, passed, pysbd_passed, regions


def prose() -> list[str]:
    texts: list[str] = []
    size = 0
    for path in sorted(Path(sysconfig.get_paths()["stdlib"]).glob("*.py")):
        source = path.read_text(encoding="utf-8", errors="replace")
        for region in prose_regions(source, "python"):
            texts.append(region.text)
            size += len(region.text.encode("utf-8"))
        if size >= PROSE_BYTES:
            break
    return texts


def size_of(texts: list[str]) -> int:
    return sum(len(text.encode("utf-8")) for text in texts)


def best_speed(texts: list[str], split: Callable[[str], object], runs: int = RUNS) -> float:
    best = float("inf")
    for _ in range(runs):
        sentence_spans.cache_clear()  # time the splitting, not the cache
        began = time.perf_counter()
        for text in texts:
            split(text)
        best = min(best, time.perf_counter() - began)
    return size_of(texts) / best / 1e6


def stripped_spans(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """pySBD's spans as sentence_spans gives its own: stripped, each with a letter or digit."""
    result = []
    for start, end in spans:
        piece = text[start:end]
        start += len(piece) - len(piece.lstrip())
        end -= len(piece) - len(piece.rstrip())
        if any(char.isalnum() for char in text[start:end]):
            result.append((start, end))
    return result


def main() -> None:
    args = plain_arguments(__doc__)
    failures, passed, pysbd_passed, regions = golden_rules()
    rules_texts = [region.text for region in regions]
    rules_speed = best_speed(rules_texts, sentence_spans, runs=PASSES)
    texts = prose()
    prose_speed = best_speed(texts, sentence_spans)
    pysbd_speed = best_speed(texts, pysbd_spans)
    sentence_spans.cache_clear()
    agree = sum(
        list(sentence_spans(text)) == stripped_spans(text, pysbd_spans(text)) for text in texts
    ) / len(texts)
    began = time.perf_counter()
    for _ in range(PASSES):
        for region in regions:
            split_sentences(region)
    cached = size_of(rules_texts) * PASSES / (time.perf_counter() - began) / 1e6

    body = (
        "## Sentence splitting\n\n"
        f"`.venv/bin/python bench/segmentation.py`: one process (one of the {os.cpu_count()} "
        f"cores), best of {RUNS} runs on the prose, of {PASSES} on the Golden Rules. "
        f"{machine_line()}\n\n"
        "| measure | value |\n|---|---|\n"
        f"| English Golden Rules | {passed}/{len(regions)} (pySBD alone: {pysbd_passed}) |\n"
        f"| speed on the Golden Rules (nearly all hard cases) | {rules_speed:.2f} MB/s |\n"
        f"| speed on prose (stdlib comments and docstrings, {size_of(texts) / 1e6:.2f} MB, "
        f"{len(texts)} regions) | **{prose_speed:.2f} MB/s** |\n"
        f"| pySBD alone on the same prose | {pysbd_speed:.2f} MB/s |\n"
        f"| regions split exactly as pySBD splits them | {agree:.1%} |\n"
        f"| split_sentences of an unchanged region (cached by its text) | {cached:.1f} MB/s |\n\n"
        "Clean sentence ends (a word, a lone full stop, spaces, a capitalised word) are cut "
        "without pySBD; only a piece with a terminator that may mean something else goes to "
        "pySBD. Where the two disagree on this prose, pySBD cut inside code names "
        "(`stored in the .compiler_flag attribute`) or dropped text.\n"
    )
    if failures:
        body += "\nGolden Rules failed:\n\n```\n" + "\n".join(failures) + "\n```\n"
    print(body)
    if args.write:
        write_section("segmentation", body)


if __name__ == "__main__":
    main()
