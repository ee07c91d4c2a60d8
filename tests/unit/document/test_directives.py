"""Inline directives: `ignore`, `disable` and `enable` in each format's comment syntax."""

from __future__ import annotations

import pytest

from sentiment_ls.document import document_sentences

from .helpers import texts


def kept(source: str, language_id: str) -> list[str]:
    return texts(document_sentences(source, language_id))


def test_markdown_ignore_on_its_own_line_silences_the_next_block() -> None:
    source = (
        "Keep this one.\n\n<!-- sentiment-ls: ignore -->\nThis is awful. So awful.\n\n"
        "Keep this too.\n"
    )
    assert kept(source, "markdown") == ["Keep this one.", "Keep this too."]


def test_markdown_inline_ignore_silences_only_the_next_sentence() -> None:
    source = "First. <!-- sentiment-ls: ignore --> Awful one. Fine one.\n"
    assert kept(source, "markdown") == ["First.", "Fine one."]


def test_disable_and_enable_pairs() -> None:
    source = (
        "One.\n\n<!-- sentiment-ls: disable -->\n\nTwo.\n\n- Three.\n\n"
        "<!--sentiment-ls:enable-->\n\nFour.\n\n<!-- sentiment-ls: disable -->\n\nFive.\n"
    )
    assert kept(source, "markdown") == ["One.", "Four."]


@pytest.mark.parametrize(
    ("language_id", "source"),
    [
        ("restructuredtext", "Kept.\n\n.. sentiment-ls: ignore\n\nGone here.\n\nAlso kept.\n"),
        ("latex", "Kept.\n\n% sentiment-ls: ignore\nGone here.\n\nAlso kept.\n"),
        ("html", "<p>Kept.</p>\n<!-- sentiment-ls: ignore -->\n<p>Gone here.</p><p>Also kept.</p>"),
        ("python", '"""Kept."""\n# sentiment-ls: ignore\n# Gone here.\n\n# Also kept.\n'),
        ("typescript", "// Kept.\n\n/* sentiment-ls: ignore */\n// Gone here.\n\n// Also kept.\n"),
        ("go", "// Kept.\n\n// sentiment-ls: ignore\n/* Gone here. */\n\n// Also kept.\n"),
        (
            "rust",
            "/// Kept.\nfn a() {}\n// sentiment-ls: ignore\n/// Gone here.\nfn b() {}\n"
            "/// Also kept.\nfn c() {}\n",
        ),
        ("git-commit", "Kept.\n\n# sentiment-ls: ignore\nGone here.\n\nAlso kept.\n"),
    ],
)
def test_each_format_uses_its_comment_syntax(language_id: str, source: str) -> None:
    assert kept(source, language_id) == ["Kept.", "Also kept."] or kept(source, language_id) == [
        "Kept",
        "Also kept.",
    ]


def test_a_directive_outside_a_comment_is_prose_not_a_directive() -> None:
    source = "Write sentiment-ls: ignore in a comment. This stays.\n"
    assert kept(source, "markdown") == ["Write sentiment-ls: ignore in a comment.", "This stays."]


def test_another_formats_syntax_does_nothing() -> None:
    source = "% sentiment-ls: ignore\n\nStill here.\n"
    assert kept(source, "markdown") == ["% sentiment-ls: ignore", "Still here."]
