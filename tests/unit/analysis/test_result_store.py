"""The persistent store under `check`'s cache: bounded by least recent use, file hashes
remembered until a file changes, a folder that cannot hold it leaves a run without a cache."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from sentiment_ls.analysis.result_store import ResultStore

MODEL = b"m" * 16


def _logits(value: float) -> np.ndarray:  # type: ignore[type-arg]
    return np.array([value, -value, 0.5], dtype=np.float32)


def test_logits_round_trip_exactly_and_models_do_not_share(tmp_path: Path) -> None:
    store = ResultStore(tmp_path / "cache", print)
    store.put(MODEL, {"one": _logits(1.234567), "two": _logits(-3.0)})
    found = store.get(MODEL, ["one", "two", "three"])
    assert set(found) == {"one", "two"}
    assert found["one"].tobytes() == _logits(1.234567).tobytes()
    assert store.get(b"o" * 16, ["one"]) == {}
    assert (tmp_path / "cache" / ".gitignore").read_text(encoding="utf-8").endswith("*\n")


def test_the_store_keeps_the_most_recently_used_within_its_bound(tmp_path: Path) -> None:
    store = ResultStore(tmp_path, print, max_entries=50)
    store.put(MODEL, {f"old {i}": _logits(i) for i in range(40)})
    store.get(MODEL, ["old 0"])  # used again: kept over the other old ones
    store.put(MODEL, {f"new {i}": _logits(i) for i in range(30)})
    assert store.entries() <= 50
    kept = store.get(MODEL, [*(f"old {i}" for i in range(40)), *(f"new {i}" for i in range(30))])
    assert "old 0" in kept and all(f"new {i}" in kept for i in range(30))


def test_a_file_is_hashed_again_only_when_it_changes(tmp_path: Path) -> None:
    store = ResultStore(tmp_path / "cache", print)
    weights = tmp_path / "weights.bin"
    weights.write_bytes(b"a" * 100)
    calls: list[Path] = []

    def compute(path: Path) -> str:
        calls.append(path)
        return path.read_bytes().hex()[:8]

    first = store.file_hash(weights, compute)
    assert store.file_hash(weights, compute) == first and len(calls) == 1
    weights.write_bytes(b"b" * 100)  # same size; a later modification time
    stat = weights.stat()
    os.utime(weights, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert store.file_hash(weights, compute) != first and len(calls) == 2


def test_a_folder_that_cannot_hold_the_cache_leaves_the_run_without_one(tmp_path: Path) -> None:
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("", encoding="utf-8")
    said: list[str] = []
    store = ResultStore(blocked, said.append)
    assert not store.usable
    assert store.get(MODEL, ["one"]) == {}
    store.put(MODEL, {"one": _logits(1.0)})  # nothing happens, nothing raises
    assert len(said) == 1 and "running without it" in said[0]
