"""Word pieces back into words, through the tokenizer's offset mapping.

A reader sees `disappointing`, not `disappoint ##ing`. Pieces whose character spans touch
(or overlap, as byte-level pieces of one emoji do) form one run of text; punctuation at the
edges of a run is split off, so `terrible,` gives `terrible` and `,` while `don't` and
`well-made` stay whole. Working from offsets rather than from `##` or `Ġ` markers makes
this independent of the tokenizer family.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from sentiment_ls.analysis.explain.attributions import Word
from sentiment_ls.analysis.preprocess import Token


def is_punctuation(text: str) -> bool:
    # Punctuation only (Unicode P*), not symbols: an emoji is a word a reader can weigh.
    return bool(text) and all(unicodedata.category(c).startswith("P") for c in text)


def merge_words(text: str, tokens: Sequence[Token]) -> tuple[Word, ...]:
    """The words of `text`, each with its span and the indices of its tokens."""
    runs: list[list[int]] = []
    run_end = -1
    for index, token in enumerate(tokens):
        if token.span is None:
            continue
        start, end = token.span
        if runs and start <= run_end:
            runs[-1].append(index)
        else:
            runs.append([index])
        run_end = max(run_end, end)
    words: list[Word] = []
    for run in runs:
        for group in _split_edge_punctuation(text, tokens, run):
            words.append(_word(text, tokens, group))
    return tuple(words)


def _split_edge_punctuation(text: str, tokens: Sequence[Token], run: list[int]) -> list[list[int]]:
    def punctuation(index: int) -> bool:
        span = tokens[index].span
        assert span is not None
        return is_punctuation(text[span[0] : span[1]])

    first = 0
    while first < len(run) and punctuation(run[first]):
        first += 1
    if first == len(run):
        return [run]  # all punctuation ("...", "?!"): one word
    last = len(run)
    while punctuation(run[last - 1]):
        last -= 1
    groups = [run[:first], run[first:last], run[last:]]
    return [group for group in groups if group]


def _word(text: str, tokens: Sequence[Token], group: list[int]) -> Word:
    spans = [tokens[i].span for i in group]
    start = min(span[0] for span in spans if span is not None)
    end = max(span[1] for span in spans if span is not None)
    return Word(text=text[start:end], span=(start, end), tokens=tuple(group))
