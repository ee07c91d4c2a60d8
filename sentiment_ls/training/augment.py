"""A transfer set for distillation: variants of the thread sentences, for the teacher to label.

The pool (`training.pool`) is mostly design proposals and READMEs: of its sentences the teacher
labelled, about 2 % read negative to it, so the student met few of the negatives where it is
weakest. It imitates the teacher on the thread sentences it trained on (its negative ranking
matches the teacher's flags at AP 0.96) but much less on unseen threads (0.89): it learned the
sentences, not their neighbourhood. Tang et al. ("Distilling Task-Specific Knowledge from BERT
into Simple Neural Networks", 2019) found that a small student learns a teacher best from
perturbed copies of the training sentences labelled by the teacher. Two of their perturbations
are written here on words, so that the teacher's and the student's tokenizers both read them:
dropping each word with a small probability (their masking, without a mask token that the two
tokenizers spell differently) and keeping a long window of the sentence (their n-gram
sampling, kept long enough to stay a sentence).

    python -m sentiment_ls.training.augment --data-dir ../shared/data \\
        --pool runs/pool/pool.tsv --out runs/pool/augmented.tsv

writes a pool-shaped TSV (id, text, source, licence); `training.distill label --pool-only`
labels it, and `train --pool runs/pool/pool.tsv runs/pool/augmented.tsv` draws from both. The
sentences perturbed are training-side only: the issue-thread train split, the labelled pool
rows, the sentences this project wrote, the gold labels and the pool's own thread sentences.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterable
from pathlib import Path

from sentiment_ls.training.distill import text_key
from sentiment_ls.training.mix import (
    GOLD,
    LABELS_DIR,
    read_pool_labels,
    source_named,
    training_rows,
)
from sentiment_ls.training.pool import read_tsv, write_tsv

THREAD_SOURCES = ("issues", "issues-pool", "written")
POOL_THREADS = "tone/issues/unlabelled"
LICENCE = "as the sentence it perturbs (data/README.md)"
MIN_WORDS = 4  # shorter sentences have no variant that is still a sentence


def dropped_words(words: list[str], rng: random.Random, rate: float = 0.1) -> list[str]:
    kept = [word for word in words if rng.random() >= rate]
    return kept if len(kept) >= MIN_WORDS and len(kept) < len(words) else []


def window(words: list[str], rng: random.Random, least: float = 0.6) -> list[str]:
    size = rng.randint(max(MIN_WORDS, round(len(words) * least)), len(words) - 1)
    start = rng.randint(0, len(words) - size)
    return words[start : start + size]


def variants(text: str, count: int, rng: random.Random) -> list[str]:
    """Up to `count` distinct perturbed copies of `text`, none equal to it."""
    words = text.split()
    if len(words) <= MIN_WORDS:
        return []
    out: dict[str, None] = {}
    for _ in range(count * 3):
        if len(out) == count:
            break
        perturbed = dropped_words(words, rng) if rng.random() < 0.5 else window(words, rng)
        if perturbed:
            out.setdefault(" ".join(perturbed))
    return list(out)


def thread_texts(
    data_dir: Path, pool: Path, labels_dir: Path = LABELS_DIR
) -> list[tuple[str, str]]:
    """(text, source) of every training-side issue-thread sentence, each once."""
    found: dict[str, str] = {}
    for name in THREAD_SOURCES:
        for example in training_rows(data_dir, source_named(name), labels_dir):
            found.setdefault(example.text, name)
    gold = labels_dir / GOLD.labels
    for example in read_pool_labels(pool, gold, strict=False) if gold.is_file() else []:
        found.setdefault(example.text, GOLD.name)
    for row in read_tsv(pool):
        if row["source"] == POOL_THREADS:
            found.setdefault(row["text"], POOL_THREADS)
    return list(found.items())


def augmented_rows(
    texts: Iterable[tuple[str, str]], per_sentence: int, seed: int
) -> list[list[str]]:
    rng = random.Random(seed)
    rows: dict[str, list[str]] = {}
    originals = set()
    for text, source in texts:
        originals.add(text_key(text))
        for variant in variants(text, per_sentence, rng):
            key = text_key(variant)
            rows.setdefault(key, [key, variant, f"augmented:{source}", LICENCE])
    return [row for key, row in rows.items() if key not in originals]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default="../shared/data")
    parser.add_argument("--pool", required=True, help="the built pool (training.pool build)")
    parser.add_argument("--per-sentence", type=int, default=2, help="variants of each sentence")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--labels-dir", default=str(LABELS_DIR), help="the project's labels")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    texts = thread_texts(Path(args.data_dir), Path(args.pool), Path(args.labels_dir))
    rows = augmented_rows(texts, args.per_sentence, args.seed)
    # The pool's own format (tabs, no quoting): the words were joined by spaces.
    write_tsv(Path(args.out), ["id", "text", "source", "licence"], rows)
    print(f"{len(rows)} variants of {len(texts)} thread sentences written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
