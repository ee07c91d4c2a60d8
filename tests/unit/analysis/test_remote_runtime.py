"""The remote runtime's fallback rules, on a stub client (one class under test; the real
service over HTTP and the server over stdio are tested in tests/team/)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from sentiment_ls.analysis.request import TeamService
from sentiment_ls.analysis.runtimes import FloatArray, IdArray, LocalRuntime, Purpose, remote
from sentiment_ls.analysis.runtimes.inference_messages import ModelCard
from sentiment_ls.analysis.runtimes.remote import (
    RemoteRuntime,
    ServiceClient,
    ServiceError,
    ServiceUnavailable,
)
from sentiment_ls.analysis.runtimes.service_connection import Configured, connection

LABELS = ("negative", "positive")
CONFIGURED = Configured(list(LABELS), "a" * 64, "t" * 64, 512)


class Local(LocalRuntime):
    name, where = "onnxruntime", "cpu"

    def logits(self, input_ids: IdArray, purpose: Purpose = "verdict") -> FloatArray:
        return np.zeros((len(input_ids), 2), dtype=np.float32)


class Stub(ServiceClient):
    up = True
    calls = 0
    card = ModelCard("sentiment-ls", "embedded", LABELS, "a" * 64, 512, "t" * 64, "embedded")

    def connect(self) -> ModelCard:
        if not self.up:  # a failed attempt counts as a call; the metadata read does not
            self.calls += 1
            raise ServiceError("connection refused")
        return self.card

    def logits(self, rows: Sequence[Sequence[int]], labels: int) -> FloatArray:
        self.calls += 1
        if not self.up:
            raise ServiceError("connection refused")
        return np.ones((len(rows), labels), dtype=np.float32)

    def text_logits(self, texts: Sequence[str], labels: int) -> FloatArray:
        self.calls += 1
        if not self.up:
            raise ServiceError("connection refused")
        return np.full((len(texts), labels), 2.0, dtype=np.float32)


def runtime(mode: str) -> tuple[RemoteRuntime, Stub, list[tuple[str, bool]]]:
    client = Stub(TeamService("http://127.0.0.1:9", mode=mode))  # type: ignore[arg-type]
    said: list[tuple[str, bool]] = []
    found = RemoteRuntime(client, Local(), 2, CONFIGURED)
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
    base = "https://ml.example"
    same = ModelCard("sentiment-ls", "embedded", LABELS, "a" * 64, 512, "t" * 64)
    assert connection(base, same, CONFIGURED).problems == ()
    other = ModelCard("sentiment-ls", "x", LABELS, "b" * 64, 128)  # no tokenizer declared: ids
    problems = connection(base, other, CONFIGURED).problems
    assert len(problems) == 2 and not connection(base, other, CONFIGURED).text
    assert "weights" in problems[0] and "128 tokens" in problems[1]
    assert all(base in p for p in problems)
    labels = ModelCard("sentiment-ls", "x", ("negative", "neutral", "positive"), None, 512)
    refused = connection(base, labels, CONFIGURED)
    assert refused.refused and "labels" in refused.problems[0] and base in refused.problems[0]


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
    found = RemoteRuntime(client, Local(), 2, CONFIGURED)
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


def test_another_tokenizer_means_text_and_other_weights_are_no_problem() -> None:
    teacher = ModelCard(
        "sentiment-ls", "/models/teacher", LABELS, "b" * 64, 512, "u" * 64, "teacher", True
    )
    found = connection("https://ml.example", teacher, CONFIGURED)
    assert found.text and not found.refused and found.problems == ()
    assert found.source == "team service: teacher"
    mute = ModelCard("sentiment-ls", "x", LABELS, "b" * 64, 512, "u" * 64, "x", reads_text=False)
    assert connection("https://ml.example", mute, CONFIGURED).refused


WINDOWS = [[[101, 7, 102]], [[101, 8, 9, 102], [101, 9, 10, 102]]]


def test_sentences_go_as_text_and_say_who_answered(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [100.0]
    monkeypatch.setattr(remote.time, "monotonic", lambda: clock[0])
    found, client, said = runtime("prefer")
    client.card = ModelCard("sentiment-ls", "t", LABELS, "b" * 64, 512, "u" * 64, "teacher", True)
    answer = found.sentence_logits(["One.", "Two."], WINDOWS)
    assert answer.source == "team service: teacher" == found.answering
    assert answer.logits.tolist() == [[2.0, 2.0]] * 2  # from the text
    assert [m for m, warning in said if warning] == []
    assert any("sent as text" in m for m, warning in said if not warning)  # news, logged
    assert found.logits(IDS)[0, 0] == 0.0 and client.calls == 1  # local ids stay local
    client.up = False
    answer = found.sentence_logits(["Three."], WINDOWS[:1])
    assert answer.source == "local fallback" == found.answering
    clock[0] += 1.5
    client.up = True
    assert found.sentence_logits(["Four."], WINDOWS[:1]).source == "team service: teacher"


def test_a_service_with_other_labels_is_not_used() -> None:
    found, client, said = runtime("prefer")
    client.card = ModelCard("sentiment-ls", "x", ("a", "b"), None, 512)
    answer = found.sentence_logits(["One."], WINDOWS[:1])
    assert answer.source == "local fallback" and client.calls == 0
    assert len(said) == 1 and said[0][1] and "labels" in said[0][0]
    found, client, _ = runtime("require")
    client.card = ModelCard("sentiment-ls", "x", ("a", "b"), None, 512)
    with pytest.raises(ServiceUnavailable, match="labels"):
        found.sentence_logits(["One."], WINDOWS[:1])


def test_a_service_with_smaller_limits_gets_halved_requests(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = ServiceClient(TeamService("http://127.0.0.1:9"))
    sizes: list[int] = []

    def infer(body: bytes, rows: int, labels: int, json_length: int | None = None) -> FloatArray:
        sizes.append(rows)
        if rows > 3:  # the service's operator set max_rows to 3
            raise remote.RequestTooLarge(f"HTTP 413: {rows} rows in one request; at most 3")
        return np.full((rows, labels), float(rows), dtype=np.float32)

    monkeypatch.setattr(client, "_infer", infer)
    rows = [[101, 7, 102]] * 10
    assert client.logits(rows, 2).shape == (10, 2)
    assert client.rows_per_request <= 3 and sizes[0] == 10
    sizes.clear()  # later requests start at the size that fitted: no 413 again
    assert client.text_logits(["One.", "Two.", "Three.", "Four."], 2).shape == (4, 2)
    assert max(sizes) <= 3

    def refuse(body: bytes, rows: int, labels: int, json_length: int | None = None) -> FloatArray:
        raise remote.RequestTooLarge("HTTP 413: 600 ids in one row; at most 512")

    monkeypatch.setattr(client, "_infer", refuse)
    with pytest.raises(remote.RequestTooLarge):  # one row too large: nothing left to split
        client.logits([[101] * 600], 2)
