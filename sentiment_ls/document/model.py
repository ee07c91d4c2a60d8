"""The two values this layer produces: prose regions and the sentences split from them.

Both carry, for every character of their text, the index of the source character it came from,
so that anything later computed on the text (a sentence, a token's character span) can be put
back on the exact source range, whatever markup was removed in between.

The text is what the model reads; the writer's words are not always the same. An inline
literal (code, a `\\verb`) is read as a placeholder (INLINE_CODE_READS_AS), recorded as a
StandIn with the literal's source, so that a sentence can be quoted as the writer wrote it
and its range can end where the literal ends.
"""

from __future__ import annotations

from dataclasses import dataclass

# What the model reads where a sentence has inline code, in every format. Cutting the code
# out left holes ("the sample has some ( for machines)"); reading it verbatim lets code words
# such as `kill` or `fatal` push the tone. bench/inline_code.py measured the choices on the
# docs dev split (see bench/RESULTS.md).
INLINE_CODE_READS_AS = "x"


@dataclass(frozen=True)
class StandIn:
    """text[start:end] is read in place of an inline literal whose source is `source_text`,
    ending at source offset `source_end`; the stand-in's characters all sit at the literal's
    first source character."""

    start: int
    end: int
    source_end: int
    source_text: str

    def shifted(self, by: int) -> StandIn:
        return StandIn(self.start + by, self.end + by, self.source_end, self.source_text)


def _check_stand_ins(text: str, offsets: tuple[int, ...], stand_ins: tuple[StandIn, ...]) -> None:
    for stand_in in stand_ins:
        if not 0 <= stand_in.start < stand_in.end <= len(text):
            raise ValueError(f"{stand_in} is outside a text of {len(text)} characters")
        if stand_in.source_end <= offsets[stand_in.end - 1]:
            raise ValueError(f"{stand_in} ends before its source starts")


@dataclass(frozen=True)
class ProseRegion:
    """One block of prose (a paragraph, heading, list item, table cell...).

    Sentences never cross regions.
    """

    # The prose as the model should read it: markup, URLs and HTML dropped, inline literals
    # read as the placeholder, soft line breaks turned into spaces.
    text: str
    # offsets[i] is the index in the source str (in code points) of text[i].
    offsets: tuple[int, ...]
    # The inline literals the text reads as a placeholder, in order.
    stand_ins: tuple[StandIn, ...] = ()

    def __post_init__(self) -> None:
        if len(self.text) != len(self.offsets):
            raise ValueError(
                f"a region needs one source offset per character: "
                f"{len(self.text)} characters, {len(self.offsets)} offsets"
            )
        _check_stand_ins(self.text, self.offsets, self.stand_ins)


@dataclass(frozen=True)
class Sentence:
    """One sentence: a slice of a region's text, stripped of surrounding white space."""

    text: str
    offsets: tuple[int, ...]
    stand_ins: tuple[StandIn, ...] = ()

    def __post_init__(self) -> None:
        if not self.text:
            # start and end would be undefined; an empty sentence is a bug upstream.
            raise ValueError("a sentence cannot be empty")
        if len(self.text) != len(self.offsets):
            raise ValueError(
                f"a sentence needs one source offset per character: "
                f"{len(self.text)} characters, {len(self.offsets)} offsets"
            )
        _check_stand_ins(self.text, self.offsets, self.stand_ins)

    @property
    def start(self) -> int:
        """Source index of the first character."""
        return self.offsets[0]

    @property
    def end(self) -> int:
        """Source index one past the last character (past the literal it stands in for)."""
        return self._source_end(len(self.text))

    @property
    def quote(self) -> str:
        """The sentence in the writer's words, on one line: see `quoted`."""
        return self.quoted(0, len(self.text))

    def quoted(self, text_start: int, text_end: int) -> str:
        """text[text_start:text_end] as the writer wrote it: each placeholder that lies wholly
        inside it replaced by its literal's source, runs of white space (line breaks
        included) as one space, stripped."""
        pieces: list[str] = []
        at = text_start
        for stand_in in self.stand_ins:
            if text_start <= stand_in.start and stand_in.end <= text_end:
                pieces += [self.text[at : stand_in.start], stand_in.source_text]
                at = stand_in.end
        pieces.append(self.text[at:text_end])
        return " ".join("".join(pieces).split())

    def source_span(self, text_start: int, text_end: int) -> tuple[int, int]:
        """Map a [text_start, text_end) span of `text` to a [start, end) span of the source.

        An empty span maps to an empty source span at the position of its character.
        """
        if not 0 <= text_start <= text_end <= len(self.text):
            raise IndexError(
                f"span [{text_start}, {text_end}) is outside a sentence of {len(self.text)} "
                "characters"
            )
        if text_start == text_end:
            point = self.offsets[text_start] if text_start < len(self.text) else self.end
            return point, point
        return self.offsets[text_start], self._source_end(text_end)

    def _source_end(self, text_end: int) -> int:
        last = text_end - 1
        for stand_in in self.stand_ins:
            if stand_in.start <= last < stand_in.end:
                return stand_in.source_end
        return self.offsets[last] + 1
