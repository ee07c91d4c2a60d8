"""One JSON object: the model, every finding with its label's probabilities, and a summary."""

from __future__ import annotations

import json

from sentiment_ls.present.check_formats.style import OutputStyle
from sentiment_ls.present.check_report import CheckReport, FileFinding


def finding_json(finding: FileFinding) -> dict[str, object]:
    prediction = finding.finding.analysis.prediction
    return {
        "path": finding.path,
        "line": finding.line,
        "column": finding.column,
        "end_line": finding.end_line,
        "end_column": finding.end_column,
        "severity": finding.severity,
        "code": finding.code,
        "message": finding.message,
        "sentence": finding.sentence,
        "label": prediction.label,
        "probabilities": prediction.probabilities,
    }


def render(report: CheckReport, style: OutputStyle) -> str:
    document = {
        "model": report.answered_by or report.model,
        "findings": [finding_json(finding) for finding in report.findings],
        "summary": {
            "files": len(report.files) - len(report.unreadable),
            "sentences": report.sentences,
            "flagged": len(report.findings),
            "failing": len(report.failing),
            "unreadable": [file.path for file in report.unreadable],
            "seconds": round(report.seconds, 3),
            # Distinct sentences the model ran on; the others came from the cache.
            "analysed": report.analysed,
            "exit_code": report.exit_code,
        },
    }
    return json.dumps(document, indent=2) + "\n"
