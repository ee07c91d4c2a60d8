"""`check --ray` joining a cluster it shares with the team service: it takes the CPUs left
free and finishes with the local run's report, says nothing of Ray's on stderr, and when
no CPU frees up within `--ray-timeout` it says what was missing and exits 2."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sentiment_ls.cli import main
from sentiment_ls.serve.command import ServeOptions
from tests.team.conftest import Service

EXAMPLES = Path(__file__).parents[2] / "examples"


@pytest.fixture
def address(service: Service) -> str:
    """The session cluster's address, for a `check` started as its own process; the
    service is deployed on it, holding part of its CPUs."""
    import ray

    assert ray.available_resources().get("CPU", 0) < ray.cluster_resources()["CPU"]  # type: ignore[no-untyped-call]
    gcs: str = ray.get_runtime_context().gcs_address
    return gcs


def check_process(*args: str) -> subprocess.CompletedProcess[str]:
    """`sentiment-ls check ARGS` in a process of its own, as a user runs it (stderr not a
    terminal)."""
    env = dict(os.environ)
    # The session's cluster was started by ray.init with Ray's default token
    # authentication: a process joining it at an explicit address must ask for it.
    env.setdefault("RAY_AUTH_MODE", "token")
    return subprocess.run(
        [sys.executable, "-m", "sentiment_ls", "check", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_check_on_a_cluster_the_service_shares_equals_check(
    address: str, capsys: pytest.CaptureFixture[str]
) -> None:
    local_code = main(["check", str(EXAMPLES), "--format", "json", "--no-cache"])
    local = json.loads(capsys.readouterr().out)
    on_ray = check_process("--ray", "--ray-address", address, str(EXAMPLES), "--format", "json")
    assert on_ray.returncode == local_code, on_ray.stderr
    assert on_ray.stderr == ""  # no line of Ray's, no progress bar off a terminal
    remote = json.loads(on_ray.stdout)
    assert local["summary"].pop("seconds") >= 0 and remote["summary"].pop("seconds") >= 0
    assert remote == local and local["findings"]


@pytest.fixture
def every_cpu_held(service: Service) -> Iterator[None]:
    """The CPUs the service leaves free taken by an actor, until the test ends."""
    import ray

    @ray.remote
    class Holder:
        def ready(self) -> bool:
            return True

    options = service.options
    assert isinstance(options, ServeOptions)
    total = ray.cluster_resources()["CPU"]  # type: ignore[no-untyped-call]
    held = total - options.replicas * options.cpus_per_replica
    holder = Holder.options(num_cpus=held).remote()  # type: ignore[attr-defined]
    ray.get(holder.ready.remote(), timeout=120)
    yield
    ray.kill(holder)
    # A job that gave up in this process leaves its pool's actor waiting for a CPU until
    # the last reference to it goes (a command's process ends instead): gone before the
    # next test, which wants the CPUs as they were.
    gc.collect()
    deadline = time.monotonic() + 60
    while ray.available_resources().get("CPU", 0) < held and time.monotonic() < deadline:  # type: ignore[no-untyped-call]
        time.sleep(0.5)
    assert ray.available_resources().get("CPU", 0) >= held  # type: ignore[no-untyped-call]


def test_no_free_cpu_within_the_timeout_is_said_and_exits_2(
    address: str, every_cpu_held: None
) -> None:
    run = check_process("--ray", "--ray-address", address, "--ray-timeout", "3", str(EXAMPLES))
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.startswith(
        f"sentiment-ls check: error: no CPU free on the cluster at {address} for 3 s: "
        "2 of its 2 CPUs are held"
    ), run.stderr
    assert run.stderr.count("\n") == 1  # the one line, nothing of Ray's


def test_an_actor_that_cannot_start_within_the_timeout_is_said(
    ray_cluster: None,
    every_cpu_held: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from sentiment_ls.check import on_ray

    # A CPU seen free, then taken before the pool's first actor could start on it.
    monkeypatch.setattr(on_ray.RayAnalysis, "_free_cpus", lambda self: 1.0)
    assert main(["check", "--ray", "--ray-timeout", "3", str(EXAMPLES)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "sentiment-ls check: error: a local Ray cluster started none of check's actors in "
        "3 s: 2 of its 2 CPUs are held (a service's replicas, other jobs); free a CPU, or "
        "wait longer with --ray-timeout\n"
    )
