"""Real editors, headless, attached to the real server: Neovim, Emacs + eglot, VS Code.

Each test skips, saying what to install, when its editor is missing; `.ci/run` installs them
all first (scripts/setup-editors.sh), so in CI they run. A skip is not a pass.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.editors.common import SAMPLE, Sample


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "editor: drives a real editor against the real server")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.editor)


@pytest.fixture(scope="session")
def server_command() -> list[str]:
    """The server as an editor would start it: the console script next to this Python."""
    script = Path(sys.executable).with_name("sentiment-ls")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "sentiment_ls"]


@pytest.fixture
def server_env() -> dict[str, str]:
    return {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


@pytest.fixture
def sample(tmp_path: Path) -> Sample:
    folder = tmp_path / "notes"
    folder.mkdir()
    path = folder / "release.md"
    path.write_text(SAMPLE, encoding="utf-8")
    return Sample(path, SAMPLE)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """Keep each phase's report on the test item, so fixtures can tell that the test failed
    (and save a screenshot of what the editor showed)."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report
