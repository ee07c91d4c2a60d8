"""An open document is split once per version (lsp/context.py): the analysis started part
way through the debounce (lsp/publish.py) and the hovers that come meanwhile share it."""

from __future__ import annotations

import asyncio
import dataclasses

from pygls.lsp.server import LanguageServer

from sentiment_ls.document import Sentence
from sentiment_ls.lsp.context import Context
from sentiment_ls.lsp.document_analysis import DocumentSnapshot
from sentiment_ls.settings import Settings

TEXT = "The importer is slow. The docs are great.\n\nA second paragraph is here."


def _counting_context() -> tuple[Context, list[str]]:
    """A context whose service's splits are counted (and still done by the real splitter)."""
    context = Context(LanguageServer("sentiment-ls-test", "0"))
    splits: list[str] = []
    split = context.service.sentences

    async def counted(text: str, language_id: str) -> list[Sentence]:
        splits.append(text)
        return await split(text, language_id)

    context.service.sentences = counted  # type: ignore[method-assign]
    return context, splits


def _snapshot(version: int, source: str = TEXT) -> DocumentSnapshot:
    return DocumentSnapshot("file:///a.md", version, source, "markdown", Settings(), 100_000)


async def test_one_split_per_version_whoever_asks_first() -> None:
    context, splits = _counting_context()
    document = _snapshot(2)
    first, second = await asyncio.gather(context.sentences(document), context.sentences(document))
    assert first is second and len(splits) == 1
    assert [s.text for s in first] == [
        "The importer is slow.",
        "The docs are great.",
        "A second paragraph is here.",
    ]
    # A newer version is split again.
    edited = dataclasses.replace(document, version=3, source=TEXT.replace("slow", "fast"))
    assert (await context.sentences(edited))[0].text == "The importer is fast."
    assert len(splits) == 2
    context.service.shutdown()


async def test_a_caller_cancelled_by_a_newer_edit_leaves_the_split_to_the_others() -> None:
    context, splits = _counting_context()
    document = _snapshot(5)
    waiting = asyncio.ensure_future(context.sentences(document))
    await asyncio.sleep(0)  # the split is under way
    waiting.cancel()
    sentences = await context.sentences(document)
    assert len(sentences) == 3 and len(splits) == 1 and waiting.cancelled()
    context.service.shutdown()
