"""The engine: sentence texts in, predictions out, through the three stages and the cache."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy.typing as npt

from sentiment_ls.analysis.cache import LRUCache
from sentiment_ls.analysis.explain import DEFAULT_METHOD, Explanation, MethodOptions, explain
from sentiment_ls.analysis.forward import forward_sentences
from sentiment_ls.analysis.labels import label_named
from sentiment_ls.analysis.loaded_model import LoadedModel
from sentiment_ls.analysis.postprocess import Prediction, postprocess
from sentiment_ls.analysis.preprocess import Encoding, encode
from sentiment_ls.analysis.request import LOCAL_FALLBACK
from sentiment_ls.analysis.runtimes import SentenceRuntime


@dataclass(frozen=True)
class SentenceAnalysis:
    text: str
    encoding: Encoding  # the local tokenizer's, whichever model answered
    prediction: Prediction
    # Which model answered where a team service is configured: "team service: NAME" or
    # "local fallback" (runtimes/remote.py); None where the local model is the only one.
    source: str | None = None


# The encoding of a result that comes from `check`'s persistent cache: only the logits are
# kept there, and a verdict needs nothing else (explanations, which need tokens, are never
# made from such a result).
NOT_TOKENIZED = Encoding(tokens=(), windows=())


def analysis_of_logits(
    text: str,
    logits: npt.ArrayLike,
    id2label: dict[int, str],
    problem_type: str | None,
    encoding: Encoding = NOT_TOKENIZED,
    source: str | None = None,
) -> SentenceAnalysis:
    """A sentence's analysis from its logits: the engine's own, and those of a run that got
    the logits elsewhere (`check`'s persistent cache, the actors of `check --ray`)."""
    return SentenceAnalysis(text, encoding, postprocess(logits, id2label, problem_type), source)


def analysis_bytes(text: str, analysis: SentenceAnalysis) -> int:
    """A rough size of a cached result: the text, each token object with its strings,
    the window ids and the prediction. Measured with tracemalloc at about 200 bytes a token
    (290 before tokens had slots and shared their word-piece strings)."""
    windows = sum(len(w) for w in analysis.encoding.windows)
    return 400 + 2 * len(text) + 200 * len(analysis.encoding.tokens) + 36 * windows


def explanation_bytes(text: str, explanation: Explanation) -> int:
    tokens = len(explanation.token_attributions or ())
    return 400 + 2 * len(text) + 60 * tokens + 300 * len(explanation.words)


DEFAULT_CACHE_BYTES = 64 * 1024 * 1024
# Word scores of about 4,800 sentences of 20 words (~5 KB each, as a hover asks for them):
# two 2,000-sentence documents explained ahead in full, within the serving budget of 300 MB.
DEFAULT_EXPLANATION_CACHE_BYTES = 24 * 1024 * 1024


class SentimentEngine:
    def __init__(
        self,
        loaded: LoadedModel,
        cache_bytes: int = DEFAULT_CACHE_BYTES,
        explanation_cache_bytes: int = DEFAULT_EXPLANATION_CACHE_BYTES,
    ) -> None:
        self.loaded = loaded
        self._results: LRUCache[SentenceAnalysis] = LRUCache(cache_bytes, analysis_bytes)
        self._explanations: LRUCache[Explanation] = LRUCache(
            explanation_cache_bytes, explanation_bytes
        )
        # How many sentences reached the model: what the cache saved is visible in tests
        # and benchmarks.
        self.sentences_run = 0

    @property
    def model_id(self) -> str:
        return self.loaded.model_id

    def cached(self, text: str) -> SentenceAnalysis | None:
        """The kept result, unless the local model gave it while a team service was down
        and the service answers again: then the service is asked."""
        found = self._results.get(self.model_id, text)
        runtime = self.loaded.runtime
        if (
            found is not None
            and found.source == LOCAL_FALLBACK
            and isinstance(runtime, SentenceRuntime)
            and runtime.answering != LOCAL_FALLBACK
        ):
            return None
        return found

    def analyze(
        self,
        texts: Sequence[str],
        should_stop: Callable[[], bool] | None = None,
        progress: Callable[[float], None] | None = None,
    ) -> list[SentenceAnalysis]:
        """Results for `texts` in order; only texts not in the cache reach the model.
        `progress` hears, batch by batch, how many of the texts that reach the model were
        done (in sentences: a long sentence's windows count as parts of one)."""
        known = {text: self.cached(text) for text in dict.fromkeys(texts)}
        missing = [text for text, result in known.items() if result is None]
        if missing:
            self.sentences_run += len(missing)
            encodings = [encode(self.loaded.tokenizer, t) for t in missing]
            logits, source = forward_sentences(
                self.loaded,
                missing,
                [e.windows for e in encodings],
                should_stop=should_stop,
                progress=progress,
            )
            for text, encoding, sentence_logits in zip(missing, encodings, logits, strict=True):
                result = analysis_of_logits(
                    text,
                    sentence_logits,
                    self.loaded.id2label,
                    self.loaded.problem_type,
                    encoding,
                    source,
                )
                self._results.put(self.model_id, text, result)
                known[text] = result
        return [r for r in (known[t] for t in texts) if r is not None]

    def explain(
        self,
        analysis: SentenceAnalysis,
        label: str | None = None,
        method: str = DEFAULT_METHOD,
        options: MethodOptions | None = None,
    ) -> Explanation:
        """Attributions toward `label` (the predicted label when None), computed once per
        sentence, label, method and options, then served from the cache."""
        label, options = self._label(analysis, label), options or MethodOptions()
        cached = self.cached_explanation(analysis, label, method, options)
        if cached is not None:
            return cached
        explanation = self._explain(analysis, label, method, options)
        self._explanations.put(self._variant(label, method, options), analysis.text, explanation)
        return explanation

    def cached_explanation(
        self,
        analysis: SentenceAnalysis,
        label: str | None = None,
        method: str = DEFAULT_METHOD,
        options: MethodOptions | None = None,
    ) -> Explanation | None:
        """What `explain` would answer from the cache, without computing anything."""
        label, options = self._label(analysis, label), options or MethodOptions()
        wanted = [options]
        if not options.token_view:  # an explanation with both views serves a words-only one
            wanted.insert(0, dataclasses.replace(options, token_view=True))
        for candidate in wanted:
            cached = self._explanations.get(self._variant(label, method, candidate), analysis.text)
            if cached is not None:
                return cached
        return None

    def explanation_stamp(self) -> int:
        """The `keep_after` of an `explain_ahead` pass that starts now."""
        return self._explanations.stamp()

    def explain_ahead(
        self,
        analysis: SentenceAnalysis,
        method: str,
        options: MethodOptions,
        keep_after: int,
        should_stop: Callable[[], bool] | None = None,
    ) -> bool:
        """`explain` for the predicted label, ahead of need: computed into the cache, evicting
        only what was last used before `keep_after`. False when the cache holds no room for
        it (what the pass made first is worth more than what it would make now). Raises
        `Cancelled` when `should_stop` says so between the method's forward batches."""
        label = analysis.prediction.label
        if self.cached_explanation(analysis, label, method, options) is not None:
            return True
        if not self._explanations.has_room(keep_after):
            return False
        explanation = self._explain(analysis, label, method, options, should_stop)
        variant = self._variant(label, method, options)
        return self._explanations.put(variant, analysis.text, explanation, keep_after)

    @property
    def explanation_cache(self) -> tuple[int, int]:
        """The explanation cache's bytes held and its bound."""
        return self._explanations.bytes, self._explanations.max_bytes

    def _label(self, analysis: SentenceAnalysis, label: str | None) -> str:
        # Named in any case, as flagLabels are; an unknown name is explain()'s to refuse.
        label = (label_named(label, self.loaded.labels) or label) if label else None
        return label or analysis.prediction.label

    def _explain(
        self,
        analysis: SentenceAnalysis,
        label: str,
        method: str,
        options: MethodOptions,
        should_stop: Callable[[], bool] | None = None,
    ) -> Explanation:
        return explain(
            self.loaded,
            analysis.text,
            analysis.encoding,
            label,
            method=method,
            options=options,
            should_stop=should_stop,
        )

    def _variant(self, label: str, method: str, options: MethodOptions) -> str:
        # The cache is keyed by (model, text); what else decides the scores joins the model id.
        return f"{self.model_id}\x00{method}\x00{options}\x00{label}"
