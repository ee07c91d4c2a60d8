"""`check --service URL` against the real service: the local run's report, with the token
from the environment; a service that is down fails the run (`require`) or is replaced by
the local model (`prefer`), said on stderr."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sentiment_ls.cli import main
from tests.team.conftest import Service, free_port

TEXT = (
    "# Release notes\n\nThe new release is wonderful and fast.\n\n"
    "This is the worst update we have ever shipped, and everyone hates it.\n\n"
    "The awful installer failed again and ruined my whole afternoon.\n"
)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["check", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_check_with_the_service_equals_check(
    service: Service,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    page = tmp_path / "notes.md"
    page.write_text(TEXT)
    monkeypatch.setenv("CI_SENTIMENT_TOKEN", service.token)
    # Without the cache, as a service run is: both send every sentence to a model.
    local = run(capsys, str(page), "--format", "json", "--no-cache")
    remote = run(
        capsys, str(page), "--format", "json", "--service", service.url,
        "--service-token-env", "CI_SENTIMENT_TOKEN",
    )  # fmt: skip
    assert remote[0] == local[0] == 1
    assert remote[2] == ""  # reachable, same model: nothing to say
    reports = [json.loads(out) for _, out, _ in (local, remote)]
    for report in reports:
        report["summary"].pop("seconds")
    # The service's report says which model answered.
    assert (reports[0].pop("model"), reports[1].pop("model")) == (
        "embedded",
        "team service: embedded",
    )
    assert reports[0] == reports[1] and reports[0]["findings"]

    wrong = run(capsys, str(page), "--service", service.url, "--service-token-env", "NO_SUCH_VAR")
    assert wrong[0] == 2 and "HTTP 401" in wrong[2]
    assert wrong[2].endswith(
        "(HTTP 401: NO_SUCH_VAR is not set: set NO_SUCH_VAR in this command's environment to "
        "one of its tokens)\n"
    )


def test_a_service_that_is_down_fails_or_falls_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "notes.md"
    page.write_text(TEXT)
    down = f"http://127.0.0.1:{free_port()}"
    code, out, err = run(capsys, str(page), "--service", down)
    assert code == 2 and out == "" and f"the service at {down} is unavailable" in err
    code, out, err = run(capsys, str(page), "--service", down, "--service-mode", "prefer")
    assert code in (0, 1) and "Checked 1 file (" in out
    assert err.count("unavailable") == 1 and "using the local model" in err
