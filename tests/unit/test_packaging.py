"""Packaging metadata reads without deprecation warnings, and the documented test command
shows why tests were skipped."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def test_setuptools_reads_the_project_table_without_warnings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from setuptools.config.pyprojecttoml import apply_configuration
    from setuptools.dist import Distribution

    monkeypatch.chdir(REPO)  # readme and package paths are relative to the project
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        distribution = apply_configuration(Distribution(), "pyproject.toml")
    assert [f"{w.category.__name__}: {w.message}" for w in caught] == []
    # PEP 639: an SPDX expression, not the deprecated `license = {text = ...}` table.
    assert distribution.metadata.license_expression == "MIT"


def test_the_readme_and_ci_run_the_tests_with_skip_reasons() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "\n.venv/bin/python -m pytest -rs\n" in readme
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    command = next(line for line in ci.splitlines() if "-m pytest" in line)
    assert "-rs" in command.split()
