"""Choose sentences of the unlabelled pools for careful reading (active learning).

`python -m sentiment_ls.training.active --data-dir ../shared/data --out data/selection.tsv`

The pools are `tone/issues/unlabelled.tsv` (only the rows whose repository is on the train side
of the split: the dev repositories must stay unseen) and `tone/docs/unlabelled.tsv`. A sentence
is chosen for one of four reasons, recorded beside its id:

- `uncertain`: the model (the embedded model at the time of selection) is least sure, by the
  entropy of its three probabilities, with the negative/neutral boundary weighted up because
  that is where a flag is won or lost;
- `near-error`: it is close, in the base model's sentence-embedding space, to a labelled
  training sentence the model gets wrong (the model's disagreement with the labels we have);
- `uncivil-context`: its comment was marked uncivil by the source, yet the model calls the
  sentence neutral: the kind of quiet criticism the model misses, or a calm sentence in an
  angry comment, which is worth knowing as well;
- `random`: a uniform sample, so that labels also describe the pool as it is.

Only ids and reasons are written: the text stays in the shared folder.
"""

from __future__ import annotations

import argparse
import csv
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sentiment_ls.training.data import read_labelled_tsv
from sentiment_ls.training.mix import LABEL2ID

if TYPE_CHECKING:
    from sentiment_ls.analysis.engine import SentimentEngine

ISSUES_POOL = "tone/issues/unlabelled.tsv"
DOCS_POOL = "tone/docs/unlabelled.tsv"
SEED = 17


@dataclass(frozen=True)
class PoolRow:
    id: str
    pool: str  # issues / docs
    text: str
    incivility: str  # the source comment's feature ("None" when civil; docs: "")


def read_pools(data_dir: Path) -> list[PoolRow]:
    rows: list[PoolRow] = []
    for pool, path in (("issues", ISSUES_POOL), ("docs", DOCS_POOL)):
        with (data_dir / path).open(encoding="utf-8", newline="") as stream:
            for row in csv.DictReader(stream, delimiter="\t", quoting=csv.QUOTE_NONE):
                if pool == "issues" and row["split"] != "train":
                    continue  # dev repositories stay unseen by training
                rows.append(PoolRow(row["id"], pool, row["text"], row.get("incivility", "")))
    return rows


def boundary_uncertainty(probabilities: np.ndarray) -> np.ndarray:
    """Entropy of each row, plus how close negative and neutral are (1 when level)."""
    clipped = np.clip(probabilities, 1e-9, 1.0)
    entropy = -(clipped * np.log(clipped)).sum(axis=1) / math.log(probabilities.shape[1])
    negative = probabilities[:, LABEL2ID["negative"]]
    neutral = probabilities[:, LABEL2ID["neutral"]]
    boundary = 1.0 - np.abs(negative - neutral) / np.maximum(negative + neutral, 1e-9)
    return np.asarray(0.5 * entropy + 0.5 * boundary * (negative + neutral))


def nearest_similarity(pool: np.ndarray, anchors: np.ndarray) -> np.ndarray:
    """Cosine similarity of each pool row to its nearest anchor (rows are unit vectors)."""
    if len(anchors) == 0:
        return np.zeros(len(pool))
    best = np.full(len(pool), -1.0)
    for start in range(0, len(pool), 1024):
        block = pool[start : start + 1024] @ anchors.T
        best[start : start + 1024] = block.max(axis=1)
    return best


