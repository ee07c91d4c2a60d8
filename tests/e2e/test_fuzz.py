"""Whole LSP sessions, fuzzed: a Hypothesis state machine edits, hovers, closes, reopens and
reconfigures against the real server process over stdio, with the real model.

After every step the server must answer, and every diagnostic published so far must lie in
the text of the version it names, exactly on a sentence of that text. When an example ends,
its document's diagnostics must equal those of a fresh document opened with the final text.

One server serves every example (each opens its own URI): starting one costs seconds. The
number of examples is bounded for CI; set SENTIMENT_LS_FUZZ_EXAMPLES (e.g. 500) for a long
run. A failure Hypothesis finds is kept below as an explicit regression test.
"""

from __future__ import annotations

import itertools
import os
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from lsprotocol import types

from sentiment_ls.document import document_sentences
from tests.e2e.lsp import RecordingClient
from tests.e2e.ranges import change, offset_of, position_of, range_of
from tests.e2e.threaded import ThreadedServer

EXAMPLES = int(os.environ.get("SENTIMENT_LS_FUZZ_EXAMPLES", "30"))
# Short texts settle in well under a second; a wait this long means the server is stuck,
# and shrinking a failure repeats the wait many times.
WAIT = 30.0
STEPS = int(os.environ.get("SENTIMENT_LS_FUZZ_STEPS", "12"))

# Every sentence flagged: then each sentence of the text has a diagnostic to check.
FLAG_ALL: dict[str, Any] = {
    "flagLabels": ["negative", "neutral", "positive"],
    "threshold": 0.0,
    "minWords": 0,
}
LANGUAGES = [
    "markdown",
    "plaintext",
    "mdx",
    "restructuredtext",
    "latex",
    "html",
    "git-commit",
    "python",
    "javascript",
]
BASE: dict[str, Any] = {"debounceMs": 0, "hoverWords": 0, "languages": LANGUAGES, **FLAG_ALL}

# Pieces of text an editor holds: words of both tones, sentence ends, the three LSP line
# breaks, characters str.splitlines() also breaks at, multi-byte and astral characters, a
# ZWJ sequence, Markdown syntax. No lone surrogates: JSON would join a high and a low one
# sent side by side into one character (they have their own test).
PIECES = [
    "The",
    "food",
    "was",
    "terrible",
    "wonderful",
    "and",
    "I",
    "hated",
    "loved",
    "it",
    " ",
    " ",
    ".",
    "!",
    "?",
    ",",
    "\n",
    "\n\n",
    "\r\n",
    "\r",
    "\t",
    "é",
    "日本語",
    "😀",
    "👩\u200d👩\u200d👧",
    "\u2028",
    "\x0c",
    "\x85",
    "# ",
    "* ",
    "`",
    "> ",
    "```",
    "---\n",
    # and of the other formats: reST, LaTeX, HTML, comments
    "..",
    "::",
    "\\section{",
    "}",
    "%",
    "$",
    "<p>",
    "</p>",
    "<!-- ",
    " -->",
    '"""',
    "//",
    "=",
]
TEXTS = st.lists(st.sampled_from(PIECES), max_size=14).map("".join)
SENTENCE = st.sampled_from(
    [
        "This is a terrible, hateful mess. ",
        "What a lovely and delightful day! ",
        "The report is ready.\n",
        "Not bad at all 😀.\r\n",
    ]
)
INSERTS = st.one_of(TEXTS, SENTENCE, st.lists(SENTENCE, max_size=3).map("".join))
SETTINGS = st.fixed_dictionaries(
    {
        "debounceMs": st.sampled_from([0, 5, 40]),
        "hoverWords": st.sampled_from([0, 2]),
        "severity": st.sampled_from(["error", "warning", "information", "hint"]),
        "languages": st.just(LANGUAGES),
    }
).flatmap(lambda base: st.sampled_from([{**base, **FLAG_ALL}, {**base, "threshold": 0.5}, base]))
_uris = itertools.count()


