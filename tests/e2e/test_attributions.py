"""Word attributions end to end: the `sentiment-ls.analyze` command and the hover's word
table, over stdio with the real server and the real embedded model."""

from __future__ import annotations

from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from markdown_it import MarkdownIt
from pygls.exceptions import JsonRpcException
from pytest_lsp import client_capabilities

from tests.analysis_schema import assert_analysis_schema
from tests.e2e.lsp import CONFIG, RecordingClient, diagnostics_for, hover_text, open_document

pytestmark = pytest.mark.asyncio(loop_scope="module")

COMMAND = "sentiment-ls.analyze"
NEGATIVE = "The plot was terrible."
POSITIVE = "Zoë's café 😀 was great, naïvely so."
TEXT = f"# Review 🎉\n\n{POSITIVE}\n\nSome **context** first. {NEGATIVE}\n"


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def client(lsp_client: RecordingClient):  # type: ignore[no-untyped-def]
    result = await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"), initialization_options={}
        )
    )
    lsp_client.initialize_result = result  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


async def _analyze(client: RecordingClient, *arguments: Any) -> dict[str, Any]:
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=COMMAND, arguments=list(arguments))
    )
    assert isinstance(result, dict)
    return result


def _utf16_text(text: str, range_: dict[str, Any]) -> str:
    """Independent of the server's code: cut a range by UTF-16 units."""
    lines = text.split("\n")

    def offset(position: dict[str, Any]) -> int:
        before = sum(len(line) + 1 for line in lines[: position["line"]])
        units = lines[position["line"]].encode("utf-16-le")[: position["character"] * 2]
        return before + len(units.decode("utf-16-le"))

    return text[offset(range_["start"]) : offset(range_["end"])]


async def _opened(client: RecordingClient, uri: str, text: str = TEXT) -> None:
    open_document(client, uri, text)
    await diagnostics_for(client, uri, 1)  # the model is loaded and the document read


async def test_the_command_is_advertised(client: RecordingClient) -> None:
    provider = client.initialize_result.capabilities.execute_command_provider  # type: ignore[attr-defined]
    assert provider is not None and COMMAND in provider.commands


async def test_analyze_returns_every_sentence_with_exact_utf16_ranges(
    client: RecordingClient,
) -> None:
    uri = "file:///review.md"
    await _opened(client, uri)
    report = await _analyze(client, uri)
    assert_analysis_schema(report)
    assert report["model"] == "embedded" and report["position_encoding"] == "utf-16"
    sentences = report["sentences"]
    assert [s["text"] for s in sentences] == [
        "Review 🎉",
        POSITIVE,
        "Some context first.",
        NEGATIVE,
    ]
    in_source = [_utf16_text(TEXT, s["range"]) for s in sentences]
    assert in_source == ["Review 🎉", POSITIVE, "Some **context** first.", NEGATIVE]
    for sentence in sentences:
        for word in sentence["words"]:
            assert _utf16_text(TEXT, word["range"]) == word["text"]
        for token in sentence["tokens"]:
            assert token["text"] not in ("[CLS]", "[SEP]", "[PAD]")
            piece = _utf16_text(TEXT, token["range"])
            assert piece and piece in sentence["text"]
    positive = sentences[1]
    assert [w["text"] for w in positive["words"]] == [
        "Zoë's",
        "café",
        "😀",
        "was",
        "great",
        ",",
        "naïvely",
        "so",
        ".",
    ]
    emoji = next(w for w in positive["words"] if w["text"] == "😀")
    assert emoji["range"]["end"]["character"] - emoji["range"]["start"]["character"] == 2
    words = {w["text"]: w["attribution"] for w in positive["words"]}
    assert positive["label"] == "POSITIVE" and words["great"] > 0
    negative = {w["text"]: w["attribution"] for w in sentences[3]["words"]}
    assert sentences[3]["label"] == "NEGATIVE" and negative["terrible"] > 0


async def test_a_range_selects_the_sentences_it_touches_and_a_label_can_be_chosen(
    client: RecordingClient,
) -> None:
    uri = "file:///range.md"
    await _opened(client, uri)
    line = TEXT.split("\n").index(f"Some **context** first. {NEGATIVE}")
    column = len(f"Some **context** first. {NEGATIVE}") - 3
    point = {"line": line, "character": column}
    report = await _analyze(
        client, {"uri": uri, "range": {"start": point, "end": point}, "label": "POSITIVE"}
    )
    assert_analysis_schema(report)
    assert [s["text"] for s in report["sentences"]] == [NEGATIVE]
    sentence = report["sentences"][0]
    assert sentence["label"] == "NEGATIVE" and sentence["attribution_label"] == "POSITIVE"
    assert {w["text"]: w["attribution"] for w in sentence["words"]}["terrible"] < 0
    whole = {"start": {"line": 0, "character": 0}, "end": {"line": line, "character": 6}}
    report = await _analyze(client, uri, whole)
    assert [s["text"] for s in report["sentences"]] == [
        "Review 🎉",
        POSITIVE,
        "Some context first.",
    ]


async def test_method_can_be_chosen_per_request(client: RecordingClient) -> None:
    uri = "file:///method.md"
    await _opened(client, uri, f"{NEGATIVE}\n")
    report = await _analyze(client, {"uri": uri, "method": "integrated-gradients"})
    assert_analysis_schema(report)
    assert report["method"] == "integrated-gradients"
    words = {w["text"]: w["attribution"] for w in report["sentences"][0]["words"]}
    assert words["terrible"] == max(words.values()) > 0


async def test_bad_arguments_are_invalid_params(client: RecordingClient) -> None:
    for arguments in ([], [42], [{"uri": "file:///x.md", "colour": "red"}]):
        with pytest.raises(JsonRpcException) as raised:
            await _analyze(client, *arguments)
        assert raised.value.code == -32602, arguments
    uri = "file:///labels.md"
    await _opened(client, uri, f"{NEGATIVE}\n")
    with pytest.raises(JsonRpcException) as raised:
        await _analyze(client, {"uri": uri, "label": "NEUTRAL"})
    assert raised.value.code == -32602 and "NEUTRAL" in raised.value.message


async def test_hover_shows_the_top_words_with_bars_under_the_stages(
    client: RecordingClient,
) -> None:
    uri = "file:///hover-words.md"
    text = f"{NEGATIVE}\n"
    await _opened(client, uri, text)
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=0, character=text.index("terrible")),
        )
    )
    markdown = hover_text(hover)
    assert markdown.index("**2 · Model**") < markdown.index("**Why NEGATIVE**")
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    assert len([t for t in tokens if t.type == "table_open"]) == 3
    cells = [t.content for t in tokens if t.type == "inline"]
    word_cells = cells[cells.index("word") :]
    assert word_cells[3] == "`terrible`"  # the first row: the strongest word for the label
    assert word_cells[4].startswith("+") and word_cells[5].startswith("█")
    assert COMMAND in markdown
