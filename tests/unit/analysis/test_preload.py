"""The default model loads while the server imports, and is taken by the first load that asks
for exactly it (analysis/preload.py)."""

from __future__ import annotations

from sentiment_ls.analysis import preload
from sentiment_ls.analysis.spec import ModelSpec


def test_the_preloaded_model_is_taken_once_by_its_own_spec() -> None:
    preload.start()
    loaded = preload.take(ModelSpec())
    assert loaded is not None and loaded.model_id == "embedded"
    assert loaded.runtime.name == "onnxruntime"
    assert preload.take(ModelSpec()) is None  # once: a reload loads afresh


def test_another_spec_does_not_get_the_preloaded_model() -> None:
    preload.start()
    assert preload.take(ModelSpec(model="embedded-sst2")) is None
    assert preload.take(ModelSpec()) is None  # dropped, not kept for later


def test_a_failed_preload_leaves_the_load_to_the_caller() -> None:
    missing = ModelSpec(model="/nonexistent/model-folder")
    preload.start(missing)
    assert preload.take(missing) is None
