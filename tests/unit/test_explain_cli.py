"""`sentiment-ls explain`, run as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.analysis_schema import assert_analysis_schema


def _explain(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sentiment_ls", "explain", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_json_for_a_file_has_every_sentence_in_order_and_the_analyze_shape(
    tmp_path: Path,
) -> None:
    document = tmp_path / "notes.md"
    document.write_text(
        "# Café notes\n\nThe soup was terrible. ```awful code``` The bread was great 😀.\n",
        encoding="utf-8",
    )
    completed = _explain("--file", str(document), "--format", "json")
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    assert_analysis_schema(report)
    assert report["model"] == "embedded" and report["method"] == "shapley"
    assert [s["text"] for s in report["sentences"]] == [
        "Café notes",
        "The soup was terrible.",
        # The inline code's placeholder (see markdown_inline.INLINE_CODE_READS_AS) opens
        # the sentence that follows it.
        "x The bread was great 😀.",
    ]
    soup, bread = report["sentences"][1:]
    assert soup["label"] == "negative" and bread["label"] == "positive"
    assert soup["range"]["start"] == {"line": 2, "character": 0}
    emoji = next(w for w in bread["words"] if w["text"] == "😀")
    line = document.read_text(encoding="utf-8").split("\n")[2]
    utf16 = line.encode("utf-16-le")
    start, end = emoji["range"]["start"]["character"], emoji["range"]["end"]["character"]
    assert utf16[start * 2 : end * 2].decode("utf-16-le") == "😀"


def test_text_format_method_and_label_options() -> None:
    completed = _explain("The movie was terrible.", "--method", "integrated-gradients")
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    assert lines[2].startswith("1:1: negative")
    assert "words toward negative (integrated-gradients" in completed.stdout
    terrible = next(line for line in lines if line.strip().startswith("terrible"))
    assert "+" in terrible and "█" in terrible
    other = _explain("The movie was terrible.", "--label", "positive", "--format", "json")
    sentence = json.loads(other.stdout)["sentences"][0]
    assert sentence["attribution_label"] == "positive"
    assert {w["text"]: w["attribution"] for w in sentence["words"]}["terrible"] < 0


def test_an_unknown_label_is_an_error() -> None:
    completed = _explain("Fine.", "--label", "mixed")
    assert completed.returncode == 2
    assert "mixed" in completed.stderr
