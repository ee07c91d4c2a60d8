"""Distillation: the teacher's soft labels, and the loss that teaches them to the student.

The teacher (MPNet-base, `train --base mpnet-base`) is six times the student's compute, so its
logits are computed once (`python -m sentiment_ls.training.distill label`) for a share of the
unlabelled pool (`training.pool`) and for every in-domain training text, keyed by a hash of
the text, and kept as a TSV of keys and logits: a few MB, no text. The student's trainer reads
them (`--teacher-logits`, `--pool`), draws pool rows that have no gold label, and trains on
`losses.distillation_loss` (Hinton et al., 2015). Tang et al. ("Distilling Task-Specific
Knowledge from BERT into Simple Neural Networks", 2019) found that a small student gains most
from the teacher's soft labels on a large unlabelled in-domain set, which is what the pool is
for.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import logging
import random
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, TextIO

import numpy as np
import numpy.typing as npt

from sentiment_ls.training.mix import GOLD, LABELS_DIR, MIXES, read_pool_labels, training_rows

LOG = logging.getLogger("sentiment_ls.train")
# The sources whose every row the teacher labels: the product's own domain. The far sets
# (SE comments, tweets, SST-2) keep their gold labels alone.
IN_DOMAIN = ("docs", "docs-pool", "issues", "issues-pool", "written")


def text_key(text: str) -> str:
    """A stable key of a sentence, whitespace-normalised: teacher logits are found by it."""
    return hashlib.sha1(" ".join(text.split()).encode("utf-8")).hexdigest()[:16]


def read_pool(path: Path) -> list[str]:
    """The pool's texts (`training.pool`'s TSV: id, text, source, licence)."""
    with path.open(encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [row["text"] for row in reader]


def open_text(path: Path, mode: Literal["r", "w"]) -> TextIO:
    """A text file, gzip-compressed where its name ends in `.gz` (the whole pool's logits)."""
    if path.suffix == ".gz":
        # mtime 0: the same logits make the same bytes, so a rerun leaves git nothing to see.
        raw = gzip.GzipFile(path, mode + "b", mtime=0)
        return io.TextIOWrapper(raw, encoding="utf-8", newline="")
    return path.open(mode, encoding="utf-8", newline="")


def write_logits(path: Path, keys: Sequence[str], logits: npt.NDArray[np.floating]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open_text(path, "w") as out:
        out.write("key\tnegative\tneutral\tpositive\n")
        for key, row in zip(keys, logits, strict=True):
            out.write(key + "\t" + "\t".join(f"{value:.4f}" for value in row) + "\n")


def read_logits(path: Path) -> dict[str, tuple[float, ...]]:
    with open_text(path, "r") as stream:
        reader = csv.reader(stream, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader)
        return {row[0]: tuple(float(v) for v in row[1:]) for row in reader}


def read_logits_files(paths: Sequence[Path]) -> dict[str, tuple[float, ...]]:
    """The logits of several teachers' files by text; where files share a text, the first
    file's logits win (list the better teacher first)."""
    merged: dict[str, tuple[float, ...]] = {}
    for path in reversed(paths):
        merged.update(read_logits(path))
    return merged


def teacher_logits(
    model_dir: Path, texts: Sequence[str], max_length: int = 64, batch_size: int = 64
) -> npt.NDArray[np.float32]:
    """The teacher's logits for `texts`, in batches of similar length (little padding)."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
    model = AutoModelForSequenceClassification.from_pretrained(
        model_dir, local_files_only=True, use_safetensors=True
    ).eval()
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = np.zeros((len(texts), model.config.num_labels), dtype=np.float32)
    with torch.inference_mode():
        for done, start in enumerate(range(0, len(order), batch_size)):
            chunk = order[start : start + batch_size]
            batch = tokenizer(
                [texts[i] for i in chunk],
                truncation=True,
                max_length=max_length,
                padding=True,
                return_tensors="pt",
            )
            out[chunk] = model(**batch).logits.float().numpy()
            if done % 50 == 0:
                LOG.info("teacher: %d of %d sentences", start + len(chunk), len(texts))
    return out


def pool_sample(texts: Sequence[str], count: int, seed: int) -> list[str]:
    """A seeded share of the pool (all of it when `count` is 0 or larger than the pool)."""
    if not count or count >= len(texts):
        return list(texts)
    return random.Random(seed).sample(list(texts), count)


def in_domain_texts(data_dir: Path, mix: str) -> list[str]:
    sources = [s for s in MIXES[mix] if s.name in IN_DOMAIN]
    return list(dict.fromkeys(e.text for s in sources for e in training_rows(data_dir, s)))


def main(argv: list[str] | None = None) -> int:
    """`python -m sentiment_ls.training.distill label --teacher DIR --pool POOL.tsv
    [--pool-count N] [--pool-only] --data-dir D --out FILE`: the teacher's logits for the
    in-domain training texts, the gold-labelled pool sentences and N pool sentences (seeded),
    keyed by `text_key`; FILE ending in `.gz` is written compressed."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("action", choices=["label"])
    parser.add_argument("--teacher", required=True, help="the teacher's Hugging Face folder")
    parser.add_argument("--pool", required=True, help="the pool TSV (training.pool build)")
    parser.add_argument("--pool-count", type=int, default=0, help="pool rows (0: all)")
    parser.add_argument("--data-dir", default="../shared/data")
    parser.add_argument("--mix", default="embedded", choices=sorted(MIXES))
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--max-length", type=int, default=64)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument(
        "--pool-only",
        action="store_true",
        help="label the pool's rows alone, not the in-domain and gold texts (a transfer set "
        "such as training.augment's, beside logits that already hold those)",
    )
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    texts: list[str] = []
    if not args.pool_only:
        texts = in_domain_texts(Path(args.data_dir), args.mix)
        # The gold pool sentences, every one: they were drawn where teacher and student differ.
        gold = LABELS_DIR / GOLD.labels
        if gold.is_file():
            texts += [e.text for e in read_pool_labels(Path(args.pool), gold, strict=False)]
    texts += pool_sample(read_pool(Path(args.pool)), args.pool_count, args.seed)
    texts = list(dict.fromkeys(texts))
    LOG.info("the teacher labels %d sentences", len(texts))
    logits = teacher_logits(Path(args.teacher), texts, args.max_length)
    write_logits(Path(args.out), [text_key(t) for t in texts], logits)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
