"""`sentiment-ls check --format`: one module per format, one registration line each.

Each format turns a finished `CheckReport` into the text written to standard output.
"""

from __future__ import annotations

from sentiment_ls.present.check_formats import github, json_report, junit, sarif, text
from sentiment_ls.present.check_formats.style import OutputStyle, Render

FORMATS: dict[str, Render] = {
    "text": text.render,  # compiler-style lines and a summary, for people
    "json": json_report.render,  # every finding with its probabilities, for scripts
    "github": github.render,  # GitHub Actions workflow annotations
    "sarif": sarif.render,  # SARIF 2.1.0, for code-scanning dashboards
    "junit": junit.render,  # JUnit XML, for CI test reports
}

__all__ = ["FORMATS", "OutputStyle", "Render"]
