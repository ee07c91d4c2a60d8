"""The pinned bases: a split zip joined and unpacked once, its weights refused on a mismatch."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from sentiment_ls.embedded.base import BaseModelError
from sentiment_ls.training.bases import (
    BASES,
    PinnedBase,
    unpack_split_zip,
    verified_base,
    zip_parts,
)


def split_zip(tmp_path: Path, members: dict[str, bytes], pieces: int = 3) -> list[Path]:
    archive = tmp_path / "whole.zip"
    with zipfile.ZipFile(archive, "w") as writer:
        for name, data in members.items():
            writer.writestr(name, data)
    data = archive.read_bytes()
    size = -(-len(data) // pieces)
    parts = []
    for index in range(pieces):
        part = tmp_path / f"whole.zip.00{index + 1}"
        part.write_bytes(data[index * size : (index + 1) * size])
        parts.append(part)
    return parts


def test_the_parts_join_into_the_folder_and_a_second_call_reuses_it(tmp_path: Path) -> None:
    weights = b"weights" * 1000
    parts = split_zip(tmp_path, {"base/config.json": b"{}", "base/model.safetensors": weights})
    folder = unpack_split_zip(parts, "base", tmp_path / "cache")
    assert (folder / "model.safetensors").read_bytes() == weights
    for part in parts:
        part.unlink()  # the unpacked folder is reused: the parts are not read again
    assert unpack_split_zip(parts, "base", tmp_path / "cache") == folder
    assert [p.name for p in (tmp_path / "cache").iterdir()] == ["base"]  # no scratch left


def test_a_base_whose_weights_differ_from_the_pin_is_refused(tmp_path: Path) -> None:
    parts = split_zip(
        tmp_path, {"base/config.json": b"{}", "base/model.safetensors": b"substituted"}
    )
    pinned = hashlib.sha256(b"the real weights").hexdigest()
    base = PinnedBase("test", pinned, lambda: unpack_split_zip(parts, "base", tmp_path), "")
    with pytest.raises(BaseModelError, match=pinned):
        base.verified_dir()


def test_an_entry_outside_the_folder_is_refused(tmp_path: Path) -> None:
    parts = split_zip(tmp_path, {"base/config.json": b"{}", "base/../../evil": b"x"})
    with pytest.raises(BaseModelError, match="unexpected entry"):
        unpack_split_zip(parts, "base", tmp_path / "cache")
    assert not (tmp_path / "evil").exists()


def test_a_missing_part_names_the_extra_to_install() -> None:
    with pytest.raises(BaseModelError, match=r"sentiment-ls\[teacher\]"):
        zip_parts(("sentiment-ls-no-such-part",))


def test_an_unknown_base_lists_the_known_ones() -> None:
    with pytest.raises(BaseModelError, match="minilm-l6, mpnet-base"):
        verified_base("bert-large")
    assert set(BASES) == {"minilm-l6", "mpnet-base"}