def sentence_embeddings(texts: Sequence[str]) -> np.ndarray:
    """Mean-pooled, normalised embeddings of the pinned MiniLM base (a sentence encoder)."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    from sentiment_ls.embedded.base import verified_base_dir

    folder = verified_base_dir()
    tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    model = AutoModel.from_pretrained(folder, local_files_only=True, use_safetensors=True)
    model.eval()
    out = np.zeros((len(texts), model.config.hidden_size), dtype=np.float32)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    with torch.inference_mode():
        for start in range(0, len(order), 128):
            chunk = order[start : start + 128]
            batch = tokenizer(
                [texts[i] for i in chunk],
                padding=True,
                truncation=True,
                max_length=128,
                return_tensors="pt",
            )
            hidden = model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).float()
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
            pooled = torch.nn.functional.normalize(pooled, dim=-1)
            out[chunk] = pooled.numpy()
    return out


def model_probabilities(texts: Sequence[str], engine: SentimentEngine) -> np.ndarray:
    analyses = engine.analyze(list(texts))
    labels = list(LABEL2ID)
    return np.array(
        [[a.prediction.probabilities[label] for label in labels] for a in analyses],
        dtype=np.float64,
    )


def labelled_errors(data_dir: Path, engine: SentimentEngine, threshold: float) -> list[str]:
    """Training sentences (issues and docs train splits) the model's flag gets wrong:
    negatives it does not flag, and sentences it flags that are not negative."""
    texts: list[str] = []
    gold: list[int] = []
    for path in ("tone/issues/train.tsv", "tone/docs/train.tsv"):
        for example in read_labelled_tsv(data_dir / path, LABEL2ID):
            texts.append(example.text)
            gold.append(example.label)
    probabilities = model_probabilities(texts, engine)
    flagged = probabilities[:, LABEL2ID["negative"]] >= threshold
    negative = np.array(gold) == LABEL2ID["negative"]
    return [t for t, wrong in zip(texts, flagged != negative, strict=True) if wrong]


def select(
    rows: list[PoolRow],
    probabilities: np.ndarray,
    similarity: np.ndarray,
    quotas: dict[str, dict[str, int]],
    seed: int = SEED,
) -> list[tuple[PoolRow, str]]:
    """Fill each pool's quota of each reason in order, never choosing a row twice."""
    chosen: dict[int, str] = {}
    uncertainty = boundary_uncertainty(probabilities)
    negative = probabilities[:, LABEL2ID["negative"]]
    rng = random.Random(seed)
    for pool, reasons in quotas.items():
        members = [i for i, row in enumerate(rows) if row.pool == pool]
        rankings = {
            "uncertain": sorted(members, key=lambda i: -uncertainty[i]),
            "near-error": sorted(members, key=lambda i: -similarity[i]),
            "uncivil-context": sorted(
                (i for i in members if rows[i].incivility not in ("", "None")),
                key=lambda i: (negative[i] >= 0.65, -negative[i]),
            ),
            "random": rng.sample(members, len(members)),
        }
        for reason, quota in reasons.items():
            taken = 0
            for index in rankings[reason]:
                if taken == quota:
                    break
                if index not in chosen:
                    chosen[index] = reason
                    taken += 1
    return [(rows[i], reason) for i, reason in sorted(chosen.items())]


QUOTAS = {
    "issues": {"uncivil-context": 500, "uncertain": 800, "near-error": 700, "random": 250},
    "docs": {"uncertain": 350, "near-error": 400, "random": 200},
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default="../shared/data")
    parser.add_argument("--model", default="embedded")
    parser.add_argument("--threshold", type=float, default=0.65)
    parser.add_argument("--out", default="data/selection.tsv")
    args = parser.parse_args(argv)
    data_dir = Path(args.data_dir)

    rows = read_pools(data_dir)
    texts = [row.text for row in rows]
    from sentiment_ls.analysis.engine import SentimentEngine
    from sentiment_ls.analysis.model_loading import load_model
    from sentiment_ls.analysis.request import LoadRequest

    # Loaded once, for pools and errors.
    engine = SentimentEngine(load_model(LoadRequest(model=args.model)))
    probabilities = model_probabilities(texts, engine)
    errors = labelled_errors(data_dir, engine, args.threshold)
    embedded = sentence_embeddings(texts + errors)
    similarity = nearest_similarity(embedded[: len(texts)], embedded[len(texts) :])
    chosen = select(rows, probabilities, similarity, QUOTAS)

    index = {row.id: i for i, row in enumerate(rows)}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, delimiter="\t", lineterminator="\n")
        writer.writerow(["id", "pool", "reason", "p_negative", "p_neutral", "p_positive"])
        for row, reason in chosen:
            p = probabilities[index[row.id]]
            writer.writerow([row.id, row.pool, reason, *(f"{v:.3f}" for v in p)])
    print(f"{len(chosen)} sentences chosen ({len(errors)} labelled errors as anchors) -> {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
