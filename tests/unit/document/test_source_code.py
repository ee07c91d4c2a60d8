from __future__ import annotations

import pytest

from sentiment_ls.document import document_sentences, prose_regions

from .helpers import assert_faithful, texts


def regions_of(source: str, language_id: str) -> list[str]:
    regions = prose_regions(source, language_id)
    assert_faithful(source, regions)
    return texts(regions)


PYTHON = '''#!/usr/bin/env python3
"""Billing helpers.

The invoice code is old and fragile.

>>> total([1, 2])
3
"""
import os  # noqa: F401

SHARP = "# not a comment"


class Invoice:
    r"""An invoice.

    Args:
        amount: the amount, which must never be negative.
    """

    def total(self):
        """Sum the lines. It works well."""
        # The rounding here is a painful hack.
        # It should go away soon.
        return 1  # trailing remark about the code

    x = "not a docstring"
'''


def test_python_docstrings_and_comments_are_prose_and_code_is_not() -> None:
    assert regions_of(PYTHON, "python") == [
        "Billing helpers.",
        "The invoice code is old and fragile.",
        "An invoice.",
        "Args:",
        "Sum the lines. It works well.",
        "The rounding here is a painful hack. It should go away soon.",
        "trailing remark about the code",
    ]


def test_a_sentence_across_comment_lines_maps_back_to_both_lines() -> None:
    sentences = document_sentences(PYTHON, "python")
    joined = next(s for s in sentences if s.text.startswith("The rounding"))
    assert PYTHON[joined.start : joined.end] == "The rounding here is a painful hack."
    assert_faithful(PYTHON, sentences)


TYPESCRIPT = """/**
 * Parses the config. Returns a terrible default on failure.
 *
 * @param path - where the file lives
 *
 *     const example = parse("x");
 */
export function parse(path: string): Config {
  const url = "http://example.com/*not a comment*/"; // a trailing note
  const re = /\\/\\/ not a comment/;
  return {} as Config; /* inline block */
}
"""


@pytest.mark.parametrize("language_id", ["typescript", "typescriptreact"])
def test_typescript_comments_skip_tags_and_code_examples(language_id: str) -> None:
    assert regions_of(TYPESCRIPT, language_id) == [
        "Parses the config. Returns a terrible default on failure.",
        "a trailing note",
        "inline block",
    ]


def test_javascript_line_comments_join_and_strings_are_not_comments() -> None:
    source = "// First line of a note\n// that goes on.\nconst s = '// no';\n\n// Another.\n"
    assert regions_of(source, "javascript") == ["First line of a note that goes on.", "Another."]
    assert regions_of(source, "javascriptreact") == regions_of(source, "javascript")


def test_go_comments() -> None:
    source = (
        "// Package billing computes totals.\n//\n// It is slow.\npackage billing\n\n"
        '//go:generate stringer\nvar s = "// no" /* a block */\n'
    )
    assert regions_of(source, "go") == [
        "Package billing computes totals.",
        "It is slow.",
        "a block",
    ]


def test_rust_doc_and_plain_comments_skip_fenced_examples() -> None:
    source = (
        "//! The crate is delightful.\n\n/// Adds numbers.\n///\n/// ```\n/// let x = add(1, 2);\n"
        "/// ```\nfn add(a: i32, b: i32) -> i32 { a + b } // sum them\n/* Block comment. */\n"
        'const S: &str = "// no";\n'
    )
    assert regions_of(source, "rust") == [
        "The crate is delightful.",
        "Adds numbers.",
        "sum them",
        "Block comment.",
    ]


def test_non_ascii_comments_keep_code_point_offsets() -> None:
    source = 's = "héllo 🎉"  # café is 😀 great\n'
    (region,) = regions_of(source, "python")
    assert region == "café is 😀 great"
    assert_faithful(source, prose_regions(source, "python"))


def test_source_without_comments_has_no_prose() -> None:
    for language_id in ("python", "javascript", "typescript", "go", "rust"):
        assert prose_regions("", language_id) == []
