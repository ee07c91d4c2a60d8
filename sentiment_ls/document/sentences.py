"""Sentence splitting of prose regions, keeping every character's source offset.

pySBD is right on the hard cases (47 of the 48 English Golden Rules: abbreviations,
initials, numbers, lists, quotations, ellipses) but slow, about 0.3 MB/s. Most sentence ends
in prose are not hard: a lowercase word, a full stop, a space and a capitalised word. So a
region is first cut at those clean boundaries, which pySBD would cut at too, and only a piece
that still holds a terminator that could mean something else ("Dr.", "3.5", "U.S.", "...",
"?!", a quoted "great." she said) is handed to pySBD. A piece without one is a sentence.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pysbd
from pysbd.lang.english import English

from .model import ProseRegion, Sentence, StandIn

# Documents are re-split on every keystroke and most paragraphs have not changed, so splits
# are cached by region text (not by region: the same paragraph moves when lines above it
# are edited, and its offsets with it). Entries are small tuples of ints.
_CACHED_TEXTS = 4096


def split_sentences(region: ProseRegion) -> list[Sentence]:
    """The sentences of a region, in order, each with the source offsets of its characters
    and the stand-ins that lie in it."""
    return [
        Sentence(
            region.text[start:end],
            region.offsets[start:end],
            _stand_ins_within(region.stand_ins, start, end),
        )
        for start, end in sentence_spans(region.text)
    ]


def _stand_ins_within(stand_ins: tuple[StandIn, ...], start: int, end: int) -> tuple[StandIn, ...]:
    """The stand-ins wholly inside text[start:end], counted from `start`."""
    return tuple(
        stand_in.shifted(-start)
        for stand_in in stand_ins
        if start <= stand_in.start and stand_in.end <= end
    )


# Anything that may end a sentence, or may look as if it did.
_TERMINATOR = re.compile(r"[.!?\u2026\u203d\u3002\uff01\uff1f]")
# A clean end: a word of two or more letters, lowercase but for the first (or, for "!" and
# "?", any letter or digit) right before a lone terminator, then spaces, then a capitalised
# word.
_CLEAN_FULL_STOP = re.compile(
    r"(?<![\w.'\u2019-])([A-Za-z]?[a-z]+(?:['\u2019][a-z]+)*)\. +(?=[A-Z][a-z]|[AI] )"
)
_CLEAN_MARK = re.compile(r"(?<=[A-Za-z0-9])[!?] +(?=[A-Z][a-z]|[AI] )")
# A full stop that a lowercase letter or a digit follows at once ("os.path", "3.5", "e.g")
# is inside a word, where pySBD does not end a sentence.
# Nor does it after a full stop that a comma or a colon follows ("e.g., the"), or after
# "e.g." or "i.e." that a lowercase word follows.
_POSSIBLE_END = re.compile(
    r"[!?\u2026\u203d\u3002\uff01\uff1f]"
    r"|(?<!\b[a-z]\.[a-z])\.(?![a-z0-9_,;:])"
    r"|(?<=\b[a-z]\.[a-z])\.(?![a-z0-9_,;:]| +[a-z])"
)
_OTHER_ENDS = re.compile(r"\d\)|[\u2022\u2043\r\n]")
# Words that pySBD reads as abbreviations: a full stop after one is not a clean end.
_ABBREVIATIONS = frozenset(English.Abbreviation.ABBREVIATIONS)
# Only its settings are kept on the segmenter: `processor` makes a new Processor per text.
_SEGMENTER = pysbd.Segmenter(language="en", clean=False)


@lru_cache(maxsize=_CACHED_TEXTS)
def sentence_spans(text: str) -> tuple[tuple[int, int], ...]:
    """[start, end) spans of the sentences of `text`: stripped, each with a letter or digit."""
    if not any(char.isalnum() for char in text):
        return ()
    spans: list[tuple[int, int]] = []
    piece_start = 0
    for cut in [*_clean_boundaries(text), len(text)]:
        piece = text[piece_start:cut]
        if _needs_pysbd(piece):
            spans.extend(
                (piece_start + start, piece_start + end) for start, end in pysbd_spans(piece)
            )
        else:
            spans.append((piece_start, cut))
        piece_start = cut
    stripped = (_stripped(text, start, end) for start, end in spans)
    return tuple(span for span in stripped if _has_word(text, span))


def _needs_pysbd(piece: str) -> bool:
    """Whether a piece may hold a sentence end other than at its last character: a
    terminator before that, or a list marker ("2)", a bullet) or line break, which pySBD
    also splits at."""
    piece = piece.rstrip()
    return bool(_POSSIBLE_END.search(piece, 0, len(piece) - 1) or _OTHER_ENDS.search(piece))


def _clean_boundaries(text: str) -> list[int]:
    """Where clean sentence ends are: the offsets just after the terminator."""
    cuts = [
        match.end(1) + 1
        for match in _CLEAN_FULL_STOP.finditer(text)
        if len(match.group(1)) > 1 and match.group(1).lower() not in _ABBREVIATIONS
    ]
    cuts.extend(match.start() + 1 for match in _CLEAN_MARK.finditer(text))
    return sorted(cuts)


def pysbd_spans(text: str) -> list[tuple[int, int]]:
    """pySBD's segments of `text`, located in it."""
    # pySBD's own `segment` then finds each sentence in the text with a regular expression
    # made from that sentence, compiled anew every time; `find` below does that job.
    segments = _SEGMENTER.processor(text).process()
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
    return spans


def _stripped(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _has_word(text: str, span: tuple[int, int]) -> bool:
    return any(char.isalnum() for char in text[span[0] : span[1]])
