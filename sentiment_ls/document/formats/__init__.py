"""Registry of document formats: each turns a source text into its prose regions.

A format is a module with `prose_regions(source) -> list[ProseRegion]` and one line in
`_FORMATS`, keyed by its LSP language identifier.
"""

from __future__ import annotations

from collections.abc import Callable

from ..model import ProseRegion
from . import markdown, plaintext


class UnsupportedFormat(ValueError):
    """No format is registered for a language identifier."""


_FORMATS: dict[str, Callable[[str], list[ProseRegion]]] = {
    "plaintext": plaintext.prose_regions,
    "markdown": markdown.prose_regions,
}

SUPPORTED_LANGUAGES: frozenset[str] = frozenset(_FORMATS)


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
