"""The document layer: source text -> prose regions -> sentences with exact source offsets.

It knows nothing of LSP types or models; positions are converted with LineIndex.
"""

from __future__ import annotations

from .directives import not_silenced
from .formats import (
    LANGUAGE_BY_SUFFIX,
    SUPPORTED_LANGUAGES,
    UnsupportedFormat,
    language_of,
    prose_regions,
)
from .model import ProseRegion, Sentence
from .positions import LineIndex, PositionEncoding
from .sentences import split_sentences

__all__ = [
    "LANGUAGE_BY_SUFFIX",
    "SUPPORTED_LANGUAGES",
    "LineIndex",
    "PositionEncoding",
    "ProseRegion",
    "Sentence",
    "UnsupportedFormat",
    "document_sentences",
    "language_of",
    "prose_regions",
    "split_sentences",
]


def document_sentences(source: str, language_id: str) -> list[Sentence]:
    """All sentences of a document that no inline directive silences, in source order."""
    regions = [split_sentences(region) for region in prose_regions(source, language_id)]
    return not_silenced(source, language_id, regions)
