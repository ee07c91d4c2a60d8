from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sentiment_ls.document import Sentence, document_sentences, prose_regions

from .helpers import assert_faithful, texts


def regions_of(source: str) -> list[str]:
    regions = prose_regions(source, "markdown")
    assert_faithful(source, regions)
    return texts(regions)


def sentences_of(source: str) -> list[Sentence]:
    sentences = document_sentences(source, "markdown")
    assert_faithful(source, sentences)
    return sentences


def test_paragraphs_with_soft_breaks() -> None:
    source = "A wrapped\nline. Another one.\n\nSecond paragraph.\n"
    sentences = sentences_of(source)
    assert texts(sentences) == ["A wrapped line.", "Another one.", "Second paragraph."]
    assert source[sentences[0].start : sentences[0].end] == "A wrapped\nline."


def test_headings_are_regions_of_their_own() -> None:
    source = "# Big news\nThe launch went well.\n\nSetext title\n============\nIt *works*.\n"
    assert regions_of(source) == ["Big news", "The launch went well.", "Setext title", "It works."]
    assert texts(sentences_of(source))[:2] == ["Big news", "The launch went well."]


def test_atx_closing_sequence_is_not_prose() -> None:
    source = "## Release notes ##\n"
    (sentence,) = sentences_of(source)
    assert sentence.text == "Release notes"
    assert (sentence.start, sentence.end) == (3, 16)


def test_code_blocks_are_skipped() -> None:
    source = (
        "Before the code.\n\n```python\nprint('I hate this.')\n```\n\n"
        "    indented = 'awful'\n\n~~~\nmore code\n~~~\nAfter the code.\n"
    )
    assert regions_of(source) == ["Before the code.", "After the code."]


def test_inline_code_is_read_as_a_placeholder_at_its_backtick() -> None:
    source = "Run `rm -rf` and smile."
    (sentence,) = sentences_of(source)
    assert sentence.text == "Run x and smile."
    assert (sentence.start, sentence.end) == (0, len(source))
    assert sentence.offsets[4] == 4  # the placeholder sits at the opening backtick
    assert sentence.offsets[5:] == tuple(range(12, len(source)))


def test_inline_code_alone_is_no_prose() -> None:
    assert regions_of("`make install`\n\n# `Config`\n") == []


def test_front_matter_is_skipped() -> None:
    source = "---\ntitle: Terrible\ntags: [bad]\n---\nThe body is fine.\n"
    assert regions_of(source) == ["The body is fine."]


def test_html_blocks_and_inline_html_are_dropped() -> None:
    source = (
        "<div class='note'>\nHidden *awful* words.\n</div>\n\n"
        "Some <b>bold</b> and <!-- a\ncomment --> text.\n"
    )
    assert regions_of(source) == ["Some bold and  text."]


def test_links_keep_their_text_and_drop_their_destination() -> None:
    source = (
        '[The docs](https://x.org/a_b "docs title") are [great][ref], [really][] good.\n\n'
        "[ref]: https://x.org\n[really]: https://y.org 'title'\n"
    )
    (sentence,) = sentences_of(source)
    assert sentence.text == "The docs are great, really good."
    start, end = sentence.source_span(sentence.text.index("great"), sentence.text.index(","))
    assert source[start:end] == "great"


def test_a_word_in_a_link_title_is_not_mistaken_for_the_text_after_it() -> None:
    source = "[x](/u \"a b\") b and [y](<a b> 'b') b."
    (region,) = prose_regions(source, "markdown")
    assert region.text == "x b and y b."
    assert_faithful(source, [region])
    assert region.offsets[2] == source.index(") b") + 2


def test_a_link_across_lines_in_a_block_quote() -> None:
    source = '> See [the\n> manual](http://m\n> "T") today.\n'
    assert regions_of(source) == ["See the manual today."]


def test_autolinks_and_bare_urls_are_dropped() -> None:
    source = (
        "Mail <me@example.org> or see <https://example.org>, "
        "https://en.wikipedia.org/wiki/Foo_(bar), and www.example.com. Thanks!\n"
    )
    sentences = sentences_of(source)
    assert texts(sentences) == ["Mail  or see , , and .", "Thanks!"]


def test_a_parenthesis_around_a_bare_url_stays_in_the_text() -> None:
    assert regions_of("Read it (at https://x.org/a_(b)) twice.") == ["Read it (at ) twice."]


def test_images_are_dropped_with_their_alt_text() -> None:
    source = "[![build passing](badge.svg)](https://ci) Nice ![smile](s.png) work.\n"
    assert regions_of(source) == [" Nice  work."]


def test_emphasis_and_strikethrough_markers_are_removed() -> None:
    source = "It was **really** *very* ___nice___ but ~~not~~ a*b* 2*3 snake_case_name.\n"
    (sentence,) = sentences_of(source)
    assert sentence.text == "It was really very nice but not ab 2*3 snake_case_name."


def test_escapes_map_to_the_escaped_character() -> None:
    source = r"Stars \*not emphasis\* and a \\ backslash \q."
    (region,) = prose_regions(source, "markdown")
    assert region.text == r"Stars *not emphasis* and a \ backslash \q."
    assert_faithful(source, [region])
    assert region.offsets[6] == source.index(r"\*") + 1


def test_entities_are_decoded_at_their_ampersand() -> None:
    source = "Fish &amp; chips &copy; &#128512; &#x4e2d; &NotEqualTilde; &bogus; ok."
    (region,) = prose_regions(source, "markdown")
    assert region.text == "Fish & chips © 😀 中 \u2242\u0338 &bogus; ok."
    assert_faithful(source, [region])
    assert region.offsets[region.text.index("©")] == source.index("&copy;")


