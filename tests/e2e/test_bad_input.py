"""Documents and requests no server should have to see, over real stdio with the real model:
each leaves the server answering, with ranges that are exactly the sentences they name."""

from __future__ import annotations

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import client_capabilities

from tests.e2e.lsp import CONFIG, RecordingClient, diagnostics_for, hover_text, open_document
from tests.e2e.ranges import change, hover_at, message_containing, position_of, text_of

ANALYZE = "sentiment-ls.analyze"

pytestmark = pytest.mark.asyncio(loop_scope="module")

NEGATIVE = "This is a terrible, miserable and hateful disaster."


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def client(lsp_client: RecordingClient):  # type: ignore[no-untyped-def]
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            initialization_options={"debounceMs": 20},
        )
    )
    yield
    await lsp_client.shutdown_session()


async def _still_serving(client: RecordingClient) -> None:
    """A request after the bad input gets its answer, with the right range."""
    uri = f"file:///alive-{len(client.published)}.md"
    open_document(client, uri, NEGATIVE)
    diagnostics = await diagnostics_for(client, uri, 1)
    assert [text_of(NEGATIVE, d.range) for d in diagnostics] == [NEGATIVE]


def _server_errors(client: RecordingClient) -> list[str]:
    return [m.message for m in client.messages if m.message.startswith("Error in server")]


async def _flagged(client: RecordingClient, uri: str, text: str, version: int = 1) -> list[str]:
    return [text_of(text, d.range) for d in await diagnostics_for(client, uri, version)]


@pytest.mark.parametrize("text", ["", " ", "\n\n\n", " \t\r\n\r\n\u00a0\u3000 ", "\r\r\r"])
async def test_empty_and_whitespace_documents(client: RecordingClient, text: str) -> None:
    uri = f"file:///blank-{len(client.published)}.md"
    open_document(client, uri, text)
    assert list(await diagnostics_for(client, uri, 1)) == []
    assert await hover_at(client, uri, types.Position(0, 0)) is None


async def test_nul_bytes_and_control_characters(client: RecordingClient) -> None:
    uri = "file:///controls.txt"
    text = f"Nul\x00bytes\x00here and a bell\x07.\x1b[31m {NEGATIVE}\x0c\x0b\x7f\x85 Fine.\n"
    open_document(client, uri, text, language_id="plaintext")
    flagged = await _flagged(client, uri, text)
    # The escape sequence is not white space: it stays at the front of the sentence.
    assert flagged == [f"\x1b[31m {NEGATIVE}"]
    hover = await hover_at(client, uri, position_of(text, 2))
    assert hover is not None and hover.range is not None
    assert text_of(text, hover.range) == "Nul\x00bytes\x00here and a bell\x07."
    await _still_serving(client)


async def test_lone_surrogates_from_the_client(client: RecordingClient) -> None:
    """Regression: the tokenizer raised on a lone surrogate and the document lost every
    diagnostic. JSON lets a client send "\\ud83d" alone, and some do mid-edit."""
    uri = "file:///surrogates.md"
    text = f"A broken \ud83d emoji and a \udc00 stray half. {NEGATIVE}\n"
    open_document(client, uri, text)
    flagged = await _flagged(client, uri, text)
    assert NEGATIVE in flagged  # the sentence after the broken one is analysed too
    hover = await hover_at(client, uri, position_of(text, 3))
    assert hover is not None and hover.range is not None
    assert text_of(text, hover.range).startswith("A broken")


async def test_mixed_scripts_right_to_left_and_emoji_sequences(client: RecordingClient) -> None:
    uri = "file:///scripts.md"
    text = (
        "مرحبا بكم في المشروع. 👩\u200d👩\u200d👧\u200d👦🇫🇷👍🏽 Привет, мир! "
        "\u202eevil\u202c 这是一个句子。\n\n"
        f"שלום 🏳️\u200d🌈 {NEGATIVE} 🙂\n"
    )
    open_document(client, uri, text)
    flagged = await _flagged(client, uri, text)
    assert any(NEGATIVE in sentence for sentence in flagged)
    for sentence in flagged:
        assert sentence == sentence.strip() and sentence  # exact sentence bounds
    hover = await hover_at(client, uri, position_of(text, text.index("terrible")))
    assert hover is not None and hover.range is not None
    assert NEGATIVE in text_of(text, hover.range)


