"""Saturation-proof attribution methods measured against the shipped ones and not shipped.

`bench/faithfulness.py` scores them beside the registry's methods, so that the choice of the
default is on the page (bench/RESULTS.md). Each takes the loaded model, a sentence's analysis
and the label, and returns one score per word in nats of the label's log-odds, a word being
absent when its pieces are removed, as every method here does:
- `ordered_deletion`: occlusion of the words in the order of their leave-one-out effect, a
  deletion curve; a word's score is how far the log-odds fall when it is removed after the
  words ranked above it. Two batches.
- `kernel_shap`: KernelSHAP (Lundberg and Lee, 2017) with `budget` x words coalitions drawn
  by the Shapley kernel, each with its complement, solved by least squares under the
  constraint that the scores sum to f(sentence) - f(no words).
- `greedy_deletion`: the deletion curve searched for, not read off an order: each step removes
  the word whose removal lowers the log-odds most given the words already removed, and that
  fall is its score. Saturation-proof in the way Shapley is (once one of two decisive words is
  gone, the other's removal shows), and the metric's own greedy optimum. Words x (words + 1)
  / 2 rows.
- `best_fifth_by_search`: not a method but a bound. A beam search (width `BEAM`) for the set
  of max(1, round(0.2 x words)) words whose removal lowers the label's log-odds most, knowing
  the metric; those words rank first, the rest follow greedily. Its comprehensiveness at 20 %
  is about the most any ranking of words can reach on this model; its other columns mean
  nothing.
"""

from __future__ import annotations

import random

import numpy as np
import numpy.typing as npt

from sentiment_ls.analysis.engine import SentenceAnalysis
from sentiment_ls.analysis.explain.attributions import label_log_odds
from sentiment_ls.analysis.explain.words import merge_words
from sentiment_ls.analysis.forward import forward
from sentiment_ls.analysis.loaded_model import LoadedModel

Mask = npt.NDArray[np.bool_]


class Value:
    """The label's log-odds of a sentence keeping only some of its words (one mask a row)."""

    def __init__(self, loaded: LoadedModel, analysis: SentenceAnalysis, label: str) -> None:
        self.loaded = loaded
        self.ids = list(analysis.encoding.windows[0])
        self.words = merge_words(analysis.text, analysis.encoding.tokens)
        self.label_id = loaded.labels.index(label)
        self.function = analysis.prediction.function

    def __call__(self, masks: list[Mask]) -> npt.NDArray[np.float64]:
        rows = []
        for keep in masks:
            gone = {
                i for word, k in zip(self.words, keep, strict=True) if not k for i in word.tokens
            }
            rows.append([t for i, t in enumerate(self.ids) if i not in gone])
        logits = forward(self.loaded, rows, purpose="exact")
        return label_log_odds(logits, self.label_id, self.function)


def ordered_deletion(loaded: LoadedModel, analysis: SentenceAnalysis, label: str) -> list[float]:
    value = Value(loaded, analysis, label)
    count = len(value.words)
    whole = np.ones(count, dtype=bool)
    alone = [whole] + [np.arange(count) != i for i in range(count)]
    log_odds = value(alone)
    order = np.argsort(-(log_odds[0] - log_odds[1:]), kind="stable")
    curve = [whole]
    for word in order:
        kept = curve[-1].copy()
        kept[word] = False
        curve.append(kept)
    falls = value(curve)
    scores = np.empty(count)
    scores[order] = falls[:-1] - falls[1:]
    return scores.tolist()


def kernel_shap(
    loaded: LoadedModel, analysis: SentenceAnalysis, label: str, budget: int = 4, seed: int = 0
) -> list[float]:
    value = Value(loaded, analysis, label)
    count = len(value.words)
    rng = random.Random(seed)
    ends = value([np.zeros(count, dtype=bool), np.ones(count, dtype=bool)])
    total = float(ends[1] - ends[0])
    if count <= 1:
        return [total] * count
    sizes = list(range(1, count))
    kernel = [(count - 1) / (s * (count - s)) for s in sizes]
    masks: list[Mask] = []
    for _ in range(max(1, budget * count // 2)):
        chosen = np.zeros(count, dtype=bool)
        chosen[rng.sample(range(count), rng.choices(sizes, weights=kernel)[0])] = True
        masks += [chosen, ~chosen]
    gains = value(masks) - ends[0]
    design = np.array(masks, dtype=np.float64)
    # The last word's score is the total less the others': least squares on the rest.
    reduced = design[:, :-1] - design[:, -1:]
    others, *_ = np.linalg.lstsq(reduced, gains - design[:, -1] * total, rcond=None)
    return [*others.tolist(), total - float(others.sum())]


def greedy_deletion(loaded: LoadedModel, analysis: SentenceAnalysis, label: str) -> list[float]:
    value = Value(loaded, analysis, label)
    count = len(value.words)
    kept = np.ones(count, dtype=bool)
    scores = np.zeros(count)
    current = float(value([kept])[0])
    for _ in range(count):
        left = np.flatnonzero(kept)
        trials = []
        for word in left:
            trial = kept.copy()
            trial[word] = False
            trials.append(trial)
        values = value(trials)
        best = int(np.argmin(values))
        scores[left[best]] = current - float(values[best])
        kept, current = trials[best], float(values[best])
    return scores.tolist()


BEAM = 8


def best_fifth_by_search(
    loaded: LoadedModel, analysis: SentenceAnalysis, label: str
) -> list[float]:
    value = Value(loaded, analysis, label)
    count = len(value.words)
    size = max(1, round(0.2 * count))
    beam: list[tuple[float, tuple[int, ...]]] = [(0.0, ())]
    for _ in range(size):
        candidates = {
            tuple(sorted((*removed, word))): (*removed, word)
            for _, removed in beam
            for word in range(count)
            if word not in removed
        }
        paths = list(candidates.values())
        masks = []
        for path in paths:
            keep = np.ones(count, dtype=bool)
            keep[list(path)] = False
            masks.append(keep)
        values = value(masks)
        ranked = sorted(zip(values.tolist(), paths, strict=True))
        beam = ranked[:BEAM]
    _, chosen = beam[0]
    # The chosen words first, in the order the search added them; then the others by their
    # greedy deletion scores.
    rest = greedy_deletion(loaded, analysis, label)
    top = max(rest) + 1.0
    scores = list(rest)
    for rank, word in enumerate(chosen):
        scores[word] = top + len(chosen) - rank
    return scores
