from hypothesis import given
from hypothesis import strategies as st

from sentiment_ls.document.limits import analysed_end


def test_a_document_within_the_limit_is_read_whole() -> None:
    assert analysed_end("short\ntext", 100) == len("short\ntext")


def test_a_long_document_stops_after_a_line_break() -> None:
    text = "line one\n" * 100
    end = analysed_end(text, 95)
    assert end == 90 and text[:end].endswith("\n")


def test_one_enormous_line_stops_at_the_limit() -> None:
    assert analysed_end("x" * 1000, 300) == 300
    # a line break too far back does not shrink the part read to almost nothing
    assert analysed_end("a\n" + "x" * 1000, 300) == 300


@given(st.text(alphabet="ab \n\r", max_size=200), st.integers(1, 250))
def test_the_part_read_fits_and_is_never_less_than_half(text: str, limit: int) -> None:
    end = analysed_end(text, limit)
    assert end <= len(text) and end <= limit
    assert end == len(text) or end > limit // 2
