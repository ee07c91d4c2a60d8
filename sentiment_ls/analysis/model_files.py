"""A model's files, known without loading it: where its folder is (embedded, a local folder,
or the local Hugging Face cache), whether it has an ONNX export, and the hash of its weights
that a client and a team service compare. File hashes are `embedded.base.sha256_of`, the
floor below this one, which pins the embedded model's base with it.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from sentiment_ls.embedded import EMBEDDED_MODEL_ID, EMBEDDED_SST2_ID, SST2_WEIGHTS_DIR, WEIGHTS_DIR
from sentiment_ls.embedded.base import sha256_of

# The two forms of ONNX export (runtimes/ort.py): operators only, their weights read from
# the `model.safetensors` beside them; or a self-contained graph, as optimum writes it.
GRAPH_ONLY = "model.graph.onnx"
SELF_CONTAINED = "model.onnx"


def onnx_folder(model: str) -> Path | None:
    """The folder holding this model's ONNX export, if it has one: a self-contained
    `model.onnx`, or a `model.graph.onnx` with the `model.safetensors` it reads."""
    if model == EMBEDDED_MODEL_ID:
        return WEIGHTS_DIR
    if model == EMBEDDED_SST2_ID:
        return None
    folder = Path(model).expanduser()
    graph_only = (folder / GRAPH_ONLY).is_file() and (folder / "model.safetensors").is_file()
    if graph_only or (folder / SELF_CONTAINED).is_file():
        return folder
    return None


def model_folder(model: str) -> Path | None:
    """The folder holding the model's files: the embedded ones', a local folder, or its
    snapshot in the local Hugging Face cache; None where there is none here."""
    if model == EMBEDDED_MODEL_ID:
        return WEIGHTS_DIR
    if model == EMBEDDED_SST2_ID:
        return SST2_WEIGHTS_DIR
    folder = Path(model).expanduser()
    if folder.is_dir():
        return folder.resolve()
    return hub_snapshot(model)


def hub_snapshot(repo_id: str) -> Path | None:
    """The folder of `repo_id` in the local Hugging Face cache (the revision `main` points
    to, else the newest snapshot) when it holds a config.json; read from the cache's layout,
    without importing huggingface_hub (0.3 s) or transformers."""
    from huggingface_hub.constants import HF_HUB_CACHE

    parts = repo_id.split("/")
    if not 1 <= len(parts) <= 2 or not all(parts) or any(p in (".", "..") for p in parts):
        return None  # not a repository id
    repository = Path(HF_HUB_CACHE) / ("models--" + "--".join(parts))
    snapshots = repository / "snapshots"
    try:
        main = (repository / "refs" / "main").read_text(encoding="utf-8").strip()
    except OSError:
        main = ""
    candidates = [snapshots / main] if main else []
    with contextlib.suppress(OSError):
        candidates += sorted(snapshots.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True)
    return next((c for c in candidates if (c / "config.json").is_file()), None)


def weights_sha256(model: str) -> str | None:
    """The sha256 of the file holding a model's weights, which client and service compare."""
    folder = onnx_folder(model)
    if folder is None:
        folder = Path(model).expanduser()
    for name in ("model.safetensors", SELF_CONTAINED):
        if (folder / name).is_file():
            return sha256_of(folder / name)
    return None


def tokenizer_sha256(model: str) -> str | None:
    """The sha256 of a model's `tokenizer.json`: a client and a team service with the same
    one make the same token ids, so the client may send ids instead of text."""
    folder = model_folder(model)
    if folder is None or not (folder / "tokenizer.json").is_file():
        return None
    return sha256_of(folder / "tokenizer.json")


def model_title(model: str) -> str:
    """A model's name for people: `embedded`, a folder's own name, a Hub id."""
    folder = Path(model).expanduser()
    if model in (EMBEDDED_MODEL_ID, EMBEDDED_SST2_ID) or not folder.is_dir():
        return model
    return folder.resolve().name
