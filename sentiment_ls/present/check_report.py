"""What a `sentiment-ls check` run found, as every output format reads it.

The findings come from the shared rule (`findings.py`); this module only places them in
files, counts them and says whether the run fails: findings at or above `fail_on`, more of
them than `max_findings` allows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from sentiment_ls.present.findings import Finding
    from sentiment_ls.settings import Severity

FailOn = Literal["error", "warning", "information", "hint", "never"]
# Most severe first; `--fail-on` counts a severity and everything above it.
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "information", "hint")

EXIT_CLEAN = 0
EXIT_FLAGGED = 1
EXIT_ERROR = 2  # a usage error, or input that could not be read: the run proves nothing


@dataclass(frozen=True)
class FileFinding:
    path: str
    line: int  # 1-based
    column: int  # 1-based, in characters (code points)
    end_line: int
    end_column: int  # 1-based column of the character after the sentence
    severity: Severity
    finding: Finding

    @property
    def code(self) -> str:
        return self.finding.code

    @property
    def message(self) -> str:
        return self.finding.message

    @property
    def sentence(self) -> str:
        """The sentence in the writer's words, on one line (see Sentence.quote)."""
        return self.finding.sentence.quote


@dataclass
class CheckedFile:
    path: str  # as the user named it (or as found in a named folder); `-` for stdin
    language: str
    sentences: int = 0
    findings: list[FileFinding] = field(default_factory=list)
    error: str | None = None  # why it could not be read


@dataclass
class CheckReport:
    model: str
    files: list[CheckedFile] = field(default_factory=list)
    seconds: float = 0.0
    fail_on: FailOn = "hint"
    max_findings: int = 0
    errors: list[str] = field(default_factory=list)  # problems not tied to one file
    analysed: int = 0  # distinct sentences that reached the model (the rest: the cache)
    # With a team service: which model answered ("team service: NAME", "embedded (local
    # fallback)", or both with how many sentences each).
    answered_by: str | None = None

    @property
    def findings(self) -> list[FileFinding]:
        return [finding for file in self.files for finding in file.findings]

    @property
    def sentences(self) -> int:
        return sum(file.sentences for file in self.files)

    def fails(self, finding: FileFinding) -> bool:
        """Whether this finding counts toward failing the run (`--fail-on`)."""
        if self.fail_on == "never":
            return False
        return SEVERITIES.index(finding.severity) <= SEVERITIES.index(self.fail_on)

    @property
    def failing(self) -> list[FileFinding]:
        return [finding for finding in self.findings if self.fails(finding)]

    @property
    def unreadable(self) -> list[CheckedFile]:
        return [file for file in self.files if file.error is not None]

    @property
    def exit_code(self) -> int:
        if self.unreadable or self.errors:
            return EXIT_ERROR
        return EXIT_FLAGGED if len(self.failing) > self.max_findings else EXIT_CLEAN

    def summary(self) -> str:
        """One line: what was read, how long it took, what was flagged and whether it fails."""
        read = [file for file in self.files if file.error is None]
        line = (
            f"Checked {_count(len(read), 'file')} ({_count(self.sentences, 'sentence')}) "
            f"in {self.seconds:.1f} s: "
        )
        found = self.findings
        if not found:
            line += "nothing flagged"
        else:
            by_severity = [
                f"{count} {severity}"
                for severity in SEVERITIES
                if (count := sum(f.severity == severity for f in found))
            ]
            kinds = ", ".join(by_severity) if len(by_severity) > 1 else f"all {found[0].severity}"
            line += f"{len(found)} flagged ({kinds})"
            failing = len(self.failing)
            if self.fail_on == "never":
                line += "; --fail-on never"
            elif failing != len(found) or self.max_findings:
                line += f"; {failing} at or above {self.fail_on}"
                if self.max_findings:
                    line += f", {self.max_findings} allowed"
        if self.unreadable:
            line += f"; {_count(len(self.unreadable), 'file')} could not be read"
        if self.answered_by:
            line += f"; answered by {self.answered_by}"
        return line + "."


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def shortened(text: str, limit: int = 80) -> str:
    """`text` in at most `limit` characters: cut at a word where one is near, with an
    ellipsis, so that a long sentence still fits on a line with its location."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit * 2 // 3:
        cut = cut[:space]
    return re.sub(r"[\s,;:]+$", "", cut) + "…"