def addressable(text: str, offset: int) -> int:
    """No LSP position points between the "\\r" and "\\n" of a line break."""
    if 0 < offset < len(text) and text[offset - 1] == "\r" and text[offset] == "\n":
        return offset - 1
    return offset


def sentence_spans(text: str, language: str) -> set[tuple[int, int]]:
    return {(s.start, s.end) for s in document_sentences(text, language)}


def published(client: RecordingClient, uri: str) -> list[types.PublishDiagnosticsParams]:
    return list(client.published.get(uri, []))


def wait_for_version(server: ThreadedServer, uri: str, version: int) -> list[types.Diagnostic]:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        for params in reversed(published(server.client, uri)):
            if params.version == version:
                return list(params.diagnostics)
        time.sleep(0.02)
    raise AssertionError(f"no diagnostics for {uri} version {version} within {WAIT} s")


def comparable(diagnostics: list[types.Diagnostic]) -> list[tuple[Any, ...]]:
    return sorted(
        (
            d.range.start.line,
            d.range.start.character,
            d.range.end.line,
            d.range.end.character,
            d.message,
            d.code,
            d.severity,
        )
        for d in diagnostics
    )


class LspSession(RuleBasedStateMachine):
    server: ThreadedServer  # set by the fixture: one process for every example

    def __init__(self) -> None:
        super().__init__()
        self.uri = ""
        self.language = "markdown"
        self.text = ""
        self.version = 0
        self.is_open = False
        self.texts: dict[int, str] = {}  # every version's text, to check what was published
        self.checked = 0  # publishes already checked
        # Messages are the server's, shared by every example: each judges only its own.
        self.messages_before = len(self.server.client.messages)

    # -- steps ------------------------------------------------------------------------
    @initialize(
        text=st.one_of(TEXTS, st.lists(SENTENCE, max_size=4).map("".join)),
        language=st.sampled_from(LANGUAGES),
    )
    def open(self, text: str, language: str) -> None:
        self.server.call(
            lambda: self.server.client.workspace_did_change_configuration(
                types.DidChangeConfigurationParams(settings={"sentimentLs": BASE})
            )
        )
        # A space in the name: the URI is quoted, as editors send it.
        self.uri = f"file:///fuzz/doc%20{next(_uris)}.md"
        self.language = language
        self._open(text, 1)

    def _open(self, text: str, version: int) -> None:
        self.text, self.version, self.is_open = text, version, True
        self.texts[version] = text
        item = types.TextDocumentItem(self.uri, self.language, version, text)
        self.server.call(
            lambda: self.server.client.text_document_did_open(
                types.DidOpenTextDocumentParams(text_document=item)
            )
        )

    @precondition(lambda self: self.is_open)
    @rule(data=st.data(), batch=st.integers(1, 3))
    def edit(self, data: st.DataObject, batch: int) -> None:
        """One didChange with `batch` incremental changes, each applied to the text the
        previous one left, as LSP orders them."""
        changes: list[types.TextDocumentContentChangeEvent] = []
        text = self.text
        for _ in range(batch):
            a = addressable(text, data.draw(st.integers(0, len(text)), "start"))
            b = addressable(text, data.draw(st.integers(0, len(text)), "end"))
            start, end = min(a, b), max(a, b)
            new = data.draw(INSERTS, "insert")
            range_ = range_of(text, start, end, self.server.encoding)
            if end == len(text) and data.draw(st.booleans(), "past the end"):
                # LSP: a position past the end of the document means its end.
                range_.end = types.Position(range_.end.line + 5, 3)
            changes.append(types.TextDocumentContentChangePartial(range=range_, text=new))
            text = text[:start] + new + text[end:]
        self._send(changes, text)

    @precondition(lambda self: self.is_open)
    @rule(text=TEXTS)
    def replace_all(self, text: str) -> None:
        self._send([types.TextDocumentContentChangeWholeDocument(text=text)], text)

    def _send(self, changes: list[types.TextDocumentContentChangeEvent], text: str) -> None:
        self.version += 1
        self.text = text
        self.texts[self.version] = text
        params = change(self.uri, self.version, None, "")
        params.content_changes = changes
        self.server.call(lambda: self.server.client.text_document_did_change(params))

    @precondition(lambda self: self.is_open)
    @rule(data=st.data())
    def hover(self, data: st.DataObject) -> None:
        offset = addressable(self.text, data.draw(st.integers(0, len(self.text))))
        position = position_of(self.text, offset, self.server.encoding)
        hover = self.server.run(
            self.server.client.text_document_hover_async(
                types.HoverParams(types.TextDocumentIdentifier(self.uri), position)
            )
        )
        if hover is None:
            return
        assert hover.range is not None
        start, end = self._span(hover.range)
        assert (start, end) in sentence_spans(self.text, self.language)
        assert start <= offset < end

    @precondition(lambda self: self.is_open)
    @rule(method=st.sampled_from(["occlusion", "grad-x-input"]))
    def analyze(self, method: str) -> None:
        """The command behind the hover: every sentence, token and word range must be where
        the text says, whatever the text."""
        result = self.server.run(
            self.server.client.workspace_execute_command_async(
                types.ExecuteCommandParams(
                    command="sentiment-ls.analyze", arguments=[{"uri": self.uri, "method": method}]
                )
            )
        )
        spans = sentence_spans(self.text, self.language)
        assert len(result["sentences"]) == len(spans)
        for sentence in result["sentences"]:
            start, end = self._span(sentence["range"])
            assert (start, end) in spans
            for part in [*sentence["tokens"], *sentence["words"]]:
                part_start, part_end = self._span(part["range"])
                assert start <= part_start <= part_end <= end, (part, sentence["text"])

    def _span(
        self, range_: types.Range | dict[str, Any], text: str | None = None
    ) -> tuple[int, int]:
        """Offsets of a range (LSP object or JSON) in the negotiated encoding; it must fall
        on character boundaries."""
        text = self.text if text is None else text
        if isinstance(range_, dict):
            range_ = types.Range(types.Position(**range_["start"]), types.Position(**range_["end"]))
        encoding = self.server.encoding
        return offset_of(text, range_.start, encoding), offset_of(text, range_.end, encoding)

    @precondition(lambda self: self.is_open)
    @rule()
    def close(self) -> None:
        self.is_open = False
        self.server.call(
            lambda: self.server.client.text_document_did_close(
                types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(self.uri))
            )
        )

    @precondition(lambda self: not self.is_open)
    @rule()
    def reopen(self) -> None:
        self._open(self.text, self.version + 1)

    @rule(section=SETTINGS)
    def configure(self, section: dict[str, Any]) -> None:
        self.server.call(
            lambda: self.server.client.workspace_did_change_configuration(
                types.DidChangeConfigurationParams(settings={"sentimentLs": section})
            )
        )

    # -- invariants ---------------------------------------------------------------------
    @invariant()
    def server_answers(self) -> None:
        assert self.server.alive(), "the server process exited"
        # A request the server must answer; a document never opened, so it costs nothing.
        self.server.run(
            self.server.client.text_document_hover_async(
                types.HoverParams(
                    types.TextDocumentIdentifier("file:///fuzz/ping.md"), types.Position(0, 0)
                )
            )
        )
        messages = self.server.client.messages[self.messages_before :]
        errors = [m.message for m in messages if m.type == types.MessageType.Error]
        assert errors == [], errors

    @invariant()
    def diagnostics_lie_on_sentences(self) -> None:
        """Waits for the current version's diagnostics, so that a failure shows at the step
        that caused it, the same step each time Hypothesis replays it."""
        if not self.uri:
            return
        if self.is_open:
            wait_for_version(self.server, self.uri, self.version)
        publishes = published(self.server.client, self.uri)
        for params in publishes[self.checked :]:
            if params.version is None:  # the empty publish of a close
                assert not params.diagnostics
                continue
            text = self.texts[params.version]
            spans = sentence_spans(text, self.language)
            for diagnostic in params.diagnostics:
                span = self._span(diagnostic.range, text)
                assert span in spans, (params.version, text[span[0] : span[1]], text)
        self.checked = len(publishes)

    def teardown(self) -> None:
        if not self.uri:
            return
        try:
            self._settle_and_compare()
        finally:
            for uri in (self.uri, self.uri + ".fresh"):
                self.server.call(
                    lambda u=uri: self.server.client.text_document_did_close(  # type: ignore[misc]
                        types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(u))
                    )
                )

    def _settle_and_compare(self) -> None:
        if not self.is_open:
            self._open(self.text, self.version + 1)
        else:
            # An empty edit: its publish comes after every earlier configuration change.
            self._send(
                [
                    types.TextDocumentContentChangePartial(
                        range=range_of(self.text, 0, 0, self.server.encoding), text=""
                    )
                ],
                self.text,
            )
        edited = wait_for_version(self.server, self.uri, self.version)
        self.diagnostics_lie_on_sentences()
        fresh_uri = self.uri + ".fresh"
        item = types.TextDocumentItem(fresh_uri, self.language, 1, self.text)
        self.server.call(
            lambda: self.server.client.text_document_did_open(
                types.DidOpenTextDocumentParams(text_document=item)
            )
        )
        fresh = wait_for_version(self.server, fresh_uri, 1)
        assert comparable(edited) == comparable(fresh), repr(self.text)