def test_hard_line_breaks_are_spaces() -> None:
    source = "Two spaces  \nand a backslash\\\nbreak here.\n"
    (sentence,) = sentences_of(source)
    assert sentence.text == "Two spaces and a backslash break here."
    assert source[sentence.offsets[10]] == "\n"


def test_list_items_and_block_quotes_are_prose() -> None:
    source = (
        "- First item\n  wraps here.\n- Second item.\n  1. Nested *item*.\n\n"
        "> Quoted line\n> continues. And ends.\n>\n> > Deeper quote.\n"
    )
    assert regions_of(source) == [
        "First item wraps here.",
        "Second item.",
        "Nested item.",
        "Quoted line continues. And ends.",
        "Deeper quote.",
    ]


def test_table_cells_are_regions() -> None:
    source = (
        "| Feature | Verdict |\n|---|:---:|\n"
        "| Speed | *great* |\n| Pipes \\| too | `code` |\n| same | same |\n"
    )
    regions = prose_regions(source, "markdown")
    assert texts(regions) == [
        "Feature", "Verdict", "Speed", "great", "Pipes | too", "same", "same",
    ]  # fmt: skip
    assert_faithful(source, regions)
    assert regions[-2].offsets[0] < regions[-1].offsets[0]


@pytest.mark.parametrize("line_break", ["\r\n", "\r"])
def test_other_line_endings(line_break: str) -> None:
    source = line_break.join(
        ["---", "a: b", "---", "# Title", "Line *one*", "line two.", "", "> Quote", "> on.", ""]
    )
    sentences = sentences_of(source)
    assert texts(sentences) == ["Title", "Line one line two.", "Quote on."]
    assert source[sentences[1].start : sentences[1].end] == f"Line *one*{line_break}line two."


def test_tab_indentation() -> None:
    source = "- item\n\n\tcontinued\ttext.\n\n>\tquoted\ttab.\n"
    assert regions_of(source) == ["item", "continued\ttext.", "quoted\ttab."]


def test_emoji_cjk_and_combining_characters() -> None:
    source = "# 🎉 Launch\n\n**Great** 👩\u200d👩\u200d👧 day, cafe\u0301! 我很高兴。*今天*很好。\n"
    sentences = sentences_of(source)
    assert texts(sentences) == [
        "🎉 Launch",
        "Great 👩\u200d👩\u200d👧 day, cafe\u0301!",
        "我很高兴。",
        "今天很好。",
    ]
    # The sentence starts at its first prose character, inside the emphasis.
    assert source[sentences[1].start : sentences[1].end] == (
        "Great** 👩\u200d👩\u200d👧 day, cafe\u0301!"
    )


_MARKDOWN_ATOMS = [
    "a", "b c", " ", "\n", "\r\n", "\t", "*", "**", "_", "~~", "`", "[", "]", "(", ")",
    "<", ">", "!", "\\", "&amp;", "&copy;", "|", "#", "- ", "1. ", "> ", "    ", "http://x.y/z",
    "<b>", '"', "😀", "中", "=", "```", "[r]: /u\n", "[r]", "[a](b)", "![i](j)", "<http://a>",
]  # fmt: skip


@settings(max_examples=150, deadline=None, database=None)
@given(st.lists(st.sampled_from(_MARKDOWN_ATOMS), max_size=30).map("".join))
def test_any_markdown_maps_back_exactly(source: str) -> None:
    assert_faithful(source, prose_regions(source, "markdown"))


def test_footnote_references_are_markup_and_definitions_are_prose() -> None:
    source = "A claim.[^note] More text.\n\n[^note]: The footnote is sad.\n    It goes on.\n"
    assert regions_of(source) == ["A claim. More text.", "The footnote is sad. It goes on."]


def test_reference_style_links_keep_their_text_and_definitions_are_not_prose() -> None:
    source = (
        "Read [the guide][guide] and [Docs][].\n\n"
        '[guide]: https://example.com/guide "An awful title"\n[docs]: <https://example.com>\n'
    )
    assert regions_of(source) == ["Read the guide and Docs."]


def test_html_comments_are_not_prose() -> None:
    source = "Before.\n\n<!-- a terrible comment\nover two lines -->\n\nAfter <!-- inline --> it.\n"
    assert regions_of(source) == ["Before.", "After  it."]


def test_headings_never_merge_with_the_next_line() -> None:
    source = "## Setup\nInstall it. Then run it.\n"
    assert texts(sentences_of(source)) == ["Setup", "Install it.", "Then run it."]


def test_block_quotes_lists_and_myst_or_jupyter_fences() -> None:
    source = (
        "> Quoted *praise*,\n> over two lines.\n>\n> - a nested item\n\n"
        "```{code-cell} ipython3\nprint('awful')\n```\n\n1. First step.\n2. Second step.\n"
    )
    assert regions_of(source) == [
        "Quoted praise, over two lines.",
        "a nested item",
        "First step.",
        "Second step.",
    ]


def test_mdx_module_lines_and_expressions_are_not_prose() -> None:
    source = (
        "import Chart from './Chart'\nexport const meta = {\n  title: 'awful',\n}\n\n"
        "# Report\n\nSales were <Highlight>great</Highlight> this year.\n\n{props.awful}\n"
    )
    regions = prose_regions(source, "mdx")
    assert_faithful(source, regions)
    assert texts(regions) == ["Report", "Sales were great this year."]
