"""One analysis of one document, and what it was made from.

A document's settings are resolved once, when an analysis starts (`DocumentSnapshot`), and
its flag rule once, when the results come (`DocumentAnalysis`); both travel with the
results, so that publishing, pulling and explaining ahead read the same values instead of
resolving the document's settings again (each time re-reading its project file) and running
the rule again over every sentence.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sentiment_ls.document import SUPPORTED_LANGUAGES, LineIndex, PositionEncoding
from sentiment_ls.document.limits import analysed_end
from sentiment_ls.present.diagnostics import to_diagnostics
from sentiment_ls.present.findings import Finding
from sentiment_ls.rules import FlagRule, rule_for

if TYPE_CHECKING:
    from lsprotocol import types

    from sentiment_ls.analysis.analysis_service import DocumentResult
    from sentiment_ls.analysis.engine import SentimentEngine
    from sentiment_ls.settings import Settings


def always() -> bool:
    return True


@dataclass(frozen=True)
class DocumentSnapshot:
    """One version of a document (open, or a file of the workspace) with the settings that
    govern it, read together when an analysis starts."""

    uri: str
    version: int | None  # None: a file that is not open
    source: str
    language: str
    settings: Settings  # the document's effective settings (the project file's on top)
    max_chars: int  # how much of `source` is read (see document/limits.py)
    # Whether this is still the document's text: results for an older one are dropped.
    is_current: Callable[[], bool] = always
    opened: bool = True  # an open document's sentences are cached per version

    @property
    def wanted(self) -> bool:
        """Whether the server reads this document at all."""
        settings = self.settings
        readable = self.language in settings.languages and self.language in SUPPORTED_LANGUAGES
        return readable and settings.enabled

    @functools.cached_property
    def end(self) -> int:
        """The offset where reading stops."""
        return analysed_end(self.source, self.max_chars)


@dataclass(frozen=True)
class DocumentAnalysis:
    """The results of an analysis, with the snapshot, rule and model that made them."""

    document: DocumentSnapshot
    result: DocumentResult
    rule: FlagRule
    model_id: str
    flagged: tuple[int, ...]  # indexes of the sentences the rule flags

    @classmethod
    def of(
        cls, document: DocumentSnapshot, result: DocumentResult, engine: SentimentEngine
    ) -> DocumentAnalysis:
        # The rule's problems with the model's labels are shown once per settings change,
        # by lsp/loading.py: here they would repeat on every edit.
        rule, _ = rule_for(document.settings, engine.loaded.labels)
        flagged = tuple(i for i, analysis in enumerate(result.analyses) if rule.flags(analysis))
        return cls(document, result, rule, engine.model_id, flagged)

    @property
    def findings(self) -> list[Finding]:
        result = self.result
        return [Finding(result.sentences[i], result.analyses[i]) for i in self.flagged]

    def diagnostics(self, encoding: PositionEncoding) -> list[types.Diagnostic]:
        """The diagnostics of this analysis, pushed or pulled alike."""
        return to_diagnostics(
            self.findings,
            LineIndex(self.document.source),
            encoding,
            self.document.settings.severity,
            self.model_id,
        )
