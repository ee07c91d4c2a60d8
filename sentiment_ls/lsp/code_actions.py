"""Quick fixes on sentiment-ls diagnostics, and the breakdown command one of them runs.

- Ignore this sentence (or its block, where the format's comments cannot sit inline):
  inserts the inline `ignore` directive, written so that the document layer's parse
  recognises it (checked before it is offered; see document/silencing.py).
- Disable sentiment-ls for this file: a `disable` directive at the top, after front matter.
- Show the full token breakdown: the `sentiment-ls.breakdown` command, which any client can
  run through workspace/executeCommand: it returns the Markdown and, where the client
  supports window/showDocument, opens it as a file.
"""

from __future__ import annotations

import asyncio
import hashlib
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.uris import from_fs_path

from sentiment_ls.analysis.analysis_service import ModelNotReady
from sentiment_ls.document import LineIndex
from sentiment_ls.document.silencing import disable_fix, ignore_fix
from sentiment_ls.lsp.analyze import REQUEST_FAILED, explain_request, parse_arguments
from sentiment_ls.present.breakdown import breakdown_markdown
from sentiment_ls.present.diagnostics import SOURCE, lsp_range

if TYPE_CHECKING:
    from sentiment_ls.lsp.session import Session

BREAKDOWN_COMMAND = "sentiment-ls.breakdown"
KIND = types.CodeActionKind.QuickFix


async def code_actions(
    session: Session, uri: str, diagnostics: Sequence[types.Diagnostic]
) -> list[types.CodeAction]:
    ours = [d for d in diagnostics if d.source == SOURCE]
    document = session.open_document(uri)
    if not ours or document is None or not document.wanted:
        return []
    source, language = document.source, document.language
    sentences = await session.sentences(document)
    index = LineIndex(source)
    encoding = session.encoding

    def edit(offset: int, text: str) -> types.WorkspaceEdit:
        where = lsp_range(index, offset, offset, encoding)
        return types.WorkspaceEdit(changes={uri: [types.TextEdit(range=where, new_text=text)]})

    actions: list[types.CodeAction] = []
    for diagnostic in ours:
        start = index.offset(
            diagnostic.range.start.line, diagnostic.range.start.character, encoding
        )
        sentence = next((s for s in sentences if s.start == start), None)
        if sentence is None:
            continue  # the text moved since: the next publish brings fresh ranges
        fix = await asyncio.to_thread(ignore_fix, source, language, sentence)
        if fix is not None:
            what = "sentence" if fix.silenced == 1 else f"block ({fix.silenced} sentences)"
            actions.append(
                types.CodeAction(
                    title=f"Ignore this {what} (sentiment-ls)",
                    kind=KIND,
                    diagnostics=[diagnostic],
                    is_preferred=fix.silenced == 1,
                    edit=edit(fix.insertion.offset, fix.insertion.text),
                )
            )
        actions.append(
            types.CodeAction(
                title="Show the full token breakdown (sentiment-ls)",
                kind=KIND,
                diagnostics=[diagnostic],
                command=types.Command(
                    title="Show the full token breakdown",
                    command=BREAKDOWN_COMMAND,
                    arguments=[{"uri": uri, "range": diagnostic.range}],
                ),
            )
        )
    disable = await asyncio.to_thread(disable_fix, source, language)
    if disable is not None:
        actions.append(
            types.CodeAction(
                title="Disable sentiment-ls for this file",
                kind=KIND,
                diagnostics=ours,
                edit=edit(disable.offset, disable.text),
            )
        )
    return actions


async def run_breakdown(session: Session, arguments: Sequence[Any]) -> dict[str, Any]:
    """`sentiment-ls.breakdown`, with the arguments of `sentiment-ls.analyze`: returns
    `{"markdown": ..., "uri": ...}`, and shows that file where the client can."""
    try:
        request = parse_arguments(_plain(arguments))
    except ValueError as error:
        raise JsonRpcInvalidParams(f"{BREAKDOWN_COMMAND}: {error}") from error
    try:
        explained = await explain_request(session, request)
    except ModelNotReady as not_ready:
        raise JsonRpcException(
            f"{BREAKDOWN_COMMAND}: {not_ready}", code=REQUEST_FAILED
        ) from not_ready
    except (ValueError, OSError) as error:
        raise JsonRpcInvalidParams(f"{BREAKDOWN_COMMAND}: {error}") from error
    model_id = session.service.require_engine().model_id
    markdown = breakdown_markdown(explained.items, explained.index, model_id)
    path = _breakdown_file(request.uri, markdown)
    uri = from_fs_path(str(path)) or path.as_uri()
    if session.capability("window", "show_document", "support"):
        await session.server.window_show_document_async(
            types.ShowDocumentParams(uri=uri, take_focus=True)
        )
    return {"markdown": markdown, "uri": uri}


def _breakdown_file(document_uri: str, markdown: str) -> Path:
    """A file per document in the temporary folder, rewritten on each run."""
    folder = Path(tempfile.gettempdir()) / "sentiment-ls-breakdowns"
    folder.mkdir(exist_ok=True)
    name = document_uri.rstrip("/").rsplit("/", 1)[-1] or "document"
    digest = hashlib.sha1(document_uri.encode()).hexdigest()[:8]
    path = folder / f"{name}.{digest}.breakdown.md"
    path.write_text(markdown, encoding="utf-8")
    return path


def _plain(arguments: Sequence[Any]) -> list[Any]:
    """Arguments as JSON values: a Range object from our own code action becomes a dict."""
    from lsprotocol.converters import get_converter

    converter = get_converter()
    return [converter.unstructure(a) if isinstance(a, types.Range) else a for a in arguments]
