"""Registry of document formats: each turns a source text into its prose regions.

A format is a module with `prose_regions(source) -> list[ProseRegion]` and one line in
`_FORMATS`, keyed by its LSP language identifier; the file suffixes that `check` and
documents read from disk map to those identifiers in `LANGUAGE_BY_SUFFIX`.
"""

from __future__ import annotations

from collections.abc import Callable

from ..model import ProseRegion
from . import git_commit, html, latex, markdown, mdx, plaintext, restructuredtext, source_code


class UnsupportedFormat(ValueError):
    """No format is registered for a language identifier."""


_FORMATS: dict[str, Callable[[str], list[ProseRegion]]] = {
    "plaintext": plaintext.prose_regions,
    "markdown": markdown.prose_regions,
    "mdx": mdx.prose_regions,
    "restructuredtext": restructuredtext.prose_regions,
    "latex": latex.prose_regions,
    "html": html.prose_regions,
    "git-commit": git_commit.prose_regions,
    **{language: source_code.prose_regions_for(language) for language in source_code.GRAMMARS},
}

LANGUAGE_BY_SUFFIX: dict[str, str] = {
    ".txt": "plaintext",
    ".text": "plaintext",
    ".md": "markdown",
    ".markdown": "markdown",
    ".mdown": "markdown",
    ".mdx": "mdx",
    ".rst": "restructuredtext",
    ".rest": "restructuredtext",
    ".tex": "latex",
    ".ltx": "latex",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".py": "python",
    ".pyi": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascriptreact",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "typescriptreact",
    ".go": "go",
    ".rs": "rust",
}
# Files known by their whole name rather than a suffix.
LANGUAGE_BY_NAME: dict[str, str] = {"COMMIT_EDITMSG": "git-commit", "MERGE_MSG": "git-commit"}

SUPPORTED_LANGUAGES: frozenset[str] = frozenset(_FORMATS)


def language_of(file_name: str, default: str | None = "plaintext") -> str | None:
    """The languageId of a file, from its name or suffix; `default` when neither is known."""
    name = file_name.replace("\\", "/").rsplit("/", 1)[-1]
    if name in LANGUAGE_BY_NAME:
        return LANGUAGE_BY_NAME[name]
    dot = name.rfind(".")
    suffix = name[dot:].lower() if dot > 0 else ""
    return LANGUAGE_BY_SUFFIX.get(suffix, default)


def prose_regions(source: str, language_id: str) -> list[ProseRegion]:
    """The prose regions of `source`, in source order."""
    try:
        parse = _FORMATS[language_id]
    except KeyError:
        raise UnsupportedFormat(
            f"no prose format for language id {language_id!r}; "
            f"supported: {', '.join(sorted(SUPPORTED_LANGUAGES))}"
        ) from None
    return parse(source)
