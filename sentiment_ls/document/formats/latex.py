"""LaTeX: the prose of a document, one region per paragraph, heading, caption, footnote or
list item, with exact source offsets.

No maintained LaTeX parser ships positions for arbitrary, often unfinished, documents, so this
is a careful scanner over TeX's own lexical rules (a command is a backslash and letters, or a
backslash and one other character; "%" starts a comment; groups are balanced braces), with a
table of the commands whose arguments are prose. Everything else a command takes is skipped:
the arguments of \\cite, \\ref, \\label, \\usepackage, \\includegraphics, \\newcommand and any
command this module does not know; math (`$...$`, `\\(...\\)`, `\\[...\\]`, the math
environments), verbatim and listings, comments, and the preamble (but for \\title). Inline
code (\\verb, \\lstinline, \\mintinline) reads as the placeholder, as in every format.
"""

from __future__ import annotations

import re

from ..model import ProseRegion
from .regions import RegionBuilder

# Commands whose last mandatory argument is prose that belongs to the sentence around it.
_INLINE_PROSE = frozenset(
    {
        "emph",
        "textbf",
        "textit",
        "textsl",
        "textsc",
        "textrm",
        "textsf",
        "textup",
        "textmd",
        "textnormal",
        "underline",
        "uline",
        "mbox",
        "text",
        "enquote",
        "hl",
        "sout",
        "textcolor",
        "colorbox",
        "href",
        "hyperref",
        "intertext",
        "foreignlanguage",
        "textquote",
        "citetext",
    }
)
# Commands whose last mandatory argument is a block of prose of its own.
_BLOCK_PROSE = frozenset(
    {
        "part",
        "chapter",
        "section",
        "subsection",
        "subsubsection",
        "paragraph",
        "subparagraph",
        "caption",
        "footnote",
        "title",
        "subtitle",
        "thanks",
        "marginpar",
        "footnotetext",
        "frametitle",
        "framesubtitle",
        "todo",
    }
)
# Block prose that interrupts a sentence rather than ending it.
_NOTES = frozenset({"footnote", "thanks", "marginpar", "todo"})
# How many mandatory arguments come before the prose one (\href{url}{text}).
_LEADING_ARGUMENTS = {
    "href": 1,
    "textcolor": 1,
    "colorbox": 1,
    "foreignlanguage": 1,
    "textquote": 1,
}
# Environments whose body is not prose at all.
_SKIPPED_ENVIRONMENTS = frozenset(
    {
        "equation",
        "equation*",
        "align",
        "align*",
        "alignat",
        "alignat*",
        "gather",
        "gather*",
        "multline",
        "multline*",
        "flalign",
        "flalign*",
        "eqnarray",
        "eqnarray*",
        "math",
        "displaymath",
        "verbatim",
        "verbatim*",
        "Verbatim",
        "BVerbatim",
        "lstlisting",
        "minted",
        "comment",
        "alltt",
        "tikzpicture",
        "pgfpicture",
        "algorithmic",
        "algorithm2e",
        "filecontents",
        "filecontents*",
        "thebibliography",
        "tabbing",
        "picture",
        "CJK",
    }
)
# Control symbols that stand for their character ("\%" is a percent sign).
_ESCAPED_CHARACTERS = "%&$#_{}"
_BEGIN_DOCUMENT = re.compile(r"\\begin\s*\{document\}")
_COMMAND_NAME = re.compile(r"[A-Za-z@]+\*?")
_BLANK_LINE = re.compile(r"\n[ \t]*\r?\n")


def prose_regions(source: str) -> list[ProseRegion]:
    scanner = _Scanner(source)
    begin = _BEGIN_DOCUMENT.search(source)
    if begin is None:
        scanner.scan(0, len(source), prose=True)
    else:
        scanner.scan(0, begin.start(), prose=False)  # the preamble: only \title and the like
        scanner.scan(begin.end(), len(source), prose=True)
    return scanner.builder.finish()


