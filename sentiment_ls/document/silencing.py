"""Where to write an inline directive so that it silences what the author asked: the edits
behind the "ignore this sentence" and "disable for this file" quick fixes.

Each edit is checked by reading the edited text back through `document_sentences`, the
same parse that applies directives, so that a fix offered is a fix that works in that
format, and never one that silences more than it says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import document_sentences
from .directives import Action
from .model import Sentence

# Comments that can sit in a line before a sentence (the inline form silences that
# sentence alone), and comments that take a line of their own (they silence the block
# that follows). A line comment cannot be inline: it would swallow the sentence itself.
_INLINE: dict[str, tuple[str, str]] = {
    "markdown": ("<!-- ", " -->"),
    "html": ("<!-- ", " -->"),
    "plaintext": ("<!-- ", " -->"),
    "mdx": ("{/* ", " */}"),  # MDX has no HTML comments
}
_OWN_LINE: dict[str, tuple[str, str]] = {
    **_INLINE,
    "restructuredtext": (".. ", ""),
    "latex": ("% ", ""),
    "python": ("# ", ""),
    "git-commit": ("# ", ""),
    **{
        language: ("// ", "")
        for language in (
            "javascript",
            "javascriptreact",
            "typescript",
            "typescriptreact",
            "go",
            "rust",
        )
    },
}
_FRONT_MATTER = re.compile(r"\A(---|\+\+\+)[ \t]*\n.*?\n\1[ \t]*(?:\n|\Z)", re.DOTALL)
_SHEBANG = re.compile(r"\A#![^\n]*(?:\n|\Z)")


@dataclass(frozen=True)
class Insertion:
    offset: int  # where in the source (code points)
    text: str

    def apply(self, source: str) -> str:
        return source[: self.offset] + self.text + source[self.offset :]


@dataclass(frozen=True)
class IgnoreFix:
    insertion: Insertion
    silenced: int  # how many sentences it silences: 1 is this sentence alone


def directive_comment(language_id: str, action: Action) -> str:
    opener, closer = _OWN_LINE.get(language_id, _OWN_LINE["plaintext"])
    return f"{opener}sentiment-ls: {action}{closer}"


def _line_start(source: str, offset: int) -> int:
    return source.rfind("\n", 0, offset) + 1


def _own_line(source: str, language_id: str, at: int, action: Action) -> Insertion:
    """The directive on a line of its own before the line holding `at`, indented as it is
    (a reStructuredText comment also needs a blank line before what follows)."""
    start = _line_start(source, at)
    indent = re.match(r"[ \t]*", source[start:at])
    blank = "\n" if language_id == "restructuredtext" else ""
    text = f"{indent.group() if indent else ''}{directive_comment(language_id, action)}\n{blank}"
    return Insertion(start, text)


def _silenced(
    source: str, language_id: str, insertion: Insertion, before: list[Sentence]
) -> set[int]:
    """The starts (in the original source) of the sentences that the insertion silences."""
    after = document_sentences(insertion.apply(source), language_id)
    shift = len(insertion.text)
    still = {s.start - shift if s.start >= insertion.offset + shift else s.start for s in after}
    return {s.start for s in before} - still


def ignore_fix(source: str, language_id: str, sentence: Sentence) -> IgnoreFix | None:
    """The narrowest directive that silences `sentence`: an inline comment before it where
    the format has one, else a comment on its own line before the sentence's line (that
    silences its block); None if neither works here."""
    before = document_sentences(source, language_id)
    candidates = []
    if language_id in _INLINE:
        opener, closer = _INLINE[language_id]
        comment = f"{opener}sentiment-ls: ignore{closer} "
        candidates.append(Insertion(sentence.start, comment))
    candidates.append(_own_line(source, language_id, sentence.start, "ignore"))
    best: IgnoreFix | None = None
    for insertion in candidates:
        silenced = _silenced(source, language_id, insertion, before)
        if sentence.start in silenced and (best is None or len(silenced) < best.silenced):
            best = IgnoreFix(insertion, len(silenced))
    return best


def disable_fix(source: str, language_id: str) -> Insertion | None:
    """A `disable` directive at the top of the file, after front matter (Markdown, MDX) or
    a shebang line; None if it would not silence the whole file."""
    top = 0
    front = _FRONT_MATTER if language_id in ("markdown", "mdx") else _SHEBANG
    if match := front.match(source):
        top = match.end()
    if top and not source[:top].endswith("\n"):
        return None  # nothing but front matter: nothing to disable
    blank = "\n" if language_id == "restructuredtext" else ""
    insertion = Insertion(top, f"{directive_comment(language_id, 'disable')}\n{blank}")
    if document_sentences(insertion.apply(source), language_id):
        return None
    return insertion