def _configure(client: RecordingClient, **section: object) -> None:
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"sentimentLs": section})
    )


def _close(client: RecordingClient, uri: str) -> None:
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )


async def test_a_sentence_longer_than_the_model_is_read_in_windows(client: RecordingClient) -> None:
    # The word table would explain the first window word by word, which is not the point here.
    _configure(client, debounceMs=20, hoverWords=0)
    uri = "file:///long-sentence.md"
    words = " ".join(["the committee discussed the schedule and the budget"] * 70)
    text = f"{words} and it was a terrible, hateful disaster.\n"
    open_document(client, uri, text)
    await diagnostics_for(client, uri, 1)
    hover = await hover_at(client, uri, types.Position(0, 5))
    markdown = hover_text(hover)
    assert "overlapping windows" in markdown
    assert hover is not None and hover.range is not None
    assert text_of(text, hover.range) == text.strip()
    _configure(client, debounceMs=20)


async def test_unknown_language_ids_are_left_alone(client: RecordingClient) -> None:
    uri = "file:///program.cob"
    text = f"{NEGATIVE}\n"
    open_document(client, uri, text, language_id="cobol-85")
    assert list(await diagnostics_for(client, uri, 1)) == []
    assert await hover_at(client, uri, types.Position(0, 3)) is None


async def test_documents_the_client_never_opened(client: RecordingClient) -> None:
    """Regression: a change to an unopened document raised KeyError in pygls and the user
    saw "Error in server: 'file:///never.md'"."""
    uri = "file:///never-opened.md"
    client.text_document_did_change(change(uri, 2, None, NEGATIVE))
    assert await hover_at(client, uri, types.Position(0, 3)) is None
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    await _still_serving(client)
    assert _server_errors(client) == []


async def test_positions_beyond_the_end(client: RecordingClient) -> None:
    uri = "file:///beyond.md"
    text = f"{NEGATIVE}\nSecond line."
    open_document(client, uri, text)
    await diagnostics_for(client, uri, 1)
    for position in [types.Position(0, 10_000), types.Position(99, 0), types.Position(99, 99)]:
        assert await hover_at(client, uri, position) is None
    # An edit past the end lands at the end, as LSP says a client must read it too.
    client.text_document_did_change(
        change(uri, 2, types.Range(types.Position(50, 7), types.Position(60, 0)), f" {NEGATIVE}")
    )
    new_text = text + f" {NEGATIVE}"
    assert await _flagged(client, uri, new_text, 2) == [NEGATIVE, NEGATIVE]
    assert _server_errors(client) == []


async def test_edits_after_line_separators_and_lone_carriage_returns(
    client: RecordingClient,
) -> None:
    """Regression: pygls split lines at U+2028 and form feeds, which LSP does not, so an edit
    on the next line landed in the wrong place and ranges drifted from the text."""
    uri = "file:///separators.txt"
    text = "Good day.\u2028Fine\x0cweather.\rStill fine.\n"
    open_document(client, uri, text, language_id="plaintext")
    await diagnostics_for(client, uri, 1)
    # Line 1 (after the lone "\r") is "Still fine."; replace it.
    client.text_document_did_change(
        change(uri, 2, types.Range(types.Position(1, 0), types.Position(1, 11)), NEGATIVE)
    )
    new_text = f"Good day.\u2028Fine\x0cweather.\r{NEGATIVE}\n"
    assert await _flagged(client, uri, new_text, 2) == [NEGATIVE]


