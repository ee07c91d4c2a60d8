"""`sentiment-ls serve` on a real local Ray cluster, spoken to over real HTTP on loopback."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import numpy as np
import pytest

from sentiment_ls.analysis.engine import SentimentEngine
from sentiment_ls.analysis.postprocess import postprocess
from sentiment_ls.analysis.preprocess import encode
from sentiment_ls.analysis.runtimes.inference_messages import infer_body
from tests.team.conftest import Service

INFER = "/v2/models/sentiment-ls/infer"
SENTENCES = [
    "The new release is wonderful and fast.",
    "This is the worst update we have ever shipped, and everyone hates it.",
    "The meeting is at three.",
    "Short.",
    "I am not sure whether the change helps, but it certainly does not hurt anyone here.",
]


def call(
    service: Service, path: str, body: bytes | None = None, token: str | None = None
) -> tuple[int, Any]:
    request = service.get(path, token)
    if body is not None:
        request.data = body
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_health_is_open_and_metadata_describes_the_model(
    service: Service, embedded_engine: SentimentEngine
) -> None:
    assert call(service, "/v2/health/live") == (200, {"live": True})
    assert call(service, "/v2/health/ready") == (200, {"ready": True})
    status, metadata = call(service, "/v2/models/sentiment-ls", token=service.token)
    assert status == 200
    from sentiment_ls.analysis.model_files import weights_sha256

    loaded = embedded_engine.loaded
    assert metadata["parameters"]["labels"] == loaded.labels
    assert metadata["parameters"]["weights_sha256"] == weights_sha256("embedded")
    assert metadata["parameters"]["max_length"] == loaded.max_length
    assert [i["name"] for i in metadata["inputs"]] == ["input_ids", "attention_mask", "text"]
    assert metadata["outputs"] == [
        {"name": "logits", "datatype": "FP32", "shape": [-1, len(loaded.labels)]}
    ]


def test_probabilities_equal_the_local_runtime(
    service: Service, embedded_engine: SentimentEngine
) -> None:
    loaded = embedded_engine.loaded
    encodings = [encode(loaded.tokenizer, s) for s in SENTENCES]
    rows = [e.windows[0] for e in encodings]
    width = max(len(r) for r in rows)
    # One padded request, as any OIP client may send it: the mask says where rows end.
    ids = np.zeros((len(rows), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    for i, row in enumerate(rows):
        ids[i, : len(row)], mask[i, : len(row)] = row, 1
    body = json.dumps(
        {
            "id": "r1",
            "inputs": [
                {"name": n, "datatype": "INT64", "shape": list(a.shape), "data": a.ravel().tolist()}
                for n, a in (("input_ids", ids), ("attention_mask", mask))
            ],
        }
    ).encode()
    status, answer = call(service, INFER, body, service.token)
    assert status == 200, answer
    assert answer["id"] == "r1"
    (output,) = answer["outputs"]
    assert output["name"] == "logits" and output["datatype"] == "FP32"
    logits = np.array(output["data"], dtype=np.float32).reshape(output["shape"])
    local = embedded_engine.analyze(SENTENCES)
    for row, expected in zip(logits, local, strict=True):
        remote = postprocess(row, loaded.id2label, loaded.problem_type)
        assert remote.label == expected.prediction.label
        for label, p in expected.prediction.probabilities.items():
            assert remote.probabilities[label] == pytest.approx(p, abs=1e-5)


def test_a_missing_or_wrong_token_is_refused(service: Service) -> None:
    body = infer_body([[101, 102]])
    status, answer = call(service, INFER, body)
    assert status == 401 and "bearer token" in answer["error"]
    status, answer = call(service, INFER, body, token="not-" + service.token)
    assert status == 403 and answer == {
        "error": "the token is not accepted: set SENTIMENT_LS_SERVICE_TOKEN in the client's "
        "environment to one of this service's tokens"
    }
    assert call(service, "/v2/models/sentiment-ls", token="wrong-token-0123456789")[0] == 403
    assert call(service, "/v2/models/sentiment-ls")[0] == 401


def test_limits_answer_413(service: Service) -> None:
    too_many_rows = infer_body([[101, 102]] * 65)
    status, answer = call(service, INFER, too_many_rows, service.token)
    assert status == 413 and "at most 64" in answer["error"]
    too_long = infer_body([[101] + [2000] * 600 + [102]])
    status, answer = call(service, INFER, too_long, service.token)
    assert status == 413 and "512 tokens" in answer["error"]
    too_big = b'{"inputs": [' + b" " * 300_000 + b"]}"
    status, answer = call(service, INFER, too_big, service.token)
    assert status == 413 and "bytes" in answer["error"]


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        (b"{not json", "not JSON"),
        (b"[1, 2]", "JSON object"),
        (b'{"inputs": []}', "non-empty list"),
        (
            b'{"inputs": [{"name": "input_ids", "datatype": "FP32", '
            b'"shape": [1, 1], "data": [1]}]}',
            "INT64",
        ),
        (
            b'{"inputs": [{"name": "input_ids", "datatype": "INT64", '
            b'"shape": [1, 3], "data": [1]}]}',
            "3 integers",
        ),
        (
            b'{"inputs": [{"name": "secret", "datatype": "INT64", "shape": [1, 1], "data": [1]}]}',
            "unknown input",
        ),
        (
            b'{"inputs": [{"name": "input_ids", "datatype": "INT64", "shape": [1, 2], '
            b'"data": [101, 31337]}]}',
            "must lie between 0 and",
        ),
    ],
)
def test_a_malformed_body_is_a_400_and_the_service_survives(
    service: Service, body: bytes, needle: str
) -> None:
    status, answer = call(service, INFER, body, service.token)
    assert status == 400 and needle in answer["error"]
    assert call(service, INFER, infer_body([[101, 102]]), service.token)[0] == 200


def test_tritonclient_speaks_to_the_service(
    service: Service, embedded_engine: SentimentEngine
) -> None:
    """The protocol checked with a client nobody here wrote: NVIDIA's tritonclient."""
    import tritonclient.http as triton

    client = triton.InferenceServerClient(url=service.url.removeprefix("http://"))
    headers = {"Authorization": f"Bearer {service.token}"}
    assert client.is_server_live()
    assert client.is_server_ready()
    assert client.is_model_ready("sentiment-ls", headers=headers)
    metadata = client.get_model_metadata("sentiment-ls", headers=headers)
    assert metadata["parameters"]["labels"] == embedded_engine.loaded.labels
    loaded = embedded_engine.loaded
    row = encode(loaded.tokenizer, SENTENCES[1]).windows[0]
    ids = np.array([row, row], dtype=np.int64)
    tensor = triton.InferInput("input_ids", list(ids.shape), "INT64")
    tensor.set_data_from_numpy(ids, binary_data=False)
    result = client.infer(
        "sentiment-ls",
        [tensor],
        outputs=[triton.InferRequestedOutput("logits", binary_data=False)],
        headers=headers,
    )
    logits = result.as_numpy("logits")
    assert logits.shape == (2, len(loaded.labels))
    expected = loaded.runtime.logits(ids[:1])
    np.testing.assert_allclose(logits, np.repeat(expected, 2, axis=0), atol=1e-5)
    # tritonclient's defaults: the binary tensor extension for the input and the output.
    binary = triton.InferInput("input_ids", list(ids.shape), "INT64")
    binary.set_data_from_numpy(ids)
    result = client.infer("sentiment-ls", [binary], headers=headers)
    np.testing.assert_allclose(result.as_numpy("logits"), logits, atol=0)
    client.close()


def test_request_data_and_tokens_never_reach_the_logs(service: Service) -> None:
    import re
    from pathlib import Path

    from ray._private import worker  # the running session's log folder (no public API)

    ids = [101, 29871, 29873, 29877, 102]
    assert call(service, INFER, infer_body([ids]), service.token)[0] == 200
    wrong_shape = json.dumps(
        {"inputs": [{"name": "input_ids", "datatype": "INT64", "shape": [1, 9], "data": ids}]}
    ).encode()
    assert call(service, INFER, wrong_shape, service.token)[0] == 400
    call(service, INFER, infer_body([ids]), "x" + service.token)  # a wrong token: 403
    logs = Path(worker._global_node.get_logs_dir_path())
    data = re.compile(r"29871\D{1,4}29873")
    files = [p for p in logs.rglob("*") if p.is_file()]
    assert any("replica" in p.name for p in files)  # the service's own logs are read
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert not data.search(text), f"request data in {path}"
        assert service.token not in text, f"a token in {path}"
