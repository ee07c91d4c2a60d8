"""The embedded models: pinned base, label mapping, behaviour on plain sentences, export."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sentiment_ls.embedded import SST2_WEIGHTS_DIR, WEIGHTS_DIR
from sentiment_ls.embedded.base import (
    BASE_SHA256,
    BaseModelError,
    base_model_dir,
    sha256_of,
    verify_base_weights,
)


def test_installed_base_weights_have_the_pinned_hash() -> None:
    weights = verify_base_weights(base_model_dir())
    assert sha256_of(weights) == BASE_SHA256


def test_a_tampered_copy_is_refused_with_both_hashes(tmp_path: Path) -> None:
    copy = tmp_path / "model"
    shutil.copytree(base_model_dir(), copy)
    weights = copy / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0x01  # one flipped bit in the last tensor
    weights.write_bytes(bytes(data))
    with pytest.raises(BaseModelError) as raised:
        verify_base_weights(copy)
    message = str(raised.value)
    assert str(weights) in message
    assert BASE_SHA256 in message
    assert sha256_of(weights) in message


def test_missing_weights_are_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(BaseModelError, match="do not exist"):
        verify_base_weights(tmp_path)


def test_the_sst2_adapter_stays_small() -> None:
    total = sum(f.stat().st_size for f in SST2_WEIGHTS_DIR.iterdir() if f.is_file())
    assert 0 < total <= 5 * 1024 * 1024


def test_label_mapping(embedded_engine) -> None:  # type: ignore[no-untyped-def]
    assert embedded_engine.loaded.id2label == {0: "negative", 1: "neutral", 2: "positive"}
    config = json.loads((WEIGHTS_DIR / "config.json").read_text())
    assert config["id2label"] == {"0": "negative", "1": "neutral", "2": "positive"}


# Written for this test, in ordinary prose (cased, normal contractions), not treebank phrases.
UNAMBIGUOUS = [
    ("I absolutely loved this book; it's a joy from start to finish.", "positive"),
    ("The support team was friendly, quick and genuinely helpful.", "positive"),
    ("What a wonderful, heartwarming surprise!", "positive"),
    ("This is the worst update we've ever shipped.", "negative"),
    ("The app crashes constantly and I don't trust it with my data.", "negative"),
    ("Honestly, it was a boring, painful waste of two hours.", "negative"),
    ("Fixed a crash when the cache is full.", "neutral"),
    ("The function returns a list of users.", "neutral"),
    ("See the file LICENSE for more details.", "neutral"),
]


@pytest.mark.parametrize(("text", "label"), UNAMBIGUOUS)
def test_unambiguous_sentences_get_the_right_label(embedded_engine, text: str, label: str) -> None:  # type: ignore[no-untyped-def]
    prediction = embedded_engine.analyze([text])[0].prediction
    assert prediction.label == label
    assert prediction.score > 0.6


# The walk-through of "behind the pipeline" (the Hugging Face course, chapter 2): the same
# input ids as bert-base-uncased's vocabulary gives them, and the same verdicts.
WALK_THROUGH = [
    (
        "I've been waiting for a HuggingFace course my whole life.",
        [
            101,
            1045,
            1005,
            2310,
            2042,
            3403,
            2005,
            1037,
            17662,
            12172,
            2607,
            2026,
            2878,
            2166,
            1012,
            102,
        ],
        "positive",
    ),
    ("I hate this so much!", [101, 1045, 5223, 2023, 2061, 2172, 999, 102], "negative"),
]


@pytest.mark.parametrize(("text", "ids", "label"), WALK_THROUGH)
def test_the_seeds_walk_through_still_holds(
    embedded_engine,  # type: ignore[no-untyped-def]
    text: str,
    ids: list[int],
    label: str,
) -> None:
    analysis = embedded_engine.analyze([text])[0]
    assert list(analysis.encoding.windows[0]) == ids
    assert analysis.prediction.label == label


def test_export_model_round_trips_through_transformers_pipeline(
    tmp_path: Path,
    embedded_engine,  # type: ignore[no-untyped-def]
) -> None:
    from transformers import pipeline

    target = tmp_path / "exported"
    completed = subprocess.run(
        [sys.executable, "-m", "sentiment_ls", "export-model", str(target)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert str(target) in completed.stdout
    assert (target / "model.safetensors").is_file()
    assert not list(target.glob("*.bin"))
    classifier = pipeline("text-classification", model=str(target), top_k=None, device="cpu")
    for text, _ in UNAMBIGUOUS:
        theirs = {r["label"]: r["score"] for r in classifier([text])[0]}
        ours = embedded_engine.analyze([text])[0].prediction.probabilities
        assert theirs.keys() == ours.keys()
        for label, probability in ours.items():
            assert theirs[label] == pytest.approx(probability, abs=1e-5)


def test_our_lora_merge_equals_peft_merge() -> None:
    import torch
    from peft import PeftModel
    from transformers import AutoConfig, AutoModelForSequenceClassification

    from sentiment_ls.embedded import load_embedded_sst2

    base = AutoModelForSequenceClassification.from_pretrained(
        base_model_dir(), config=AutoConfig.from_pretrained(SST2_WEIGHTS_DIR), use_safetensors=True
    )
    reference = PeftModel.from_pretrained(base, SST2_WEIGHTS_DIR).merge_and_unload().eval()
    ours, _ = load_embedded_sst2()
    theirs_state = reference.state_dict()
    for name, tensor in ours.state_dict().items():
        assert torch.allclose(tensor, theirs_state[name], atol=1e-6), name


def test_an_adapter_with_unsupported_options_is_refused(tmp_path: Path) -> None:
    from sentiment_ls.embedded.lora import AdapterError, merge_lora

    shutil.copytree(SST2_WEIGHTS_DIR, tmp_path / "adapter")
    config_file = tmp_path / "adapter" / "adapter_config.json"
    config = json.loads(config_file.read_text())
    config["use_dora"] = True
    config_file.write_text(json.dumps(config))
    with pytest.raises(AdapterError, match="use_dora"):
        merge_lora(torch_module(), tmp_path / "adapter")


def torch_module():  # type: ignore[no-untyped-def]
    import torch

    return torch.nn.Linear(2, 2)
