"""`check`'s persistent cache (`analysis/result_store.py`), between runs: each document's
sentences, keyed by its text and the splitter's version, and each sentence's logits, keyed
by the model's identity (`analysis/model_identity.py`), so that a run whose every sentence
is known loads no model."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sentiment_ls.check.terminal import Notices
from sentiment_ls.document import document_sentences

if TYPE_CHECKING:
    from sentiment_ls.analysis.engine import SentenceAnalysis
    from sentiment_ls.analysis.model_identity import ModelIdentity
    from sentiment_ls.analysis.result_store import ResultStore
    from sentiment_ls.document import Sentence

CACHE_FOLDER = ".sentiment-ls-cache"
PROJECT_MARKERS = (".git", "pyproject.toml", ".sentiment-ls.toml")


def default_cache_dir(start: Path) -> Path:
    """`.sentiment-ls-cache` in the project root: the nearest folder from `start` up with a
    `.git`, `pyproject.toml` or `.sentiment-ls.toml`, else `start` (as ruff finds its)."""
    for folder in (start, *start.parents):
        if any((folder / marker).exists() for marker in PROJECT_MARKERS):
            return folder / CACHE_FOLDER
    return start / CACHE_FOLDER


class CheckCache:
    """The store of one run, or none (`--no-cache`, an unusable folder, a run whose logits
    come from elsewhere): then every document is split and every sentence analysed."""

    def __init__(self, store: ResultStore | None, identity: ModelIdentity | None) -> None:
        self.store = store  # sentences need no model identity
        self.identity = identity  # None: no logits are kept

    @classmethod
    def open(cls, args: argparse.Namespace, notices: Notices) -> CheckCache:
        """The store and the model's identity in it; none with --no-cache, and when the
        logits come from elsewhere: a Ray job, whose actors hold their own model; a team
        service, whose model the local files do not identify (it may serve another model,
        reading text) and which answers sentence by sentence with the local model in its
        place while it is down (`prefer`): which model gave a sentence's logits is known only
        once it was asked, and a key of the local model would lie for the service's."""
        if args.no_cache or args.service or args.ray:
            return cls(None, None)
        from sentiment_ls.analysis.model_identity import identify
        from sentiment_ls.analysis.result_store import ResultStore
        from sentiment_ls.command_model import command_request

        folder = Path(args.cache_dir) if args.cache_dir else default_cache_dir(Path.cwd())
        store = ResultStore(folder, notices.say)
        if not store.usable:
            return cls(None, None)
        request = command_request(args)  # the very request the model would load with
        return cls(store, identify(request, store.file_hash))

    def close(self) -> None:
        if self.store is not None:
            self.store.close()

    def sentences(self, files: list[tuple[str, str]]) -> list[list[Sentence]]:
        """Each (source, languageId)'s sentences: from the cache where the same text was split
        before (the splitter's own version in the key), else split and stored."""
        from sentiment_ls.document.stored import decode_sentences, document_key, encode_sentences

        store = self.store
        keys = [document_key(source, language) for source, language in files]
        blobs = store.get_blobs(keys) if store is not None else {}
        result: list[list[Sentence]] = []
        fresh: dict[bytes, bytes] = {}
        for key, (source, language) in zip(keys, files, strict=True):
            known = decode_sentences(blobs[key]) if key in blobs else None
            if known is None:
                known = document_sentences(source, language)
                fresh[key] = encode_sentences(known)
            result.append(known)
        if store is not None:
            store.put_blobs(fresh)
        return result

    def analyses(self, texts: list[str]) -> dict[str, SentenceAnalysis]:
        """The texts whose logits are kept, analysed from them as a fresh result is."""
        if self.store is None or self.identity is None:
            return {}
        from sentiment_ls.analysis.engine import analysis_of_logits

        identity = self.identity
        return {
            text: analysis_of_logits(text, logits, identity.id2label, identity.problem_type)
            for text, logits in self.store.get(identity.key, texts).items()
        }

    def keep(self, fresh: Sequence[SentenceAnalysis]) -> None:
        """Store fresh analyses' logits under the model's identity."""
        if self.store is None or self.identity is None:
            return
        import numpy as np

        self.store.put(
            self.identity.key,
            {a.text: np.asarray(a.prediction.logits, dtype=np.float32) for a in fresh},
        )
