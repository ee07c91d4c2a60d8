"""`sentiment-ls check` run as a user and a CI job run it, with the real model: file
selection, every output format, standard input, the exit status and the terminal.

The model takes seconds to load, so one run per format serves several tests (`runs`).
"""

from __future__ import annotations

import json
import os
import pty
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.sarif_schema import sarif_errors

NEGATIVE = "The installer is a slow, broken and infuriating mess."
POSITIVE = "Our support team is wonderful and we love working with you."


def _check(
    *args: str, stdin: str | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    return subprocess.run(
        [sys.executable, "-m", "sentiment_ls", "check", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
        env=env,
    )


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository with what a docs repository has: build output git ignores, a vendored
    folder the project file excludes, a stricter folder, and prose of both tones."""
    if shutil.which("git") is None:
        pytest.skip("needs the git command to make the repository")
    root = tmp_path_factory.mktemp("repo")
    files = {
        ".gitignore": "/site/\n",
        "pyproject.toml": '[tool.sentiment-ls]\nexclude = ["vendor"]\n\n'
        '[[tool.sentiment-ls.overrides]]\npaths = ["docs/release/**"]\nseverity = "warning"\n',
        "README.md": f"# Read me\n\n{POSITIVE}\n",
        "docs/guide.md": f"# Guide\n\n{POSITIVE} {NEGATIVE}\n",
        "docs/release/1.0.md": f"{NEGATIVE}\n",
        "site/index.md": f"{NEGATIVE}\n",  # build output: git ignores it
        "vendor/lib/README.md": f"{NEGATIVE}\n",  # the project file excludes it
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    return root


@pytest.fixture(scope="module")
def runs(tree: Path) -> dict[str, subprocess.CompletedProcess[str]]:
    return {name: _check(".", "--format", name, cwd=tree) for name in ("text", "json", "sarif")}


def test_the_walk_skips_ignored_and_excluded_files_and_follows_the_project_file(
    runs: dict[str, subprocess.CompletedProcess[str]],
) -> None:
    completed = runs["json"]
    assert completed.returncode == 1, completed.stderr
    report = json.loads(completed.stdout)
    found = [(f["path"], f["line"], f["severity"], f["sentence"]) for f in report["findings"]]
    assert found == [
        ("docs/guide.md", 3, "information", NEGATIVE),
        ("docs/release/1.0.md", 1, "warning", NEGATIVE),
    ]
    assert report["summary"]["files"] == 3  # README.md, docs/guide.md, docs/release/1.0.md
    assert report["summary"]["exit_code"] == 1


def test_text_output_reads_on_its_own(runs: dict[str, subprocess.CompletedProcess[str]]) -> None:
    lines = runs["text"].stdout.splitlines()
    assert re.fullmatch(
        rf"docs/guide\.md:3:\d+: information: Negative sentiment \([01]\.\d\d\) "
        rf'\[sentiment-negative\] "{re.escape(NEGATIVE)}"',
        lines[0],
    ), lines[0]
    assert lines[1].startswith("docs/release/1.0.md:1:1: warning: Negative sentiment (")
    assert re.fullmatch(
        r"Checked 3 files \(\d+ sentences\) in \d+\.\d s: 2 flagged "
        r"\(1 warning, 1 information\)\.",
        lines[2],
    ), lines[2]
    assert len(lines) == 3 and "\033[" not in runs["text"].stdout  # piped: no colour


def test_sarif_output_is_valid_and_holds_every_finding(
    runs: dict[str, subprocess.CompletedProcess[str]], tree: Path
) -> None:
    assert runs["sarif"].returncode == 1
    log = json.loads(runs["sarif"].stdout)
    assert sarif_errors(log) == []
    run = log["runs"][0]
    located = [
        (
            r["level"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in run["results"]
    ]
    assert located == [("note", "docs/guide.md", 3), ("warning", "docs/release/1.0.md", 1)]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tree.resolve().as_uri() + "/"
    assert run["invocations"][0] == {"executionSuccessful": True, "exitCode": 1}


def test_junit_output_of_a_folder_within_a_findings_budget(tree: Path) -> None:
    # Both files have a finding and fail as test cases; two findings are allowed, so the
    # run passes (a team bringing the check in step by step).
    completed = _check("docs", "--format", "junit", "--max-findings", "2", cwd=tree)
    assert completed.returncode == 0, completed.stderr
    suite = ET.fromstring(completed.stdout).find("testsuite")
    assert suite is not None and (suite.get("tests"), suite.get("failures")) == ("2", "2")
    names = [case.get("name") for case in suite.iter("testcase")]
    assert names == ["docs/guide.md", "docs/release/1.0.md"]


def test_standard_input_in_a_given_language_as_github_annotations() -> None:
    # Markdown: the code block is not prose. Information findings do not fail under
    # --fail-on warning, but are still annotated.
    text = f"# Notes\n\n```\nThis awful code is dreadful.\n```\n\n{NEGATIVE}\n"
    completed = _check(
        "-", "--language", "markdown", "--format", "github", "--fail-on", "warning", stdin=text
    )
    assert completed.returncode == 0, completed.stderr
    annotation, summary = completed.stdout.splitlines()
    assert annotation.startswith("::notice file=-,line=7,col=1,endLine=7,endColumn=54,")
    assert re.search(rf'::Negative sentiment \([01]\.\d\d\): "{re.escape(NEGATIVE)}"$', annotation)
    assert summary.endswith("1 flagged (all information); 0 at or above warning.")


def test_colour_on_a_terminal() -> None:
    """Colour is for a terminal: the run has a pseudo-terminal as its standard output."""
    controller, terminal = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env["TERM"] = "xterm"
    process = subprocess.Popen(
        [sys.executable, "-m", "sentiment_ls", "check", "-", "--fail-on", "never"],
        stdin=subprocess.PIPE,
        stdout=terminal,
        stderr=subprocess.PIPE,
        env=env,
    )
    os.close(terminal)
    assert process.stdin is not None
    process.stdin.write(NEGATIVE.encode())
    process.stdin.close()
    output = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO: the other side closed
            break
        if not chunk:
            break
        output += chunk
    os.close(controller)
    assert process.wait(timeout=300) == 0  # --fail-on never
    text = output.decode()
    assert "\033[1m-:1:1:\033[0m \033[1;34minformation:\033[0m Negative sentiment" in text


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (
            ["check", "--threshold", "1.5", "a.md"],
            "argument --threshold: expected a number from 0 to 1, got '1.5'",
        ),
        (
            ["check", "--threshold", "nan", "a.md"],
            "argument --threshold: expected a number from 0 to 1, got 'nan'",
        ),
        (["check", "--format", "xml", "a.md"], "argument --format: invalid choice: 'xml'"),
        (
            ["check", "--max-findings", "-1", "a.md"],
            "argument --max-findings: expected a whole number >= 0",
        ),
        (["check"], "the following arguments are required: PATH"),
        (["check", "no-such-file.md"], "no such file or folder: no-such-file.md"),
        (["check", "-", "-"], "`-` (standard input) given twice"),
        (["check", "-", "--ray-address", "auto"], "--ray-address: the cluster of a --ray run"),
        (["--log-level", "verbose"], "argument --log-level: invalid choice: 'VERBOSE'"),
        (["--port", "70000"], "argument --port: expected a whole number from 0 to 65535"),
        (["--tcp", "--stdio"], "argument --stdio: not allowed with argument --tcp"),
        (
            ["explain", "--steps", "0", "text"],
            "argument --steps: expected a whole number from 1 to 256",
        ),
        (["explain", ""], "sentiment-ls explain: the text to explain is empty"),
        (["explain", " \t\n"], "sentiment-ls explain: the text to explain is empty"),
        (
            ["eval", "--batch-size", "0", "x.tsv"],
            "argument --batch-size: expected a whole number >= 1",
        ),
    ],
)
def test_a_usage_error_is_one_line_and_exit_2(args: list[str], says: str) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "sentiment_ls", *args], capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 2
    assert completed.stderr.count("\n") == 1, completed.stderr
    assert says in completed.stderr, completed.stderr
    assert "Traceback" not in completed.stderr


# Golden, with the real model: what the writer wrote, where. Inline code is quoted as written
# (the model reads a placeholder), layout white space collapsed, the range ends where the
# sentence ends (past a closing backtick), and list items end without a full stop.
WRITERS_WORDS = {
    "notes.md": (
        "# Notes\n\n`tqdm` is known for   terrible,\nbroken and useless displays.\n\n"
        "- Licenses exclude GPL-3\n"
        "- This unfortunately creates a horrible, frustrating mess for `pip`\n",
        [
            ("`tqdm` is known for terrible, broken and useless displays.", 3, 1, 4, 29),
            ("This unfortunately creates a horrible, frustrating mess for `pip`", 7, 3, 7, 68),
        ],
    ),
    "notes.rst": (
        "Notes\n=====\n\n``tqdm`` is known for   terrible,\nbroken and useless displays.\n",
        [("``tqdm`` is known for terrible, broken and useless displays.", 4, 1, 5, 29)],
    ),
    "NEWS.txt": (
        "Changes\n- Licenses exclude GPL-3\n"
        "- This unfortunately creates a horrible, frustrating mess\n",
        [("This unfortunately creates a horrible, frustrating mess", 3, 3, 3, 58)],
    ),
    "notes.tex": (
        "\\section{Notes}\nThe \\verb|tqdm| tool is terrible, broken and useless.\n",
        [("The \\verb|tqdm| tool is terrible, broken and useless.", 2, 1, 2, 54)],
    ),
    "notes.html": (
        "<p>The <code>tqdm</code> tool is terrible, broken and useless.</p>\n",
        [("The <code>tqdm</code> tool is terrible, broken and useless.", 1, 4, 1, 63)],
    ),
    "notes.py": (
        "# The `tqdm` tool is terrible,\n# broken and useless.\nx = 1\n",
        [("The `tqdm` tool is terrible, broken and useless.", 1, 3, 2, 22)],
    ),
}


def test_findings_quote_the_writers_words_at_their_exact_range(tmp_path: Path) -> None:
    for name, (source, _) in WRITERS_WORDS.items():
        (tmp_path / name).write_text(source, encoding="utf-8")
    expected = sorted(
        (name, *finding) for name, (_, findings) in WRITERS_WORDS.items() for finding in findings
    )
    as_json = _check("--format", "json", ".", cwd=tmp_path)
    assert as_json.returncode == 1, as_json.stderr
    found = [
        (
            Path(f["path"]).name,
            f["sentence"],
            f["line"],
            f["column"],
            f["end_line"],
            f["end_column"],
        )
        for f in json.loads(as_json.stdout)["findings"]
    ]
    assert sorted(found) == expected
    as_text = _check("--quiet", ".", cwd=tmp_path)
    quoted = sorted(
        (Path(line.split(":", 1)[0]).name, line.rsplit(' "', 1)[1].rstrip('"'))
        for line in as_text.stdout.splitlines()
    )
    assert quoted == [(name, sentence) for name, sentence, *_ in expected]


def test_labels_the_model_lacks_and_a_hub_id_not_cached_are_errors_that_name_the_flag(
    tree: Path,
) -> None:
    unknown = _check("--flag-labels", "negative,angry", "README.md", cwd=tree)
    assert unknown.returncode == 2
    assert unknown.stderr == (
        "sentiment-ls check: error: --flag-labels: the model has no label 'angry'; "
        "its labels are negative, neutral, positive\n"
    )
    missing = _check("--model", "nobody/not-a-cached-model", "README.md", cwd=tree)
    assert missing.returncode == 2
    assert "pass `--allow-download` to fetch it from the Hub" in missing.stderr
    assert "sentimentLs" not in missing.stderr
