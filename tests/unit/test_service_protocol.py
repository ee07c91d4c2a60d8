"""The service's protocol rules, tokens and the `service` settings, one function at a time
(the real service over HTTP is tested in tests/team/)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sentiment_ls.analysis.runtimes.inference_messages import (
    ModelCard,
    card_from_metadata,
    infer_body,
    infer_response,
    logits_from_response,
)
from sentiment_ls.analysis.runtimes.inference_protocol import (
    Limits,
    ProtocolError,
    parse_infer_request,
)
from sentiment_ls.serve.auth import check_authorization, digest, read_tokens
from sentiment_ls.settings import ServiceSettings, parse_settings

LIMITS = Limits(max_bytes=10_000, max_rows=4, max_tokens=40)


def tensor(name: str, rows: list[list[int]]) -> dict[str, object]:
    return {
        "name": name,
        "datatype": "INT64",
        "shape": [len(rows), len(rows[0])],
        "data": [v for r in rows for v in r],
    }


def test_rows_are_cut_to_their_mask_and_nested_data_is_read() -> None:
    body = json.dumps(
        {
            "id": "x",
            "inputs": [
                {**tensor("input_ids", [[1, 2, 3], [4, 5, 0]]), "data": [[1, 2, 3], [4, 5, 0]]},
                tensor("attention_mask", [[1, 1, 1], [1, 1, 0]]),
            ],
        }
    ).encode()
    parsed = parse_infer_request(body, LIMITS, max_length=8)
    assert [r.tolist() for r in parsed.rows] == [[1, 2, 3], [4, 5]]
    assert parsed.request_id == "x"


@pytest.mark.parametrize(
    ("rows", "mask", "status"),
    [
        ([[1]] * 5, None, 413),  # rows
        ([[1] * 11] * 4, None, 413),  # tokens in all
        ([[1] * 9], None, 413),  # longer than the model reads
        ([[1, 2]], [[0, 1]], 400),  # a mask that pads on the left
        ([[1, 2]], [[1, 2]], 400),  # a mask that is not 0/1
    ],
)
def test_limits_and_masks(rows: list[list[int]], mask: list[list[int]] | None, status: int) -> None:
    inputs = [tensor("input_ids", rows)]
    if mask is not None:
        inputs.append(tensor("attention_mask", mask))
    with pytest.raises(ProtocolError) as raised:
        parse_infer_request(json.dumps({"inputs": inputs}).encode(), LIMITS, max_length=8)
    assert raised.value.status == status


def test_an_error_never_quotes_the_data() -> None:
    secret = 987654321
    body = json.dumps({"inputs": [{**tensor("input_ids", [[secret]]), "shape": [1, 2]}]})
    with pytest.raises(ProtocolError) as raised:
        parse_infer_request(body.encode(), LIMITS, max_length=8)
    assert str(secret) not in raised.value.message


def test_request_and_response_round_trip() -> None:
    parsed = parse_infer_request(infer_body([[7, 8], [9, 10]]), LIMITS, max_length=8)
    assert [r.tolist() for r in parsed.rows] == [[7, 8], [9, 10]]
    logits = np.array([[0.1, -2.5], [3.25, 1e-8]], dtype=np.float32)
    answer = json.loads(json.dumps(infer_response(logits, "sentiment-ls", None)))
    assert (logits_from_response(answer, 2, 2) == logits).all()  # float32 exactly
    with pytest.raises(ValueError, match="shape"):
        logits_from_response(answer, 3, 2)


def test_a_card_survives_its_metadata() -> None:
    card = ModelCard("sentiment-ls", "embedded", ("negative", "positive"), "ab" * 32, 512)
    assert card_from_metadata(json.loads(json.dumps(card.metadata()))) == card
    teacher = ModelCard("sentiment-ls", "/m/t", ("a", "b"), "ab" * 32, 512, "cd" * 32, "t", True)
    metadata = json.loads(json.dumps(teacher.metadata()))
    assert {"name": "text", "datatype": "BYTES", "shape": [-1]} in metadata["inputs"]
    assert card_from_metadata(metadata) == teacher and teacher.title == "t"
    with pytest.raises(ValueError, match="parameters"):
        card_from_metadata({"name": "triton-model"})


def test_tokens_from_env_and_file_and_checked_by_digest(tmp_path) -> None:  # type: ignore[no-untyped-def]
    first, second = "a" * 20, "b" * 24
    file = tmp_path / "tokens"
    file.write_text(f"# comment\n{second}\n\n")
    tokens = read_tokens({"SENTIMENT_LS_SERVICE_TOKENS": f"{first}, "}, file)
    assert tokens == [first, second]
    # The clients' variable too, so that one shell can run the service and a client.
    third = "c" * 32
    both = {"SENTIMENT_LS_SERVICE_TOKEN": third, "SENTIMENT_LS_SERVICE_TOKENS": f"{first},{third}"}
    assert read_tokens(both) == [third, first]
    digests = [digest(t) for t in tokens]
    assert check_authorization(f"Bearer {second}", digests) is None
    assert check_authorization(f"bearer {first}", digests) is None
    assert check_authorization(None, digests) == (401, check_authorization("", digests)[1])  # type: ignore[index]
    assert check_authorization(f"Basic {first}", digests)[0] == 401  # type: ignore[index]
    assert check_authorization("Bearer " + "c" * 20, digests)[0] == 403  # type: ignore[index]
    for refused in (None, f"Basic {first}", "Bearer " + "c" * 20):  # each says what to set
        refusal = check_authorization(refused, digests)
        assert refusal is not None and refusal[1].endswith(
            ": set SENTIMENT_LS_SERVICE_TOKEN in the client's environment to one of this "
            "service's tokens"
        )
    assert check_authorization(None, []) is None  # no tokens: an open (loopback) service
    with pytest.raises(ValueError, match="shorter"):
        read_tokens({"SENTIMENT_LS_SERVICE_TOKENS": "short"})


def test_service_settings_layer_key_by_key_and_refuse_nonsense() -> None:
    first = parse_settings({"service": {"url": "https://ml.example:8443", "mode": "prefer"}})
    assert first.problems == []
    second = parse_settings({"service": {"mode": "require"}}, base=first.settings)
    assert second.settings.service == ServiceSettings(
        "https://ml.example:8443", "SENTIMENT_LS_SERVICE_TOKEN", "require"
    )
    for bad in ({"url": "ftp://x"}, {"mode": "always"}, {"tokenenv": "X"}, "http://x"):
        result = parse_settings({"service": bad})
        assert result.settings.service == ServiceSettings()
        assert len(result.problems) == 1 and "service" in result.problems[0]


def test_serve_refuses_an_open_port_without_tokens(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from sentiment_ls.cli import main

    monkeypatch.delenv("SENTIMENT_LS_SERVICE_TOKENS", raising=False)
    monkeypatch.delenv("SENTIMENT_LS_SERVICE_TOKEN", raising=False)
    assert main(["serve", "--host", "0.0.0.0"]) == 2  # before Ray is started
    assert "refusing to listen on 0.0.0.0 without tokens" in capsys.readouterr().err


def test_serve_options_from_a_serve_config_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sentiment_ls.cli import build_parser
    from sentiment_ls.serve.command import options_from

    config = tmp_path / "serve.yaml"
    config.write_text(
        "http_options: {host: 0.0.0.0, port: 9000}\n"
        "applications:\n"
        "  - name: sentiment-ls\n"
        "    import_path: sentiment_ls.serve.app:build\n"
        "    args: {tokens_file: /etc/tokens, max_rows: 128}\n"
        "    deployments:\n"
        "      - name: SentimentService\n"
        "        autoscaling_config: {min_replicas: 1, max_replicas: 4}\n"
        "        ray_actor_options: {num_cpus: 2}\n"
    )
    parsed = build_parser().parse_args(["serve", "--config", str(config), "--port", "9001"])
    options = options_from(parsed)
    assert (options.host, options.port, options.cpus_per_replica) == ("0.0.0.0", 9001, 2.0)
    assert options.args == {"tokens_file": "/etc/tokens", "max_rows": 128}
    assert options.autoscaling == {"min_replicas": 1, "max_replicas": 4}
    replicas = build_parser().parse_args(["serve", "--config", str(config), "--replicas", "3"])
    assert options_from(replicas).replicas == 3 and options_from(replicas).autoscaling is None


def test_without_ray_serve_and_check_ray_say_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    from sentiment_ls import extras
    from sentiment_ls.cli import main

    monkeypatch.setattr(extras, "ray_available", lambda: False)
    assert main(["serve"]) == 2
    assert "pip install 'sentiment-ls[ray]'" in capsys.readouterr().err
    (tmp_path / "a.md").write_text("Fine.\n")
    assert main(["check", str(tmp_path / "a.md"), "--ray"]) == 2
    assert "--ray: this needs Ray" in capsys.readouterr().err


def test_the_binary_tensor_extension_both_ways() -> None:
    from sentiment_ls.analysis.runtimes.inference_messages import binary_infer_response

    ids = np.array([[101, 7, 102], [101, 8, 102]], dtype=np.int64)
    header = json.dumps(
        {
            "inputs": [
                {"name": "input_ids", "datatype": "INT64", "shape": [2, 3],
                 "parameters": {"binary_data_size": ids.nbytes}},
            ],
            "outputs": [{"name": "logits", "parameters": {"binary_data": True}}],
        }
    ).encode()  # fmt: skip
    parsed = parse_infer_request(header + ids.tobytes(), LIMITS, 8, None, len(header))
    assert [r.tolist() for r in parsed.rows] == ids.tolist() and parsed.binary_output
    for cut in (header + ids.tobytes()[:-1], header + ids.tobytes() + b"x"):
        with pytest.raises(ProtocolError) as raised:
            parse_infer_request(cut, LIMITS, 8, None, len(header))
        assert raised.value.status == 400
    logits = np.array([[0.5, -1.25]], dtype=np.float32)
    body, length = binary_infer_response(logits, "sentiment-ls", None)
    answer = json.loads(body[:length])
    assert answer["outputs"][0]["parameters"] == {"binary_data_size": 8}
    assert (np.frombuffer(body[length:], dtype="<f4") == logits.ravel()).all()


def text_tensor(texts: list[str], shape: list[int] | None = None) -> bytes:
    tensor = {"name": "text", "datatype": "BYTES", "shape": shape or [len(texts)], "data": texts}
    return json.dumps({"inputs": [tensor]}).encode()


def test_text_rows_as_json_and_in_the_binary_extension() -> None:
    from sentiment_ls.analysis.runtimes.inference_messages import (
        binary_text_infer_body,
        text_infer_body,
    )

    texts = ["Fine.", "Ça coûte 5 €, 🙂.", ""]
    parsed = parse_infer_request(text_infer_body(texts), LIMITS, max_length=8)
    assert parsed.texts == texts and parsed.rows == []
    nested = text_tensor([[t] for t in texts], [3, 1])  # type: ignore[misc]
    assert parse_infer_request(nested, LIMITS, max_length=8).texts == texts
    body, length = binary_text_infer_body(texts)
    assert body[length : length + 4] == (5).to_bytes(4, "little")  # length-prefixed
    assert parse_infer_request(body, LIMITS, 8, None, length).texts == texts
    # A long sentence is the service's to window (serve/host.py), not refused here.
    assert parse_infer_request(text_tensor(["word " * 50]), LIMITS, max_length=8).texts


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (text_tensor(["a"] * 5), 413),  # rows
        (text_tensor(["a" * 600] * 2), 413),  # bytes of text in all rows
        (text_tensor(["a", "b"], [3]), 400),  # fewer strings than the shape says
        (text_tensor(["a"], [1, 2]), 400),  # one sentence a row
        (text_tensor([7]), 400),  # type: ignore[list-item]  # not strings
        (json.dumps({"inputs": [{"name": "text", "datatype": "INT64", "shape": [1],
                                 "data": [1]}]}).encode(), 400),  # not BYTES
        (json.dumps({"inputs": [json.loads(text_tensor(["a"]))["inputs"][0],
                                tensor("input_ids", [[1, 2]])]}).encode(), 400),  # both
    ],
)  # fmt: skip
def test_text_limits_and_shapes(body: bytes, status: int) -> None:
    with pytest.raises(ProtocolError) as raised:
        parse_infer_request(body, Limits(10_000, 4, 40, max_text_bytes=1000), max_length=8)
    assert raised.value.status == status
    assert "aaaa" not in raised.value.message  # never quotes the data


@pytest.mark.parametrize(
    "raw",
    [
        (5).to_bytes(4, "little") + b"abc",  # an element cut short
        (3).to_bytes(4, "little") + b"abc" + b"\x01\x00",  # a length cut short
        (2).to_bytes(4, "little") + b"\xff\xfe",  # not UTF-8
    ],
)
def test_binary_text_that_does_not_add_up_is_refused(raw: bytes) -> None:
    header = json.dumps(
        {"inputs": [{"name": "text", "datatype": "BYTES", "shape": [1],
                     "parameters": {"binary_data_size": len(raw)}}]}
    ).encode()  # fmt: skip
    with pytest.raises(ProtocolError) as raised:
        parse_infer_request(header + raw, LIMITS, 8, None, len(header))
    assert raised.value.status == 400


def test_the_service_windows_long_text_and_bounds_its_tokens() -> None:
    from sentiment_ls.serve.host import ModelHost

    host = ModelHost("embedded")
    assert host.card.reads_text and host.card.model_name == "embedded"
    long = "word " * 600  # past the model's 512 tokens: windows, as a local run makes
    rows, windows = host.windows(["Fine.", long], Limits())
    assert windows[0] == 1 and windows[1] > 1 and len(rows) == sum(windows)
    assert all(len(row) <= host.card.max_length for row in rows)
    with pytest.raises(ProtocolError) as raised:
        host.windows([long], Limits(max_tokens=100))
    assert raised.value.status == 413 and "once tokenized" in raised.value.message
