"""Findings to LSP diagnostics, with ranges in the negotiated position encoding."""

from __future__ import annotations

from collections.abc import Sequence

from lsprotocol import types

from sentiment_ls.document import LineIndex, PositionEncoding
from sentiment_ls.present.findings import Finding

SOURCE = "sentiment-ls"

SEVERITIES = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}


def lsp_range(index: LineIndex, start: int, end: int, encoding: PositionEncoding) -> types.Range:
    start_line, start_char = index.position(start, encoding)
    end_line, end_char = index.position(end, encoding)
    return types.Range(types.Position(start_line, start_char), types.Position(end_line, end_char))


def to_diagnostics(
    found: Sequence[Finding],
    index: LineIndex,
    encoding: PositionEncoding,
    severity: str,
    model_id: str,
) -> list[types.Diagnostic]:
    return [
        types.Diagnostic(
            range=lsp_range(index, f.sentence.start, f.sentence.end, encoding),
            message=f.message,
            severity=SEVERITIES[severity],
            source=SOURCE,
            code=f.code,
            data={
                "label": f.analysis.prediction.label,
                "probabilities": f.analysis.prediction.probabilities,
                "model": model_id,
            },
        )
        for f in found
    ]
