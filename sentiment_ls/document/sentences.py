"""Sentence splitting of prose regions with pySBD, keeping every character's source offset."""

from __future__ import annotations

from functools import lru_cache

import pysbd

from .model import ProseRegion, Sentence

# Documents are re-split on every keystroke and most paragraphs have not changed, so splits
# are cached by region text (not by region: the same paragraph moves when lines above it
# are edited, and its offsets with it). Entries are small tuples of ints.
_CACHED_TEXTS = 4096


def split_sentences(region: ProseRegion) -> list[Sentence]:
    """The sentences of a region, in order, each with the source offsets of its characters."""
    return [
        Sentence(region.text[start:end], region.offsets[start:end])
        for start, end in sentence_spans(region.text)
    ]


@lru_cache(maxsize=_CACHED_TEXTS)
def sentence_spans(text: str) -> tuple[tuple[int, int], ...]:
    """[start, end) spans of the sentences of `text`: stripped, each with a letter or digit."""
    if not any(char.isalnum() for char in text):
        return ()
    # A fresh segmenter per call: pySBD keeps the text being split on the instance.
    segments = pysbd.Segmenter(language="en", clean=False).segment(text)
    spans: list[tuple[int, int]] = []
    cursor = 0
    unlocated = False
    for segment in segments:
        piece = segment.strip()
        if not piece:
            continue
        found = text.find(piece, cursor)
        if found < 0:
            # pySBD changed this segment's text, so it has no place in `text`; whatever lies
            # between the last located segment and the next one becomes one sentence.
            unlocated = True
            continue
        if unlocated:
            spans.append((cursor, found))
            unlocated = False
        spans.append((found, found + len(piece)))
        cursor = found + len(piece)
    if unlocated:
        spans.append((cursor, len(text)))
    stripped = (_stripped(text, start, end) for start, end in spans)
    return tuple(span for span in stripped if _has_word(text, span))


def _stripped(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _has_word(text: str, span: tuple[int, int]) -> bool:
    return any(char.isalnum() for char in text[span[0] : span[1]])
