"""Checks shared by the document tests: every character must sit where it came from."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from sentiment_ls.document import ProseRegion, Sentence
from sentiment_ls.document.model import INLINE_CODE_READS_AS
from sentiment_ls.document.positions import LINE_BREAK

_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def assert_faithful(
    source: str, items: Iterable[ProseRegion | Sentence], read_as_space: str = "\r\n"
) -> None:
    """Each character is the source character at its offset, except a line break (or another
    character of `read_as_space`, as LaTeX's tie "~") read as a space, a character decoded
    from an entity, which sits at the entity's "&", and a stand-in's placeholder, which sits
    at its literal's first character and stands for the source up to its end."""
    for item in items:
        assert len(item.text) == len(item.offsets)
        placeholders: set[int] = set()
        for stand_in in item.stand_ins:
            assert item.text[stand_in.start : stand_in.end] == INLINE_CODE_READS_AS
            literal_start = item.offsets[stand_in.start]
            assert source[literal_start : stand_in.source_end] == stand_in.source_text
            placeholders.update(range(stand_in.start, stand_in.end))
        for index, (char, offset) in enumerate(zip(item.text, item.offsets, strict=True)):
            original = source[offset]
            if char == original or index in placeholders:
                continue
            if char == " " and original in read_as_space:
                continue
            entity = _ENTITY.match(source, offset)
            assert entity is not None and char in html.unescape(entity.group()), (
                f"{item.text!r}[{index}] is {char!r} but the source has {original!r} at {offset}"
            )
        # Source order: an entity decoded to two characters puts both at its "&".
        assert list(item.offsets) == sorted(item.offsets)


def assert_plain_slices(source: str, sentences: Iterable[Sentence]) -> None:
    """Plain text: the source slice of a sentence is its text, line breaks read as spaces."""
    for sentence in sentences:
        assert LINE_BREAK.sub(" ", source[sentence.start : sentence.end]) == sentence.text


def texts(items: Iterable[ProseRegion | Sentence]) -> list[str]:
    return [item.text for item in items]
