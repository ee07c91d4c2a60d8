from __future__ import annotations

from typing import get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sentiment_ls.document import LineIndex, PositionEncoding

ENCODINGS: tuple[PositionEncoding, ...] = get_args(PositionEncoding)


def units(text: str, encoding: PositionEncoding) -> int:
    """Independent oracle: the length of `text` in the encoding's units."""
    if encoding == "utf-8":
        return len(text.encode("utf-8"))
    if encoding == "utf-16":
        return len(text.encode("utf-16-le")) // 2
    return len(text)


@pytest.mark.parametrize("line_break", ["\n", "\r\n", "\r"])
def test_every_line_break_ends_a_line(line_break: str) -> None:
    text = line_break.join(["ab", "", "cd", ""])
    index = LineIndex(text)
    assert index.line_count == 4
    assert index.position(text.index("c")) == (2, 0)
    assert index.offset(2, 1) == text.index("d")
    assert index.offset(3, 0) == len(text)


def test_mixed_line_breaks() -> None:
    text = "a\r\nb\rc\nd"
    index = LineIndex(text)
    assert index.line_count == 4
    assert [index.position(text.index(char)) for char in "abcd"] == [(n, 0) for n in range(4)]


def test_lf_cr_is_two_line_breaks() -> None:
    assert LineIndex("a\n\rb").line_count == 3


def test_an_offset_inside_crlf_is_the_end_of_its_line() -> None:
    index = LineIndex("ab\r\ncd")
    assert index.position(3) == (0, 2)


def test_astral_characters_are_two_utf16_units_four_utf8_bytes_one_code_point() -> None:
    text = "a😀b"
    index = LineIndex(text)
    assert index.position(2, "utf-16") == (0, 3)
    assert index.position(2, "utf-8") == (0, 5)
    assert index.position(2, "utf-32") == (0, 2)
    assert index.offset(0, 3, "utf-16") == 2
    assert index.offset(0, 5, "utf-8") == 2


def test_a_position_inside_a_surrogate_pair_is_the_start_of_its_character() -> None:
    index = LineIndex("a😀b")
    assert index.offset(0, 2, "utf-16") == 1


@pytest.mark.parametrize(
    ("character", "offset"), [(1, 0), (2, 1), (3, 1), (4, 1), (5, 2), (6, 3), (9, 3)]
)
def test_a_position_inside_a_utf8_sequence_is_the_start_of_its_character(
    character: int, offset: int
) -> None:
    index = LineIndex("é中x")  # 2 bytes, 3 bytes, 1 byte
    assert index.offset(0, character, "utf-8") == offset


def test_zwj_sequences_and_combining_marks_count_each_code_point() -> None:
    family = "👩\u200d👩\u200d👧"  # 5 code points, 8 UTF-16 units
    text = f"{family} e\u0301!"
    index = LineIndex(text)
    end = text.index("!")
    assert index.position(end, "utf-32") == (0, 8)
    assert index.position(end, "utf-16") == (0, 11)
    assert index.offset(0, 11, "utf-16") == end


def test_out_of_range_positions_clamp() -> None:
    text = "ab\ncd"
    index = LineIndex(text)
    assert index.offset(7, 0) == len(text)
    assert index.offset(0, 99) == 2  # end of line 0, before its break
    assert index.offset(1, 99) == len(text)
    assert index.offset(-1, 5) == 0
    assert index.offset(1, -3) == 3
    assert index.position(-4) == (0, 0)
    assert index.position(99) == (1, 2)


def test_empty_text() -> None:
    index = LineIndex("")
    assert index.line_count == 1
    assert index.position(0) == (0, 0)
    assert index.offset(0, 5) == 0


def test_a_lone_surrogate_counts_as_one_utf16_unit() -> None:
    index = LineIndex("a\ud800b")
    assert index.position(2, "utf-16") == (0, 2)
    assert index.offset(0, 2, "utf-16") == 2


_TEXTS = st.text(
    alphabet=st.sampled_from(["a", " ", "\n", "\r", "é", "中", "😀", "\u0301", "\u200d"]),
    max_size=30,
)


# database=None: no .hypothesis folder left in the working tree.
@settings(max_examples=150, deadline=None, database=None)
@given(_TEXTS)
def test_round_trips_in_every_encoding(text: str) -> None:
    index = LineIndex(text)
    for offset in range(len(text) + 1):
        if text[offset - 1 : offset + 1] == "\r\n":
            continue  # between "\r" and "\n": no position addresses it
        for encoding in ENCODINGS:
            line, character = index.position(offset, encoding)
            assert index.offset(line, character, encoding) == offset
            line_start = index.offset(line, 0, encoding)
            assert character == units(text[line_start:offset], encoding)
