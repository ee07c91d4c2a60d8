"""Packed weights: small, read without torch, and within rounding of the float32 originals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sentiment_ls.embedded import WEIGHTS_DIR
from sentiment_ls.embedded.packed import (
    PACKED_WEIGHTS,
    ROW_QUANTIZED,
    read_packed,
    write_packed,
)


def test_round_trip_is_within_the_rounding_of_each_format(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    state = {
        ROW_QUANTIZED[0]: rng.normal(0, 0.05, (50, 8)).astype(np.float32),
        "classifier.weight": rng.normal(0, 0.5, (3, 8)).astype(np.float32),
        "classifier.bias": np.zeros(3, dtype=np.float32),
    }
    state[ROW_QUANTIZED[0]][7] = 0.0  # an all-zero row must not divide by zero
    back = read_packed(write_packed(state, tmp_path))
    assert set(back) == set(state)
    embedding = state[ROW_QUANTIZED[0]]
    step = np.abs(embedding).max(axis=1, keepdims=True) / 127
    assert np.all(np.abs(back[ROW_QUANTIZED[0]] - embedding) <= step / 2 + 1e-7)
    np.testing.assert_allclose(back["classifier.weight"], state["classifier.weight"], rtol=1e-3)
    assert all(v.dtype == np.float32 for v in back.values())


def test_a_file_that_is_not_packed_is_refused(tmp_path: Path) -> None:
    from safetensors.numpy import save_file

    other = tmp_path / "other.safetensors"
    save_file({"x": np.zeros(2, dtype=np.float32)}, str(other))
    with pytest.raises(ValueError, match="not a packed"):
        read_packed(other)


def test_the_shipped_weights_fit_the_repository_budget() -> None:
    # The model's packed weights, config and tokenizer: at most 40 MB in git.
    total = sum(f.stat().st_size for f in WEIGHTS_DIR.iterdir() if f.is_file())
    assert 20e6 < total <= 40e6
    assert (WEIGHTS_DIR / PACKED_WEIGHTS).is_file()
