"""Training runs end to end on a few steps, checkpoints, and resumes where it stopped."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROWS = [
    ("a wonderful , moving film", 1),
    ("dull and lifeless", 0),
    ("the best thing all year", 1),
    ("a tedious , overlong mess", 0),
    ("charming and funny", 1),
    ("painfully bad acting", 0),
] * 6


def _train(tmp_path: Path, max_steps: int) -> subprocess.CompletedProcess[str]:
    data = tmp_path / "train.tsv"
    data.write_text("sentence\tlabel\n" + "".join(f"{t}\t{y}\n" for t, y in ROWS))
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "sentiment_ls",
            "train",
            "--train",
            str(data),
            "--validation",
            str(data),
            "--out",
            str(tmp_path / "out"),
            "--work-dir",
            str(tmp_path / "work"),
            "--batch-size",
            "8",
            "--epochs",
            "2",
            "--max-steps",
            str(max_steps),
            "--checkpoint-every",
            "3",
            "--eval-every",
            "3",
            "--threads",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_train_checkpoints_and_resumes(tmp_path: Path) -> None:
    first = _train(tmp_path, 3)
    assert first.returncode == 0, first.stderr
    assert "checkpoint at step 3" in first.stderr
    out = tmp_path / "out"
    assert (out / "adapter_model.safetensors").is_file()
    config = json.loads((out / "config.json").read_text())
    assert config["id2label"] == {"0": "NEGATIVE", "1": "POSITIVE"}
    second = _train(tmp_path, 6)
    assert second.returncode == 0, second.stderr
    assert "resumed from step 3" in second.stderr
    assert "step 6" in second.stderr
    report = json.loads((out / "training.json").read_text())
    assert report["config"]["seed"] == 13
