"""`check`'s persistent cache, through the real command and the real embedded model: a second
run over an unchanged tree analyses nothing and loads no model; an edit costs its changed
sentence only; a setting that judges (tone, threshold) is applied afresh to cached scores;
a changed model is never served another's scores; a corrupt cache file is said, rebuilt and
the run is right; two runs at once share it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sentiment_ls.embedded import WEIGHTS_DIR

GUARD = Path(__file__).resolve().parent / "import_guard"
NEGATIVE = "The installer is a slow, broken and infuriating mess."
POSITIVE = "Our support team is wonderful and we love working with you."
NEUTRAL = "The configuration file lives in the project folder."


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", **extra)
    return env


def _command(tree: Path, cache: Path, *args: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "sentiment_ls",
        "check",
        str(tree),
        "--format",
        "json",
        "--fail-on",
        "never",
        "--cache-dir",
        str(cache),
        *args,
    ]


def _check(tree: Path, cache: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    completed = subprocess.run(
        _command(tree, cache, *args),
        capture_output=True,
        text=True,
        timeout=300,
        env=env or _env(),
    )
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    report["stderr"] = completed.stderr
    return report


def _found(report: Any) -> list[tuple[str, int, str, dict[str, float]]]:
    return [(f["path"], f["line"], f["label"], f["probabilities"]) for f in report["findings"]]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "docs"
    root.mkdir()
    (root / "a.md").write_text(f"# A\n\n{NEGATIVE} {POSITIVE}\n", encoding="utf-8")
    (root / "b.md").write_text(f"# B\n\n{NEUTRAL}\n\n{POSITIVE}\n", encoding="utf-8")
    return root


def test_a_second_run_analyses_nothing_and_loads_no_model(tree: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = _check(tree, cache)
    assert first["summary"]["analysed"] == 5  # distinct sentences: 2 headings, 3 sentences
    assert (cache / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    log = tmp_path / "imports.log"
    guarded = _env(
        PYTHONPATH=os.pathsep.join(filter(None, [str(GUARD), os.environ.get("PYTHONPATH")])),
        SENTIMENT_LS_IMPORT_LOG=str(log),
        SENTIMENT_LS_GUARDED="onnxruntime,torch,transformers",
    )
    second = _check(tree, cache, env=guarded)
    assert not log.exists(), f"a runtime was imported: {log.read_text(encoding='utf-8')}"
    assert second["summary"]["analysed"] == 0
    assert _found(second) == _found(first)
    assert _found(first)  # the negative sentence, at least
    assert second["summary"]["sentences"] == first["summary"]["sentences"]

    (tree / "a.md").write_text(f"# A\n\n{NEGATIVE} The docs are thin.\n", encoding="utf-8")
    edited = _check(tree, cache)
    assert edited["summary"]["analysed"] == 1  # the changed sentence only
    assert _found(edited) == _found(_check(tree, tmp_path / "fresh", "--no-cache"))
    assert not (tmp_path / "fresh").exists()  # --no-cache writes nothing


def test_settings_that_judge_are_applied_to_cached_scores(tree: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    default = _check(tree, cache)
    for flags in (["--tone", "neutral"], ["--threshold", "0.99"], ["--flag-labels", "positive"]):
        cached = _check(tree, cache, *flags)
        fresh = _check(tree, cache, "--no-cache", *flags)
        assert cached["summary"]["analysed"] == 0, flags
        assert fresh["summary"]["analysed"] == 5, flags
        assert _found(cached) == _found(fresh), flags
        assert _found(fresh) != _found(default), flags  # the setting changes the verdicts


def test_a_changed_model_is_never_served_the_old_scores(tree: Path, tmp_path: Path) -> None:
    from safetensors.numpy import load_file, save_file

    model = tmp_path / "model"
    shutil.copytree(WEIGHTS_DIR, model)
    cache = tmp_path / "cache"
    before = _check(tree, cache, "--model", str(model))
    assert before["summary"]["analysed"] == 5
    assert _check(tree, cache, "--model", str(model))["summary"]["analysed"] == 0
    # The same architecture, other weights: the negative logit raised by 8 nats for every
    # sentence, as a retrained model's would move.
    labels = json.loads((model / "config.json").read_text(encoding="utf-8"))["id2label"]
    negative = int(next(i for i, name in labels.items() if name == "negative"))
    tensors = load_file(str(model / "model.safetensors"))
    bias = tensors["classifier.bias"].copy()
    bias[negative] += np.float32(8.0)
    tensors["classifier.bias"] = bias
    save_file(
        tensors, str(model / "model.safetensors"), metadata={"format": "sentiment-ls-packed-1"}
    )
    after = _check(tree, cache, "--model", str(model))
    assert after["summary"]["analysed"] == 5
    assert _found(after) == _found(_check(tree, cache, "--model", str(model), "--no-cache"))
    assert len(after["findings"]) > len(before["findings"])  # now everything reads negative


def test_a_corrupt_cache_is_said_rebuilt_and_the_run_is_right(tree: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = _check(tree, cache)
    database = cache / "results.sqlite3"
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    database.write_bytes(b"this is not a database, whatever its name says" * 100)
    recovered = _check(tree, cache)
    assert "could not be read" in recovered["stderr"] and "rebuilding" in recovered["stderr"]
    assert _found(recovered) == _found(first)
    again = _check(tree, cache)
    assert again["summary"]["analysed"] == 0, again["stderr"]  # the rebuilt cache serves
    assert again["stderr"] == ""


def test_two_runs_at_once_share_the_cache(tree: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    runs = [
        subprocess.Popen(
            _command(tree, cache),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(),
        )
        for _ in range(2)
    ]
    reports = []
    for run in runs:
        out, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
        assert err == ""
        reports.append(json.loads(out))
    assert _found(reports[0]) == _found(reports[1])
    assert _check(tree, cache)["summary"]["analysed"] == 0
