"""GitHub Actions workflow commands: each finding becomes an annotation on the pull request's
diff and the run's summary (`::warning file=...,line=...::message`), then the summary line
as an ordinary log line.

See https://docs.github.com/actions/reference/workflow-commands-for-github-actions.
"""

from __future__ import annotations

from sentiment_ls.present.check_formats.style import OutputStyle
from sentiment_ls.present.check_report import CheckReport, FileFinding, shortened

# GitHub has three annotation levels; LSP's information and hint are both notices.
_COMMAND = {"error": "error", "warning": "warning", "information": "notice", "hint": "notice"}


def _data(text: str) -> str:
    """A command's message, escaped as the Actions toolkit does (`escapeData`)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    """A command's property value (`escapeProperty`): also `:` and `,`, which delimit them."""
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: FileFinding) -> str:
    properties = {
        "file": finding.path,
        "line": finding.line,
        "col": finding.column,
        "endLine": finding.end_line,
        "endColumn": finding.end_column,
        "title": f"sentiment-ls {finding.code}",
    }
    listed = ",".join(f"{key}={_property(str(value))}" for key, value in properties.items())
    message = f'{finding.message}: "{shortened(finding.sentence, 200)}"'
    return f"::{_COMMAND[finding.severity]} {listed}::{_data(message)}"


def render(report: CheckReport, style: OutputStyle) -> str:
    lines = [annotation(finding) for finding in report.findings]
    lines += [
        f"::error file={_property(f.path)}::{_data(f.error or '')}" for f in report.unreadable
    ]
    if not style.quiet:
        lines.append(report.summary())
    return "".join(line + "\n" for line in lines)
