"""Word attributions end to end: the `sentiment-ls.analyze` command and the hover's word
table, over stdio with the real server and the real embedded model."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import ClientServerConfig, client_capabilities

from tests.analysis_schema import assert_analysis_schema
from tests.e2e.lsp import (
    CONFIG,
    RecordingClient,
    diagnostics_for,
    hover_text,
    make_client,
    open_document,
    text_in_range,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

COMMAND = "sentiment-ls.analyze"
NEGATIVE = "The plot was terrible."
POSITIVE = "Zoë's café 😀 was great, naïvely so."
TEXT = f"# Review 🎉\n\n{POSITIVE}\n\nSome **context** first. {NEGATIVE}\n"


REFRESHES = {
    types.WORKSPACE_INLAY_HINT_REFRESH: "inlayHint",
    types.WORKSPACE_CODE_LENS_REFRESH: "codeLens",
    types.WORKSPACE_SEMANTIC_TOKENS_REFRESH: "semanticTokens",
}


def _client_that_counts_refreshes() -> RecordingClient:
    client = make_client()
    client.refreshed = []  # type: ignore[attr-defined]
    for method, name in REFRESHES.items():

        def record(_: None, name: str = name) -> None:
            client.refreshed.append(name)  # type: ignore[attr-defined]

        client.feature(method)(record)
    return client


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=CONFIG.server_command,
        server_env=CONFIG.server_env,
        client_factory=_client_that_counts_refreshes,
    ),
    scope="module",
)
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
    assert positive["label"] == "positive" and words["great"] > 0
    negative = {w["text"]: w["attribution"] for w in sentences[3]["words"]}
    assert sentences[3]["label"] == "negative" and negative["terrible"] > 0


async def test_a_range_selects_the_sentences_it_touches_and_a_label_can_be_chosen(
    client: RecordingClient,
) -> None:
    uri = "file:///range.md"
    await _opened(client, uri)
    line = TEXT.split("\n").index(f"Some **context** first. {NEGATIVE}")
    column = len(f"Some **context** first. {NEGATIVE}") - 3
    point = {"line": line, "character": column}
    report = await _analyze(
        client, {"uri": uri, "range": {"start": point, "end": point}, "label": "positive"}
    )
    assert_analysis_schema(report)
    assert [s["text"] for s in report["sentences"]] == [NEGATIVE]
    sentence = report["sentences"][0]
    assert sentence["label"] == "negative" and sentence["attribution_label"] == "positive"
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
        await _analyze(client, {"uri": uri, "label": "mixed"})
    assert raised.value.code == -32602 and "mixed" in raised.value.message


async def test_hover_shows_the_top_words_above_the_stages(client: RecordingClient) -> None:
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
    words = markdown.splitlines()[1]
    assert words.startswith("Toward negative: “terrible” +")  # the strongest word first
    assert markdown.index("Toward negative") < markdown.index("**1 · Tokenizer**")
    assert "nats of the log-odds of negative (shapley)" in markdown
    assert "sentiment-ls.breakdown" in markdown


def capabilities_of_client(client: RecordingClient) -> types.ClientCapabilities:
    return client_capabilities("visual-studio-code")


async def _push_settings(client: RecordingClient, settings: dict[str, Any]) -> None:
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"sentimentLs": settings})
    )
    await asyncio.sleep(0.5)  # a notification has no answer; let the server apply it


async def test_editor_surfaces_are_off_by_default_and_each_turns_on(
    client: RecordingClient,
) -> None:
    uri = "file:///surfaces.md"
    text = (
        "# Verdicts\n\nThe plot was terrible.\n\n## Better\n\n"
        "The cast was great. The music was great too.\n"
    )
    await _opened(client, uri, text)
    document = types.TextDocumentIdentifier(uri=uri)
    whole = types.Range(types.Position(0, 0), types.Position(8, 0))

    async def surfaces() -> tuple[Any, Any, Any]:
        hints = await client.text_document_inlay_hint_async(
            types.InlayHintParams(text_document=document, range=whole)
        )
        lenses = await client.text_document_code_lens_async(
            types.CodeLensParams(text_document=document)
        )
        tokens = await client.text_document_semantic_tokens_full_async(
            types.SemanticTokensParams(text_document=document)
        )
        return hints, lenses, tokens

    hints, lenses, tokens = await surfaces()
    assert not hints and not lenses and not tokens.data
    capabilities = client.initialize_result.capabilities  # type: ignore[attr-defined]
    legend = capabilities.semantic_tokens_provider.legend

    await _push_settings(client, {"inlayHints": True, "codeLens": True, "semanticTokens": True})
    # Refreshes go only where the client supports them: pytest-lsp's snapshot of VS Code's
    # capabilities predates inlay hints, so none is sent for those.
    assert capabilities_of_client(client).workspace.inlay_hint is None
    assert sorted(client.refreshed) == ["codeLens", "semanticTokens"]  # type: ignore[attr-defined]
    hints, lenses, tokens = await surfaces()

    lines = text.split("\n")
    # One hint at the end of each sentence, headings included, with its verdict.
    verdicts = {lines[h.position.line][: h.position.character]: h.label for h in hints}
    assert len(hints) == 5
    assert verdicts["The plot was terrible."].startswith("Negative ")
    assert verdicts["The cast was great."].startswith("Positive ")
    assert verdicts["The cast was great. The music was great too."].startswith("Positive ")
    assert [lens.command.title for lens in lenses] == [
        "2 positive · 1 negative",  # the section of "# Verdicts" holds "## Better"
        "2 positive · 0 negative",
    ]
    assert [text_in_range(text, lens.range) for lens in lenses] == ["# Verdicts", "## Better"]
    section = lenses[1].command.arguments
    assert lenses[1].command.command == COMMAND and section[0] == uri
    report = await _analyze(client, *section)
    assert [s["text"] for s in report["sentences"]] == [
        "Better",
        "The cast was great.",
        "The music was great too.",
    ]

    tinted = []
    line = character = 0
    for index in range(0, len(tokens.data), 5):
        delta_line, delta_character, length, kind, _ = tokens.data[index : index + 5]
        character = delta_character if delta_line else character + delta_character
        line += delta_line
        tinted.append((lines[line][character : character + length], legend.token_types[kind]))
    flagged_words = [word for word, kind in tinted if kind == "sentimentNegative"]
    assert "terrible" in flagged_words
    assert all(kind == "sentimentNegative" for _, kind in tinted)  # only flagged sentences

    await _push_settings(client, {})
    hints, lenses, tokens = await surfaces()
    assert not hints and not lenses and not tokens.data
