"""What loading a model may never do: run the checkpoint's code, unpickle its weights unless
allowed, or reach the network unless allowed. Real folders, written from the embedded model."""

from __future__ import annotations

import ast
import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from sentiment_ls.analysis.model_loading import load_model
from sentiment_ls.analysis.request import LoadRequest, ModelLoadError
from sentiment_ls.embedded.export import export_model

PACKAGE = Path(__file__).resolve().parents[3] / "sentiment_ls"


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_model(tmp_path_factory.mktemp("exported"))


def _copy(exported: Path, target: Path) -> Path:
    shutil.copytree(exported, target)
    return target


def _to_pickle(folder: Path) -> None:
    """Replace the safetensors weights by a pytorch_model.bin holding the same tensors."""
    from safetensors.torch import load_file

    weights = folder / "model.safetensors"
    torch.save(load_file(str(weights)), folder / "pytorch_model.bin")
    weights.unlink()


def test_no_code_in_the_package_enables_remote_code() -> None:
    """Every from_pretrained call leaves trust_remote_code off, and torch.load is always
    weights_only: read from the source, so a new call site cannot slip past."""
    calls = 0
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            keywords = {k.arg: k.value for k in node.keywords}
            if "trust_remote_code" in keywords:
                value = keywords["trust_remote_code"]
                assert isinstance(value, ast.Constant) and value.value is False, (
                    f"{path}:{node.lineno} passes trust_remote_code other than False"
                )
            if node.func.attr == "from_pretrained":
                calls += 1
                assert None not in keywords, f"{path}:{node.lineno}: **kwargs could enable it"
            if node.func.attr == "load" and getattr(node.func.value, "id", "") == "torch":
                value = keywords.get("weights_only")
                assert isinstance(value, ast.Constant) and value.value is True, (
                    f"{path}:{node.lineno} calls torch.load without weights_only=True"
                )
    assert calls >= 3  # the scan saw the loaders


def test_a_checkpoint_that_asks_for_its_own_code_never_runs_it(
    exported: Path, tmp_path: Path
) -> None:
    folder = _copy(exported, tmp_path / "remote-code")
    marker = tmp_path / "code-ran"
    (folder / "evil.py").write_text(
        f"open({str(marker)!r}, 'w').write('ran')\n"
        "from transformers import BertForSequenceClassification as EvilModel\n"
    )
    config = json.loads((folder / "config.json").read_text())
    config["auto_map"] = {"AutoModelForSequenceClassification": "evil.EvilModel"}
    (folder / "config.json").write_text(json.dumps(config))
    for runtime in ("auto", "torch"):
        try:
            loaded = load_model(LoadRequest(model=str(folder), device="cpu", runtime=runtime))  # type: ignore[arg-type]
        except (ModelLoadError, ValueError):
            loaded = None  # refusing is as good as ignoring the auto_map
        assert not marker.exists()
        if loaded is not None and loaded.runtime.name == "torch":
            model = loaded.torch_model("the test").model
            assert type(model).__module__.startswith("transformers.")


def test_pickle_weights_are_refused_with_the_reason(exported: Path, tmp_path: Path) -> None:
    folder = _copy(exported, tmp_path / "pickled")
    _to_pickle(folder)
    with pytest.raises(ModelLoadError) as refused:
        load_model(LoadRequest(model=str(folder), device="cpu"))
    message = str(refused.value)
    assert "pytorch_model.bin" in message and "unpickling runs" in message
    assert "allowPickle" in message


def test_pickle_weights_load_when_allowed(exported: Path, tmp_path: Path) -> None:
    folder = _copy(exported, tmp_path / "pickled-allowed")
    _to_pickle(folder)
    loaded = load_model(LoadRequest(model=str(folder), device="cpu", allow_pickle=True))
    assert loaded.runtime.name == "torch"  # a graph-only ONNX export reads safetensors only
    assert loaded.labels == ["negative", "neutral", "positive"]


def test_a_pickle_that_runs_code_never_runs_even_when_pickle_is_allowed(
    exported: Path, tmp_path: Path
) -> None:
    """allowPickle lets tensors in, not code: transformers unpickles with weights_only."""
    folder = _copy(exported, tmp_path / "malicious")
    (folder / "model.safetensors").unlink()
    marker = tmp_path / "pickle-ran"

    class Payload:
        def __reduce__(self):  # type: ignore[no-untyped-def]
            return (os.system, (f"touch {marker}",))

    with (folder / "pytorch_model.bin").open("wb") as handle:
        pickle.dump({"weight": Payload()}, handle)
    for allow in (False, True):
        with pytest.raises((ModelLoadError, OSError, RuntimeError, pickle.UnpicklingError)):
            load_model(LoadRequest(model=str(folder), device="cpu", allow_pickle=allow))
        assert not marker.exists()


def test_a_folder_without_weights(exported: Path, tmp_path: Path) -> None:
    folder = _copy(exported, tmp_path / "empty")
    (folder / "model.safetensors").unlink()
    with pytest.raises(ModelLoadError, match="has no weights"):
        load_model(LoadRequest(model=str(folder), device="cpu"))


def test_an_unknown_hub_id_fails_fast_without_touching_the_network(tmp_path: Path) -> None:
    """With HF_HUB_OFFLINE unset, as on a user's machine: no socket is opened."""
    script = """
import socket, sys
attempts = []
def refuse(self, address, *args, **kwargs):
    attempts.append(address)
    raise OSError("network disabled by the test")
socket.socket.connect = refuse
socket.create_connection = lambda address, *a, **k: refuse(None, address)
from sentiment_ls.analysis.model_loading import load_model
from sentiment_ls.analysis.request import LoadRequest, ModelLoadError
try:
    load_model(LoadRequest(model="nobody-at-all/a-made-up-sentiment-model", device="cpu"))
except ModelLoadError as error:
    print(error)
print("attempts", attempts)
"""
    env = {
        k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    }
    env["HF_HOME"] = str(tmp_path / "hf-home")  # an empty cache
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert "attempts []" in result.stdout, result.stdout + result.stderr
    assert "not in the local Hugging Face cache" in result.stdout
    assert "allowDownload" in result.stdout