async def test_a_file_name_with_a_space(client: RecordingClient) -> None:
    """Regression: the session looked documents up by the quoted URI, pygls stores them by
    the unquoted one: a file named "my notes.md" never got a diagnostic."""
    uri = "file:///my%20notes%C3%A9.md"
    open_document(client, uri, NEGATIVE)
    assert await _flagged(client, uri, NEGATIVE) == [NEGATIVE]


async def test_a_5_mb_document_is_read_up_to_the_size_limit(client: RecordingClient) -> None:
    uri = "file:///huge.md"
    paragraph = f"The meeting went well. {NEGATIVE} Lunch was fine.\n\n"
    text = paragraph * (5_000_000 // len(paragraph) + 1)
    assert len(text) > 5_000_000
    open_document(client, uri, text)
    diagnostics = await diagnostics_for(client, uri, 1)
    message = await message_containing(client, "maxDocumentChars")
    assert "huge.md" in message.message and "200,000" in message.message
    assert diagnostics and all(text_of(text, d.range) == NEGATIVE for d in diagnostics)
    last = max(d.range.end.line for d in diagnostics)
    assert 0 < last < text.count("\n") // 10  # the beginning is read, not the whole
    far = types.Position(text.count("\n") - 2, 3)
    assert "not analysed" in hover_text(await hover_at(client, uri, far))
    # An edit does not repeat the message.
    client.text_document_did_change(
        change(uri, 2, types.Range(types.Position(0, 0), types.Position(0, 0)), "Hello. ")
    )
    await diagnostics_for(client, uri, 2)
    assert sum("maxDocumentChars" in m.message for m in client.messages) == 1
    await _still_serving(client)
    _close(client, uri)


async def test_a_1_mb_line_without_punctuation(client: RecordingClient) -> None:
    """One line, so the size limit cuts at the limit itself: one sentence of 50,000
    characters, read in windows."""
    _configure(client, debounceMs=20, hoverWords=0, maxDocumentChars=50_000)
    uri = "file:///one-line.txt"
    words = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima "
    text = words * (1_000_000 // len(words) + 1)
    open_document(client, uri, text, language_id="plaintext")
    diagnostics = await diagnostics_for(client, uri, 1)
    assert all(d.range.end.character <= 50_000 for d in diagnostics)
    await message_containing(client, "only its first 50,000 characters")
    hover = await hover_at(client, uri, types.Position(0, 10))
    assert "overlapping windows" in hover_text(hover)
    assert hover is not None and hover.range is not None
    assert hover.range.end == types.Position(0, 50_000 - 1)  # the cut, less the trailing space
    assert "not analysed" in hover_text(await hover_at(client, uri, types.Position(0, 60_000)))
    _close(client, uri)
    _configure(client, debounceMs=20)
    await _still_serving(client)


@pytest.mark.parametrize(
    "uri", ["file:///dev/zero", "file:///proc/self/fd/0", "untitled:Untitled-1"]
)
async def test_analyze_of_something_that_is_not_a_file(client: RecordingClient, uri: str) -> None:
    """Regression: a document that is not open was read whole from disk: /dev/zero never
    ended (the server's memory filled), and /proc/self/fd/0 is the server's own stdin."""
    from pygls.exceptions import JsonRpcException

    await _still_serving(client)  # the model is ready: the refusal is about the URI
    with pytest.raises(JsonRpcException, match=r"not a regular file|neither open nor a file"):
        await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command=ANALYZE, arguments=[uri])
        )
    await _still_serving(client)


async def test_analyze_of_a_large_file_that_is_not_open(client: RecordingClient, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from pygls.uris import from_fs_path

    await _still_serving(client)
    path = tmp_path / "big.md"
    path.write_text(f"{NEGATIVE}\n\n" * 200_000, encoding="utf-8")  # 10 MB
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=ANALYZE, arguments=[from_fs_path(str(path))])
    )
    sentences = result["sentences"]
    assert 0 < len(sentences) <= 200_000 // len(f"{NEGATIVE}\n\n") + 1
    assert all(s["text"] == NEGATIVE for s in sentences)
