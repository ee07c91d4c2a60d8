"""A fixed mmap threshold for glibc's malloc, set once at start.

glibc serves an allocation above the mmap threshold (128 KiB) with its own mapping, returned
to the system on free, but after such a block is freed it raises the threshold to that
block's size (up to 32 MiB), so later blocks of that size come from the heap and stay there.
The forward stage's working buffers vary in size with every batch shape, so under edits the
server's RSS rose in steps: bench/load.py grew 211 -> 299 MB in 180 s, and with the threshold
held at 128 KiB (MALLOC_MMAP_THRESHOLD_=131072) 166 -> 195 MB, the rest being the caches
filling. Setting the threshold with mallopt also turns the adjustment off (mallopt(3)).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

M_MMAP_THRESHOLD = -3
THRESHOLD = 128 * 1024


def hold_mmap_threshold() -> bool:
    """True when glibc took the setting; elsewhere (macOS, Windows, musl) nothing happens."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, THRESHOLD))
