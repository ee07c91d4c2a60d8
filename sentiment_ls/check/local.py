"""The analysis of a local `check` run: each sentence from the persistent cache where its
logits are known, else from the model loaded here (or the team service it sends the forward
passes to), whose fresh logits are kept."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from sentiment_ls.check.cache import CheckCache
from sentiment_ls.check.terminal import ProgressBar

if TYPE_CHECKING:
    from sentiment_ls.analysis.engine import SentenceAnalysis, SentimentEngine
    from sentiment_ls.analysis.loaded_model import LoadedModel


class LazyModel:
    """The model of this run, loaded on first need: a run whose every sentence is in the
    cache never loads it."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self._loaded: LoadedModel | None = None
        self._engine: SentimentEngine | None = None
        self.failed = False

    def loaded(self) -> LoadedModel | None:
        """The model, or None once why it cannot load was said on stderr."""
        if self._loaded is None and not self.failed:
            from sentiment_ls.command_model import load_command_model

            self._loaded = load_command_model(self.args)
            self.failed = self._loaded is None
        return self._loaded

    def engine(self) -> SentimentEngine | None:
        if self._engine is None and (loaded := self.loaded()) is not None:
            from sentiment_ls.analysis.engine import SentimentEngine

            self._engine = SentimentEngine(loaded)
        return self._engine


class LocalAnalysis:
    def __init__(self, model: LazyModel, cache: CheckCache) -> None:
        self.model = model
        self.cache = cache
        self.analysed = 0  # sentences that reached the model

    def analyse(self, texts: list[str]) -> dict[str, SentenceAnalysis] | None:
        """Every text's analysis, or None when the model was needed and could not load."""
        wanted = list(dict.fromkeys(texts))
        results = self.cache.analyses(wanted)
        missing = [text for text in wanted if text not in results]
        if not missing:
            return results
        engine = self.model.engine()
        if engine is None:
            return None
        self.analysed += len(missing)
        with ProgressBar(len(missing), unit="sentence").counting("analysing") as progress:
            fresh = engine.analyze(missing, progress=progress)
        results.update((analysis.text, analysis) for analysis in fresh)
        self.cache.keep(fresh)
        return results