class _Scanner:
    def __init__(self, source: str) -> None:
        self.source = source
        self.builder = RegionBuilder(source)

    def scan(self, start: int, end: int, prose: bool) -> None:
        """Add the prose of source[start:end]; with `prose` false only that of prose
        commands' arguments."""
        source = self.source
        at = start
        while at < end:
            char = source[at]
            if char == "%":
                at = self._line_end(at, end)
                continue
            if char == "\\":
                at = self._command(at, end, prose)
                continue
            if char == "$":
                at = self._math(at, end)
                continue
            if char == "{":
                close = self._group_end(at, end)
                self.scan(at + 1, close - 1 if source[close - 1] == "}" else close, prose)
                at = close
                continue
            if char == "}":
                at += 1
                continue
            if char == "\n" and _BLANK_LINE.match(source, at):
                self.builder.close()  # a paragraph break
                at = _BLANK_LINE.match(source, at).end()  # type: ignore[union-attr]
                continue
            if not prose:
                at += 1
                continue
            if char == "~":
                self.builder.add_char(" ", at)  # a tie is a space that does not break
            elif char == "&":
                self.builder.close()  # table cells are regions of their own
            else:
                self.builder.add(at, at + 1)
            at += 1

    def _command(self, at: int, end: int, prose: bool) -> int:
        source = self.source
        if at + 1 >= end:
            return end
        following = source[at + 1]
        if not following.isalpha() and following != "@":
            # A control symbol: "\\" breaks a line, "\%" is "%", "\(" and "\[" open math.
            if following in "([":
                closing = "\\)" if following == "(" else "\\]"
                close = source.find(closing, at + 2, end)
                return end if close < 0 else close + 2
            if following == "\\":
                return self._skip_optional(at + 2, end)  # a line break: "\\[2pt]"
            if prose and (following in _ESCAPED_CHARACTERS or following == " "):
                self.builder.add(at + 1, at + 2)  # "\%" is "%"; "\ " is a space
            return at + 2
        match = _COMMAND_NAME.match(source, at + 1, end)
        assert match is not None
        name = match.group().rstrip("*")
        after = match.end()
        if name in ("begin", "end"):
            return self._environment(name, after, end)
        if name == "item":
            self.builder.close()
            return self._skip_optional(after, end)
        if name in ("verb", "lstinline", "mintinline") and after < end:
            # Inline code: the placeholder, as in every format.
            close = self._verb(self._skip_group(after, end) if name == "mintinline" else after, end)
            if prose:
                self.builder.add_literal(at, close)
            return close
        if name in _INLINE_PROSE or name in _BLOCK_PROSE:
            return self._prose_command(name, after, end, prose)
        # Not prose: skip its arguments, optional and mandatory, as far as they go.
        return self._skip_arguments(after, end)

    def _prose_command(self, name: str, at: int, end: int, prose: bool) -> int:
        at = self._skip_optional(at, end)
        for _ in range(_LEADING_ARGUMENTS.get(name, 0)):
            at = self._skip_group(at, end)
        at = self._skip_blanks(at, end)
        if at >= end or self.source[at] != "{":
            return at
        close = self._group_end(at, end)
        body_end = close - 1 if self.source[close - 1] == "}" else close
        if name in _INLINE_PROSE:
            if prose:
                self.scan(at + 1, body_end, True)
        elif name in _NOTES:
            # A note inside a sentence is a region of its own; the sentence goes on after it.
            self.builder.push()
            self.scan(at + 1, body_end, True)
            self.builder.pop()
        else:
            self.builder.close()
            self.scan(at + 1, body_end, True)
            self.builder.close()
        return close

    def _environment(self, kind: str, at: int, end: int) -> int:
        self.builder.close()
        at = self._skip_blanks(at, end)
        if at >= end or self.source[at] != "{":
            return at
        close = self._group_end(at, end)
        name = self.source[at + 1 : close - 1].strip()
        if kind == "end":
            return close
        if name in _SKIPPED_ENVIRONMENTS:
            ending = re.compile(r"\\end\s*\{" + re.escape(name) + r"\}")
            found = ending.search(self.source, close, end)
            return end if found is None else found.end()
        return self._skip_arguments(close, end)

    def _math(self, at: int, end: int) -> int:
        delimiter = "$$" if self.source.startswith("$$", at) else "$"
        position = at + len(delimiter)
        while position < end:
            if self.source[position] == "\\":
                position += 2
                continue
            if self.source.startswith(delimiter, position):
                return position + len(delimiter)
            position += 1
        return end

    def _verb(self, at: int, end: int) -> int:
        at = self._skip_optional(at, end)
        if at >= end:
            return end
        delimiter = self.source[at]
        if delimiter == "{":
            return self._group_end(at, end)
        close = self.source.find(delimiter, at + 1, end)
        return end if close < 0 else close + 1

    def _skip_arguments(self, at: int, end: int) -> int:
        while True:
            position = self._skip_blanks(at, end)
            if position < end and self.source[position] == "[":
                at = self._bracket_end(position, end)
            elif position < end and self.source[position] == "{":
                at = self._group_end(position, end)
            else:
                return at

    def _skip_optional(self, at: int, end: int) -> int:
        position = self._skip_blanks(at, end)
        if position < end and self.source[position] == "[":
            return self._bracket_end(position, end)
        return at

    def _skip_group(self, at: int, end: int) -> int:
        position = self._skip_blanks(at, end)
        if position < end and self.source[position] == "{":
            return self._group_end(position, end)
        return at

    def _skip_blanks(self, at: int, end: int) -> int:
        """Past spaces and at most one line break, as TeX looks for an argument."""
        breaks = 0
        while at < end and self.source[at] in " \t\r\n":
            if self.source[at] == "\n":
                breaks += 1
                if breaks > 1:
                    break
            at += 1
        return at

    def _group_end(self, at: int, end: int) -> int:
        """One past the "}" that closes the "{" at `at` (or `end` if it never closes)."""
        depth = 0
        position = at
        while position < end:
            char = self.source[position]
            if char == "\\":
                position += 2
                continue
            if char == "%":
                position = self._line_end(position, end)
                continue
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth == 0:
                    return position + 1
            position += 1
        return end

    def _bracket_end(self, at: int, end: int) -> int:
        depth = 0
        position = at
        while position < end:
            char = self.source[position]
            if char == "\\":
                position += 2
                continue
            if char == "{":
                position = self._group_end(position, end)
                continue
            if char == "[":
                depth += 1
            elif char == "]":
                depth -= 1
                if depth == 0:
                    return position + 1
            position += 1
        return end

    def _line_end(self, at: int, end: int) -> int:
        """Where a comment ends: at its line break, which still separates words."""
        newline = self.source.find("\n", at, end)
        return end if newline < 0 else newline
