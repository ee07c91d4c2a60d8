"""A sentence in the writer's words: in every format, inline code reads as the placeholder
but is quoted as written, white space is collapsed, and the range covers exactly the
sentence, literal included. List items end a sentence without a full stop."""

from __future__ import annotations

import pytest

from sentiment_ls.document import LineIndex, Sentence, document_sentences
from sentiment_ls.document.model import StandIn

from .helpers import assert_faithful

# Per format: a source, then each sentence as (quote, what the model reads, first character,
# character after the last), positions as 1-based (line, column) in code points.
GOLDEN: dict[str, tuple[str, list[tuple[str, str, tuple[int, int], tuple[int, int]]]]] = {
    "markdown": (
        "# Notes\n\n`tqdm` is known for   skipping\nunnecessary displays.\n\n"
        "- Bump `tqdm`\n- This *really* creates a mess\n",
        [
            ("Notes", "Notes", (1, 3), (1, 8)),
            (
                "`tqdm` is known for skipping unnecessary displays.",
                "x is known for   skipping unnecessary displays.",
                (3, 1),
                (4, 22),
            ),
            ("Bump `tqdm`", "Bump x", (6, 3), (6, 14)),
            ("This really creates a mess", "This really creates a mess", (7, 3), (7, 31)),
        ],
    ),
    "restructuredtext": (
        "Notes\n=====\n\n``tqdm`` is known for   skipping\nunnecessary displays.\n\n"
        "- Bump ``tqdm``\n- This *really* creates a mess\n",
        [
            ("Notes", "Notes", (1, 1), (1, 6)),
            (
                "``tqdm`` is known for skipping unnecessary displays.",
                "x is known for   skipping unnecessary displays.",
                (4, 1),
                (5, 22),
            ),
            ("Bump ``tqdm``", "Bump x", (7, 3), (7, 16)),
            ("This really creates a mess", "This really creates a mess", (8, 3), (8, 31)),
        ],
    ),
    "latex": (
        "\\section{Notes}\n\\verb|tqdm| is known for   skipping\nunnecessary displays.\n"
        "\\begin{itemize}\n\\item Bump \\verb|tqdm|\n\\item This \\emph{really} creates a mess\n"
        "\\end{itemize}\n",
        [
            ("Notes", "Notes", (1, 10), (1, 15)),
            (
                "\\verb|tqdm| is known for skipping unnecessary displays.",
                "x is known for   skipping unnecessary displays.",
                (2, 1),
                (3, 22),
            ),
            ("Bump \\verb|tqdm|", "Bump x", (5, 7), (5, 23)),
            ("This really creates a mess", "This really creates a mess", (6, 7), (6, 40)),
        ],
    ),
    "plaintext": (
        "Notes\n\n`tqdm` is known for   skipping\nunnecessary displays.\n\n"
        "- Bump `tqdm`\n- This really creates a mess\n",
        [
            ("Notes", "Notes", (1, 1), (1, 6)),
            (
                "`tqdm` is known for skipping unnecessary displays.",
                "x is known for   skipping unnecessary displays.",
                (3, 1),
                (4, 22),
            ),
            ("Bump `tqdm`", "Bump x", (6, 3), (6, 14)),
            ("This really creates a mess", "This really creates a mess", (7, 3), (7, 29)),
        ],
    ),
    "html": (
        "<h1>Notes</h1>\n<p><code>tqdm</code> is known for   skipping\nunnecessary displays.</p>\n"
        "<ul><li>Bump <code>tqdm</code></li>\n<li>This <em>really</em> creates a mess</li></ul>\n",
        [
            ("Notes", "Notes", (1, 5), (1, 10)),
            (
                "<code>tqdm</code> is known for skipping unnecessary displays.",
                "x is known for   skipping unnecessary displays.",
                (2, 4),
                (3, 22),
            ),
            ("Bump <code>tqdm</code>", "Bump x", (4, 9), (4, 31)),
            ("This really creates a mess", "This really creates a mess", (5, 5), (5, 40)),
        ],
    ),
    "python": (
        "# `tqdm` is known for   skipping\n# unnecessary displays.\n# - Bump ``tqdm``\n"
        "# - This really creates a mess\nx = 1\n",
        [
            (
                "`tqdm` is known for skipping unnecessary displays.",
                "x is known for   skipping unnecessary displays.",
                (1, 3),
                (2, 24),
            ),
            ("Bump ``tqdm``", "Bump x", (3, 5), (3, 18)),
            ("This really creates a mess", "This really creates a mess", (4, 5), (4, 31)),
        ],
    ),
    "git-commit": (
        "Bump `tqdm`\n\n`tqdm` is known for   skipping\nunnecessary displays.\n"
        "- This really creates a mess\n",
        [
            ("Bump `tqdm`", "Bump x", (1, 1), (1, 12)),
            (
                "`tqdm` is known for skipping unnecessary displays.",
                "x is known for   skipping unnecessary displays.",
                (3, 1),
                (4, 22),
            ),
            ("This really creates a mess", "This really creates a mess", (5, 3), (5, 29)),
        ],
    ),
}


