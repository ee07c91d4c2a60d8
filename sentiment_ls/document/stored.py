"""A document's sentences as bytes, for `check`'s persistent cache: splitting a long Markdown
file (markdown-it, pySBD) took most of a run whose scores were all cached.

Each sentence is its text, its source offsets, stored as runs (start, length) since a
sentence's offsets are consecutive except where markup was skipped, and its stand-ins.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

from sentiment_ls import __version__
from sentiment_ls.document.model import Sentence, StandIn

# Bump when what the formats or the splitter make of a text changes.
SPLIT_FORMAT = 2


def document_key(source: str, language_id: str) -> bytes:
    material = f"{SPLIT_FORMAT}\0{__version__}\0{language_id}\0".encode() + source.encode(
        "utf-8", "surrogatepass"
    )
    return hashlib.sha256(material).digest()[:16]


def _runs(offsets: Sequence[int]) -> list[int]:
    runs: list[int] = []
    for offset in offsets:
        if runs and runs[-2] + runs[-1] == offset:
            runs[-1] += 1
        else:
            runs += [offset, 1]
    return runs


def encode_sentences(sentences: Sequence[Sentence]) -> bytes:
    rows = [
        [
            s.text,
            _runs(s.offsets),
            [[i.start, i.end, i.source_end, i.source_text] for i in s.stand_ins],
        ]
        for s in sentences
    ]
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8", "surrogatepass"
    )


def decode_sentences(blob: bytes) -> list[Sentence] | None:
    """The sentences, or None for a blob that is not one of ours (then split again)."""
    try:
        rows = json.loads(blob.decode("utf-8", "surrogatepass"))
        sentences = []
        for text, runs, stand_ins in rows:
            offsets: list[int] = []
            for start, length in zip(runs[::2], runs[1::2], strict=True):
                offsets.extend(range(start, start + length))
            sentences.append(
                Sentence(text, tuple(offsets), tuple(StandIn(*fields) for fields in stand_ins))
            )
    except (ValueError, TypeError):
        return None
    return sentences
