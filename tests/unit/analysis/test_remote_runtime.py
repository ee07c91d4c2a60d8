"""The remote runtime's fallback rules, on a stub client (one class under test; the real
service over HTTP and the server over stdio are tested in tests/team/)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from sentiment_ls.analysis.request import TeamService
from sentiment_ls.analysis.runtimes import FloatArray, IdArray, LocalRuntime, Purpose, remote
from sentiment_ls.analysis.runtimes.remote import (
    RemoteRuntime,
    ServiceClient,
    ServiceError,
    ServiceUnavailable,
)


class Local(LocalRuntime):
    name, where = "onnxruntime", "cpu"

    def logits(self, input_ids: IdArray, purpose: Purpose = "verdict") -> FloatArray:
        return np.zeros((len(input_ids), 2), dtype=np.float32)


class Stub(ServiceClient):
    up = True
    calls = 0

    def logits(self, rows: Sequence[Sequence[int]], labels: int) -> FloatArray:
        self.calls += 1
        if not self.up:
            raise ServiceError("connection refused")
        return np.ones((len(rows), labels), dtype=np.float32)


def runtime(mode: str) -> tuple[RemoteRuntime, Stub, list[tuple[str, bool]]]:
    client = Stub(TeamService("http://127.0.0.1:9", mode=mode))  # type: ignore[arg-type]
    said: list[tuple[str, bool]] = []
    found = RemoteRuntime(client, Local(), 2)
    found.notify = lambda message, warning: said.append((message, warning))
    return found, client, said


IDS = np.array([[101, 7, 102]], dtype=np.int64)


def test_prefer_falls_back_once_backs_off_and_recovers(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [100.0]
    monkeypatch.setattr(remote.time, "monotonic", lambda: clock[0])
    found, client, said = runtime("prefer")
    assert found.logits(IDS)[0, 0] == 1.0
    client.up = False
    assert found.logits(IDS)[0, 0] == 0.0  # local
    assert found.logits(IDS)[0, 0] == 0.0  # within the backoff: not even tried
    assert client.calls == 2
    assert len(said) == 1 and said[0][1] and "using the local model" in said[0][0]
    clock[0] += 1.5  # past the first backoff (1 s): tried again, still down, nothing said
    assert found.logits(IDS)[0, 0] == 0.0
    assert client.calls == 3 and len(said) == 1
    clock[0] += 1.5  # the second backoff is 2 s: not yet
    found.logits(IDS)
    assert client.calls == 3
    client.up = True
    clock[0] += 1.0
    assert found.logits(IDS)[0, 0] == 1.0
    assert said[-1] == ("the service at http://127.0.0.1:9 is back; using it again", False)


def test_require_raises_and_says_it_once() -> None:
    found, client, said = runtime("require")
    client.up = False
    for _ in range(3):
        with pytest.raises(ServiceUnavailable):
            found.logits(IDS)
    assert client.calls == 1 and len(said) == 1 and "require" in said[0][0]


def test_requests_stay_within_the_limits() -> None:
    rows = [[1] * n for n in (3, 200, 5, 7)] * 100
    chunks = remote._requests(rows)
    assert [r for chunk in chunks for r in chunk] == rows
    for chunk in chunks:
        assert len(chunk) <= remote.ROWS_PER_REQUEST
        assert len(chunk) * max(len(r) for r in chunk) <= remote.TOKENS_PER_REQUEST


def test_connect_names_every_difference_from_the_configured_model() -> None:
    from sentiment_ls.analysis.runtimes.inference_protocol import ModelCard

    client = ServiceClient(TeamService("https://ml.example"))
    same = ModelCard("sentiment-ls", "embedded", ("negative", "positive"), "a" * 64, 512)
    assert remote.connect_problems(client, same, ["negative", "positive"], "a" * 64, 512) == []
    other = ModelCard("sentiment-ls", "x", ("negative", "neutral", "positive"), "b" * 64, 128)
    problems = remote.connect_problems(client, other, ["negative", "positive"], "a" * 64, 512)
    assert len(problems) == 3
    assert "labels" in problems[0] and "weights" in problems[1] and "128 tokens" in problems[2]
    assert all("https://ml.example" in p for p in problems)


@pytest.mark.parametrize(
    ("token", "code", "said"),
    [
        (None, 401, "HTTP 401: TEAM_TOKEN is not set"),
        ("wrong-token-0123456789", 403, "HTTP 403: the token in TEAM_TOKEN is refused"),
    ],
)
def test_a_refusal_names_the_token_variable_even_while_backing_off(
    monkeypatch: pytest.MonkeyPatch, token: str | None, code: int, said: str
) -> None:
    import io
    import urllib.error

    from sentiment_ls.command_model import command_line_wording

    if token is None:
        monkeypatch.delenv("TEAM_TOKEN", raising=False)
    else:
        monkeypatch.setenv("TEAM_TOKEN", token)

    def refuse(request: object, timeout: float) -> None:
        body = io.BytesIO(b'{"error": "the token is not accepted"}')
        raise urllib.error.HTTPError("http://127.0.0.1:9", code, "refused", {}, body)  # type: ignore[arg-type]

    monkeypatch.setattr(remote.urllib.request, "urlopen", refuse)
    client = ServiceClient(TeamService("http://127.0.0.1:9", "TEAM_TOKEN", "require"))
    found = RemoteRuntime(client, Local(), 2)
    found.notify = lambda message, warning: None
    expected = (
        f"the service at http://127.0.0.1:9 is unavailable ({said}: set TEAM_TOKEN in the "
        "editor's environment to one of its tokens)"
    )
    for _ in range(2):  # the refusal, then a hover's question within the backoff
        with pytest.raises(ServiceUnavailable) as raised:
            found.logits(IDS)
        assert str(raised.value) == expected
    assert command_line_wording(expected).endswith(
        "set TEAM_TOKEN in this command's environment to one of its tokens)"
    )
