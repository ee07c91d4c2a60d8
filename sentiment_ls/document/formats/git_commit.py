"""Git commit messages (`git-commit`, the COMMIT_EDITMSG buffer): the subject and the body.

Lines starting with "#" are git's comments and are not prose; everything from the scissors
line (`# --- >8 ---`, which `git commit -v` puts above the diff) on is not part of the message.
The subject is a region of its own, even when the body follows without a blank line, and
trailers (`Signed-off-by: ...`) and indented lines (quoted code, logs) are left out.
"""

from __future__ import annotations

import re

from ..model import ProseRegion
from .regions import line_spans, paragraph_regions, stripped

_SCISSORS = re.compile(r"^# -+ >8 -+$")
# `Token: value` at the start of a line, git's trailer shape (`Signed-off-by:`, `Fixes:`).
_TRAILER = re.compile(r"^[A-Za-z][A-Za-z0-9-]*: \S")
_TRAILER_TOKENS = re.compile(r"-by$|^(fixes|closes|resolves|refs|see-also|change-id|bug)$", re.I)


def prose_regions(source: str) -> list[ProseRegion]:
    lines: list[tuple[int, int] | None] = []
    subject_done = False
    for start, end in line_spans(source):
        line = source[start:end]
        if _SCISSORS.match(line):
            break
        if line.startswith("#"):
            continue
        if not line.strip() or line.startswith(("    ", "\t")) or _is_trailer(line):
            lines.append(None)
            continue
        lines.append(stripped(source, start, end))
        if not subject_done:
            subject_done = True
            lines.append(None)  # the subject stands alone
    return paragraph_regions(source, lines)


def _is_trailer(line: str) -> bool:
    if not _TRAILER.match(line):
        return False
    return bool(_TRAILER_TOKENS.search(line.split(":", 1)[0]))
