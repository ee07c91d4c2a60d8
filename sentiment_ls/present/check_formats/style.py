"""What every format's renderer takes besides the report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sentiment_ls.present.check_report import CheckReport


@dataclass(frozen=True)
class OutputStyle:
    color: bool = False  # ANSI colours: only for a terminal, never with NO_COLOR
    quiet: bool = False  # findings only, no summary line


Render = Callable[[CheckReport, OutputStyle], str]
