"""How much of a very large document to read.

A language server that splits and classifies 5 MB on every keystroke stops answering; past a
size limit only the beginning of the document is read, so that the part the user most likely
sees keeps its diagnostics and the server keeps up.
"""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path


def analysed_end(source: str, limit: int) -> int:
    """The offset where reading `source` stops: its end when it fits in `limit` characters;
    otherwise just after the last line break within the limit, so that no line is cut in
    half, or the limit itself when the text holds no line break in its second half (one
    enormous line)."""
    if len(source) <= limit:
        return len(source)
    cut = max(source.rfind("\n", 0, limit), source.rfind("\r", 0, limit))
    return cut + 1 if cut >= limit // 2 else limit


def read_document(path: Path, limit: int) -> str:
    """The text of a file that is not open in the editor, at most about `limit` characters.

    Only a regular file is read: a URI may name a device (`/dev/zero` never ends) or a pipe
    (`/proc/self/fd/0` is the server's own stdin, its LSP channel). Past `limit` characters
    the rest is never read, since only the beginning would be analysed. OSError says why a
    file cannot be read; UnicodeDecodeError that it is not UTF-8.
    """
    with path.open("rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OSError(f"{path} is not a regular file")
        data = handle.read(limit * _MAX_UTF8_BYTES + 1)
    if len(data) <= limit * _MAX_UTF8_BYTES:
        return data.decode("utf-8")
    # Cut short: a character may be split at the end of what was read; then cut as an open
    # document over the limit would be.
    text = codecs.getincrementaldecoder("utf-8")().decode(data, final=False)[: limit + 1]
    return text[: analysed_end(text, limit)]


_MAX_UTF8_BYTES = 4  # per character
