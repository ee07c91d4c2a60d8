"""Markdown headings and the sections they open, for the per-heading code lens."""

from __future__ import annotations

from sentiment_ls.document.headings import markdown_headings


def test_levels_ranges_and_sections_with_front_matter_and_setext() -> None:
    source = (
        "---\n# a YAML comment, not a heading\n---\n"
        "# One 🎉\n\nText.\r\n\n## Two\nMore.\n\nThree\n=====\nEnd.\n"
    )
    headings = markdown_headings(source)
    assert [(h.level, source[h.start : h.end]) for h in headings] == [
        (1, "# One 🎉"),
        (2, "## Two"),
        (1, "Three\n====="),
    ]
    one, two, three = headings
    assert source[one.start : one.section_end] == "# One 🎉\n\nText.\r\n\n## Two\nMore.\n\n"
    assert one.section_end == two.section_end == three.start  # "## Two" ends where "#" does
    assert three.section_end == len(source)


def test_no_headings_in_code() -> None:
    assert markdown_headings("```\n# not a heading\n```\n\n    # nor this\n") == []
