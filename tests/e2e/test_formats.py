"""Every format end to end over stdio: realistic documents of each kind, the real model.

Each document holds strongly negative sentences in its prose, which must be flagged at
their exact ranges, and strongly negative text where there is no prose (code, math,
comments, front matter, a diff, text an inline directive silences), which must not be.
"""

from __future__ import annotations

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import client_capabilities

from tests.e2e.lsp import (
    CONFIG,
    RecordingClient,
    diagnostics_for,
    hover_text,
    open_document,
    text_in_range,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

LANGUAGES = ["markdown", "restructuredtext", "latex", "python", "git-commit", "html"]


README = r"""---
title: The installer is a horrible, broken disaster
---

# Tidy

Tidy formats your notes in one pass. Setup takes a minute.

| Feature | Status |
|---------|--------|
| Export  | The export is slow, ugly and painful to use. |

> The old installer was a terrible, frustrating mess.

- Works offline.
- Syncs through your own folder.[^1]

<!-- sentiment-ls: ignore -->
This known bug is awful and we hate it.

Read the [guide][] before you start.
<!-- sentiment-ls: ignore --> The old website was ugly and useless.
The new one is online.

```sh
echo "this awful script is a horrible failure"
```

[guide]: https://example.com/terrible-awful-guide
[^1]: Conflicts are rare.
"""

SPHINX_PAGE = r"""=============
Configuration
=============

Tidy reads ``tidy.toml`` from the project folder. See :ref:`options` for the keys.

.. note::

   Earlier versions were a disaster: they corrupted files and ruined users' work.

.. code-block:: python

   raise RuntimeError("a horrible, disgusting failure")

Options
-------

``width``
   The line width. The default is 80.

.. sentiment-ls: ignore

The migration was a painful, miserable experience for everyone.

.. versionadded:: 2.0
   This awful directive is unknown to docutils.
"""

LATEX_SECTION = r"""\section{Evaluation}\label{sec:eval}
We evaluate the method on three corpora~\cite{smith2020}. % This terrible comment is not prose.
The baseline results were disappointing, inconsistent and frankly embarrassing.
Our approach improves accuracy by 4.2\% on average (Table~\ref{tab:main}).
\begin{equation}
  \mathrm{awful} = \mathrm{horrible}
\end{equation}
\begin{lstlisting}
// this disgusting code is a terrible failure
\end{lstlisting}
\subsection{Limitations}
The runtime grows linearly with the input length.
"""

PYTHON_MODULE = r'''"""Invoice totals for the billing service.

The legacy rounding code was a nightmare: buggy, slow and infuriating.
"""

from decimal import Decimal

ERROR = "this string is a horrible, awful disaster"


def total(lines: list[Decimal]) -> Decimal:
    """Sum the invoice lines.

    >>> total([Decimal("1.5"), Decimal("2")])
    Decimal('3.5')
    """
    # Rounding happens once, at the end.
    return sum(lines, Decimal(0))  # noqa: E501
'''

COMMIT_MESSAGE = r"""Fix the crash when the cache is empty

The old cache code was a broken, infuriating mess that crashed constantly.
Now an empty cache is created on first use.

# Please enter the commit message for your changes. Lines starting
# with '#' will be ignored. This awful comment is not part of the message.
# ------------------------ >8 ------------------------
diff --git a/cache.py b/cache.py
+# a horrible, terrible line in the diff
"""

HTML_PAGE = """<!doctype html>
<html><head><title>Release notes</title>
<script>const message = "a horrible, disgusting failure";</script></head>
<body>
<h1>Version 2.0</h1>
<p>The previous release was a terrible, frustrating mess &amp; we are sorry.</p>
<pre><code>an awful, hateful, broken code sample</code></pre>
<!-- sentiment-ls: ignore -->
<p>The support queue was miserable and infuriating.</p>
</body></html>
"""

CASES = {
    "README.md": (
        "markdown",
        README,
        [
            "The export is slow, ugly and painful to use.",
            "The old installer was a terrible, frustrating mess.",
        ],
        [
            "horrible, broken disaster",  # front matter
            "This known bug is awful and we hate it.",  # ignore, own line
            "The old website was ugly and useless.",  # ignore, inline
            "awful script",  # fenced code
            "terrible-awful-guide",  # a link definition
        ],
    ),
    "index.rst": (
        "restructuredtext",
        SPHINX_PAGE,
        ["Earlier versions were a disaster: they corrupted files and ruined users' work."],
        [
            "horrible, disgusting failure",  # code-block
            "painful, miserable experience",  # ignore
            "This awful directive",  # a directive docutils does not know
        ],
    ),
    "paper.tex": (
        "latex",
        LATEX_SECTION,
        ["The baseline results were disappointing, inconsistent and frankly embarrassing."],
        ["terrible comment", "awful", "disgusting code"],
    ),
    "billing.py": (
        "python",
        PYTHON_MODULE,
        ["The legacy rounding code was a nightmare: buggy, slow and infuriating."],
        ["horrible, awful disaster"],  # a string that is no docstring
    ),
    "COMMIT_EDITMSG": (
        "git-commit",
        COMMIT_MESSAGE,
        ["The old cache code was a broken, infuriating mess that crashed constantly."],
        ["This awful comment", "horrible, terrible line"],
    ),
    "notes.html": (
        "html",
        HTML_PAGE,
        ["The previous release was a terrible, frustrating mess & we are sorry."],
        ["disgusting failure", "broken code sample", "miserable and infuriating"],
    ),
}


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def client(lsp_client: RecordingClient):  # type: ignore[no-untyped-def]
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            initialization_options={"languages": LANGUAGES},
        )
    )
    yield
    await lsp_client.shutdown_session()


