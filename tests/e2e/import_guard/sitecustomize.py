"""Put on PYTHONPATH, this makes torch and transformers (or the comma-separated modules
SENTIMENT_LS_GUARDED names) look installed (`find_spec` finds them) but records any import of
them in the file SENTIMENT_LS_IMPORT_LOG names, and fails it: a test then knows whether a
code path imported them, and the path cannot hide the cost by importing them for real."""

from __future__ import annotations

import importlib.machinery
import os
import sys
from importlib.abc import Loader, MetaPathFinder

GUARDED = set(os.environ.get("SENTIMENT_LS_GUARDED", "torch,transformers").split(","))


class _Recorder(Loader):
    def create_module(self, spec):  # type: ignore[no-untyped-def]
        return None

    def exec_module(self, module):  # type: ignore[no-untyped-def]
        with open(os.environ["SENTIMENT_LS_IMPORT_LOG"], "a", encoding="utf-8") as log:
            log.write(module.__name__ + "\n")
        raise ImportError(f"{module.__name__} imported under the test's import guard")


class _Guard(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):  # type: ignore[no-untyped-def]
        if name.partition(".")[0] in GUARDED:
            return importlib.machinery.ModuleSpec(name, _Recorder())
        return None


sys.meta_path.insert(0, _Guard())
