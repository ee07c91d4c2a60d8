"""The server end to end: a real process, real stdio, the real embedded model."""

from __future__ import annotations

import pytest
import pytest_lsp
from lsprotocol import types
from markdown_it import MarkdownIt
from pytest_lsp import client_capabilities

from tests.e2e.lsp import (
    CONFIG,
    RecordingClient,
    diagnostics_for,
    hover_text,
    open_document,
    text_in_range,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

NEGATIVE = "This release is a terrible, frustrating mess."
POSITIVE = "The new editor is fast, friendly and a joy to use."
MARKDOWN = f"""---
title: A terrible, awful front matter title that is not prose
---

# Notes

{POSITIVE} {NEGATIVE}

```text
This code block is a horrible, disgusting disaster.
```

    Indented code is an awful, hateful failure too.

Inline `awful horrible terrible code` and a [link](https://example.com/terrible-awful-page).

<div>An awful, terrible HTML block.</div>
"""


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def client(lsp_client: RecordingClient):  # type: ignore[no-untyped-def]
    capabilities = client_capabilities("visual-studio-code")
    result = await lsp_client.initialize_session(
        # The runtime named rather than `auto`: the same model, but not the default spec that
        # the server preloads during start (analysis/preload.py), so that a load is still
        # under way at `initialized` and its $/progress can be tested.
        types.InitializeParams(
            capabilities=capabilities, initialization_options={"runtime": "onnxruntime"}
        )
    )
    lsp_client.initialize_result = result  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


async def test_initialize_advertises_incremental_sync_and_hover(client: RecordingClient) -> None:
    result = client.initialize_result  # type: ignore[attr-defined]
    assert result.server_info.name == "sentiment-ls"
    sync = result.capabilities.text_document_sync
    assert sync.change == types.TextDocumentSyncKind.Incremental
    assert result.capabilities.hover_provider


async def test_markdown_prose_is_analysed_and_code_is_not(client: RecordingClient) -> None:
    uri = "file:///notes.md"
    open_document(client, uri, MARKDOWN)
    diagnostics = await diagnostics_for(client, uri, 1)
    flagged = [text_in_range(MARKDOWN, d.range) for d in diagnostics]
    assert flagged == [NEGATIVE]
    diagnostic = diagnostics[0]
    assert diagnostic.source == "sentiment-ls"
    assert diagnostic.severity == types.DiagnosticSeverity.Information
    assert diagnostic.code == "sentiment-negative"
    assert diagnostic.message.startswith("Negative sentiment (")
    probabilities = diagnostic.data["probabilities"]
    assert set(probabilities) == {"negative", "neutral", "positive"}
    assert f"({probabilities['negative']:.2f})" in diagnostic.message


async def test_model_load_is_reported_as_progress(client: RecordingClient) -> None:
    kinds = [type(v).__name__ for reports in client.progress_reports.values() for v in reports]
    assert "WorkDoneProgressBegin" in kinds and "WorkDoneProgressEnd" in kinds


async def test_incremental_change_republishes_with_the_new_version(client: RecordingClient) -> None:
    uri = "file:///draft.md"
    text = f"{POSITIVE}\n\nThe weather report is ready.\n"
    open_document(client, uri, text)
    assert list(await diagnostics_for(client, uri, 1)) == []
    # Replace the second paragraph, in place, by a negative sentence.
    start = text.index("The weather")
    line = text[:start].count("\n")
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(
                        types.Position(line, 0),
                        types.Position(line, len("The weather report is ready.")),
                    ),
                    text=NEGATIVE,
                )
            ],
        )
    )
    diagnostics = await diagnostics_for(client, uri, 2)
    new_text = text.replace("The weather report is ready.", NEGATIVE)
    assert [text_in_range(new_text, d.range) for d in diagnostics] == [NEGATIVE]


