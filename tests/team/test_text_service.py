"""Another model served (`serve --model FOLDER`): a small MPNet with its own tokenizer, built
here (tiny_teacher.py), on the session's cluster beside the embedded model's service. Its
metadata declares the `text` input; text in gives what the model gives run locally; `check`
and the editor (the real server over stdio) get its verdicts, and say so, and the editor
falls back to the embedded model when it stops, and says that too."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from lsprotocol import types

from sentiment_ls.analysis.engine import SentimentEngine
from tests.e2e.lsp import diagnostics_for, hover_text, open_document
from tests.e2e.ranges import change, hover_at
from tests.team import tiny_teacher
from tests.team.conftest import Service
from tests.team.test_remote_server import local_lines, server_on
from tests.team.test_service import call

APP = "tiny-teacher"
PREFIX = "/teacher"  # beside the session's service on the same HTTP proxy
INFER = "/v2/models/sentiment-ls/infer"
SENTENCES = [
    "The new release is wonderful and fast.",
    "This is the worst update we have ever shipped, and everyone hates it.",
    "Ça coûte 5 €, 🙂.",
    # Longer than the teacher's 64 tokens: windows on both sides, their logits averaged.
    "The meeting about the release moved " + "again and again, " * 20 + "to Tuesday.",
]


@pytest.fixture(scope="module")
def teacher(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_teacher.build(tmp_path_factory.mktemp("models") / APP)


@pytest.fixture(scope="module")
def teacher_service(service: Service, teacher: Path) -> Iterator[Service]:
    """The application `sentiment-ls serve --model FOLDER` runs, at its own route prefix."""
    from ray import serve

    from sentiment_ls.cli import build_parser
    from sentiment_ls.serve.app import Scaling, application, config_from_args
    from sentiment_ls.serve.command import ServeOptions, options_from

    assert isinstance(service.options, ServeOptions) and service.options.args
    tokens_file = service.options.args["tokens_file"]
    parsed = build_parser().parse_args(
        ["serve", "--model", str(teacher), "--tokens-file", tokens_file]
    )
    args = {**(options_from(parsed).args or {}), "max_rows": 64}
    assert args["model"] == str(teacher)
    serve.run(application(config_from_args(args), Scaling(1, 0.5)), name=APP, route_prefix=PREFIX)
    yield Service(service.url + PREFIX, service.token, None)
    if APP in serve.status().applications:
        serve.delete(APP)


@pytest.fixture(scope="module")
def teacher_engine(teacher: Path) -> SentimentEngine:
    from sentiment_ls.analysis.model_loading import load_model
    from sentiment_ls.analysis.request import LoadRequest

    return SentimentEngine(load_model(LoadRequest(model=str(teacher))))


def test_metadata_declares_text_and_names_the_model(
    teacher_service: Service, teacher: Path
) -> None:
    from sentiment_ls.embedded.base import sha256_of

    status, metadata = call(teacher_service, "/v2/models/sentiment-ls", token=teacher_service.token)
    assert status == 200
    assert {"name": "text", "datatype": "BYTES", "shape": [-1]} in metadata["inputs"]
    parameters = metadata["parameters"]
    assert parameters["model_name"] == APP
    assert parameters["tokenizer_sha256"] == sha256_of(teacher / "tokenizer.json")
    assert parameters["labels"] == ["negative", "neutral", "positive"]
    assert parameters["max_length"] == tiny_teacher.MAX_LENGTH


def test_text_gives_what_the_model_gives_locally(
    teacher_service: Service, teacher_engine: SentimentEngine
) -> None:
    from sentiment_ls.analysis.runtimes.inference_messages import text_infer_body

    local = teacher_engine.analyze(SENTENCES)
    assert len(local[-1].encoding.windows) > 1  # the long one is windowed
    status, answer = call(teacher_service, INFER, text_infer_body(SENTENCES), teacher_service.token)
    assert status == 200, answer
    (output,) = answer["outputs"]
    assert output["shape"] == [len(SENTENCES), 3]
    logits = np.array(output["data"], dtype=np.float32).reshape(output["shape"])
    for row, expected in zip(logits, local, strict=True):
        assert row.tolist() == pytest.approx(list(expected.prediction.logits), abs=1e-5)
    too_many = text_infer_body(["Fine."] * 65)
    status, answer = call(teacher_service, INFER, too_many, teacher_service.token)
    assert status == 413 and "at most 64" in answer["error"]


def test_check_says_the_service_model_answered(
    teacher_service: Service,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from sentiment_ls.cli import main

    page = tmp_path / "notes.md"
    page.write_text(f"# Notes\n\n{SENTENCES[1]}\n")
    monkeypatch.setenv("SENTIMENT_LS_SERVICE_TOKEN", teacher_service.token)
    code = main(["check", str(page), "--format", "json", "--service", teacher_service.url])
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["model"] == f"team service: {APP}"
    assert code == 0 and report["findings"] == []  # the teacher reads it as positive
    assert captured.err == ""  # another model on purpose: nothing to warn about


HEADING_NEXT_LINE = types.Position(line=2, character=3)  # the sentence under the heading
URI = "file:///team/teacher.md"


@pytest.mark.asyncio(loop_scope="function")
async def test_the_editor_gets_the_service_model_and_falls_back_when_it_stops(
    teacher_service: Service, embedded_engine: SentimentEngine
) -> None:
    from ray import serve

    first = f"# Notes\n\n{SENTENCES[1]}\n"
    assert local_lines(embedded_engine, first) == [2]  # the embedded model flags it
    async with server_on(teacher_service, "prefer") as client:
        open_document(client, URI, first)
        assert not await diagnostics_for(client, URI, 1)  # the teacher's verdict
        hover = hover_text(await hover_at(client, URI, HEADING_NEXT_LINE))
        assert f"team service: {APP}" in hover and "positive" in hover.lower()

        serve.delete(APP)  # the service stops mid-session
        second = "# Notes\n\nSupport was rude, useless and completely unhelpful about the crash.\n"
        client.text_document_did_change(change(URI, 2, None, second))
        published = await diagnostics_for(client, URI, 2)
        expected = local_lines(embedded_engine, second)
        assert expected and [d.range.start.line for d in published] == expected
        assert "local fallback" in hover_text(await hover_at(client, URI, HEADING_NEXT_LINE))
