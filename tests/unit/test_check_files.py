"""`check` walks folders with the formats registry's file kinds and draws progress only on a
terminal."""

from __future__ import annotations

import io
import time
from pathlib import Path

from sentiment_ls.check.inputs import iter_files
from sentiment_ls.check.terminal import ProgressBar


def test_folders_are_walked_for_every_known_kind_and_hidden_files_are_skipped(
    tmp_path: Path,
) -> None:
    for name in ("a.md", "b.rst", "c.tex", "d.py", "e.ts", "f.bin", "g.html", "notes.txt"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "h.md").write_text("x", encoding="utf-8")
    found = {path.name: language for path, language in iter_files([str(tmp_path)])}
    assert found == {
        "a.md": "markdown",
        "b.rst": "restructuredtext",
        "c.tex": "latex",
        "d.py": "python",
        "e.ts": "typescript",
        "g.html": "html",
        "notes.txt": "plaintext",
    }


def test_a_named_file_of_an_unknown_kind_is_read_as_plain_text(tmp_path: Path) -> None:
    path = tmp_path / "COMMIT_EDITMSG"
    path.write_text("x", encoding="utf-8")
    assert list(iter_files([str(path), str(tmp_path / "notes.log")])) == [
        (path, "git-commit"),
        (tmp_path / "notes.log", "plaintext"),
    ]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_drawn_on_a_terminal_for_long_runs_and_cleared() -> None:
    stream = Terminal()
    items = [(Path(f"f{n}.md"), "markdown") for n in range(12)]
    assert list(ProgressBar(len(items), stream).over(items)) == items
    output = stream.getvalue()
    assert "reading" in output and "/12" in output and "f0.md" in output
    assert output.rstrip(" ").endswith("\r")  # the line is blanked when done


def test_sentence_progress_counts_and_says_the_rate_and_time_left() -> None:
    stream = Terminal()
    bar = ProgressBar(1000, stream, unit="sentence")
    with bar.counting("analysing") as progress:
        for _ in range(8):
            time.sleep(0.25)  # tqdm redraws at most every 0.2 s
            progress(125)
    output = stream.getvalue()
    assert "analysing" in output and "1000/1000" in output
    assert "sentence/s" in output and "<" in output  # tqdm's rate, elapsed<remaining
    quiet = Terminal()
    with ProgressBar(10, quiet, unit="sentence").counting("analysing") as progress:
        progress(10)  # too short a run to show
    assert quiet.getvalue() == ""


def test_no_progress_when_not_a_terminal_or_for_a_few_files() -> None:
    items = [(Path(f"f{n}.md"), "markdown") for n in range(12)]
    piped = io.StringIO()
    assert list(ProgressBar(len(items), piped).over(items)) == items
    assert piped.getvalue() == ""
    terminal = Terminal()
    list(ProgressBar(3, terminal).over(items[:3]))
    assert terminal.getvalue() == ""