@pytest.fixture(scope="module")
def server():  # type: ignore[no-untyped-def]
    server = ThreadedServer(BASE)
    yield server
    server.close()


@pytest.fixture(scope="module")
def utf8_server():  # type: ignore[no-untyped-def]
    server = ThreadedServer(BASE, position_encodings=["utf-8"])
    assert server.encoding == "utf-8"
    yield server
    server.close()


def test_fuzzed_sessions_in_utf8_positions(utf8_server: ThreadedServer) -> None:
    """The same, with a client that negotiated UTF-8 positions (Neovim, Helix)."""
    LspSession.server = utf8_server
    run_state_machine_as_test(
        LspSession,
        settings=settings(
            max_examples=max(1, EXAMPLES // 3),
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            print_blob=True,
        ),
    )


def test_fuzzed_sessions_keep_diagnostics_true_to_the_text(server: ThreadedServer) -> None:
    LspSession.server = server
    run_state_machine_as_test(
        LspSession,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            print_blob=True,
        ),
    )


def _replay(
    server: ThreadedServer, language: str, text: str, edits: list[tuple[int, int, str]]
) -> None:
    """One fixed session through the state machine's own steps and checks."""
    LspSession.server = server
    state = LspSession()
    state.open(text=text, language=language)
    for start, end, new in edits:
        current = state.text
        range_ = range_of(current, start, end, server.encoding)
        state._send(
            [types.TextDocumentContentChangePartial(range=range_, text=new)],
            current[:start] + new + current[end:],
        )
        state.server_answers()
        state.diagnostics_lie_on_sentences()
    state.teardown()


def test_regression_an_edit_after_a_next_line_character(server: ThreadedServer) -> None:
    """Found by this fuzzer with pygls's own text sync: U+0085 ended a line for pygls only,
    so the second edit replaced the wrong text and diagnostics named other sentences."""
    _replay(server, "markdown", "TheThe?`> ", [(0, 0, "TheThe\x85"), (0, 14, "")])


def test_regression_edits_around_line_separators_and_crlf(server: ThreadedServer) -> None:
    text = "Good day.\u2028Fine\x0cweather.\r\nStill fine.\rA terrible end.\n"
    _replay(
        server,
        "plaintext",
        text,
        [
            (
                len("Good day.\u2028Fine\x0cweather.\r\n"),
                len(text) - 1,
                "I hated it.\r\nI loved it.",
            ),
            (0, 4, "😀 Bad"),
            (9, 9, "\r"),
        ],
    )