async def test_hover_leads_with_the_verdict_then_the_three_stages(
    client: RecordingClient,
) -> None:
    uri = "file:///hover.md"
    text = f"# Title\n\n{POSITIVE} {NEGATIVE}\n"
    open_document(client, uri, text)
    await diagnostics_for(client, uri, 1)

    async def hover_on(word: str) -> tuple[types.Hover | None, str]:
        column = text.split("\n")[2].index(word)
        hover = await client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=types.Position(line=2, character=column),
            )
        )
        return hover, hover_text(hover)

    hover, markdown = await hover_on("frustrating")
    assert hover is not None and hover.range is not None
    assert text_in_range(text, hover.range) == NEGATIVE
    first, second = markdown.splitlines()[:2]
    assert first.startswith("**negative ") and "· flagged**: the positive tone flags" in first
    assert second.startswith("Toward negative: “")
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    assert [t.type for t in tokens].count("table_open") == 1  # the scores; the pieces are a strip
    strip = next(t for t in tokens if t.type == "fence").content
    assert strip.startswith("[CLS]·101 ")  # [CLS]'s input id in the uncased BERT vocabulary
    assert "frustrating·" in strip and strip.rstrip().endswith("[SEP]·102")
    cells = [t.content for t in tokens if t.type == "inline"]
    assert "negative" in cells and "positive" in cells and "3 · softmax" in cells

    _, markdown = await hover_on("friendly")  # the positive sentence: not flagged, and why
    assert " · not flagged**: the positive tone flags only negative" in markdown.splitlines()[0]


async def test_hover_outside_prose_returns_nothing(client: RecordingClient) -> None:
    uri = "file:///code.md"
    text = "```\nAn awful code line.\n```\n"
    open_document(client, uri, text)
    await diagnostics_for(client, uri, 1)
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=1, character=4),
        )
    )
    assert hover is None


async def test_configuration_change_applies_without_restart(client: RecordingClient) -> None:
    uri = "file:///config.md"
    text = f"{POSITIVE} {NEGATIVE}\n"
    open_document(client, uri, text)
    assert len(await diagnostics_for(client, uri, 1)) == 1
    count = len(client.published[uri])
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={"sentimentLs": {"flagLabels": ["positive"], "severity": "warning"}}
        )
    )
    await _next_publish(client, uri, count)
    diagnostics = client.published[uri][-1].diagnostics
    assert [text_in_range(text, d.range) for d in diagnostics] == [POSITIVE]
    assert diagnostics[0].severity == types.DiagnosticSeverity.Warning
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"sentimentLs": {}})
    )
    await _next_publish(client, uri, count + 1)
    diagnostics = client.published[uri][-1].diagnostics
    assert [text_in_range(text, d.range) for d in diagnostics] == [NEGATIVE]


async def test_invalid_setting_is_reported_and_the_rest_applies(client: RecordingClient) -> None:
    uri = "file:///invalid.md"
    text = f"{NEGATIVE}\n"
    open_document(client, uri, text)
    await diagnostics_for(client, uri, 1)
    count = len(client.published[uri])
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={"sentimentLs": {"threshold": "very high", "severity": "hint"}}
        )
    )
    await _next_publish(client, uri, count)
    warnings = [m.message for m in client.messages if "threshold" in m.message]
    assert warnings and "very high" in warnings[-1]
    diagnostics = client.published[uri][-1].diagnostics
    assert len(diagnostics) == 1  # the default threshold still flags it
    assert diagnostics[0].severity == types.DiagnosticSeverity.Hint
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"sentimentLs": {}})
    )


async def _next_publish(client: RecordingClient, uri: str, seen: int) -> None:
    import asyncio
    import time

    deadline = time.monotonic() + 60
    while len(client.published.get(uri, [])) <= seen:
        if time.monotonic() > deadline:
            raise TimeoutError(f"no new diagnostics for {uri}")
        await asyncio.sleep(0.05)


async def test_hover_on_a_very_long_sentence_skips_word_scores(client: RecordingClient) -> None:
    uri = "file:///long-sentence.md"
    words = " ".join(f"item{i}" for i in range(150))
    text = f"The list of things that went wrong includes {words} and more.\n"
    open_document(client, uri, text)
    await diagnostics_for(client, uri, 1)
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=0, character=5),
        )
    )
    markdown = hover_text(hover)
    assert "left out of the hover" in markdown.splitlines()[1]  # where the words would be
    assert "**1 · Tokenizer**" in markdown  # the pipeline stages are still shown
    assert len([line for line in markdown.splitlines() if line.strip()]) <= 20  # bounded
