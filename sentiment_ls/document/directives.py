"""Inline directives that silence sentiment-ls where the author says so.

Written in the format's own comment syntax, so that they never show in the rendered text:

    <!-- sentiment-ls: ignore -->     Markdown, MDX, HTML (and plain text)
    .. sentiment-ls: ignore           reStructuredText (a comment)
    % sentiment-ls: ignore            LaTeX
    # sentiment-ls: ignore            Python, git commit messages (and plain text)
    // sentiment-ls: ignore           JavaScript, TypeScript, Go, Rust (also /* ... */)

`ignore` on a line of its own silences the block (paragraph, list item, comment...) that
starts after it; followed on its line by text, only the sentence that starts after it.
`disable` silences every sentence from there to the next `enable` (or the end of the file).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from .model import Sentence

Action = Literal["ignore", "disable", "enable"]

_HTML = (r"<!--",)
_HASH = (r"#",)
_SLASHES = (r"//", r"/\*+")
COMMENT_OPENERS: dict[str, tuple[str, ...]] = {
    "markdown": _HTML,
    "mdx": (*_HTML, r"\{/\*+"),
    "html": _HTML,
    "plaintext": (*_HTML, *_HASH, r"//"),
    "restructuredtext": (r"\.\.",),
    "latex": (r"%",),
    "git-commit": _HASH,
    "python": _HASH,
    "javascript": _SLASHES,
    "javascriptreact": (*_SLASHES, r"\{/\*+"),
    "typescript": _SLASHES,
    "typescriptreact": (*_SLASHES, r"\{/\*+"),
    "go": _SLASHES,
    "rust": (r"//[/!]?", r"/\*+"),
}
_CLOSERS = re.compile(r"\s*(-->|\*+/\}?|\*+/)?")


@dataclass(frozen=True)
class Directive:
    action: Action
    start: int  # where the comment starts
    end: int  # where the directive's words end
    inline: bool  # text follows the comment on its line


def directive_pattern(language_id: str) -> re.Pattern[str]:
    openers = "|".join(COMMENT_OPENERS.get(language_id, COMMENT_OPENERS["plaintext"]))
    return re.compile(rf"(?:{openers})[ \t]*sentiment-ls:[ \t]*(ignore|disable|enable)\b")


def directives(source: str, language_id: str) -> list[Directive]:
    found = []
    for match in directive_pattern(language_id).finditer(source):
        line_end = source.find("\n", match.end())
        line_end = len(source) if line_end < 0 else line_end
        rest = source[match.end() : line_end]
        closer = _CLOSERS.match(rest)
        after_comment = rest[closer.end() :] if closer else rest
        action: Action = match.group(1)  # type: ignore[assignment]
        found.append(Directive(action, match.start(), match.end(), bool(after_comment.strip())))
    return found


def not_silenced(
    source: str, language_id: str, regions: Sequence[Sequence[Sentence]]
) -> list[Sentence]:
    """The sentences of `regions` (each region's sentences, in source order) that no
    directive silences, in order."""
    found = directives(source, language_id)
    if not found:
        return [sentence for region in regions for sentence in region]
    silenced_ranges: list[tuple[int, int]] = []
    disabled_from: int | None = None
    for directive in found:
        if directive.action == "disable":
            if disabled_from is None:
                disabled_from = directive.end
        elif directive.action == "enable":
            if disabled_from is not None:
                silenced_ranges.append((disabled_from, directive.start))
                disabled_from = None
        else:
            silenced_ranges.append(_ignored_range(directive, regions))
    if disabled_from is not None:
        silenced_ranges.append((disabled_from, len(source) + 1))
    return [
        sentence
        for region in regions
        for sentence in region
        if not any(start <= sentence.start < end for start, end in silenced_ranges)
    ]


def _ignored_range(directive: Directive, regions: Sequence[Sequence[Sentence]]) -> tuple[int, int]:
    """The source range an `ignore` silences: the next sentence if it is inline, else the
    next region."""
    for region in regions:
        for sentence in region:
            if sentence.start < directive.end:
                continue
            if directive.inline:
                return sentence.start, sentence.start + 1
            return region[0].start if region[0].start >= directive.end else sentence.start, (
                region[-1].end
            )
    return directive.end, directive.end
