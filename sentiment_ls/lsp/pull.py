"""Pull diagnostics: `textDocument/diagnostic` for clients that advertise it (they get no
pushes, see Session.publish), and `workspace/diagnostic` over the workspace's files.

A report's result id is a digest of what decides it (the text, the document's effective
settings, the model): a client that sends it back for an unchanged document gets an
`unchanged` report, and a workspace pull repeated by the client costs file reads, not model
time.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.uris import from_fs_path

from sentiment_ls.analysis.analysis_service import ModelStatus
from sentiment_ls.analysis.scheduling import Priority
from sentiment_ls.document import language_of
from sentiment_ls.document.limits import read_document
from sentiment_ls.file_selection import SKIPPED_FOLDERS
from sentiment_ls.lsp.document_analysis import DocumentSnapshot, always

if TYPE_CHECKING:
    from sentiment_ls.lsp.session import Session

SERVER_CANCELLED = -32802  # LSP's ServerCancelled: the client should ask again
# A workspace pull reads at most this many files, skipping folders no prose lives in, so
# that opening a monorepo never queues hours of model time.
MAX_WORKSPACE_FILES = 500


def result_id(session: Session, document: DocumentSnapshot) -> str:
    engine = session.service.engine
    digest = hashlib.sha256()
    for part in (engine.model_id if engine else "", repr(document.settings), document.source):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()[:24]


async def document_report(
    session: Session, uri: str, previous_result_id: str | None
) -> types.DocumentDiagnosticReport:
    document = session.open_document(uri)
    if document is None:
        return types.RelatedFullDocumentDiagnosticReport(items=[])
    this_id = result_id(session, document)
    if previous_result_id == this_id and session.service.status is ModelStatus.READY:
        return types.RelatedUnchangedDocumentDiagnosticReport(result_id=this_id)
    items = []
    if document.wanted:
        analysis = await session.analyse(document, Priority.DOCUMENT)
        if analysis is None and not document.is_current():
            # Edited meanwhile: the client asks again for the new text.
            raise JsonRpcException(
                "the document changed", code=SERVER_CANCELLED, data={"retriggerRequest": True}
            )
        if analysis is None:  # no model (or its service is down): no id, ask again later
            return types.RelatedFullDocumentDiagnosticReport(items=[])
        items = analysis.diagnostics(session.encoding)
        session.ahead.analysed(analysis)  # explain ahead of its hovers
    # The id names the text and settings that were read, ready or not: a report made while
    # the model loaded must not be reused once it is ready.
    # (Computed again: the model may have become ready while this request waited for it.)
    ready = session.service.status is ModelStatus.READY
    return types.RelatedFullDocumentDiagnosticReport(
        items=items, result_id=result_id(session, document) if ready else None
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
    if token is None and session.capability("window", "work_done_progress"):
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
    opened = session.open_document(uri)
    if opened is not None:
        # The report names the text it read: it is analysed whatever the edits meanwhile.
        document = dataclasses.replace(opened, is_current=always)
    else:
        try:
            source = read_document(path, session.settings.maxDocumentChars)
        except (OSError, UnicodeDecodeError):
            return None
        settings = session.settings_for(uri)
        document = DocumentSnapshot(
            uri, None, source, language, settings, settings.maxDocumentChars, opened=False
        )
    this_id = result_id(session, document)
    if previous.get(uri) == this_id:
        return types.WorkspaceUnchangedDocumentDiagnosticReport(
            uri=uri, version=document.version, result_id=this_id
        )
    items: list[types.Diagnostic] = []
    if document.wanted:
        analysis = await session.analyse(document, Priority.DOCUMENT)
        if analysis is not None:
            items = analysis.diagnostics(session.encoding)
            if opened is not None:  # an open document will be hovered: explain ahead
                session.ahead.analysed(analysis, opened.is_current)
    return types.WorkspaceFullDocumentDiagnosticReport(
        uri=uri, version=document.version, items=items, result_id=this_id
    )
