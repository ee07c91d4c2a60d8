"""The default model loads while the server imports, and is taken by the first load that asks
for exactly it (analysis/preload.py)."""

from __future__ import annotations

from sentiment_ls.analysis import preload
from sentiment_ls.analysis.request import LoadRequest


def test_the_preloaded_model_is_taken_once_by_its_own_spec() -> None:
    preload.start()
    loaded = preload.take(LoadRequest())
    assert loaded is not None and loaded.model_id == "embedded"
    assert loaded.runtime.name == "onnxruntime"
    assert preload.take(LoadRequest()) is None  # once: a reload loads afresh


def test_another_spec_does_not_get_the_preloaded_model() -> None:
    preload.start()
    assert preload.take(LoadRequest(model="embedded-sst2")) is None
    assert preload.take(LoadRequest()) is None  # dropped, not kept for later


def test_a_failed_preload_leaves_the_load_to_the_caller() -> None:
    missing = LoadRequest(model="/nonexistent/model-folder")
    preload.start(missing)
    assert preload.take(missing) is None
