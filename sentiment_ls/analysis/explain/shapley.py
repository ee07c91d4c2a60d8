"""Shapley sampling: each word's average effect on the label's log-odds over random orders in
which the words are put back into the sentence.

Leave-one-out occlusion saturates on a confident sentence: when several words carry the tone,
removing any one of them leaves the others to carry it, and every word scores near zero. Here a
word is scored by what it adds to the words before it in a random order, from the empty
sentence (only the special tokens) to the whole one, averaged over `permutations` orders
(Štrumbelj and Kononenko, 2014). A word that carries the tone on its own then gets its share
whichever other words say the same. Half of the orders are the reverses of the other half
(antithetic sampling): a word early in one order is late in its partner, which cancels most
of the variance that the position of a word in its order brings. A sentence with so few words
that all their orders fit in the budget is explained exactly, over every order.

In every order the word scores add up to the log-odds of the whole sentence minus those of the
empty one, so the scores of a sentence sum exactly to that difference (Shapley efficiency); in
nats, like every method (`attributions.py`). A word is absent when its pieces are removed, as
in occlusion. For the token view a word is put back piece by piece, its pieces in a random
order of their own (Owen values with the words as groups): a piece's score is what it adds
after the pieces before it, and a word's pieces sum exactly to the word's score. The word
scores do not depend on whether the token view is asked for: the same orders give the same
rows.

Every distinct sentence of every order runs in one `forward` call, batched by length: one
onnxruntime call per length (about one per word). The orders come from a generator seeded
with `MethodOptions.seed`, so an explanation is reproducible.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator, Sequence

import numpy as np

from sentiment_ls.analysis.explain.attributions import (
    MethodOptions,
    Scores,
    Word,
    content_indices,
    label_log_odds,
)
from sentiment_ls.analysis.forward import forward
from sentiment_ls.analysis.loaded_model import LoadedModel
from sentiment_ls.analysis.postprocess import function_to_apply
from sentiment_ls.analysis.preprocess import Encoding
from sentiment_ls.analysis.runtimes import Purpose

NAME = "shapley"


def attribute(
    loaded: LoadedModel,
    encoding: Encoding,
    words: Sequence[Word],
    label_id: int,
    options: MethodOptions,
    should_stop: Callable[[], bool] | None = None,
) -> Scores:
    ids = encoding.windows[0]
    content = set(content_indices(encoding))
    rng = np.random.default_rng(options.seed)
    # The word orders are drawn first, so that they are the same with or without the pieces'.
    orders = word_orders(len(words), options.permutations, rng)
    pieces = (
        [[tuple(rng.permutation(words[w].tokens).tolist()) for w in order] for order in orders]
        if options.token_view
        else None
    )
    walks = [
        list(_steps(order, pieces[number] if pieces else None, words))
        for number, order in enumerate(orders)
    ]
    # A state is the set of content tokens present (the special tokens are always there); the
    # same state in several orders runs once.
    states: dict[frozenset[int], int] = {frozenset(): 0}
    for walk in walks:
        for *_, after in walk:
            states.setdefault(after, len(states))
    rows = [[t for i, t in enumerate(ids) if i not in content or i in s] for s in states]
    # As occlusion: every row in one precision, so that differences compare like with like.
    purpose: Purpose = "occlusion" if options.reduced_precision else "exact"
    logits = forward(loaded, rows, purpose=purpose, should_stop=should_stop)
    function = function_to_apply(loaded.problem_type, logits.shape[-1])
    log_odds = label_log_odds(logits, label_id, function)
    sums = {"word": np.zeros(len(words)), "piece": np.zeros(len(ids))}
    for walk in walks:
        for kind, index, before, after in walk:
            sums[kind][index] += log_odds[states[after]] - log_odds[states[before]]
    count = max(1, len(orders))
    word_scores = tuple(float(s) for s in sums["word"] / count)
    if pieces is None:
        return Scores(tokens=None, words=word_scores)
    by_token = sums["piece"] / count
    tokens = tuple(float(by_token[i]) if i in content else None for i in range(len(ids)))
    return Scores(tokens=tokens, words=word_scores)


Step = tuple[str, int, frozenset[int], frozenset[int]]


def _steps(
    order: tuple[int, ...], pieces: list[tuple[int, ...]] | None, words: Sequence[Word]
) -> Iterator[Step]:
    """The steps of one order: ("word", its index, tokens present before, after) for each
    word put back and, with `pieces` (each word's pieces in their order), ("piece", its token
    index, before, after) for each of its pieces before that."""
    present: frozenset[int] = frozenset()
    for step, word in enumerate(order):
        start = present
        for piece in pieces[step] if pieces is not None else ():
            yield "piece", piece, present, present | {piece}
            present = present | {piece}
        present = start | set(words[word].tokens)
        yield "word", word, start, present


def word_orders(count: int, budget: int, rng: np.random.Generator) -> list[tuple[int, ...]]:
    """Every order of `count` words when there are at most `budget` of them (exact Shapley
    values); otherwise `budget // 2` random orders, each followed by its reverse."""
    if math.factorial(count) <= budget:
        return list(itertools.permutations(range(count)))
    orders: list[tuple[int, ...]] = []
    for _ in range(max(1, budget // 2)):
        order = tuple(rng.permutation(count).tolist())
        orders += [order, order[::-1]]
    return orders
