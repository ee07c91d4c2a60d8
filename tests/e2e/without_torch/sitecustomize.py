"""Put on PYTHONPATH, this makes a Python process see no torch, transformers or captum, as on
a machine where only `pip install sentiment-ls` ran: importing them fails as a missing
package does, and `importlib.util.find_spec` finds nothing. The shared test venv has them
installed, so this is how the end-to-end tests prove the server needs none of them."""

from __future__ import annotations

import sys
from importlib.abc import MetaPathFinder

BLOCKED = {"torch", "transformers", "captum", "peft", "sentence_transformers"}


class _Missing(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):  # type: ignore[no-untyped-def]
        if name.partition(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, _Missing())
