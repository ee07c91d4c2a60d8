"""`export-model` writes an ordinary Hugging Face folder that `transformers.pipeline` loads,
with the graph-only ONNX file that sentiment-ls loads on onnxruntime: both give the same
scores as the embedded model."""

from __future__ import annotations

from pathlib import Path

import pytest

from sentiment_ls.analysis.engine import SentimentEngine
from sentiment_ls.analysis.model_files import GRAPH_ONLY
from sentiment_ls.analysis.model_loading import load_model
from sentiment_ls.analysis.request import LoadRequest

SENTENCES = ["The installer is broken again.", "Thanks, this guide is wonderful.", "It runs."]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("torch", reason="exporting needs the train extra (torch, onnx)")
    pytest.importorskip("onnx", reason="exporting needs the train extra (torch, onnx)")
    from sentiment_ls.embedded.export import export_model

    return export_model(tmp_path_factory.mktemp("exported"))


def test_the_exported_folder_loads_on_onnxruntime_as_the_embedded_model_does(
    exported: Path, embedded_engine: SentimentEngine
) -> None:
    assert (exported / GRAPH_ONLY).is_file() and (exported / "model.safetensors").is_file()
    loaded = load_model(LoadRequest(model=str(exported), device="cpu"))
    assert loaded.runtime.name == "onnxruntime"
    assert loaded.labels == embedded_engine.loaded.labels
    ours = SentimentEngine(loaded).analyze(SENTENCES)
    embedded = SentimentEngine(embedded_engine.loaded).analyze(SENTENCES)
    for a, b in zip(ours, embedded, strict=True):
        assert a.prediction.logits == pytest.approx(b.prediction.logits, abs=1e-5)


def test_transformers_pipeline_loads_the_exported_folder_and_agrees(
    exported: Path, embedded_engine: SentimentEngine
) -> None:
    import transformers

    classifier = transformers.pipeline("text-classification", model=str(exported), top_k=None)
    ours = SentimentEngine(embedded_engine.loaded).analyze(SENTENCES)
    for scores, analysis in zip(classifier(SENTENCES), ours, strict=True):
        theirs = {s["label"]: s["score"] for s in scores}
        assert theirs == pytest.approx(analysis.prediction.probabilities, abs=1e-4)