@pytest.mark.parametrize("name", list(CASES))
async def test_prose_is_flagged_at_its_range_and_the_rest_is_never_read(
    client: RecordingClient, name: str
) -> None:
    language_id, text, negative, not_prose = CASES[name]
    uri = f"file:///project/{name}"
    open_document(client, uri, text, language_id=language_id)
    diagnostics = await diagnostics_for(client, uri, 1)
    flagged = [text_in_range(text, d.range) for d in diagnostics]
    for sentence in negative:
        assert any(_same_prose(sentence, f) for f in flagged), (sentence, flagged)
    for words in not_prose:
        assert not any(words in f for f in flagged), (words, flagged)


def _same_prose(sentence: str, source_text: str) -> bool:
    """A flagged range holds the sentence, give or take the markup and entities inside it."""
    plain = source_text.replace("&amp;", "&").replace("\n", " ")
    return plain == sentence or (
        plain.startswith(sentence.split()[0]) and plain.endswith(sentence.split()[-1])
    )


async def test_a_language_left_out_of_the_setting_is_not_analysed(
    client: RecordingClient,
) -> None:
    uri = "file:///project/app.ts"
    source = "// This module is a terrible, frustrating mess.\nexport const x = 1;\n"
    open_document(client, uri, source, language_id="typescript")
    assert list(await diagnostics_for(client, uri, 1)) == []


async def test_turning_a_source_language_on_analyses_its_comments(
    client: RecordingClient,
) -> None:
    uri = "file:///project/server.go"
    source = (
        "// Package server handles requests.\npackage server\n\n"
        "// The old handler was a terrible, frustrating mess.\n"
        'var banner = "a horrible, disgusting string"\n'
    )
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={"sentimentLs": {"languages": [*LANGUAGES, "go"]}}
        )
    )
    open_document(client, uri, source, language_id="go")
    flagged = [text_in_range(source, d.range) for d in await diagnostics_for(client, uri, 1)]
    assert "The old handler was a terrible, frustrating mess." in flagged
    assert not any("disgusting" in f for f in flagged)


@pytest.mark.parametrize(
    ("language_id", "item"),
    [
        ("markdown", "This unfortunately creates a horrible, frustrating mess for `pip`"),
        ("restructuredtext", "This unfortunately creates a horrible, frustrating mess for ``pip``"),
    ],
)
async def test_a_list_item_ending_in_code_is_flagged_and_hovered_to_its_closing_backtick(
    client: RecordingClient, language_id: str, item: str
) -> None:
    """The range covers the item as written, literal included; the hover's lead speaks the
    writer's words and what the model read (the placeholder) is in its pipeline section."""
    uri = f"file:///project/changes-{language_id}.txt"
    source = f"Changes\n\n- Licenses exclude GPL-3\n- {item}\n"
    open_document(client, uri, source, language_id=language_id)
    (diagnostic,) = await diagnostics_for(client, uri, 1)
    assert text_in_range(source, diagnostic.range) == item
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=3, character=len(item) + 1),  # the last backtick
        )
    )
    assert hover is not None and hover.range == diagnostic.range
    lead, pipeline = hover_text(hover).split("\n---\n", 1)
    assert "“x”" not in lead
    assert "The model read “This unfortunately creates a horrible, frustrating mess for x”" in (
        pipeline
    )
