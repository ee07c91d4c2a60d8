"""Compiler-style lines, one per finding, that read on their own, then a summary line:

    guide.md:9:3: warning: Negative sentiment (0.98) [sentiment-negative] "A slow, broken mess."

Location first, so that editors and terminals can jump to it (`%f:%l:%c: %m`).
"""

from __future__ import annotations

from sentiment_ls.present.check_formats.style import OutputStyle
from sentiment_ls.present.check_report import CheckReport, FileFinding, shortened

# SGR codes: bold, and a colour per severity as compilers use them.
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"
_SEVERITY_COLOR = {
    "error": "\033[1;31m",
    "warning": "\033[1;33m",
    "information": "\033[1;34m",
    "hint": "\033[1;36m",
}
SENTENCE_LIMIT = 80


def finding_line(finding: FileFinding, color: bool = False) -> str:
    location = f"{finding.path}:{finding.line}:{finding.column}:"
    severity = f"{finding.severity}:"
    code = f"[{finding.code}]"
    if color:
        location = f"{_BOLD}{location}{_RESET}"
        severity = f"{_SEVERITY_COLOR[finding.severity]}{severity}{_RESET}"
        code = f"{_DIM}{code}{_RESET}"
    sentence = shortened(finding.sentence, SENTENCE_LIMIT)
    return f'{location} {severity} {finding.message} {code} "{sentence}"'


def render(report: CheckReport, style: OutputStyle) -> str:
    lines = [finding_line(finding, style.color) for finding in report.findings]
    if not style.quiet:
        summary = report.summary()
        lines.append(f"{_BOLD}{summary}{_RESET}" if style.color else summary)
    return "".join(line + "\n" for line in lines)
