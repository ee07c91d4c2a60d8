"""SARIF 2.1.0 (OASIS), the log format that code-scanning dashboards read (GitHub code
scanning, Azure DevOps, SonarQube...): one run, a rule per finding code, a result per finding.

Columns are counted in code points (`columnKind`), as the text output counts them; paths are
relative to the working directory (`%SRCROOT%`) where they can be.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from urllib.parse import quote

from sentiment_ls import __version__
from sentiment_ls.present.check_formats.style import OutputStyle
from sentiment_ls.present.check_report import CheckReport, FileFinding

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
_LEVEL = {"error": "error", "warning": "warning", "information": "note", "hint": "note"}
SOURCE_ROOT = "%SRCROOT%"


def artifact_location(path: str) -> dict[str, str]:
    """A relative URI under the working directory, else an absolute `file:` URI."""
    if path == "-":
        return {"uri": "-"}  # standard input: a relative reference that names no file
    resolved = Path(path).resolve()
    try:
        relative = resolved.relative_to(Path.cwd().resolve())
    except ValueError:
        return {"uri": resolved.as_uri()}
    return {"uri": quote(relative.as_posix()), "uriBaseId": SOURCE_ROOT}


def rule(code: str) -> dict[str, object]:
    label = code.removeprefix("sentiment-").replace("-", " ")
    return {
        "id": code,
        "shortDescription": {"text": f"A sentence reads {label} against the document's tone"},
        "fullDescription": {
            "text": f"The model reads the sentence as {label} with a probability at or above "
            "the threshold, and the document's target tone (or flagLabels) flags that label."
        },
    }


def result(finding: FileFinding, rule_index: int) -> dict[str, object]:
    prediction = finding.finding.analysis.prediction
    fingerprint = hashlib.sha256(f"{finding.code}\0{finding.sentence}".encode()).hexdigest()
    return {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": _LEVEL[finding.severity],
        "message": {"text": f'{finding.message}: "{finding.sentence}"'},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": artifact_location(finding.path),
                    "region": {
                        "startLine": finding.line,
                        "startColumn": finding.column,
                        "endLine": finding.end_line,
                        "endColumn": finding.end_column,
                    },
                }
            }
        ],
        # The same sentence keeps its identity when lines above it move.
        "partialFingerprints": {"sentenceHash/v1": fingerprint[:32]},
        "properties": {"label": prediction.label, "probabilities": prediction.probabilities},
    }


def sarif_log(report: CheckReport) -> dict[str, object]:
    findings = report.findings
    codes = sorted({finding.code for finding in findings})
    notifications = [
        {
            "level": "error",
            "message": {"text": file.error or "cannot be read"},
            "locations": [{"physicalLocation": {"artifactLocation": artifact_location(file.path)}}],
        }
        for file in report.unreadable
    ] + [{"level": "error", "message": {"text": error}} for error in report.errors]
    invocation: dict[str, object] = {
        "executionSuccessful": report.exit_code != 2,
        "exitCode": report.exit_code,
    }
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "sentiment-ls",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [rule(code) for code in codes],
                        "properties": {"model": report.model},
                    }
                },
                "originalUriBaseIds": {SOURCE_ROOT: {"uri": Path.cwd().resolve().as_uri() + "/"}},
                "columnKind": "unicodeCodePoints",
                "invocations": [invocation],
                "results": [result(f, codes.index(f.code)) for f in findings],
            }
        ],
    }


def render(report: CheckReport, style: OutputStyle) -> str:
    return json.dumps(sarif_log(report), indent=2) + "\n"
