"""The default model on documents writers really produce, end to end over stdio.

Release notes and known-issues pages are full of bugs, crashes and deprecations told plainly:
none of that is negative tone, and none of it may be flagged. A support reply that blames the
customer, or a bug report written in anger, is: those sentences must be flagged. The documents
were written for this test; none of their sentences is in the training or dev data.
"""

from __future__ import annotations

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import client_capabilities

from tests.e2e.lsp import CONFIG, RecordingClient, diagnostics_for, open_document, text_in_range

pytestmark = pytest.mark.asyncio(loop_scope="module")

RELEASE_NOTES = """# Release 4.2.0

## Fixed

- Fixed a crash when the cache is full.
- Fixed a memory leak in the connection pool that could exhaust the heap after several days.
- The importer no longer fails on files with a byte order mark.
- Resolved a race condition where two workers could write the same lock file.

## Deprecated

- The `--legacy-sync` flag is deprecated and will be removed in 5.0.
- Python 3.8 is no longer supported.

## Security

- Fixed a vulnerability that allowed a crafted archive to overwrite files outside the target folder.
"""

KNOWN_ISSUES = """# Known issues

Certain Windows installations may be missing CA roots, so HTTPS requests fail with a
certificate error. Until a fix ships, install the roots with `certutil` as described below.

Exporting a project with more than 10,000 files can time out on slow disks. Split the export
into smaller batches instead.

The search index is rebuilt from scratch after an upgrade, which can take several minutes on
large workspaces.
"""

SUPPORT_REPLY = """Hi Dana,

Thanks for the detailed report. We reproduced the sync failure on our side and a fix will be in
the next release.

Honestly, this is the third time you have ignored our setup guide, and it is frankly wasting
everyone's time.

In the meantime, you can turn off background sync in the settings to avoid the error.
"""

BUG_REPORT = """## Upload is broken again

This update is a disaster and I am furious that nobody tested it before shipping.

Steps to reproduce:

1. Open the app and choose a file larger than 2 GB.
2. Press Upload.

The progress bar stops at 99% and the upload never completes.
"""

# An issue thread that turns heated: the report and the maintainer's questions are calm; the
# replies after them criticise without a single strong word (impatience, a rhetorical question,
# sarcasm, resignation). Written for this test, apart from the behavioural suite.
CALM_BUG_REPORT = """## Saving fails for file names with emoji

Saving a file named `notes-🎉.txt` fails with an "invalid byte sequence" error on Linux.
The same file saves without problems after it is renamed to plain ASCII.
I tested this with version 3.4.1 and with the nightly build from Tuesday.
"""

HEATED_THREAD = (
    CALM_BUG_REPORT
    + """
Could you attach the log from the failed save?

---

It is now eight months later and this still has not been fixed.

How is something this basic still broken after so many releases?

Oh great, the nightly now fails for ASCII names too.

I have given up on this and moved my notes to another app.
"""
)

HEATED_REPLIES = [
    "It is now eight months later and this still has not been fixed.",
    "How is something this basic still broken after so many releases?",
    "Oh great, the nightly now fails for ASCII names too.",
    "I have given up on this and moved my notes to another app.",
]

NEUTRAL = {
    "release-notes.md": RELEASE_NOTES,
    "known-issues.md": KNOWN_ISSUES,
    "calm-bug-report.md": CALM_BUG_REPORT,
}
# The negative sentences of each document, and only they: the steps to reproduce, the plain
# description of the failure and the workaround are neutral.
NEGATIVE = {
    "support-reply.md": (
        SUPPORT_REPLY,
        [
            "Honestly, this is the third time you have ignored our setup guide, and it is "
            "frankly wasting\neveryone's time."
        ],
    ),
    "bug-report.md": (
        BUG_REPORT,
        [
            "Upload is broken again",  # the title's "again" is the reporter's frustration
            "This update is a disaster and I am furious that nobody tested it before shipping.",
        ],
    ),
}


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def client(lsp_client: RecordingClient):  # type: ignore[no-untyped-def]
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"), initialization_options={}
        )
    )
    yield
    await lsp_client.shutdown_session()


@pytest.mark.parametrize("name", sorted(NEUTRAL))
async def test_plain_bug_fix_and_limitation_prose_is_not_flagged(
    client: RecordingClient, name: str
) -> None:
    uri = f"file:///docs/{name}"
    open_document(client, uri, NEUTRAL[name])
    diagnostics = await diagnostics_for(client, uri, 1)
    assert [text_in_range(NEUTRAL[name], d.range) for d in diagnostics] == []


@pytest.mark.parametrize("name", sorted(NEGATIVE))
async def test_the_genuinely_negative_sentences_are_flagged_and_only_they(
    client: RecordingClient, name: str
) -> None:
    text, negative = NEGATIVE[name]
    uri = f"file:///docs/{name}"
    open_document(client, uri, text)
    diagnostics = await diagnostics_for(client, uri, 1)
    assert [text_in_range(text, d.range) for d in diagnostics] == negative
    for diagnostic in diagnostics:
        assert diagnostic.code == "sentiment-negative"
        assert set(diagnostic.data["probabilities"]) == {"negative", "neutral", "positive"}


async def test_a_heated_threads_quiet_criticism_is_flagged_and_its_calm_report_is_not(
    client: RecordingClient,
) -> None:
    """Only the heated replies are flagged, and most of them: the model flags about half of
    the quiet criticism of the behavioural suite (MODEL.md), so this asks for two of four; on
    the shipped model the rhetorical question and the sarcasm are flagged, while the
    impatience and the resignation, told without an evaluative word, are not."""
    uri = "file:///issues/1234.md"
    open_document(client, uri, HEATED_THREAD)
    diagnostics = await diagnostics_for(client, uri, 1)
    flagged = [text_in_range(HEATED_THREAD, d.range) for d in diagnostics]
    assert set(flagged) <= set(HEATED_REPLIES), flagged
    assert len(flagged) >= 2, flagged


# Issue 22: a reply that talks down to the reporter is flagged; an apology that is politeness
# and a calm caution are not (the labelling rules call both neutral; the model of issue 17
# flagged the apology at 0.9). Written for this test, apart from the training data.
CONDESCENDING_THREAD = """## The installer overwrites my settings

Sorry for the late reply, I was away last week.

Beware: the installer replaces the existing configuration file, so back it up first.

You clearly haven't read the installation guide, which answers this in the first paragraph.
"""


async def test_a_condescending_reply_is_flagged_and_a_social_apology_and_caution_are_not(
    client: RecordingClient,
) -> None:
    uri = "file:///issues/2048.md"
    open_document(client, uri, CONDESCENDING_THREAD)
    diagnostics = await diagnostics_for(client, uri, 1)
    assert [text_in_range(CONDESCENDING_THREAD, d.range) for d in diagnostics] == [
        "You clearly haven't read the installation guide, which answers this in the first "
        "paragraph."
    ]
