"""Choose pool sentences for careful reading where the embedded model is weakest (issue 22).

`python -m sentiment_ls.training.gold_draw --pool runs/pool/pool.tsv
--teacher-logits data/teacher_logits.tsv --out data/gold_selection.tsv`

Two kinds of reason, each with a quota, filled in this order:

- `disagree-*`: the teacher (its logits in `--teacher-logits`) and the student (the model
  given, the embedded one by default) disagree about the flag: `disagree-teacher-flags` where
  the teacher leans negative (`--threshold`) and the student's negative probability is at
  least `GAP` lower, `disagree-student-flags` the other way round; the largest gap first.
  Where they disagree one of them is wrong, so a
  gold label there teaches the student what the soft labels cannot.
- a category of the prose the model reads badly (`CATEGORIES`), found by a pattern and drawn
  at random among the matches: condescension and passive aggression, emphasis by capitals,
  sarcasm that opens with praise, apologies (social or for a failure), events told as
  complaints, negated documentation opinion, cautions and warnings, joke names and headings.
  The pattern only draws: the readers label every sentence by the rules, and many drawn
  sentences are calm.

Only ids, reasons, sources and probabilities are written; the text stays in the pool.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sentiment_ls.analysis.engine import SentimentEngine
from sentiment_ls.analysis.model_loading import load_model
from sentiment_ls.analysis.request import LoadRequest
from sentiment_ls.training.calibration import softmax
from sentiment_ls.training.distill import read_logits, text_key
from sentiment_ls.training.mix import LABEL2ID
from sentiment_ls.training.pool import read_tsv

SEED = 22
GAP = 0.15  # the least difference of negative probability that counts as a disagreement
# Capitals used for emphasis: common words, not acronyms.
CAPITALISED = (
    r"\b(?:IS|NOT|NEVER|ALWAYS|STILL|PLEASE|NO|ANY|ALL|EVERY|DO|DOES|DON'T|WHY|WHAT|MUST|"
    r"ONLY|NOTHING|REALLY|HAS|HAVE|ARE|WAS|YOU|THIS|NOW|AGAIN)\b"
)
CATEGORIES: dict[str, tuple[str, bool]] = {
    # name: (pattern, case-sensitive)
    "condescension": (
        r"\b(?:clearly|obviously|simply|as I (?:said|already)|as (?:already )?(?:stated|"
        r"mentioned)|you (?:should|would) have|did you (?:even|actually|read)|read the|"
        r"learn to|basic|trivial|no offen[cs]e|with all due respect|I'm not sure you|"
        r"you seem to|please (?:read|stop|try)|:\))",
        False,
    ),
    "capitals": (CAPITALISED, True),
    "praise-opening": (
        r"^(?:Great|Nice|Wonderful|Fantastic|Awesome|Perfect|Brilliant|Lovely|Thanks|"
        r"Thank you|Wow|Cool|Good job|Congrats)\b",
        True,
    ),
    "apology": (r"\b(?:sorry|apolog|my bad|excuse me|pardon)", False),
    "events-complaint": (
        r"\b(?:still (?:no|not|doesn't|isn't|broken|waiting)|again|for (?:hours|days|weeks|"
        r"months|years)|nobody|no one|no response|no reply|never (?:got|received|heard|"
        r"answered|fixed)|ignored|closed without)\b",
        False,
    ),
    "negated-opinion": (
        r"\b(?:not (?:recommended|ideal|great|good|enough|optimal|worth|supported|"
        r"necessary|possible)|no longer|isn't (?:ideal|great|good)|doesn't (?:work|scale)|"
        r"not even|without much)\b",
        False,
    ),
    "caution": (
        r"\b(?:warning|beware|caution|careful|do not|don't|never|must not|at your own risk|"
        r"dangerous|unsafe|not safe|deprecated|breaking change)\b",
        False,
    ),
    "heading-name": (
        r"^(?:[A-Z][\w'\"-]*(?: [A-Z\"'][\w'\"-]*){0,5}|.{0,40}\".{2,30}\".{0,30})[.!]?$",
        True,
    ),
}
QUOTAS = {
    "disagree-teacher-flags": 900,
    "disagree-student-flags": 600,
    "condescension": 350,
    "capitals": 300,
    "praise-opening": 300,
    "apology": 250,
    "events-complaint": 300,
    "negated-opinion": 300,
    "caution": 300,
    "heading-name": 250,
}


@dataclass(frozen=True)
class PoolRow:
    id: str
    text: str
    source: str


def matches(rows: Sequence[PoolRow], pattern: str, case_sensitive: bool) -> list[int]:
    compiled = re.compile(pattern, 0 if case_sensitive else re.IGNORECASE)
    return [i for i, row in enumerate(rows) if compiled.search(row.text)]


def select(
    rows: Sequence[PoolRow],
    teacher: dict[int, float],
    student: dict[int, float],
    threshold: float,
    seed: int = SEED,
) -> dict[int, str]:
    """Row index -> reason. `teacher` and `student`: negative probabilities by row index."""
    chosen: dict[int, str] = {}
    seen: set[str] = set()

    def take(reason: str, ranked: Sequence[int]) -> None:
        taken = 0
        for index in ranked:
            if taken == QUOTAS[reason]:
                return
            key = text_key(rows[index].text)
            if index not in chosen and key not in seen:
                chosen[index] = reason
                seen.add(key)
                taken += 1

    both = [i for i in teacher if i in student]
    # One of the two leans negative and the other is well below it: one of them is wrong.
    teacher_flags = [i for i in both if teacher[i] >= threshold and teacher[i] - student[i] >= GAP]
    student_flags = [i for i in both if student[i] >= threshold and student[i] - teacher[i] >= GAP]
    take("disagree-teacher-flags", sorted(teacher_flags, key=lambda i: student[i] - teacher[i]))
    take("disagree-student-flags", sorted(student_flags, key=lambda i: teacher[i] - student[i]))
    rng = random.Random(seed)
    for name, (pattern, case_sensitive) in CATEGORIES.items():
        found = matches(rows, pattern, case_sensitive)
        take(name, rng.sample(found, len(found)))
    return chosen


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pool", default="runs/pool/pool.tsv")
    parser.add_argument("--teacher-logits", default="data/teacher_logits.tsv")
    parser.add_argument("--model", default="embedded", help="the student (default: embedded)")
    parser.add_argument("--threshold", type=float, default=0.5, help="a lean to negative")
    parser.add_argument("--exclude", nargs="*", default=[], help="TSVs whose `id`s are taken")
    parser.add_argument("--out", default="data/gold_selection.tsv")
    args = parser.parse_args(argv)

    excluded: set[str] = set()
    for path in args.exclude:
        with open(path, encoding="utf-8", newline="") as stream:
            reader = csv.DictReader(stream, delimiter="\t", quoting=csv.QUOTE_NONE)
            excluded.update(row["id"] for row in reader)
    pool = read_tsv(Path(args.pool))
    rows = [PoolRow(r["id"], r["text"], r["source"]) for r in pool if r["id"] not in excluded]
    soft = read_logits(Path(args.teacher_logits))
    labelled = [i for i, row in enumerate(rows) if text_key(row.text) in soft]
    negative = LABEL2ID["negative"]
    teacher_logits = np.array([soft[text_key(rows[i].text)] for i in labelled], dtype=np.float64)
    teacher_p = softmax(teacher_logits)[:, negative]
    engine = SentimentEngine(load_model(LoadRequest(model=args.model)))
    analyses = engine.analyze([rows[i].text for i in labelled])
    student_p = [a.prediction.probabilities["negative"] for a in analyses]
    teacher = {i: float(p) for i, p in zip(labelled, teacher_p, strict=True)}
    student = {i: float(p) for i, p in zip(labelled, student_p, strict=True)}
    chosen = select(rows, teacher, student, args.threshold)

    out = Path(args.out)
    with out.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, delimiter="\t", lineterminator="\n")
        writer.writerow(["id", "reason", "source", "p_negative_teacher", "p_negative_student"])
        for index, reason in sorted(chosen.items(), key=lambda item: rows[item[0]].id):
            t, s = teacher.get(index), student.get(index)
            writer.writerow(
                [
                    rows[index].id,
                    reason,
                    rows[index].source,
                    "" if t is None else f"{t:.3f}",
                    "" if s is None else f"{s:.3f}",
                ]
            )
    counts = Counter(chosen.values())
    print(f"{len(chosen)} sentences chosen -> {out}: {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
