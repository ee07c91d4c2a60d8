"""The unlabelled pool for distillation, and a natural-rate sample held apart from it.

A teacher model soft-labels the pool for the embedded model to learn from, so the pool must be
large, in-domain (docs, READMEs, changelogs, design discussions, issue threads) and rebuildable
from named sources. `build` reads, in order, the shared unlabelled pools, the package docs
installed here (site-packages, client/node_modules) and the docs of public repositories at
pinned commits (the `fetch` mirror); `sample` draws 1,600 sentences (seeded) from repositories
the pool never reads, to measure the natural rate of each tone. The project's own document
layer splits the sentences, so they are those the server judges. Kept out: the dev splits'
sentences (and any sharing eight words in a row with one), the issues pool's dev-side rows,
the dev splits' projects, Debian's /usr/share/doc, the incivility data beyond shared files.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import sys
import sysconfig
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from ..document.words import word_count
from .pool_sources import (
    POOL_REPOS,
    SAMPLE_REPOS,
    Found,
    node_packages,
    repo_sentences,
    site_packages,
)

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = ROOT.parent / "shared" / "data"
MIRRORS = Path("/work/.mirror")
SITE_PACKAGES = Path(sysconfig.get_paths()["purelib"])
NODE_MODULES = ROOT / "client" / "node_modules"
POOL_MANIFEST = ROOT / "data" / "pool_manifest.tsv"
SAMPLE_MANIFEST = ROOT / "data" / "natural_sample_manifest.tsv"
SAMPLE_SIZE, SAMPLE_SEED = 1600, 20240611
MIN_WORDS, MAX_WORDS = 4, 60
SHINGLE = 8  # a sentence sharing this many words in a row with a dev sentence is kept out
SHARED_POOLS = (  # source (a file under the data folder), licence, the rows taken
    ("tone/docs/unlabelled", "each package's own licence (tone/README.md)", "all rows"),
    ("tone/issues/unlabelled", "MIT (vcu-swim-lab/incivility-dataset, as shared)", "train"),
)


_NOT_ALNUM = re.compile(r"[\W_]+")
_BOILERPLATE = re.compile(  # case-insensitive
    r"(?i)licensed under|copyright\s*(\(c\)|©|\d{4})|all rights reserved|without warrant"
    r"|warranties or conditions|permission is hereby granted|the software is provided"
    r"|redistribution and use|you may not use this file|obtain a copy of the licen"
    r"|spdx-license|placed in the public domain|under the (terms|conditions) of the"
)
_CODE_CHARS = frozenset("{}[]<>|\\=;`$#@^~*_")


def normalise(text: str) -> str:
    """The key sentences are deduplicated and kept out by: case, punctuation and spacing gone."""
    return _NOT_ALNUM.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def sentence_id(source: str, text: str) -> str:
    """A stable id: the same sentence of the same source has the same id in every rebuild."""
    return hashlib.sha256(f"{source}\t{text}".encode()).hexdigest()[:16]


def keep(text: str) -> bool:
    """Whether a sentence is prose worth labelling: 4 to 60 words, mostly (Latin) letters,
    not code, a table row, a URL or licence boilerplate."""
    words = word_count(text)
    if not MIN_WORDS <= words <= MAX_WORDS or "://" in text or _BOILERPLATE.search(text):
        return False
    visible = [char for char in text if not char.isspace()]
    letters = [char for char in visible if char.isalpha()]
    if len(letters) < 0.75 * len(visible) or not any("a" <= c <= "z" for c in letters):
        return False
    if sum(char.isascii() for char in letters) < 0.9 * len(letters):
        return False  # not English (the model reads English)
    if sum(char.isupper() for char in letters) > 0.5 * len(letters):
        return False  # headings and disclaimers in capitals
    code = sum(char in _CODE_CHARS for char in visible)
    return code <= 2 and "()" not in text and "::" not in text and "->" not in text


class KeepOut:
    """The dev splits' sentences, kept out exactly or when SHINGLE words in a row are shared (a
    longer or shorter split of the same sentence), after normalisation. A dev sentence shorter
    than SHINGLE words keeps out any sentence that holds it whole."""

    def __init__(self, dev_texts: Iterable[str]) -> None:
        self.exact: set[str] = set()
        self.grams: set[tuple[str, ...]] = set()
        self.lengths: set[int] = {SHINGLE}
        for text in dev_texts:
            words = tuple(normalise(text).split())
            self.exact.add(" ".join(words))
            if MIN_WORDS <= len(words) < SHINGLE:
                self.grams.add(words)
                self.lengths.add(len(words))
            self.grams.update(words[i : i + SHINGLE] for i in range(len(words) - SHINGLE + 1))

    def __contains__(self, text: str) -> bool:
        key = normalise(text)
        words = tuple(key.split())
        return key in self.exact or any(
            words[i : i + n] in self.grams for n in self.lengths for i in range(len(words) - n + 1)
        )


class Pool:
    """Filtered, kept-out, deduplicated sentences, first source first."""

    def __init__(self, keep_out: KeepOut, seen: set[str] | None = None) -> None:
        self.keep_out = keep_out
        self.seen: set[str] = set() if seen is None else seen
        self.rows: list[Found] = []
        self.dropped = {"filter": 0, "duplicate": 0, "dev": 0}

    def add(self, found: Found) -> bool:
        text = " ".join(found.text.split())  # one line: no tabs or line breaks
        key = normalise(text)
        why = (
            "filter"
            if not keep(text)
            else "duplicate"
            if key in self.seen
            else "dev"
            if text in self.keep_out
            else ""
        )
        if why:
            self.dropped[why] += 1
            return False
        self.seen.add(key)
        self.rows.append(replace(found, text=text))
        return True


def read_tsv(path: Path) -> Iterator[dict[str, str]]:
    """Rows of a shared TSV (whitespace-normalised texts, so no quoting)."""
    with path.open(encoding="utf-8") as handle:
        header = handle.readline().rstrip("\n").split("\t")
        for line in handle:
            yield dict(zip(header, line.rstrip("\n").split("\t"), strict=False))


def write_tsv(path: Path, header: list[str], rows: Iterable[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        handle.writelines("\t".join(row) + "\n" for row in [header, *rows])


def dev_keep_out(data_dir: Path) -> tuple[KeepOut, set[str]]:
    """The dev sentences to keep out, and the dev-side repositories (owner/repo, lowercase)."""
    tone = data_dir / "tone"
    rows = [*read_tsv(tone / "docs" / "dev.tsv"), *read_tsv(tone / "issues" / "dev.tsv")]
    rows += [r for r in read_tsv(tone / "issues" / "unlabelled.tsv") if r["split"] != "train"]
    return KeepOut(r["text"] for r in rows), {r["source"].split(":")[0].lower() for r in rows}


def build(out: Path, mirrors: Path, data_dir: Path, manifest: Path) -> None:
    keep_out, dev_repos = dev_keep_out(data_dir)
    pool, sources = Pool(keep_out), []

    def take(kind: str, source: str, licence: str, where: str, found: Iterable[Found]) -> None:
        count = sum(pool.add(item) for item in found)
        sources.append([source, kind, where, licence, str(count)])

    for source, licence, rows in SHARED_POOLS:
        found = (
            Found(row["text"], source, licence)
            for row in read_tsv(data_dir / f"{source}.tsv")
            if rows == "all rows" or row["split"] == rows
        )
        take("shared-pool", source, licence, f"{source}.tsv ({rows})", found)
    for kind, packages in (
        ("site-packages", site_packages(SITE_PACKAGES, dev_repos)),
        ("node_modules", node_packages(NODE_MODULES, dev_repos)),
    ):
        print(f"{len(pool.rows)} sentences; reading {kind}", file=sys.stderr)
        for source, licence, where, items in packages:
            take(kind, source, licence, where, items)
    for repo in POOL_REPOS:
        print(f"{len(pool.rows)} sentences; reading {repo.name}", file=sys.stderr)
        if (repo_found := repo_sentences(mirrors, repo, dev_repos)) is not None:
            take(
                "repository",
                repo.name,
                repo.licence,
                f"{repo.name}@{repo.commit}:{repo.paths}",
                repo_found,
            )
    write_tsv(
        out,
        ["id", "text", "source", "licence"],
        ([sentence_id(r.source, r.text), r.text, r.source, r.licence] for r in pool.rows),
    )
    write_tsv(manifest, ["source", "kind", "where", "licence", "sentences"], sources)
    print(f"pool: {len(pool.rows)} sentences -> {out}; dropped {pool.dropped}", file=sys.stderr)


def sample(
    out: Path, pool_path: Path, mirrors: Path, data_dir: Path, manifest: Path, redraw: bool
) -> None:
    """The natural-rate sample: the manifest's sentences, or with `redraw` a new seeded draw
    (which rewrites the manifest)."""
    if not pool_path.is_file():
        raise SystemExit(f"{pool_path} is missing: run `build` first (the sample stays out of it)")
    keep_out, dev_repos = dev_keep_out(data_dir)
    candidates = Pool(keep_out, seen={normalise(row["text"]) for row in read_tsv(pool_path)})
    for repo in SAMPLE_REPOS:
        if (found := repo_sentences(mirrors, repo, dev_repos)) is None:
            raise SystemExit(f"the sample needs {repo.name} at {repo.commit}")
        print(f"  {repo.name}: {sum(map(candidates.add, found))} candidates", file=sys.stderr)
    rows = sorted(candidates.rows, key=lambda r: (r.location, r.start))
    drawn = not manifest.is_file() or redraw
    if drawn:
        chosen = random.Random(SAMPLE_SEED).sample(rows, SAMPLE_SIZE)
    else:
        # The labelled sample is the manifest's. A pool built from other installed packages
        # shifts the candidates, and a fresh draw would no longer match the labels.
        by_id = {sentence_id(r.source, r.text): r for r in rows}
        ids = [row["id"] for row in read_tsv(manifest)]
        if missing := [i for i in ids if i not in by_id]:
            raise SystemExit(f"{len(missing)} sentences of {manifest} are not candidates now")
        chosen = [by_id[i] for i in ids]
    write_tsv(
        out,
        ["id", "text", "source"],
        ([sentence_id(r.source, r.text), r.text, r.source] for r in chosen),
    )
    if drawn:
        write_tsv(
            manifest,
            ["id", "source", "licence", "location", "start", "end"],
            (
                [
                    sentence_id(r.source, r.text),
                    r.source,
                    r.licence,
                    r.location,
                    str(r.start),
                    str(r.end),
                ]
                for r in chosen
            ),
        )
    where = f"of {len(rows)} candidates" if drawn else f"listed in {manifest}"
    print(f"sample: {len(chosen)} sentences {where} -> {out}", file=sys.stderr)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m sentiment_ls.training.pool",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    parser.add_argument("command", choices=["build", "sample"])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--mirrors", type=Path, default=MIRRORS)
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR)
    parser.add_argument(
        "--pool",
        type=Path,
        default=ROOT / "runs" / "pool" / "pool.tsv",
        help="(sample) the pool the sample must stay out of",
    )
    parser.add_argument(
        "--redraw", action="store_true", help="(sample) draw anew instead of the manifest's"
    )
    args = parser.parse_args(argv)
    if args.command == "build":
        build(args.out, args.mirrors, args.data_dir, POOL_MANIFEST)
        return
    sample(args.out, args.pool, args.mirrors, args.data_dir, SAMPLE_MANIFEST, args.redraw)


if __name__ == "__main__":
    main()
