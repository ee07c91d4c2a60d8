"""How much of a very large document to read.

A language server that splits and classifies 5 MB on every keystroke stops answering; past a
size limit only the beginning of the document is read, so that the part the user most likely
sees keeps its diagnostics and the server keeps up.
"""

from __future__ import annotations


def analysed_end(source: str, limit: int) -> int:
    """The offset where reading `source` stops: its end when it fits in `limit` characters;
    otherwise just after the last line break within the limit, so that no line is cut in
    half, or the limit itself when the text holds no line break in its second half (one
    enormous line)."""
    if len(source) <= limit:
        return len(source)
    cut = max(source.rfind("\n", 0, limit), source.rfind("\r", 0, limit))
    return cut + 1 if cut >= limit // 2 else limit
