"""What `check` shows on the terminal besides its report: progress on stderr for long runs,
whether to colour, and problems said once each."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, TextIO, TypeVar

from sentiment_ls.command_model import command_line_wording

if TYPE_CHECKING:
    from tqdm import tqdm

T = TypeVar("T")


class ProgressBar:
    """Progress on stderr through tqdm (count, rate, time left), for runs long enough to
    wait on, and only when stderr is a terminal: piped or captured output stays clean. The
    bar is cleared when done."""

    MINIMUM_FILES = 10
    MINIMUM_SENTENCES = 500

    def __init__(
        self, total: int, stream: TextIO | None = None, unit: str = "file", minimum: int = 0
    ) -> None:
        self.total = total
        self.stream = stream or sys.stderr
        self.unit = unit
        needed = minimum or (self.MINIMUM_FILES if unit == "file" else self.MINIMUM_SENTENCES)
        self.shown = total >= needed and self.stream.isatty()

    def _bar(self, description: str) -> tqdm:
        from tqdm import tqdm

        return tqdm(
            total=self.total,
            file=self.stream,
            unit=self.unit,
            desc=description,
            leave=False,
            dynamic_ncols=True,
            disable=not self.shown,
            mininterval=0.2,
        )

    def over(self, items: list[T]) -> Iterator[T]:
        """The items, the bar moving past each with its name."""
        if not self.shown:
            yield from items
            return
        with self._bar("reading") as bar:
            for item in items:
                bar.set_postfix_str(str(item[0] if isinstance(item, tuple) else item)[-40:])
                yield item
                bar.update(1)

    @contextlib.contextmanager
    def counting(self, description: str) -> Iterator[Callable[[float], None]]:
        """A function to call with each step's amount, while the bar is shown."""
        if not self.shown:
            yield lambda _done: None
            return
        with self._bar(description) as bar:
            total = 0.0

            def advance(done: float) -> None:  # fractions (a long sentence's windows) add up
                nonlocal total
                total += done
                bar.update(min(self.total, round(total)) - bar.n)

            yield advance


def use_color(choice: str, stream: TextIO) -> bool:
    """`--color auto`: only on a terminal, never with NO_COLOR set (no-color.org) or on a
    dumb terminal; `always` and `never` are the user's word, over NO_COLOR."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return stream.isatty()


class Notices:
    """Problems said once each on stderr, however many files they concern."""

    def __init__(self) -> None:
        self.said: set[str] = set()

    def say(self, problem: str) -> None:
        if problem not in self.said:
            self.said.add(problem)
            print(f"sentiment-ls: {command_line_wording(problem)}", file=sys.stderr)
