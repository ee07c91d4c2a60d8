"""`sentiment-ls eval` on a small labelled file: output formats and the arithmetic."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sentiment_ls.training.evaluate import score


def test_metrics_arithmetic() -> None:
    metrics = score(["NEGATIVE", "POSITIVE"], [0, 0, 1, 1], [0, 1, 1, 1], seconds=2.0)
    assert metrics.accuracy == 0.75
    assert metrics.confusion == [[1, 1], [0, 2]]
    # F1(neg) = 2*1*0.5/1.5 = 0.667, F1(pos) = 2*(2/3)*1/(5/3) = 0.8
    assert abs(metrics.macro_f1 - (2 / 3 + 0.8) / 2) < 1e-9
    assert metrics.sentences_per_second == 2.0


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sentiment_ls", *args], capture_output=True, text=True, timeout=300
    )


def test_eval_json_and_text(tmp_path: Path) -> None:
    data = tmp_path / "small.tsv"
    data.write_text(
        "sentence\tlabel\n"
        "A delightful, moving film.\tpositive\n"
        "Dull, lifeless and far too long.\t0\n"
        "The best meal I've had all year.\tPOSITIVE\n"
        "I regret buying this broken thing.\tnegative\n"
        "The function returns a list of users.\tneutral\n",
        encoding="utf-8",
    )
    completed = _run(["eval", str(data), "--format", "json"])
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    assert result["n"] == 5
    assert {"accuracy", "macro_f1", "sentences_per_second", "confusion_matrix"} <= result.keys()
    assert result["labels"] == ["negative", "neutral", "positive"]
    assert result["accuracy"] == 1.0
    assert result["confusion_matrix"] == [[2, 0, 0], [0, 1, 0], [0, 0, 2]]
    text = _run(["eval", str(data)])
    assert text.returncode == 0, text.stderr
    assert "accuracy: 1.0000" in text.stdout
    assert "confusion matrix" in text.stdout


def test_a_two_label_file_is_scored_for_polarity_on_a_three_class_model(tmp_path: Path) -> None:
    data = tmp_path / "sst2.tsv"
    data.write_text(
        "sentence\tlabel\n"
        "a delightful , moving film\t1\n"
        "dull , lifeless and far too long\t0\n"
        "the best thing all year\t1\n",
        encoding="utf-8",
    )
    completed = _run(["eval", str(data), "--format", "json"])
    assert completed.returncode == 0, completed.stderr
    assert "scoring polarity" in completed.stderr
    result = json.loads(completed.stdout)
    assert result["labels"] == ["negative", "positive"]
    assert result["model"] == "embedded (polarity)"
    assert result["confusion_matrix"] == [[1, 0], [0, 2]]
    binary = _run(["eval", str(data), "--polarity", "--model", "embedded-sst2"])
    assert binary.returncode == 2
    assert "needs a model with negative, neutral and positive labels" in binary.stderr


def test_eval_reports_an_unknown_label(tmp_path: Path) -> None:
    data = tmp_path / "bad.tsv"
    data.write_text("fine\tmaybe\n", encoding="utf-8")
    completed = _run(["eval", str(data)])
    assert completed.returncode == 2
    assert "unknown label 'maybe'" in completed.stderr
