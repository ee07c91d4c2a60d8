"""The real teacher served (`serve --model FOLDER`, MPNet-base, 438 MB), where its weights are
on the machine: SENTIMENT_LS_TEACHER names the folder `sentiment-ls train --base mpnet-base
--mix teacher` writes, with the ONNX graph `sentiment-ls export-onnx --model FOLDER` adds
(MODEL.md). The editor, the real server over stdio, gets the teacher's verdict on a sentence
the two models read differently, falls back to the embedded model when the service stops, and
says which answered. Without the weights, test_text_service.py runs the same path on a small
MPNet built in the test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from lsprotocol import types

from sentiment_ls.analysis.engine import SentimentEngine
from tests.e2e.lsp import diagnostics_for, hover_text, open_document
from tests.e2e.ranges import change, hover_at
from tests.team.conftest import Service
from tests.team.test_remote_server import local_lines, server_on

TEACHER = os.environ.get("SENTIMENT_LS_TEACHER", "")
pytestmark = pytest.mark.skipif(
    not (TEACHER and (Path(TEACHER) / "model.graph.onnx").is_file()),
    reason="the teacher's weights are not in the repository: set SENTIMENT_LS_TEACHER to its "
    "folder, exported with `sentiment-ls export-onnx --model FOLDER` (MODEL.md); "
    "test_text_service.py covers the same path with a small model",
)
APP = "served-teacher"
PREFIX = "/served-teacher"
HEADING_NEXT_LINE = types.Position(line=2, character=3)  # the sentence under the heading
URI = "file:///team/served-teacher.md"
# Sarcasm that opens with praise (issue 22): the teacher flags it, the embedded student reads
# it below the default threshold. Checked here against both models before the editor is.
SARCASM = "Great, another breaking change in a patch release."
SARCASM_AGAIN = "Great, another breaking change in a point release."


@pytest.fixture(scope="module")
def teacher_service(service: Service) -> Iterator[Service]:
    from ray import serve

    from sentiment_ls.serve.app import Scaling, application, config_from_args
    from sentiment_ls.serve.command import ServeOptions

    assert isinstance(service.options, ServeOptions) and service.options.args
    tokens_file = service.options.args["tokens_file"]
    config = config_from_args({"model": TEACHER, "tokens_file": tokens_file})
    serve.run(application(config, Scaling(1, 0.5)), name=APP, route_prefix=PREFIX)
    yield Service(service.url + PREFIX, service.token, None)
    if APP in serve.status().applications:
        serve.delete(APP)


@pytest.mark.asyncio(loop_scope="function")
async def test_the_editor_gets_the_teachers_verdict_and_falls_back_when_it_stops(
    teacher_service: Service, embedded_engine: SentimentEngine
) -> None:
    from ray import serve

    from sentiment_ls.analysis.model_loading import load_model
    from sentiment_ls.analysis.request import LoadRequest

    document = f"# Notes\n\n{SARCASM}\n"
    teacher = SentimentEngine(load_model(LoadRequest(model=TEACHER)))
    assert local_lines(teacher, document) == [2]
    assert local_lines(embedded_engine, document) == []
    name = Path(TEACHER).name
    async with server_on(teacher_service, "prefer") as client:
        open_document(client, URI, document)
        published = await diagnostics_for(client, URI, 1)
        assert [d.range.start.line for d in published] == [2]  # the teacher's verdict
        assert f"team service: {name}" in hover_text(await hover_at(client, URI, HEADING_NEXT_LINE))

        serve.delete(APP)  # the service stops mid-session
        # A sentence the cache has not seen (an unchanged one keeps the teacher's verdict,
        # cached under the model that gave it), which the two models also read differently.
        second = f"# Notes\n\n{SARCASM_AGAIN}\n"
        assert local_lines(teacher, second) == [2] and local_lines(embedded_engine, second) == []
        client.text_document_did_change(change(URI, 2, None, second))
        assert not await diagnostics_for(client, URI, 2)  # the embedded model's verdict
        assert "local fallback" in hover_text(await hover_at(client, URI, HEADING_NEXT_LINE))
