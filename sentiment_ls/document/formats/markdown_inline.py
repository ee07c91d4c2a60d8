"""The prose inside one markdown-it `inline` token, located exactly in that token's content.

markdown-it gives block tokens line ranges but gives inline children no positions, and a
child's text is not always a copy of the source (escapes, entities, link destinations,
code spans). Two things together place every child without guessing:

- the inline rules whose source extent cannot be recovered from the token they produce
  (links, images, code spans, inline HTML, autolinks, escapes, entities, line breaks) are
  wrapped to record the [start, end) they consumed in the token's content;
- plain `text` children, whose extent is not recorded (later passes merge them), are then
  found at a cursor that those spans and the emphasis delimiters keep exactly in step; a
  text that is not at the cursor (give or take blanks) is left out rather than misplaced.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import NamedTuple

from markdown_it import MarkdownIt
from markdown_it.rules_inline import (
    StateInline,
    autolink,
    backtick,
    entity,
    escape,
    html_inline,
    image,
    link,
    newline,
)
from markdown_it.token import Token

from ..model import INLINE_CODE_READS_AS

_SPAN = "sentiment_ls.span"

_InlineRule = Callable[[StateInline, bool], bool]

_RECORDED_RULES: dict[str, _InlineRule] = {
    "newline": newline,
    "escape": escape,
    "backticks": backtick,
    "link": link,
    "image": image,
    "autolink": autolink,
    "html_inline": html_inline,
    "entity": entity,
}

# Bare URLs (the GFM "extended autolink" shapes): a scheme or "www." up to white space or
# "<", less trailing punctuation that belongs to the sentence.
_BARE_URL = re.compile(r"\b(?:[A-Za-z][A-Za-z0-9+.-]*://|www\.)[^\s<]+")
_URL_TRAILING_PUNCTUATION = "?!.,:;*_~'\""


class ProseRun(NamedTuple):
    """Prose taken from content[start:]: one content index per character when `spread`, or,
    for a decoded entity or a code span's placeholder, every character at its start."""

    start: int
    text: str
    spread: bool
    # For the placeholder of a code span: the content index one past the span.
    literal_end: int | None = None


def record_spans(md: MarkdownIt, plugin_rules: dict[str, _InlineRule] | None = None) -> None:
    """Make `md` store in each non-text inline token the content span it was parsed from;
    `plugin_rules` are the inline rules that plugins added, by name."""
    for name, rule in {**_RECORDED_RULES, **(plugin_rules or {})}.items():
        md.inline.ruler.at(name, _recording(rule))


def _recording(rule: _InlineRule) -> _InlineRule:
    def recording_rule(state: StateInline, silent: bool) -> bool:
        start, first_new_token = state.pos, len(state.tokens)
        if not rule(state, silent):
            return False
        if not silent:
            for token in state.tokens[first_new_token:]:
                # A `text` token here is earlier pending text, flushed by the rule's push.
                if token.type != "text":
                    token.meta[_SPAN] = (start, state.pos)
                    break
        return True

    return recording_rule


def prose_runs(content: str, children: Sequence[Token]) -> Iterator[ProseRun]:
    """The prose in an inline token, in order, located in its `content`.

    Kept: text (link text included), escaped characters, decoded entities, and line breaks
    (as spaces). Dropped: markup, code spans, inline HTML, autolinks and bare URLs, and
    images with their alt text (alt text describes a picture rather than saying what the
    author says, and the common inline images, badges and icons, would splice words such as
    "build passing" into the sentence around them).
    """
    cursor = 0
    link_ends: list[int] = []
    in_autolink = False
    for token in children:
        if in_autolink:
            in_autolink = token.type != "link_close"
            continue
        span: tuple[int, int] | None = token.meta.get(_SPAN)
        if token.type == "text":
            found = _found_at(content, token.content, cursor)
            if found is not None:
                yield from _without_bare_urls(token.content, found)
                cursor = found + len(token.content)
        elif span is not None:
            start, end = span
            if token.type == "link_open":
                if token.markup == "autolink":
                    # Its text is the URL itself: skip everything up to its link_close.
                    in_autolink, cursor = True, end
                else:
                    # The link text follows "["; the destination after it is skipped at
                    # link_close.
                    link_ends.append(end)
                    cursor = start + 1
                continue
            if token.type == "text_special":
                yield from _special_text(content, token, start)
            elif token.type in ("softbreak", "hardbreak"):
                line_break = content.find("\n", start, end)
                if line_break >= 0:
                    yield ProseRun(line_break, " ", spread=True)
            elif token.type == "code_inline":
                # The code is not prose, but the sentence around it is: the model reads a
                # placeholder in its place, all of it placed at the opening backtick.
                yield ProseRun(start, INLINE_CODE_READS_AS, spread=False, literal_end=end)
            # Whatever else has a span (image, html_inline, footnote_ref) is dropped.
            cursor = end
        elif token.type == "link_close":
            if link_ends:
                cursor = link_ends.pop()
        elif token.markup:
            # Emphasis and strikethrough delimiters: step over them.
            found = _found_at(content, token.markup, cursor)
            if found is not None:
                cursor = found + len(token.markup)


def _found_at(content: str, needle: str, cursor: int) -> int | None:
    """Where `needle` starts if it is at `cursor`, or only blanks away from it."""
    if not needle:
        return None
    position = cursor
    while position < len(content) and content[position] in " \t":
        position += 1
    if content.startswith(needle, cursor):
        return cursor
    return position if content.startswith(needle, position) else None


def _special_text(content: str, token: Token, start: int) -> Iterator[ProseRun]:
    """An escape (`\\*` is "*", at the "*") or an entity (`&amp;` is "&", at the "&")."""
    if not content.startswith(token.markup, start) or not token.content:
        return
    if token.content == token.markup:
        # An escape of a character that needs none keeps its backslash.
        yield ProseRun(start, token.content, spread=True)
    elif token.info == "escape":
        yield ProseRun(start + 1, token.content, spread=True)
    else:
        yield ProseRun(start, token.content, spread=False)


def _without_bare_urls(text: str, start: int) -> Iterator[ProseRun]:
    kept_from = 0
    for url_start, url_end in _bare_urls(text):
        if url_start > kept_from:
            yield ProseRun(start + kept_from, text[kept_from:url_start], spread=True)
        kept_from = url_end
    if kept_from < len(text):
        yield ProseRun(start + kept_from, text[kept_from:], spread=True)


def _bare_urls(text: str) -> Iterator[tuple[int, int]]:
    if "://" not in text and "www." not in text:
        return
    for match in _BARE_URL.finditer(text):
        url_start, url_end = match.span()
        while url_end > url_start and _ends_outside_url(text[url_start:url_end]):
            url_end -= 1
        yield url_start, url_end


def _ends_outside_url(url: str) -> bool:
    """Whether the last character is the sentence's: trailing punctuation, or a ")" that closes
    a parenthesis opened before the URL (a ")" closing one inside it, as in Wikipedia links,
    is kept)."""
    last = url[-1]
    if last == ")":
        return url.count("(") < url.count(")")
    return last in _URL_TRAILING_PUNCTUATION
