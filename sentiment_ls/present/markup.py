"""Markdown or plain text, as the client asked (LSP `HoverClientCapabilities.contentFormat`),
for text that must read well where Markdown is rendered (VS Code), half rendered (Neovim 0.7
shows tables and inline code as raw text) or not at all (plain text).

So everything is laid out to read well raw too: table cells are padded into columns and
hold no emphasis (concealed markers would shift the columns), and monospace blocks are
fenced code with nothing inside to render.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

MarkupKind = Literal["markdown", "plaintext"]

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")


def choose_markup(content_format: Sequence[str] | None) -> MarkupKind:
    """The first kind of the client's list that this server writes (the order is the
    client's preference). A client that lists none is sent plain text, which every client
    shows; that is the LSP default for MarkupContent."""
    for kind in content_format or ():
        if kind in ("markdown", "plaintext"):
            return "markdown" if kind == "markdown" else "plaintext"
    return "plaintext"


@dataclass(frozen=True)
class Block:
    """Lines shown together. Prose lines each stay a line of their own (hard breaks in
    Markdown); verbatim lines (a table, a code block, a rule) are written as they are."""

    lines: Sequence[str]
    verbatim: bool = False


@dataclass(frozen=True)
class Markup:
    kind: MarkupKind

    @property
    def markdown(self) -> bool:
        return self.kind == "markdown"

    def text(self, value: str) -> str:
        """Literal text (a label name, a word) that must not turn into markup."""
        return _MARKDOWN_SPECIAL.sub(r"\\\1", value) if self.markdown else value

    def bold(self, value: str) -> str:
        return f"**{value}**" if self.markdown else value

    def italic(self, value: str) -> str:
        return f"*{value}*" if self.markdown else value

    def code(self, value: str) -> str:
        """Inline code: a word or a setting name, shown verbatim."""
        if not self.markdown:
            return value
        fence = "``" if "`" in value else "`"
        pad = " " if value.startswith("`") or value.endswith("`") else ""
        return f"{fence}{pad}{value}{pad}{fence}"

    def join(self, blocks: Sequence[Block]) -> str:
        """The blocks, one blank line between them in Markdown (where a blank line ends a
        paragraph, a table or a list) and none in plain text. Within a Markdown prose block,
        every line but the last ends in a hard break (two spaces): a line written on its
        own stays on its own in every client, and raw it looks the same."""
        shown = [block for block in blocks if block.lines]
        if not self.markdown:
            return "\n".join(line for block in shown for line in block.lines)
        return "\n\n".join(
            ("\n" if block.verbatim else "  \n").join(block.lines) for block in shown
        )

    def separator(self) -> Block:
        """A thematic break between the verdict and the pipeline."""
        return Block(["---"] if self.markdown else ["─" * 24], verbatim=True)

    def block(self, lines: Sequence[str]) -> Block:
        """Monospace lines, verbatim: a fenced code block in Markdown (its fence longer than
        any backtick run inside), the lines indented by two spaces in plain text."""
        if not self.markdown:
            return Block([f"  {line}" for line in lines], verbatim=True)
        longest = max((len(run) for line in lines for run in re.findall("`+", line)), default=0)
        fence = "`" * max(3, longest + 1)
        # `text`: no highlighting; VS Code would otherwise read `[CLS]` as a Markdown link.
        return Block([f"{fence}text", *lines, fence], verbatim=True)

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]]) -> Block:
        """A table, its first column left-aligned and the others right-aligned (numbers), each
        column padded to its widest cell so that the raw text lines up too. Plain text: the
        same columns without pipes."""
        cells = [[self.text(cell) if self.markdown else cell for cell in header]]
        cells += [[self.text(cell) if self.markdown else cell for cell in row] for row in rows]
        widths = [max(len(row[i]) for row in cells) for i in range(len(header))]

        def line(row: Sequence[str]) -> str:
            padded = [
                cell.ljust(width) if i == 0 else cell.rjust(width)
                for i, (cell, width) in enumerate(zip(row, widths, strict=True))
            ]
            return f"| {' | '.join(padded)} |" if self.markdown else "  ".join(padded).rstrip()

        lines = [line(cells[0])]
        if self.markdown:
            rule = [":" + "-" * (widths[0] + 1)] + ["-" * (w + 1) + ":" for w in widths[1:]]
            lines.append(f"|{'|'.join(rule)}|")
        return Block(lines + [line(row) for row in cells[1:]], verbatim=True)
