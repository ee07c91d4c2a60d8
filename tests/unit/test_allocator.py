"""The mmap threshold is held where glibc is the allocator (see sentiment_ls/allocator.py)."""

from __future__ import annotations

import platform
import sys

import pytest

from sentiment_ls.allocator import hold_mmap_threshold


def test_glibc_takes_the_fixed_mmap_threshold() -> None:
    if not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc":
        pytest.skip("mallopt's M_MMAP_THRESHOLD is glibc's; elsewhere nothing is set")
    assert hold_mmap_threshold() is True
