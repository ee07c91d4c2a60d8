"""The user in control, end to end over stdio with the real model: a project folder whose
pyproject.toml sets per-path rules, quick fixes whose edits silence the diagnostic they
were offered on, and pull diagnostics (per document and over the workspace)."""

from __future__ import annotations

import ast
import asyncio
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.uris import from_fs_path
from pytest_lsp import client_capabilities

from tests.e2e.lsp import (
    CONFIG,
    TIMEOUT,
    RecordingClient,
    diagnostics_for,
    open_document,
    text_in_range,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

PYPROJECT = """\
[project]
name = "tidy"

[tool.sentiment-ls]
severity = "warning"

[[tool.sentiment-ls.overrides]]
paths = ["docs/api/**"]
tone = "neutral"

[[tool.sentiment-ls.overrides]]
paths = ["CHANGELOG.md"]
enabled = false
"""

GUSHING = "Our support team is wonderful and we absolutely love working with you."
RANT = "The old installer was a slow, broken and infuriating mess."

README = f"""---
title: Tidy
---

# Tidy

Tidy formats your notes in one pass. {RANT} The new one takes a minute.

The export was ugly, painful and a complete waste of time.

{GUSHING}
"""
# The model is unsure of "uploads the folder." (0.62): inside the neutral band, never flagged.
API_PAGE = f"`Client.sync()` uploads the folder. {GUSHING}\n"
CHANGELOG = f"# Changes\n\n## 2.0\n\n{RANT}\n"
IMPORTER = "The importer is a miserable, buggy disaster."
RELEASE_NOTES = f"# Tidy 2.0\n\nSync is faster. {IMPORTER}\n"


def uri_of(path: Path) -> str:
    uri = from_fs_path(str(path))
    assert uri is not None
    return uri


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("project")
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (root / "docs" / "api").mkdir(parents=True)
    (root / "docs" / "release-notes").mkdir(parents=True)
    (root / "README.md").write_text(README, encoding="utf-8")
    (root / "docs" / "api" / "client.md").write_text(API_PAGE, encoding="utf-8")
    (root / "CHANGELOG.md").write_text(CHANGELOG, encoding="utf-8")
    (root / "docs" / "release-notes" / "2.0.md").write_text(RELEASE_NOTES, encoding="utf-8")
    (root / "node_modules").mkdir()
    (root / "node_modules" / "ignored.md").write_text(RANT, encoding="utf-8")
    return root


def initialize_params(root: Path, capabilities: types.ClientCapabilities) -> types.InitializeParams:
    return types.InitializeParams(
        capabilities=capabilities,
        root_uri=uri_of(root),
        workspace_folders=[types.WorkspaceFolder(uri=uri_of(root), name="project")],
    )


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def push(lsp_client: RecordingClient, project: Path):  # type: ignore[no-untyped-def]
    # VS Code 1.65's capabilities: no pull diagnostics, dynamic registration of watchers.
    await lsp_client.initialize_session(
        initialize_params(project, client_capabilities("visual-studio-code"))
    )
    yield
    await lsp_client.shutdown_session()


def pulling_capabilities() -> types.ClientCapabilities:
    capabilities = client_capabilities("neovim")  # Neovim 0.11 pulls (textDocument.diagnostic)
    assert capabilities.text_document is not None
    assert capabilities.text_document.diagnostic is not None
    return capabilities


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def pull(lsp_client: RecordingClient, project: Path):  # type: ignore[no-untyped-def]
    await lsp_client.initialize_session(initialize_params(project, pulling_capabilities()))
    yield
    await lsp_client.shutdown_session()


def flagged(text: str, diagnostics: Sequence[types.Diagnostic]) -> list[str]:
    return [text_in_range(text, d.range) for d in diagnostics]


async def test_the_project_file_rules_each_path(push: RecordingClient, project: Path) -> None:
    readme, api = uri_of(project / "README.md"), uri_of(project / "docs" / "api" / "client.md")
    changelog = uri_of(project / "CHANGELOG.md")
    open_document(push, readme, README)
    open_document(push, api, API_PAGE)
    open_document(push, changelog, CHANGELOG)
    readme_diagnostics = await diagnostics_for(push, readme, 1)
    assert RANT in flagged(README, readme_diagnostics)
    assert GUSHING not in flagged(README, readme_diagnostics)  # positive tone by default
    assert {d.severity for d in readme_diagnostics} == {types.DiagnosticSeverity.Warning}
    api_diagnostics = await diagnostics_for(push, api, 1)
    assert flagged(API_PAGE, api_diagnostics) == [GUSHING]  # a neutral page must not gush
    assert api_diagnostics[0].code == "sentiment-positive"
    assert await diagnostics_for(push, changelog, 1) == ()  # enabled = false


async def test_the_server_asks_to_watch_configuration_files(push: RecordingClient) -> None:
    deadline = time.monotonic() + TIMEOUT
    method = types.WORKSPACE_DID_CHANGE_WATCHED_FILES
    while not [r for r in push.registrations if r.method == method]:
        assert time.monotonic() < deadline, "no watcher registration"
        await asyncio.sleep(0.05)
    [registration] = [r for r in push.registrations if r.method == method]
    assert registration.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
    options = registration.register_options
    globs = {w["globPattern"] for w in options["watchers"]}  # type: ignore[index]
    assert globs == {"**/.sentiment-ls.toml", "**/pyproject.toml"}


async def test_a_changed_project_file_is_read_again(push: RecordingClient, project: Path) -> None:
    changelog = uri_of(project / "CHANGELOG.md")
    if changelog not in push.published:  # run on its own, without the test that opens it
        open_document(push, changelog, CHANGELOG)
    assert not await diagnostics_for(push, changelog, 1)
    before = len(push.published[changelog])
    (project / "pyproject.toml").write_text(PYPROJECT.split("[[tool")[0], encoding="utf-8")
    try:
        push.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(
                changes=[
                    types.FileEvent(
                        uri=uri_of(project / "pyproject.toml"), type=types.FileChangeType.Changed
                    )
                ]
            )
        )
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            later = push.published[changelog][before:]
            if any(params.diagnostics for params in later):
                break
            await asyncio.sleep(0.05)
        latest = push.published[changelog][-1]
        assert flagged(CHANGELOG, latest.diagnostics) == [RANT]
    finally:
        (project / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
        push.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(
                changes=[
                    types.FileEvent(
                        uri=uri_of(project / "pyproject.toml"), type=types.FileChangeType.Changed
                    )
                ]
            )
        )


