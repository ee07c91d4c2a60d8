"""reStructuredText, LaTeX, HTML and git commit messages: what is prose, and where it is."""

from __future__ import annotations

from sentiment_ls.document import document_sentences, prose_regions

from .helpers import assert_faithful, texts


def regions_of(source: str, language_id: str, read_as_space: str = "\r\n") -> list[str]:
    regions = prose_regions(source, language_id)
    assert_faithful(source, regions, read_as_space)
    assert_faithful(source, document_sentences(source, language_id), read_as_space)
    return texts(regions)


RST = """\
==========
User guide
==========

Installing is *easy* and **fast**; read the `manual <https://example.com/m>`_,
:ref:`the API <api>` and ``pip install x``. An escaped \\*star\\* stays |name|, really.

.. note:: Upgrades can be painful.

- First item is good.
- Second item

  goes on here.

.. code-block:: python

   print("this is terrible code")

.. versionadded:: 2.0
   Unknown directives are not read.

+------------+-------------+
| Cell one   | Cell two    |
+------------+-------------+

Term
   Its definition.

.. |name| replace:: a substitution
.. [#] A footnote. See https://example.com/x.
.. a comment that is horrible
"""


def test_restructuredtext_blocks_and_inline_markup() -> None:
    assert regions_of(RST, "restructuredtext") == [
        "User guide",
        # The inline literal reads as the placeholder, as in Markdown, rather than a hole.
        "Installing is easy and fast; read the manual,  and x. An escaped *star* stays , really.",
        "Upgrades can be painful.",
        "First item is good.",
        "Second item",
        "goes on here.",
        "Cell one",
        "Cell two",
        "Term",
        "Its definition.",
        "A footnote. See .",
    ]


def test_restructuredtext_with_crlf_line_endings() -> None:
    source = "Title\r\n=====\r\n\r\nOne line\r\nand the next.\r\n"
    assert regions_of(source, "restructuredtext") == ["Title", "One line and the next."]


def test_broken_restructuredtext_still_gives_what_it_can() -> None:
    source = "Title\n=====\n\n*unclosed emphasis and `bad role.\n\n.. unknown::\n"
    assert regions_of(source, "restructuredtext")[0] == "Title"


LATEX = r"""\documentclass{article}
\usepackage[utf8]{inputenc}
\newcommand{\awful}{an awful macro}
\title{On Happy Results}
\begin{document}
\maketitle
\begin{abstract}
We present a \emph{wonderful} method~\cite{knuth84}. It is 50\% faster.
\end{abstract}

\section{Introduction}\label{sec:intro}
Prior work was disappointing (Fig.~\ref{fig:plot}), and the bound $O(n^2)$ % terrible comment
holds for all $n$.\footnote{A footnote here.} See \href{https://example.com}{the site}.
\begin{equation}
  x = \frac{1}{2}
\end{equation}
\begin{itemize}
  \item First point.
  \item[b)] Second point \textbf{fails}.
\end{itemize}
\begin{lstlisting}
this code is horrible
\end{lstlisting}
\begin{figure}[h]
  \includegraphics[width=\linewidth]{plot.pdf}
  \caption{Results look great.}
\end{figure}
Inline \verb|bad code| and \[ y = 2 \] and \(z\).
\end{document}
"""


def test_latex_prose_without_commands_math_verbatim_or_comments() -> None:
    regions = [" ".join(r.split()) for r in regions_of(LATEX, "latex", "\r\n~")]
    assert regions == [
        "On Happy Results",
        "We present a wonderful method . It is 50% faster.",
        "Introduction",
        "Prior work was disappointing (Fig. ), and the bound holds for all . See the site.",
        "A footnote here.",
        "First point.",
        "Second point fails.",
        "Results look great.",
        "Inline x and and .",  # \verb reads as the placeholder, as inline code does
    ]


def test_latex_sentence_maps_back_across_markup() -> None:
    sentences = document_sentences(LATEX, "latex")
    first = next(s for s in sentences if s.text.startswith("We present"))
    assert LATEX[first.start : first.end] == r"We present a \emph{wonderful} method~\cite{knuth84}."


def test_latex_without_a_document_environment_is_all_body() -> None:
    assert regions_of("Plain \\textit{text} here.\n\nNext % comment\n", "latex") == [
        "Plain text here.",
        "Next  ",
    ]


HTML = """<!doctype html>
<html><head><title>Release notes</title>
<style>p { color: red } /* awful */</style>
<script>const s = "terrible code";</script></head>
<body>
<h1>What&rsquo;s new</h1>
<p>The update is <em>great</em>.
It fixes the <a href="https://x.example/bad">awful</a> crash &amp; more.</p>
<pre><code>horrible code block</code></pre>
<ul><li>Faster start.</li><li>Line<br>break</li></ul>
<!-- a comment that is horrible -->
<p><img alt="badge: failing" src="b.svg"> Works with <code>x()</code> now.</p>
</body></html>
"""


def test_html_text_content_by_block() -> None:
    assert regions_of(HTML, "html") == [
        "Release notes",
        "What\u2019s new",
        "The update is great. It fixes the awful crash & more.",
        "Faster start.",
        "Line",
        "break",
        " Works with x now.",  # <code> reads as the placeholder, as inline code does
    ]


GIT_COMMIT = """Fix the crash when the cache is empty
The old code was a mess and crashed every time. Now it works.

    Traceback (most recent call last): terrible error

Signed-off-by: A Developer <dev@example.com>
# Please enter the commit message for your changes. Lines starting
# with '#' will be ignored, and an empty message aborts the commit.
# ------------------------ >8 ------------------------
# Do not modify or remove the line above.
diff --git a/x.py b/x.py
+# This awful line is part of the diff.
"""


def test_git_commit_subject_body_without_comments_trailers_or_diff() -> None:
    assert regions_of(GIT_COMMIT, "git-commit") == [
        "Fix the crash when the cache is empty",
        "The old code was a mess and crashed every time. Now it works.",
    ]
