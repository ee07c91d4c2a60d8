from __future__ import annotations

import pytest

from sentiment_ls.document import (
    LANGUAGE_BY_SUFFIX,
    SUPPORTED_LANGUAGES,
    UnsupportedFormat,
    document_sentences,
    language_of,
    prose_regions,
)

from .helpers import texts


def test_plaintext_and_markdown_are_supported() -> None:
    assert {"plaintext", "markdown"} <= SUPPORTED_LANGUAGES


def test_an_unknown_language_id_is_a_value_error_naming_it() -> None:
    with pytest.raises(UnsupportedFormat, match="'cobol'") as raised:
        prose_regions("x = 1", "cobol")
    assert isinstance(raised.value, ValueError)
    with pytest.raises(UnsupportedFormat):
        document_sentences("x = 1", "cobol")


def test_every_suffix_and_file_name_maps_to_a_supported_language() -> None:
    assert set(LANGUAGE_BY_SUFFIX.values()) <= SUPPORTED_LANGUAGES
    assert language_of("docs/index.RST") == "restructuredtext"
    assert language_of("/repo/.git/COMMIT_EDITMSG") == "git-commit"
    assert language_of("src/App.tsx") == "typescriptreact"
    assert language_of("Makefile") == "plaintext"
    assert language_of("archive.tar.gz", default=None) is None


def test_document_sentences_are_in_source_order_across_regions() -> None:
    source = "# Title\n\nFirst one. Second one.\n\n- Third one.\n"
    sentences = document_sentences(source, "markdown")
    assert texts(sentences) == ["Title", "First one.", "Second one.", "Third one."]
    starts = [sentence.start for sentence in sentences]
    assert starts == sorted(starts)


def test_an_empty_document_has_no_sentences() -> None:
    for language_id in SUPPORTED_LANGUAGES:
        assert document_sentences("", language_id) == []
        assert document_sentences("\n \n\t\n", language_id) == []