def apply(text: str, edit: types.WorkspaceEdit, uri: str) -> str:
    assert edit.changes is not None
    [text_edit] = edit.changes[uri]
    assert text_edit.range.start == text_edit.range.end  # an insertion
    lines = text.split("\n")
    line, character = text_edit.range.start.line, text_edit.range.start.character
    offset = sum(len(x) + 1 for x in lines[:line]) + character  # ASCII text: units = chars
    return text[:offset] + text_edit.new_text + text[offset:]


def change(client: RecordingClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def actions_for(
    client: RecordingClient, uri: str, diagnostic: types.Diagnostic
) -> dict[str, types.CodeAction]:
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic]),
        )
    )
    assert result is not None
    actions = {}
    for item in result:
        if isinstance(item, types.Command):
            # lsprotocol's union hook reads a CodeAction that carries a command as a Command
            # (whose `command` is then the object's text); editors tell them apart by the
            # type of `command`, as the specification says. Read it back as one.
            command = ast.literal_eval(item.command)
            item = types.CodeAction(
                title=item.title,
                kind=types.CodeActionKind.QuickFix,
                command=types.Command(**command),
            )
        actions[item.title] = item
    assert all(a.kind == types.CodeActionKind.QuickFix for a in actions.values())
    return actions


async def test_ignore_this_sentence_silences_it_and_only_it(
    push: RecordingClient, project: Path
) -> None:
    uri = uri_of(project / "docs" / "release-notes" / "2.0.md")
    open_document(push, uri, RELEASE_NOTES)
    before = await diagnostics_for(push, uri, 1)
    [diagnostic] = [d for d in before if text_in_range(RELEASE_NOTES, d.range) == IMPORTER]
    actions = await actions_for(push, uri, diagnostic)
    ignore = actions["Ignore this sentence (sentiment-ls)"]
    assert ignore.is_preferred and ignore.edit is not None
    edited = apply(RELEASE_NOTES, ignore.edit, uri)
    assert "Sync is faster. <!-- sentiment-ls: ignore --> The importer" in edited
    change(push, uri, 2, edited)
    others = [f for f in flagged(RELEASE_NOTES, before) if f != IMPORTER]
    assert flagged(edited, await diagnostics_for(push, uri, 2)) == others
    # The directive silences that sentence only: a new one is still read.
    change(push, uri, 3, edited + f"\n{RANT}\n")
    assert flagged(edited + f"\n{RANT}\n", await diagnostics_for(push, uri, 3)) == [*others, RANT]


