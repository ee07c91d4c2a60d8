"""Which words pushed the score: per-word attributions for one label of one sentence.

`explain` merges word pieces into words (`words.py`), runs one method from the registry
(`registry.py`) and returns both views, tokens and words, in one unit (`attributions.py`).
Only the sentence's first window is explained: for a sentence longer than the model takes,
the tokens beyond it have no score.
"""

from __future__ import annotations

from collections.abc import Callable

from sentiment_ls.analysis.explain.attributions import (
    UNIT,
    Explanation,
    MethodOptions,
    WordAttribution,
)
from sentiment_ls.analysis.explain.registry import DEFAULT_METHOD, METHODS
from sentiment_ls.analysis.explain.words import merge_words
from sentiment_ls.analysis.loaded_model import LoadedModel
from sentiment_ls.analysis.preprocess import Encoding

__all__ = [
    "DEFAULT_METHOD",
    "METHODS",
    "UNIT",
    "Explanation",
    "MethodOptions",
    "UnknownLabel",
    "UnknownMethod",
    "WordAttribution",
    "explain",
]


class UnknownMethod(ValueError):
    pass


class UnknownLabel(ValueError):
    pass


def explain(
    loaded: LoadedModel,
    text: str,
    encoding: Encoding,
    label: str,
    method: str = DEFAULT_METHOD,
    options: MethodOptions | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Explanation:
    """Attributions toward `label` for the sentence `text` whose tokenizer output is
    `encoding`: positive scores support the label, negative ones oppose it. A method whose
    forward passes come in batches asks `should_stop` before each and raises
    `scheduling.Cancelled` when it says so."""
    attribute = METHODS.get(method)
    if attribute is None:
        raise UnknownMethod(f"unknown attribution method {method!r}; known: {sorted(METHODS)}")
    label_id = next((i for i, name in loaded.id2label.items() if name == label), None)
    if label_id is None:
        raise UnknownLabel(f"the model has no label {label!r}; its labels are {loaded.labels}")
    words = merge_words(text, encoding.tokens)
    scores = attribute(loaded, encoding, words, label_id, options or MethodOptions(), should_stop)
    if scores.words is not None:
        word_scores = scores.words
    else:
        tokens = scores.tokens
        assert tokens is not None, f"{method} gave neither token nor word scores"
        word_scores = tuple(sum(tokens[i] or 0.0 for i in w.tokens) for w in words)
    return Explanation(
        method=method,
        label=label,
        token_attributions=scores.tokens,
        words=tuple(
            WordAttribution(w.text, w.span, w.tokens, score)
            for w, score in zip(words, word_scores, strict=True)
        ),
    )
