"""The formats of `check` (present/check_formats/), each from one report built of real
sentences: text lines that read on their own, GitHub annotations escaped as the Actions
toolkit escapes them, SARIF valid against the published 2.1.0 schema, JUnit XML that parses."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from sentiment_ls.analysis.engine import SentenceAnalysis
from sentiment_ls.analysis.postprocess import Prediction
from sentiment_ls.document import LineIndex, document_sentences
from sentiment_ls.present.check_formats import FORMATS, OutputStyle
from sentiment_ls.present.check_report import (
    CheckedFile,
    CheckReport,
    FileFinding,
    shortened,
)
from sentiment_ls.present.findings import Finding
from sentiment_ls.settings import Severity
from tests.sarif_schema import SARIF_SCHEMA, sarif_errors
from tests.unit.document.test_quoting import GOLDEN

LONG = (
    "Unfortunately the importer is still painfully slow on large archives, and the progress "
    "bar freezes for minutes at a time while it works."
)


def _findings(
    path: str, source: str, severity: Severity, language_id: str = "markdown"
) -> CheckedFile:
    """Every sentence of `source` as a NEGATIVE finding at `severity`."""
    index = LineIndex(source)
    checked = CheckedFile(path, language_id)
    for sentence in document_sentences(source, language_id):
        checked.sentences += 1
        probabilities = {"NEGATIVE": 0.97, "POSITIVE": 0.03}
        prediction = Prediction("NEGATIVE", 0.97, probabilities, (2.0, -1.5), "softmax")
        analysis = SentenceAnalysis(sentence.text, None, prediction)  # type: ignore[arg-type]
        line, column = index.position(sentence.start, "utf-32")
        end_line, end_column = index.position(sentence.end, "utf-32")
        checked.findings.append(
            FileFinding(
                path,
                line + 1,
                column + 1,
                end_line + 1,
                end_column + 1,
                severity,
                Finding(sentence, analysis),
            )
        )
    return checked


def report(tmp_path: Path, fail_on: str = "hint", max_findings: int = 0) -> CheckReport:
    """Paths that need escaping (a space, a comma and a colon, non-ASCII), a sentence over
    two lines with `%` in it, a NUL, standard input and a file that could not be read."""
    awkward = str(tmp_path / "docs, notes: café.md")
    built = CheckReport("embedded", fail_on=fail_on, max_findings=max_findings, seconds=1.25)  # type: ignore[arg-type]
    built.files = [
        _findings(awkward, "# Notes\n\nIt is 100% broken\nand slow.\n", "warning"),
        _findings("-", f"{LONG}\n\nA NUL \x00 here is dreadful.\n", "information"),
        CheckedFile("clean.md", "markdown", sentences=3),
        CheckedFile("locked.md", "markdown", error="cannot read locked.md: Permission denied"),
    ]
    return built


def test_shortened_cuts_at_a_word_with_an_ellipsis() -> None:
    assert shortened("Short and sweet.") == "Short and sweet."
    cut = shortened(LONG, 80)
    assert len(cut) <= 80 and cut.endswith("…")
    assert LONG.startswith(cut[:-1]) and LONG[len(cut) - 1] == " "  # a whole word


def test_text_lines_read_on_their_own_then_a_summary(tmp_path: Path) -> None:
    lines = FORMATS["text"](report(tmp_path), OutputStyle()).splitlines()
    awkward = str(tmp_path / "docs, notes: café.md")
    assert lines[0] == (
        f'{awkward}:1:3: warning: Negative sentiment (0.97) [sentiment-negative] "Notes"'
    )
    # The sentence over two lines is on one; a long one is shortened.
    assert lines[1].endswith('[sentiment-negative] "It is 100% broken and slow."')
    assert lines[1].startswith(f"{awkward}:3:1: warning:")
    assert lines[2].startswith("-:1:1: information: ") and lines[2].endswith('…"')
    assert len(lines) == 5
    assert lines[4] == (
        "Checked 3 files (7 sentences) in 1.2 s: 4 flagged (2 warning, 2 information); "
        "1 file could not be read."
    )
    assert "\033[" not in "".join(lines)


def test_colour_and_quiet(tmp_path: Path) -> None:
    coloured = FORMATS["text"](report(tmp_path), OutputStyle(color=True, quiet=True))
    lines = coloured.splitlines()
    assert len(lines) == 4  # findings only
    assert "\033[1;33mwarning:\033[0m" in lines[0] and "\033[1;34minformation:" in lines[2]
    assert "\033[2m[sentiment-negative]\033[0m" in lines[0]


def test_summary_says_what_fails_under_fail_on_and_max_findings(tmp_path: Path) -> None:
    built = report(tmp_path, fail_on="warning", max_findings=1)
    built.files = built.files[:3]  # all readable
    assert built.summary().endswith(
        "4 flagged (2 warning, 2 information); 2 at or above warning, 1 allowed."
    )
    assert built.exit_code == 1  # 2 failing findings, 1 allowed
    built.max_findings = 2
    assert built.exit_code == 0
    built.fail_on = "error"
    built.max_findings = 0
    assert built.exit_code == 0  # nothing is an error
    built.fail_on = "hint"
    assert built.exit_code == 1
    built.fail_on = "never"
    assert built.exit_code == 0
    built.files.append(CheckedFile("gone.md", "markdown", error="cannot read gone.md"))
    assert built.exit_code == 2  # an input error proves nothing, whatever was found
    assert (
        CheckReport("embedded").summary()
        == "Checked 0 files (0 sentences) in 0.0 s: nothing flagged."
    )


def test_github_annotations_escape_data_and_properties(tmp_path: Path) -> None:
    lines = FORMATS["github"](report(tmp_path), OutputStyle()).splitlines()
    escaped = str(tmp_path / "docs, notes: café.md").replace(":", "%3A").replace(",", "%2C")
    assert lines[1] == (
        f"::warning file={escaped},line=3,col=1,endLine=4,endColumn=10,"
        "title=sentiment-ls sentiment-negative::"
        'Negative sentiment (0.97): "It is 100%25 broken and slow."'
    )
    assert lines[2].startswith("::notice file=-,line=1,col=1,")  # information is a notice
    assert "::error file=locked.md::cannot read locked.md: Permission denied" in lines
    assert lines[-1].startswith("Checked 3 files")
    quiet = FORMATS["github"](report(tmp_path), OutputStyle(quiet=True)).splitlines()
    assert all(line.startswith("::") for line in quiet)


def test_sarif_is_valid_against_the_published_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    built = report(tmp_path)
    # And a file outside the working directory: named by an absolute file URI.
    built.files.append(_findings(str(tmp_path.parent / "elsewhere.md"), "Awful.\n", "hint"))
    log = json.loads(FORMATS["sarif"](built, OutputStyle()))
    assert sarif_errors(log) == []
    run = log["runs"][0]
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == ["sentiment-negative"]
    results = run["results"]
    assert len(results) == 5
    assert [r["level"] for r in results] == ["warning", "warning", "note", "note", "note"]
    first = results[1]["locations"][0]["physicalLocation"]
    assert first["artifactLocation"] == {
        "uri": "docs%2C%20notes%3A%20caf%C3%A9.md",
        "uriBaseId": "%SRCROOT%",
    }
    assert first["region"] == {"startLine": 3, "startColumn": 1, "endLine": 4, "endColumn": 10}
    outside = results[4]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert outside == {"uri": (tmp_path.parent / "elsewhere.md").resolve().as_uri()}
    invocation = run["invocations"][0]
    assert invocation["exitCode"] == 2 and invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"][0]["message"]["text"].startswith(
        "cannot read locked.md"
    )
    # The validator does reject what the schema forbids: it is not passing everything.
    results[0]["level"] = "information"
    results[1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = "a b"
    assert len(sarif_errors(log)) == 2


def test_junit_has_a_case_per_file_failed_by_its_findings(tmp_path: Path) -> None:
    built = report(tmp_path, fail_on="warning")
    root = ET.fromstring(FORMATS["junit"](built, OutputStyle()))
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("4", "1", "1")
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    awkward = str(tmp_path / "docs, notes: café.md")
    failure = cases[awkward].find("failure")
    assert failure is not None and failure.get("message") == "2 flagged at or above warning"
    assert (failure.text or "").count("[sentiment-negative]") == 2
    # Below --fail-on: listed, not failed; the NUL (not XML) replaced.
    stdin = cases["-"]
    assert stdin.find("failure") is None
    assert "A NUL \ufffd here is dreadful." in (stdin.findtext("system-out") or "")
    assert list(cases["clean.md"]) == []
    error = cases["locked.md"].find("error")
    assert error is not None and "Permission denied" in (error.get("message") or "")


def test_json_keeps_its_shape_and_adds_a_summary(tmp_path: Path) -> None:
    document = json.loads(FORMATS["json"](report(tmp_path), OutputStyle()))
    assert document["model"] == "embedded"
    assert set(document["findings"][0]) == {
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "severity",
        "code",
        "message",
        "sentence",
        "label",
        "probabilities",
    }
    assert document["summary"] == {
        "files": 3,
        "sentences": 7,
        "flagged": 4,
        "failing": 4,
        "unreadable": ["locked.md"],
        "seconds": 1.25,
        "analysed": 0,
        "exit_code": 2,
    }


def test_every_format_is_registered_once_and_offered_by_the_command_line() -> None:
    from sentiment_ls.cli import build_parser

    check = build_parser()._subparsers._group_actions[0].choices["check"]  # type: ignore[union-attr]
    formats = next(a for a in check._actions if a.dest == "format")
    assert (
        list(formats.choices or []) == list(FORMATS) == ["text", "json", "github", "sarif", "junit"]
    )
    assert os.path.isfile(SARIF_SCHEMA), f"the schema should be at {SARIF_SCHEMA}"


def test_every_format_quotes_the_writers_words_at_the_exact_range() -> None:
    """Golden: each document format's sentences, in each output, as the writer wrote them
    (inline code as written, never the placeholder the model read; white space collapsed),
    with the range of exactly the sentence."""
    built = CheckReport("embedded")
    built.files = [
        _findings(f"doc.{language_id}", source, "warning", language_id)
        for language_id, (source, _) in GOLDEN.items()
    ]
    expected = [
        (f"doc.{language_id}", quote, start, end)
        for language_id, (_, sentences) in GOLDEN.items()
        for quote, _read, start, end in sentences
    ]
    outputs = {name: FORMATS[name](built, OutputStyle(quiet=True)) for name in FORMATS}
    for output in outputs.values():
        assert "x is known" not in output and "Bump x" not in output

    findings = json.loads(outputs["json"])["findings"]
    assert [
        (f["path"], f["sentence"], (f["line"], f["column"]), (f["end_line"], f["end_column"]))
        for f in findings
    ] == expected

    lines = outputs["text"].splitlines()
    assert lines == [
        f'{path}:{line}:{column}: warning: Negative sentiment (0.97) [sentiment-negative] "{quote}"'
        for path, quote, (line, column), _ in expected
    ]

    results = json.loads(outputs["sarif"])["runs"][0]["results"]
    assert [
        (r["message"]["text"], r["locations"][0]["physicalLocation"]["region"]) for r in results
    ] == [
        (
            f'Negative sentiment (0.97): "{quote}"',
            {
                "startLine": start[0],
                "startColumn": start[1],
                "endLine": end[0],
                "endColumn": end[1],
            },
        )
        for _, quote, start, end in expected
    ]

    annotations = outputs["github"].splitlines()
    assert [line.split("::", 2)[2] for line in annotations] == [
        f'Negative sentiment (0.97): "{quote}"' for _, quote, _, _ in expected
    ]

    failures = ET.fromstring(outputs["junit"]).iter("failure")
    listed = "\n".join(failure.text or "" for failure in failures)
    assert all(f'"{quote}"' in listed for _, quote, _, _ in expected)


def test_a_service_run_says_which_model_answered(tmp_path: Path) -> None:
    from sentiment_ls.analysis.engine import analysis_of_logits
    from sentiment_ls.check.run import answered_by

    labels = {0: "negative", 1: "positive"}

    def answered(*sources: str) -> str:
        analyses = [analysis_of_logits("x", [0.0, 1.0], labels, None, source=s) for s in sources]
        return answered_by("embedded", analyses)

    assert answered("team service: t", "team service: t") == "team service: t"
    assert answered("local fallback") == "embedded (local fallback)"
    assert answered("team service: t", "local fallback", "local fallback") == (
        "team service: t for 1 sentence, embedded (local fallback) for 2 sentences"
    )
    built = report(tmp_path)
    built.answered_by = "team service: t"
    assert built.summary().endswith("; answered by team service: t.")
    assert json.loads(FORMATS["json"](built, OutputStyle()))["model"] == "team service: t"