async def test_disable_for_this_file_goes_after_the_front_matter(
    push: RecordingClient, project: Path
) -> None:
    uri = uri_of(project / "README.md")
    diagnostics = await diagnostics_for(push, uri, 1)
    assert len(diagnostics) >= 2
    disable = (await actions_for(push, uri, diagnostics[0]))["Disable sentiment-ls for this file"]
    assert disable.edit is not None
    edited = apply(README, disable.edit, uri)
    assert edited.startswith("---\ntitle: Tidy\n---\n<!-- sentiment-ls: disable -->\n")
    change(push, uri, 2, edited)
    assert not await diagnostics_for(push, uri, 2)


async def test_the_full_token_breakdown_is_a_command_any_client_runs(
    push: RecordingClient, project: Path
) -> None:
    uri = uri_of(project / "docs" / "api" / "client.md")
    [diagnostic] = await diagnostics_for(push, uri, 1)
    actions = await actions_for(push, uri, diagnostic)
    command = actions["Show the full token breakdown (sentiment-ls)"].command
    assert command is not None and command.command == "sentiment-ls.breakdown"
    result = await push.workspace_execute_command_async(
        types.ExecuteCommandParams(command=command.command, arguments=command.arguments)
    )
    markdown = result["markdown"]
    assert "| `[CLS]` | 101 | 1 |" in markdown
    assert "`wonderful`" in markdown and "**positive**" in markdown
    assert "absolutely" in markdown and "Client.sync" not in markdown  # that sentence only
    assert (
        Path(pytest.importorskip("pygls.uris").to_fs_path(result["uri"])).read_text(
            encoding="utf-8"
        )
        == markdown
    )


async def test_a_pulling_client_pulls_and_is_never_pushed_to(
    pull: RecordingClient, project: Path
) -> None:
    uri = uri_of(project / "docs" / "api" / "client.md")
    open_document(pull, uri, API_PAGE)
    report = await pull.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
    assert flagged(API_PAGE, report.items) == [GUSHING]
    again = await pull.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            previous_result_id=report.result_id,
        )
    )
    assert isinstance(again, types.RelatedUnchangedDocumentDiagnosticReport)
    change(pull, uri, 2, API_PAGE.replace(f" {GUSHING}", ""))
    edited = await pull.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            previous_result_id=report.result_id,
        )
    )
    assert isinstance(edited, types.RelatedFullDocumentDiagnosticReport)
    assert not edited.items
    assert pull.published == {}  # nothing pushed, not even the empty lists of a push client


async def test_workspace_diagnostics_cover_the_files_by_the_project_rules(
    pull: RecordingClient, project: Path
) -> None:
    report = await pull.workspace_diagnostic_async(
        types.WorkspaceDiagnosticParams(previous_result_ids=[])
    )
    by_path = {
        Path(str(pytest.importorskip("pygls.uris").to_fs_path(i.uri))): i for i in report.items
    }
    relative = {path.relative_to(project).as_posix() for path in by_path}
    assert relative == {
        "README.md",
        "CHANGELOG.md",
        "docs/api/client.md",
        "docs/release-notes/2.0.md",
    }
    # (node_modules is skipped, pyproject.toml is no prose.)
    readme = by_path[project / "README.md"]
    assert isinstance(readme, types.WorkspaceFullDocumentDiagnosticReport)
    assert readme.version is None  # not open in this client
    assert RANT in flagged(README, readme.items)
    assert not by_path[project / "CHANGELOG.md"].items  # type: ignore[union-attr]
    api = by_path[project / "docs" / "api" / "client.md"]
    assert api.version == 2  # open: its text in the editor, not on disk
    assert not api.items  # type: ignore[union-attr]
    # Sent back, the result ids make the next pull cheap: nothing changed, nothing re-read.
    previous = [
        types.PreviousResultId(uri=item.uri, value=item.result_id)
        for item in report.items
        if item.result_id
    ]
    second = await pull.workspace_diagnostic_async(
        types.WorkspaceDiagnosticParams(previous_result_ids=previous)
    )
    assert {type(item) for item in second.items} == {
        types.WorkspaceUnchangedDocumentDiagnosticReport
    }
