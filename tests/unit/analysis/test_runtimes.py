"""The two runtimes of the forward stage on the real embedded model: each is deterministic
(a sentence's scores never depend on what it is batched with), and they agree."""

from __future__ import annotations

import random

import numpy as np
import pytest

from sentiment_ls.analysis.engine import SentimentEngine
from sentiment_ls.analysis.loaded_model import LoadedModel
from sentiment_ls.analysis.model_loading import load_model
from sentiment_ls.analysis.request import LoadRequest
from sentiment_ls.extras import torch_available

SENTENCES = [
    "Great.",
    "The build is broken again and nobody knows why.",
    "Thanks for the quick review!",
    "The installer fails on Windows with a cryptic error about missing permissions.",
    "It works.",
    "This is fine, I guess, but the docs could say more about the configuration file.",
    "Honestly the worst release we have ever shipped.",
    "We fixed three bugs.",
    "The new dashboard is gorgeous, fast and a joy to use every single day.",
    "Meh.",
]
OTHERS = [f"Filler sentence number {i} says something {'good' * (i % 3)} here." for i in range(40)]


@pytest.fixture(scope="module")
def torch_loaded() -> LoadedModel:
    if not torch_available():
        pytest.skip("the torch runtime is an optional install (sentiment-ls[torch])")
    return load_model(LoadRequest(model="embedded", device="cpu", runtime="torch"))


@pytest.mark.parametrize("runtime", ["onnxruntime", "torch"])
def test_a_sentences_scores_never_depend_on_its_batch(
    runtime: str, embedded_engine: SentimentEngine, request: pytest.FixtureRequest
) -> None:
    loaded = (
        embedded_engine.loaded
        if runtime == "onnxruntime"
        else request.getfixturevalue("torch_loaded")
    )
    assert loaded.runtime.name == runtime
    alone = {t: SentimentEngine(loaded).analyze([t])[0].prediction for t in SENTENCES}
    shuffler = random.Random(12)
    for _ in range(3):
        mixed = SENTENCES + shuffler.sample(OTHERS, 25)
        shuffler.shuffle(mixed)
        together = SentimentEngine(loaded).analyze(mixed)
        for result in together:
            if result.text not in alone:
                continue
            if runtime == "onnxruntime":
                # Exactly equal, not approximately: the same sentence must cross a threshold
                # in a document exactly when it does alone.
                assert result.prediction.logits == alone[result.text].logits
                assert result.prediction.probabilities == alone[result.text].probabilities
            else:
                # torch's CPU matrix products block by the batch's row count, which moves the
                # last bits (measured: 6e-8): deterministic to rounding only, and not the default.
                expected = alone[result.text].logits
                assert result.prediction.logits == pytest.approx(expected, abs=1e-5)


def test_onnxruntime_is_the_default_for_the_embedded_model(
    embedded_engine: SentimentEngine,
) -> None:
    assert embedded_engine.loaded.runtime.name == "onnxruntime"


def test_the_onnx_graph_computes_what_the_torch_model_computes(
    embedded_engine: SentimentEngine, torch_loaded: LoadedModel
) -> None:
    onnx_results = SentimentEngine(embedded_engine.loaded).analyze(SENTENCES + OTHERS)
    torch_results = SentimentEngine(torch_loaded).analyze(SENTENCES + OTHERS)
    for ours, theirs in zip(onnx_results, torch_results, strict=True):
        assert np.allclose(ours.prediction.logits, theirs.prediction.logits, atol=1e-4)
        assert ours.prediction.label == theirs.prediction.label


def test_occlusion_on_onnxruntime_matches_occlusion_on_torch(
    embedded_engine: SentimentEngine, torch_loaded: LoadedModel
) -> None:
    from sentiment_ls.analysis.explain import MethodOptions

    exact = MethodOptions(reduced_precision=False)
    text = SENTENCES[1]
    onnx_engine, torch_engine = (
        SentimentEngine(embedded_engine.loaded),
        SentimentEngine(torch_loaded),
    )
    label = embedded_engine.loaded.labels[0]
    ours = onnx_engine.explain(onnx_engine.analyze([text])[0], label, options=exact)
    theirs = torch_engine.explain(torch_engine.analyze([text])[0], label, options=exact)
    assert [w.text for w in ours.words] == [w.text for w in theirs.words]
    for a, b in zip(ours.words, theirs.words, strict=True):
        assert a.attribution == pytest.approx(b.attribution, abs=1e-3)


def test_a_gradient_method_on_an_onnxruntime_model_builds_its_torch_twin(
    embedded_engine: SentimentEngine, torch_loaded: LoadedModel
) -> None:
    engine = SentimentEngine(embedded_engine.loaded)
    analysis = engine.analyze([SENTENCES[6]])[0]
    explanation = engine.explain(analysis, method="grad-x-input")
    assert len(explanation.words) == len([w for w in analysis.text.split()]) + 1  # "." alone
    assert embedded_engine.loaded.runtime.name == "onnxruntime"  # verdicts stay on onnxruntime


def test_a_batch_run_uses_every_physical_core_and_the_server_leaves_one(
    embedded_engine: SentimentEngine,
) -> None:
    """`check` (batch) runs one single-threaded onnxruntime call per physical core at once;
    the server one call per worker on cores - 1 threads. Both give the same scores."""
    import os

    from sentiment_ls.analysis.runtimes import physical_cores
    from sentiment_ls.analysis.runtimes.ort import default_threads

    assert 1 <= physical_cores() <= (os.cpu_count() or 1)
    batch = load_model(LoadRequest(model="embedded", device="cpu", batch=True))
    served = embedded_engine.loaded
    batch_options = batch.runtime._session.get_session_options()  # type: ignore[attr-defined]
    served_options = served.runtime._session.get_session_options()  # type: ignore[attr-defined]
    assert batch_options.intra_op_num_threads == 1
    assert batch.workers == physical_cores()
    assert served_options.intra_op_num_threads == default_threads()
    assert served.workers == 1
    texts = [*SENTENCES, *OTHERS, *(f"{s} Twice over." for s in SENTENCES)]
    alone = SentimentEngine(batch).analyze(texts)  # several batches: run side by side
    assert [a.prediction for a in alone] == [
        a.prediction for a in SentimentEngine(served).analyze(texts)
    ]