def located(source: str, sentence: Sentence) -> tuple[tuple[int, int], tuple[int, int]]:
    index = LineIndex(source)
    (line, column), (end_line, end_column) = (
        index.position(sentence.start, "utf-32"),
        index.position(sentence.end, "utf-32"),
    )
    return (line + 1, column + 1), (end_line + 1, end_column + 1)


@pytest.mark.parametrize("language_id", list(GOLDEN))
def test_sentences_are_quoted_as_written_at_their_exact_range(language_id: str) -> None:
    source, expected = GOLDEN[language_id]
    sentences = document_sentences(source, language_id)
    assert_faithful(source, sentences)
    assert [(s.quote, s.text, *located(source, s)) for s in sentences] == expected
    for sentence in sentences:
        # The range covers the sentence as quoted: its first and last words are at its ends.
        covered = " ".join(source[sentence.start : sentence.end].split())
        words = sentence.quote.split()
        assert covered.startswith(words[0]) and covered.endswith(words[-1]), covered


def test_a_restructuredtext_literal_keeps_the_sentence_its_subject() -> None:
    # The case: the literal was dropped, and the sentence read, quoted and located
    # as "is known for ..." at column 10.
    source = "``tqdm`` is known for intelligently skipping unnecessary displays.\n"
    (sentence,) = document_sentences(source, "restructuredtext")
    assert sentence.text == "x is known for intelligently skipping unnecessary displays."
    assert sentence.quote == source.strip()
    assert (sentence.start, sentence.end) == (0, len(source) - 1)


def test_quote_replaces_whole_stand_ins_only_and_collapses_white_space() -> None:
    source = "Run `make`  now,\n  then `x`"
    text = "Run x  now,   then x"
    offsets = (*range(0, 5), *range(10, 16), 16, *range(17, 24), 24)
    sentence = Sentence(text, offsets, (StandIn(4, 5, 10, "`make`"), StandIn(19, 20, 27, "`x`")))
    assert_faithful(source, [sentence])
    assert sentence.quote == "Run `make` now, then `x`"
    assert sentence.quoted(0, 3) == "Run"
    assert sentence.quoted(4, 5) == "`make`"
    assert (sentence.start, sentence.end) == (0, len(source))  # through the closing backtick
    assert sentence.source_span(4, 5) == (4, 10)


def test_a_stand_in_must_lie_in_the_text_and_end_after_it_starts() -> None:
    with pytest.raises(ValueError, match="outside"):
        Sentence("ab", (0, 1), (StandIn(1, 3, 5, "`c`"),))
    with pytest.raises(ValueError, match="ends before"):
        Sentence("ab", (0, 4), (StandIn(1, 2, 3, "`c`"),))


CHANGELOG_ITEMS = [
    "Licenses exclude GPL-3",
    "This unfortunately creates a mess for packagers",
    "Faster start",
]


@pytest.mark.parametrize(
    ("language_id", "source"),
    [
        (
            "plaintext",
            "Changes\n- Licenses exclude GPL-3\n- This unfortunately creates a mess for\n"
            "  packagers\n* Faster start\n",
        ),
        (
            "plaintext",
            "Changes\n  1. Licenses exclude GPL-3\n  2. This unfortunately creates a mess for\n"
            "     packagers\n  3) Faster start\n",
        ),
        (
            "python",
            "# Changes\n# - Licenses exclude GPL-3\n# - This unfortunately creates a mess for\n"
            "#   packagers\n# - Faster start\nx = 1\n",
        ),
        (
            "git-commit",
            "Changes\n\n- Licenses exclude GPL-3\n- This unfortunately creates a mess for\n"
            "  packagers\n- Faster start\n",
        ),
        (
            # No blank line before the list: docutils reads one paragraph (and an indented
            # line would make it a definition list).
            "restructuredtext",
            "Changes\n- Licenses exclude GPL-3\n- This unfortunately creates a mess for "
            "packagers\n- Faster start\n",
        ),
        (
            "markdown",
            "Changes\n- Licenses exclude GPL-3\n- This unfortunately creates a mess for\n"
            "  packagers\n- Faster start\n",
        ),
    ],
)
def test_list_items_without_a_full_stop_are_sentences_of_their_own(
    language_id: str, source: str
) -> None:
    sentences = document_sentences(source, language_id)
    assert_faithful(source, sentences)
    assert [s.quote for s in sentences] == ["Changes", *CHANGELOG_ITEMS]


def test_a_line_that_only_looks_like_prose_after_a_dash_still_joins_its_paragraph() -> None:
    source = "The range is 1-3\nand the rest-of-line stays.\n"
    assert [s.quote for s in document_sentences(source, "plaintext")] == [
        "The range is 1-3 and the rest-of-line stays."
    ]
