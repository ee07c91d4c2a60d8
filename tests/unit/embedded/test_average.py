"""Weight averaging: a soup of snapshots and an interpolation with the starting model."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import load_file, save_file

from sentiment_ls.training.average import average, interpolate, main


def _folder(path: Path, value: float) -> Path:
    path.mkdir(parents=True)
    save_file(
        {
            "w": np.full((2, 3), value, dtype=np.float32),
            "ids": np.arange(3, dtype=np.int64),
        },
        str(path / "model.safetensors"),
    )
    (path / "config.json").write_text("{}", encoding="utf-8")
    record = {"calibration": {"temperature": 2.0}, "step": 900, "dev_negative_ap": 0.78}
    (path / "training.json").write_text(json.dumps(record | {"history": [], "config": {}}))
    return path


def test_interpolation_weighs_the_tuned_model_by_alpha(tmp_path: Path) -> None:
    start, tuned = _folder(tmp_path / "a", 1.0), _folder(tmp_path / "b", 5.0)
    interpolate(start, tuned, 0.25, tmp_path / "out")
    state = load_file(str(tmp_path / "out" / "model.safetensors"))
    assert np.allclose(state["w"], 2.0)
    assert state["ids"].tolist() == [0, 1, 2]  # integers are never averaged
    report = json.loads((tmp_path / "out" / "training.json").read_text())
    assert "calibration" not in report  # a new model: calibrated afresh by finalize
    assert not {"step", "dev_negative_ap", "history"} & report.keys()  # they were tuned's
    assert "config" in report
    assert report["interpolated"]["alpha"] == 0.25


def test_a_soup_is_the_mean_of_the_snapshots_over_the_best_model(tmp_path: Path) -> None:
    base = _folder(tmp_path / "model", 0.0)
    snapshots = []
    for step, value in ((100, 1.0), (200, 2.0), (300, 6.0)):
        path = tmp_path / f"step-{step}.safetensors"
        save_file({"w": np.full((2, 3), value, dtype=np.float32)}, str(path))
        snapshots.append(path)
    average(snapshots, base, tmp_path / "soup")
    assert np.allclose(load_file(str(tmp_path / "soup" / "model.safetensors"))["w"], 3.0)
    report = json.loads((tmp_path / "soup" / "training.json").read_text())
    assert report["averaged_steps"] == ["100", "200", "300"]


def test_alpha_out_of_range_is_a_usage_error(tmp_path: Path) -> None:
    start, tuned = _folder(tmp_path / "a", 1.0), _folder(tmp_path / "b", 5.0)
    with pytest.raises(SystemExit) as exit_info:
        main(["--interpolate", str(start), str(tuned), "--alpha", "1.5", "--out", "x"])
    assert exit_info.value.code == 2


def test_snapshots_of_several_runs_average_over_the_given_base(tmp_path: Path) -> None:
    base = _folder(tmp_path / "g" / "model", 0.0)
    paths = []
    for run, value in (("g", 1.0), ("h", 4.0)):
        path = tmp_path / run / "snapshots" / "step-2161.safetensors"
        path.parent.mkdir(parents=True)
        save_file({"w": np.full((2, 3), value, dtype=np.float32)}, str(path))
        paths.append(str(path))
    argv = ["--snapshots", *paths, "--base", str(base), "--out", str(tmp_path / "soup")]
    assert main(argv) == 0
    assert np.allclose(load_file(str(tmp_path / "soup" / "model.safetensors"))["w"], 2.5)
    report = json.loads((tmp_path / "soup" / "training.json").read_text())
    assert report["averaged_snapshots"] == paths  # which run each came from, not only its step
    with pytest.raises(SystemExit) as exit_info:
        main(["--snapshots", *paths, "--out", str(tmp_path / "x")])
    assert exit_info.value.code == 2  # --base is needed: the snapshots lack the frozen weights
