"""What the editor tests share: the sample document, skips that say what to install."""

from __future__ import annotations

import json
import os
import re
import shutil
import typing
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SETUP_HINT = "run `bash scripts/setup-editors.sh` (apt, npm and PyPI packages; the .vsix)"
TIMEOUT = 180.0  # an editor run: server start, model load, analysis, hover; CI machines are slow

# One clearly negative sentence between two clearly positive ones (the embedded model is
# retrained now and then: no borderline sentence here): the negative one must be flagged, the
# others must not be.
SAMPLE = """\
# Release notes

I love this wonderful release, and everything works beautifully.

Unfortunately, the importer is painfully slow, and the error messages are confusing and unhelpful.

The new offline mode works well, and the early feedback has been wonderful.
"""
NEGATIVE = "Unfortunately, the importer is painfully slow"
POSITIVE = ("I love this wonderful release", "The new offline mode")


@dataclass(frozen=True)
class Sample:
    path: Path
    text: str

    def line_of(self, fragment: str) -> int:
        """0-based line of the first line holding `fragment`."""
        for number, line in enumerate(self.text.splitlines()):
            if fragment in line:
                return number
        raise AssertionError(f"{fragment!r} not in the sample")

    @property
    def negative_line(self) -> int:
        return self.line_of(NEGATIVE)

    @property
    def positive_lines(self) -> list[int]:
        return [self.line_of(fragment) for fragment in POSITIVE]


def unavailable(reason: str) -> typing.NoReturn:
    """Skip, saying what to install; fail instead where the editors must be there (CI sets
    SENTIMENT_LS_REQUIRE_EDITORS=1 after installing them), so a skip never passes for a run."""
    message = f"{reason}: {SETUP_HINT}"
    if os.environ.get("SENTIMENT_LS_REQUIRE_EDITORS") == "1":
        pytest.fail(f"SENTIMENT_LS_REQUIRE_EDITORS=1 but {message}", pytrace=False)
    pytest.skip(message)


def require_binary(name: str, package: str) -> str:
    found = shutil.which(name)
    if found is None:
        unavailable(f"`{name}` not installed (Debian package {package})")
    return found


def screenshots_dir() -> Path:
    folder = Path(os.environ.get("SENTIMENT_LS_SCREENSHOTS", ROOT / "build" / "screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


HOVER_MAX_LINES = 20  # non-empty lines of the hover over the sample's 23-piece sentence
_MARKUP = re.compile(r"[*`]")
_DRIVING_WORD = re.compile(r"^Toward negative: “([^”]+)” \+\d\.\d\d")


def plain(line: str) -> str:
    """A line without emphasis and code markers, as a rendering editor shows it."""
    return _MARKUP.sub("", line).strip()


def assert_lead(lines: list[str], sample: Sample) -> None:
    """The first two non-empty lines: the verdict (flagged, under the default tone) and the
    words that pushed it, led by a word of the hovered sentence with its signed score."""
    shown = [plain(line) for line in lines if line.strip()]
    assert len(shown) >= 2, lines
    verdict, words = shown[0], shown[1]
    assert verdict.startswith("negative ") and "· flagged: " in verdict, lines
    assert "positive tone" in verdict, lines  # what flags it: the document's tone
    driving = _DRIVING_WORD.match(words)
    assert driving, lines
    sentence = sample.text.splitlines()[sample.negative_line].lower()
    assert driving.group(1).lower() in sentence, (driving.group(1), lines)


def assert_hover_layout(value: str, kind: str, sample: Sample) -> None:
    """The hover over the negative sentence: the verdict and the words that drove it first,
    then the pipeline, compact, in order. `kind`: the markup the server was asked for
    (`markdown`, `plaintext`), or `rendered` for the text an editor shows."""
    lines = [line for line in value.splitlines() if line.strip()]
    assert len(lines) <= HOVER_MAX_LINES, value
    assert_lead(lines, sample)
    order = ["Toward negative", "1 · Tokenizer", "unfortunately·", "2 · Model: logit"]
    order += ["3 · softmax", "sentiment-ls.breakdown"]
    found = [value.find(part) for part in order]
    assert -1 not in found and found == sorted(found), (order, found, value)
    if kind == "markdown":
        assert "\n```text\n" in value and "|:--" in value, value  # the strip, the score table
    elif kind == "plaintext":
        assert not re.search(r"\*\*|```|\|", value), value


def assert_hover_screen(rows: list[str], sample: Sample, whole: bool = True) -> None:
    """The hover as an editor drew it (rows of a terminal): the answer in its first rows,
    markup not shown, and (unless only its start is shown, as in an echo area) the pipeline
    below."""
    shown = [row for row in rows if row.strip()]
    assert shown, rows
    assert_lead(shown[:2], sample)
    assert "*" not in shown[0] + shown[1], shown[:2]  # rendered, not raw
    if whole:
        assert any("1 · Tokenizer" in row for row in shown), rows


README = ROOT / "README.md"
README_SERVER = "/path/to/sentiment-ls/.venv/bin/sentiment-ls"


def readme_block(heading: str, language: str) -> str:
    """The first ```language block under the README heading that starts with `heading`: the
    tests run the configuration users copy, not a copy of it."""
    lines = README.read_text(encoding="utf-8").splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith(f"### {heading}")), None)
    assert start is not None, f"README has no `### {heading}` heading"
    fence = next(i for i in range(start + 1, len(lines)) if lines[i] == f"```{language}")
    between = lines[start + 1 : fence]
    assert not any(line.startswith("#") for line in between), f"no {language} block: {heading}"
    end = next(i for i in range(fence + 1, len(lines)) if lines[i] == "```")
    return "\n".join(lines[fence + 1 : end]) + "\n"


def with_server(block: str, command: list[str], separator: str) -> str:
    """The block with the README's placeholder server replaced by this checkout's command
    (a list of quoted strings joined by `separator`: ", " in Lua, " " in Lisp)."""
    quoted = f'"{README_SERVER}"'
    assert quoted in block, f"{quoted} not in the README block:\n{block}"
    return block.replace(quoted, separator.join(json.dumps(part) for part in command))
