"""The two values this layer produces: prose regions and the sentences split from them.

Both carry, for every character of their text, the index of the source character it came from,
so that anything later computed on the text (a sentence, a token's character span) can be put
back on the exact source range, whatever markup was removed in between.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProseRegion:
    """One block of prose (a paragraph, heading, list item, table cell...).

    Sentences never cross regions.
    """

    # The prose as the model should read it: markup removed, inline code, URLs and HTML dropped,
    # soft line breaks turned into spaces.
    text: str
    # offsets[i] is the index in the source str (in code points) of text[i].
    offsets: tuple[int, ...]

    def __post_init__(self) -> None:
        if len(self.text) != len(self.offsets):
            raise ValueError(
                f"a region needs one source offset per character: "
                f"{len(self.text)} characters, {len(self.offsets)} offsets"
            )


@dataclass(frozen=True)
class Sentence:
    """One sentence: a slice of a region's text, stripped of surrounding white space."""

    text: str
    offsets: tuple[int, ...]

    def __post_init__(self) -> None:
        if not self.text:
            # start and end would be undefined; an empty sentence is a bug upstream.
            raise ValueError("a sentence cannot be empty")
        if len(self.text) != len(self.offsets):
            raise ValueError(
                f"a sentence needs one source offset per character: "
                f"{len(self.text)} characters, {len(self.offsets)} offsets"
            )

    @property
    def start(self) -> int:
        """Source index of the first character."""
        return self.offsets[0]

    @property
    def end(self) -> int:
        """Source index one past the last character."""
        return self.offsets[-1] + 1

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
        return self.offsets[text_start], self.offsets[text_end - 1] + 1
