from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from sentiment_ls.document.limits import analysed_end, read_document


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


def test_read_document_reads_a_regular_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "notes.md"
    path.write_text("Héllo 😀 world.\n" * 10, encoding="utf-8")
    assert read_document(path, 1_000) == "Héllo 😀 world.\n" * 10


def test_read_document_stops_near_the_limit(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "big.md"
    path.write_text("😀" * 10_000, encoding="utf-8")
    assert read_document(path, 100) == "😀" * 100
    path.write_text("line\n" * 10_000, encoding="utf-8")
    assert read_document(path, 102) == "line\n" * 20  # up to a line break, as when open


def test_read_document_refuses_devices_and_pipes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import os

    import pytest

    with pytest.raises(OSError, match="not a regular file"):
        read_document(Path("/dev/zero"), 1_000)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    writer = os.open(fifo, os.O_RDWR)  # so that opening it for reading does not block
    try:
        with pytest.raises(OSError, match="not a regular file"):
            read_document(fifo, 1_000)
    finally:
        os.close(writer)
