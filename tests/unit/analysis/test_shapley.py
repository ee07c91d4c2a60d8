"""Shapley sampling on the real embedded model (onnxruntime, no torch): the scores add up,
words are removed whole and their pieces add up to them, a seed reproduces them, a sentence of
few words is explained exactly, and a confident sentence gets reasons that leave-one-out
occlusion does not give."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from sentiment_ls.analysis.explain import MethodOptions, explain
from sentiment_ls.analysis.explain.attributions import label_log_odds
from sentiment_ls.analysis.explain.shapley import NAME, word_orders
from sentiment_ls.analysis.explain.words import merge_words
from sentiment_ls.analysis.forward import forward

# The README's quick-start sentence: negative 0.93, carried by several words at once.
CONFIDENT = (
    "Unfortunately, the importer is still painfully slow on large archives, and the error "
    "messages are unhelpful."
)


def _log_odds(engine, text: str, kept_words: list[set[int]]) -> list[float]:  # type: ignore[no-untyped-def]
    """The predicted label's log-odds keeping only the given words, recomputed here."""
    analysis = engine.analyze([text])[0]
    ids = list(analysis.encoding.windows[0])
    words = merge_words(text, analysis.encoding.tokens)
    rows = []
    for kept in kept_words:
        gone = {i for w, word in enumerate(words) if w not in kept for i in word.tokens}
        rows.append([t for i, t in enumerate(ids) if i not in gone])
    label_id = engine.loaded.labels.index(analysis.prediction.label)
    return label_log_odds(forward(engine.loaded, rows), label_id, "softmax").tolist()


def test_scores_add_up_to_the_sentence_against_no_words(embedded_engine) -> None:  # type: ignore[no-untyped-def]
    analysis = embedded_engine.analyze([CONFIDENT])[0]
    explanation = embedded_engine.explain(analysis, method=NAME)
    count = len(explanation.words)
    whole, empty = _log_odds(embedded_engine, CONFIDENT, [set(range(count)), set()])
    total = sum(w.attribution for w in explanation.words)
    assert total == pytest.approx(whole - empty, abs=1e-4)  # efficiency, in every order
    tokens = explanation.token_attributions
    assert tokens is not None
    assert sum(s for s in tokens if s is not None) == pytest.approx(total, abs=1e-4)


def test_a_word_of_several_pieces_is_removed_whole_and_its_pieces_add_up_to_it(
    embedded_engine,  # type: ignore[no-untyped-def]
) -> None:
    text = "An unbelievably dull and overwrought remake."
    analysis = embedded_engine.analyze([text])[0]
    explanation = embedded_engine.explain(analysis, method=NAME)
    tokens = explanation.token_attributions
    assert tokens is not None
    by_text = {w.text: w for w in explanation.words}
    group = by_text["unbelievably"]
    assert len(group.tokens) == 5  # un ##bel ##ie ##va ##bly
    pieces = [tokens[i] for i in group.tokens]
    assert all(p is not None and math.isfinite(p) for p in pieces)
    assert sum(p for p in pieces if p is not None) == pytest.approx(group.attribution, abs=1e-4)
    # The token view costs extra rows, not other word scores: the same orders give them.
    words_only = explain(
        embedded_engine.loaded,
        text,
        analysis.encoding,
        analysis.prediction.label,
        NAME,
        MethodOptions(token_view=False),
    )
    assert words_only.token_attributions is None
    assert [w.attribution for w in words_only.words] == [w.attribution for w in explanation.words]


def test_a_seed_reproduces_the_scores_and_another_seed_samples_other_orders(
    embedded_engine,  # type: ignore[no-untyped-def]
) -> None:
    loaded = embedded_engine.loaded
    analysis = embedded_engine.analyze([CONFIDENT])[0]

    def scores(seed: int) -> list[float]:
        options = MethodOptions(seed=seed, token_view=False)
        label = analysis.prediction.label
        words = explain(loaded, CONFIDENT, analysis.encoding, label, NAME, options).words
        return [w.attribution for w in words]

    assert scores(7) == scores(7)
    assert scores(7) != scores(8)
    orders = word_orders(19, 8, np.random.default_rng(0))
    assert len(orders) == 8 and all(sorted(o) == list(range(19)) for o in orders)
    assert all(orders[i + 1] == orders[i][::-1] for i in range(0, 8, 2))  # antithetic pairs


def test_a_sentence_of_three_words_is_explained_exactly(embedded_engine) -> None:  # type: ignore[no-untyped-def]
    text = "Terribly slow importer"
    analysis = embedded_engine.analyze([text])[0]
    explanation = embedded_engine.explain(analysis, method=NAME)
    assert [w.text for w in explanation.words] == ["Terribly", "slow", "importer"]
    # 3! = 6 orders fit in the budget of 8: every order, so the Shapley values themselves,
    # recomputed here from every coalition by the textbook formula.
    coalitions = [set(c) for r in range(4) for c in itertools.combinations(range(3), r)]
    value = dict(
        zip(map(frozenset, coalitions), _log_odds(embedded_engine, text, coalitions), strict=True)
    )
    for word in range(3):
        expected = 0.0
        for coalition in coalitions:
            if word in coalition:
                continue
            weight = math.factorial(len(coalition)) * math.factorial(2 - len(coalition)) / 6
            gain = value[frozenset(coalition | {word})] - value[frozenset(coalition)]
            expected += weight * gain
        assert explanation.words[word].attribution == pytest.approx(expected, abs=1e-4)


def test_a_confident_sentence_gets_reasons_that_occlusion_saturates_on(embedded_engine) -> None:  # type: ignore[no-untyped-def]
    analysis = embedded_engine.analyze([CONFIDENT])[0]
    # Confident: 0.89 with the stage-3 model (0.93 before); occlusion saturates all the same.
    assert analysis.prediction.label == "negative" and analysis.prediction.score >= 0.85
    shapley = {w.text: w.attribution for w in embedded_engine.explain(analysis, method=NAME).words}
    occlusion = {
        w.text: w.attribution for w in embedded_engine.explain(analysis, method="occlusion").words
    }
    assert max(occlusion.values()) < 0.5  # any one word is redundant with the others
    top = sorted(shapley, key=shapley.__getitem__, reverse=True)[:3]
    assert set(top) <= {"Unfortunately", "painfully", "slow", "unhelpful"}, shapley
    assert shapley[top[0]] >= 0.5
