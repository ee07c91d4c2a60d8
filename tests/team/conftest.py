"""One real local Ray cluster for the whole session, with the service on it over loopback.

Every test here that needs Ray shares it: starting Ray and Serve costs 10 to 20 s on a small
machine, so it is paid once (the tests of `serve`, the remote runtime over stdio, `check
--ray`). The `ray` extra is installed by scripts/setup.sh; without it these tests skip and
say why."""

from __future__ import annotations

import os
import secrets
import socket
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")


def pytest_configure(config: pytest.Config) -> None:
    # Ray Serve's own pydantic models warn on import; nothing of ours.
    config.addinivalue_line("filterwarnings", "ignore:Using extra keyword arguments on `Field`")
    config.addinivalue_line("filterwarnings", "ignore::DeprecationWarning:ray.data.context")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class Service:
    url: str
    token: str
    options: object  # the ServeOptions it was deployed with, to redeploy after a stop

    def get(self, path: str, token: str | None = None) -> urllib.request.Request:
        request = urllib.request.Request(self.url + path)
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        return request


@pytest.fixture(scope="session")
def ray_cluster() -> Iterator[None]:
    pytest.importorskip("ray", reason="the `ray` extra is not installed (scripts/setup.sh)")
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    from ray import serve

    serve.shutdown()
    ray.shutdown()


@pytest.fixture(scope="session")
def service(ray_cluster: None, tmp_path_factory: pytest.TempPathFactory) -> Service:
    from sentiment_ls.serve.command import ServeOptions, deploy

    token = secrets.token_urlsafe(24)
    tokens_file: Path = tmp_path_factory.mktemp("service") / "tokens"
    # Two tokens, as during a rotation; the tests use the second.
    tokens_file.write_text(f"# rotated out next week\n{secrets.token_urlsafe(24)}\n{token}\n")
    options = ServeOptions(
        port=free_port(),
        # Half a CPU: `check --ray`'s actors need the other one and a half on a 2-CPU cluster.
        cpus_per_replica=0.5,
        args={"tokens_file": str(tokens_file), "max_rows": 64, "max_bytes": 256 * 1024},
    )
    url = deploy(options)
    return Service(url, token, options)
