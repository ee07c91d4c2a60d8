"""Pull diagnostics: `textDocument/diagnostic` for clients that advertise it (they get no
pushes, see Session.publish), and `workspace/diagnostic` over the workspace's files.

A report's result id is a digest of what decides it (the text, the document's effective
settings, the model): a client that sends it back for an unchanged document gets an
`unchanged` report, and a workspace pull repeated by the client costs file reads, not model
time.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.uris import from_fs_path

from sentiment_ls.analysis.analysis_service import ModelNotReady, ModelStatus
from sentiment_ls.analysis.scheduling import Priority
from sentiment_ls.document import SUPPORTED_LANGUAGES, language_of
from sentiment_ls.document.limits import analysed_end, read_document
from sentiment_ls.file_selection import SKIPPED_FOLDERS

if TYPE_CHECKING:
    from sentiment_ls.lsp.session import Session

SERVER_CANCELLED = -32802  # LSP's ServerCancelled: the client should ask again
# A workspace pull reads at most this many files, skipping folders no prose lives in, so
# that opening a monorepo never queues hours of model time.
MAX_WORKSPACE_FILES = 500


def result_id(session: Session, uri: str, source: str) -> str:
    engine = session.service.engine
    digest = hashlib.sha256()
    for part in (engine.model_id if engine else "", repr(session.settings_for(uri)), source):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()[:24]


async def _diagnostics(
    session: Session, uri: str, source: str, language: str
) -> list[types.Diagnostic]:
    """The diagnostics of a file of the workspace (not necessarily open)."""
    settings = session.settings_for(uri)
    if not (settings.enabled and language in settings.languages):
        return []
    if language not in SUPPORTED_LANGUAGES:
        return []
    await session.service.wait_until_settled()
    if session.service.status is not ModelStatus.READY:
        return []  # the load failure was shown; a refresh follows a fixed setting
    text = source[: analysed_end(source, settings.maxDocumentChars)]
    sentences = await session.service.sentences(text, language)
    try:
        result = await session.service.analyze_document(sentences, lambda: True, Priority.DOCUMENT)
    except ModelNotReady:
        return []
    assert result is not None  # never cancelled: `is_current` is always true
    document = session.document(uri)
    if document is not None:  # an open document will be hovered: explain ahead
        version = document.version
        session.explain_ahead_of(
            uri, result, lambda: getattr(session.document(uri), "version", None) == version
        )
    return session.diagnostics_for(uri, source, result)


async def document_report(
    session: Session, uri: str, previous_result_id: str | None
) -> types.DocumentDiagnosticReport:
    document = session.document(uri)
    if document is None:
        return types.RelatedFullDocumentDiagnosticReport(items=[])
    version, source = document.version, document.source
    this_id = result_id(session, uri, source)
    if previous_result_id == this_id and session.service.status is ModelStatus.READY:
        return types.RelatedUnchangedDocumentDiagnosticReport(result_id=this_id)

    def is_current() -> bool:
        now = session.document(uri)
        return now is not None and now.version == version

    if session.wants(document):
        sentences = await session.document_sentences(uri, document)  # shared with hovers
        await session.service.wait_until_settled()
        try:
            result = await session.service.analyze_document(
                sentences, is_current, Priority.DOCUMENT
            )
        except ModelNotReady:
            return types.RelatedFullDocumentDiagnosticReport(items=[])
        if result is None or not is_current():
            # Edited meanwhile: the client asks again for the new text.
            raise JsonRpcException(
                "the document changed", code=SERVER_CANCELLED, data={"retriggerRequest": True}
            )
        items = session.diagnostics_for(uri, source, result)
    else:
        items = []
    # The id names the text and settings that were read, ready or not: a report made while
    # the model loaded must not be reused once it is ready.
    # (Computed again: the model may have become ready while this request waited for it.)
    ready = session.service.status is ModelStatus.READY
    return types.RelatedFullDocumentDiagnosticReport(
        items=items, result_id=result_id(session, uri, source) if ready else None
    )


def workspace_files(roots: list[Path], limit: int = MAX_WORKSPACE_FILES) -> list[tuple[Path, str]]:
    """Files of the workspace folders whose name the formats registry knows, with their
    languageId; hidden and dependency folders skipped; at most `limit`."""
    found: list[tuple[Path, str]] = []
    for root in roots:
        for folder, folders, files in os.walk(root):
            folders[:] = sorted(
                name for name in folders if not name.startswith(".") and name not in SKIPPED_FOLDERS
            )
            for name in sorted(files):
                language = language_of(name, default=None)
                if language is None or name.startswith("."):
                    continue
                found.append((Path(folder) / name, language))
                if len(found) >= limit:
                    return found
    return found


async def workspace_report(
    session: Session, params: types.WorkspaceDiagnosticParams
) -> types.WorkspaceDiagnosticReport:
    previous = {item.uri: item.value for item in params.previous_result_ids}
    files = workspace_files(session.project.roots())
    progress = session.server.work_done_progress
    token = params.work_done_token
    if token is None and session._capability("window", "work_done_progress"):
        token = f"sentiment-ls/workspace/{uuid.uuid4()}"
        try:
            await progress.create_async(token)
        except Exception:  # a client that refuses a token gets no progress
            token = None
    if token is not None:
        progress.begin(
            token,
            types.WorkDoneProgressBegin(
                title="sentiment-ls", message=f"{len(files)} files", percentage=0
            ),
        )
    items: list[types.WorkspaceDocumentDiagnosticReport] = []
    try:
        for done, (path, language) in enumerate(files):
            if token is not None:
                progress.report(
                    token,
                    types.WorkDoneProgressReport(
                        message=path.name, percentage=100 * done // max(len(files), 1)
                    ),
                )
            item = await _file_report(session, path, language, previous)
            if item is not None:
                items.append(item)
    finally:
        if token is not None:
            progress.end(token, types.WorkDoneProgressEnd(message=f"{len(items)} files"))
    return types.WorkspaceDiagnosticReport(items=items)


async def _file_report(
    session: Session, path: Path, language: str, previous: dict[str, str]
) -> types.WorkspaceDocumentDiagnosticReport | None:
    uri = from_fs_path(str(path)) or path.as_uri()
    opened = session.document(uri)
    if opened is not None:
        source, version = opened.source, opened.version
        language = opened.language_id or language
    else:
        try:
            source = read_document(path, session.settings.maxDocumentChars)
            version = None
        except (OSError, UnicodeDecodeError):
            return None
    this_id = result_id(session, uri, source)
    if previous.get(uri) == this_id:
        return types.WorkspaceUnchangedDocumentDiagnosticReport(
            uri=uri, version=version, result_id=this_id
        )
    items = await _diagnostics(session, uri, source, language)
    return types.WorkspaceFullDocumentDiagnosticReport(
        uri=uri, version=version, items=items, result_id=this_id
    )
