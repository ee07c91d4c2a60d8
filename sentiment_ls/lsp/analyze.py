"""`workspace/executeCommand` `sentiment-ls.analyze`: the prediction and the attributions of
every sentence of a document, or of those a range touches, as one JSON object (its shape is
documented in sentiment_ls/present/attributions.py).

Arguments, as clients can send them: `[uri]`, `[uri, range]`, or one object
`{"uri": ..., "range": ..., "label": ..., "method": ...}` where all but `uri` are optional.
`label` asks for attributions toward that label instead of each sentence's own; `method`
overrides the `explainMethod` setting. The document may be open or only on disk.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.uris import to_fs_path

from sentiment_ls.analysis.analysis_service import ModelNotReady
from sentiment_ls.analysis.runtimes import ExtraMissing
from sentiment_ls.analysis.scheduling import Priority
from sentiment_ls.document import SUPPORTED_LANGUAGES, LineIndex, Sentence, language_of
from sentiment_ls.document.limits import read_document
from sentiment_ls.present.attributions import ExplainedSentence, analysis_json

if TYPE_CHECKING:
    from sentiment_ls.lsp.session import Session

COMMAND = "sentiment-ls.analyze"
REQUEST_FAILED = -32803  # LSP's RequestFailed: the request was valid but could not be served


@dataclass(frozen=True)
class AnalyzeRequest:
    uri: str
    range: types.Range | None = None
    label: str | None = None
    method: str | None = None


def parse_arguments(arguments: Sequence[Any]) -> AnalyzeRequest:
    """The request in `arguments`; ValueError says what is wrong with them."""
    if not arguments:
        raise ValueError(f"{COMMAND} needs a document URI")
    first = arguments[0]
    if isinstance(first, Mapping):
        if len(arguments) > 1:
            raise ValueError("pass either one object or a URI and a range")
        options = dict(first)
    elif isinstance(first, str):
        if len(arguments) > 2:
            raise ValueError("pass either one object or a URI and a range")
        options = {"uri": first, "range": arguments[1] if len(arguments) > 1 else None}
    else:
        raise ValueError(f"the first argument must be a URI or an object, got {first!r}")
    uri = options.get("uri")
    if not isinstance(uri, str) or not uri:
        raise ValueError("`uri` must be a non-empty string")
    for name in ("label", "method"):
        if options.get(name) is not None and not isinstance(options[name], str):
            raise ValueError(f"`{name}` must be a string")
    unknown = set(options) - {"uri", "range", "label", "method"}
    if unknown:
        raise ValueError(f"unknown arguments {sorted(unknown)}")
    raw_range = options.get("range")
    return AnalyzeRequest(
        uri=uri,
        range=None if raw_range is None else _parse_range(raw_range),
        label=options.get("label"),
        method=options.get("method"),
    )


def _parse_range(raw: Any) -> types.Range:
    try:
        start, end = raw["start"], raw["end"]
        positions = [(int(p["line"]), int(p["character"])) for p in (start, end)]
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"`range` must be an LSP range, got {raw!r}") from error
    (start_line, start_character), (end_line, end_character) = positions
    return types.Range(
        types.Position(start_line, start_character), types.Position(end_line, end_character)
    )


def overlapping(sentences: Sequence[Sentence], start: int, end: int) -> list[Sentence]:
    """The sentences a [start, end) source span touches; an empty span, the one it is in."""
    if start == end:
        return [s for s in sentences if s.start <= start < s.end]
    return [s for s in sentences if s.start < end and start < s.end]


async def run_analyze(session: Session, arguments: Sequence[Any]) -> dict[str, Any]:
    """The command's result, or a JSON-RPC error that says why there is none."""
    try:
        request = parse_arguments(arguments)
    except ValueError as error:
        raise JsonRpcInvalidParams(f"{COMMAND}: {error}") from error
    try:
        return await analyze(session, request)
    except (ModelNotReady, ExtraMissing) as not_ready:  # no model yet; a method needs torch
        raise JsonRpcException(f"{COMMAND}: {not_ready}", code=REQUEST_FAILED) from not_ready
    except (ValueError, OSError) as error:  # unknown label or method; unreadable file
        raise JsonRpcInvalidParams(f"{COMMAND}: {error}") from error


async def analyze(session: Session, request: AnalyzeRequest) -> dict[str, Any]:
    explained = await explain_request(session, request)
    engine = session.service.require_engine()
    return analysis_json(
        engine.model_id,
        engine.loaded.labels,
        explained.method,
        explained.items,
        explained.index,
        session.encoding,
    )


@dataclass(frozen=True)
class Explained:
    items: list[ExplainedSentence]
    index: LineIndex
    method: str


async def explain_request(session: Session, request: AnalyzeRequest) -> Explained:
    """Every requested sentence with its prediction and attributions (the token view
    included), shared by this command and `sentiment-ls.breakdown`."""
    service = session.service
    service.require_engine()  # fail fast, before reading the document
    opened = session.open_document(request.uri)
    if opened is not None:
        language = opened.language
        if language not in SUPPORTED_LANGUAGES:
            raise ValueError(f"sentiment-ls cannot read documents of language {language!r}")
        source = opened.source
        sentences = await session.sentences(opened)
    else:
        # Not open: read from disk, and never cache, since the file may change under us.
        # Only a regular file, and only as much as would be analysed: a URI may name
        # /dev/zero, or the server's own stdin.
        path = to_fs_path(request.uri)
        if path is None:
            raise OSError(f"{request.uri} is neither open nor a file")
        source = read_document(Path(path), session.settings.maxDocumentChars)
        language = language_of(request.uri) or "plaintext"
        sentences = await service.sentences(source, language)
    index = LineIndex(source)
    encoding = session.encoding
    if request.range is not None:
        start = index.offset(request.range.start.line, request.range.start.character, encoding)
        end = index.offset(request.range.end.line, request.range.end.character, encoding)
        sentences = overlapping(sentences, start, end)
    result = await service.analyze_document(sentences, lambda: True, Priority.HOVER)
    assert result is not None  # never cancelled: `is_current` is always true
    settings = session.settings
    method = request.method or settings.explainMethod
    items = []
    # One sentence per job, each awaited before the next is queued, so a hover asked for
    # meanwhile runs after at most one sentence of a long document.
    for sentence, analysis in zip(result.sentences, result.analyses, strict=True):
        explanation = await service.explain(
            analysis, request.label, method, settings.integratedGradientsSteps
        )
        items.append(ExplainedSentence(sentence, analysis, explanation))
    return Explained(items, index, method)
