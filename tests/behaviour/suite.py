"""A behavioural suite for the tone verdict, in the manner of CheckList (Ribeiro et al., ACL 2020).

Written for this project by its engineers, sentence by sentence; none of it is copied from a
data set, and none of it is used for training or for choosing a model, a threshold or a
checkpoint (`tests/behaviour/test_suite_is_held_apart.py` checks the training data for it).

Minimum-functionality tests: each category says whether its sentences should be flagged (a
diagnostic at the default settings) or left alone. Invariance tests: a template filled with
different names, products, versions and numbers must get the same verdict every time.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    name: str
    flagged: bool  # what a careful reader expects of every sentence in it
    sentences: tuple[str, ...]


NEUTRAL_PROBLEM_REPORTS = Category(
    "neutral problem reports",
    False,
    (
        "The installer exits with code 3 when the target folder is on a network drive.",
        "After upgrading to the latest release, the login page returns a 502 error.",
        "Memory usage grows by about 40 MB per hour while the sync service is running.",
        "The export button does nothing when the project name contains a slash.",
        "Tests in the payments module fail intermittently on the ARM runners.",
        "It has been three weeks since the last nightly build succeeded.",
        "The crash happens only when two tabs edit the same record at once.",
        "Steps to reproduce: open the settings page and toggle dark mode twice.",
        "The API returns an empty list instead of a 404 for unknown users.",
        "On Windows the path separator in the log output is a forward slash.",
        "I can reproduce the timeout with a fresh clone and the default configuration.",
        "The regression was introduced by the change to the connection pool size.",
        "Uploads larger than 2 GB stop at 99% and are never completed.",
        "The search results are sorted by date even when relevance is selected.",
        "This bug also affects the command-line client, not only the web app.",
        "The stack trace points to a null pointer in the session cleanup code.",
        "Our nightly job has been failing since the certificate was rotated on Monday.",
        "The documentation says the flag defaults to true, but the code sets it to false.",
        "The service restarts every few minutes under load, and the queue keeps growing.",
        "A user reported that the printed invoice is missing the tax line.",
    ),
)

INSTRUCTIONS_AND_WARNINGS = Category(
    "instructions and warnings",
    False,
    (
        "Back up your database before running the migration.",
        "Do not store API keys in the repository.",
        "Warning: this command deletes every file in the output folder.",
        "Set the timeout to at least 30 seconds on slow networks.",
        "Never run the installer as root on a shared machine.",
        "If the build fails, delete the cache folder and try again.",
        "Make sure the service account has write access to the bucket.",
        "Note that the old endpoint will be removed in version 3.0.",
        "Restart the editor after changing this setting.",
        "Avoid calling this function from inside a transaction.",
        "Be careful: the default configuration exposes the admin port.",
        "To report a security issue, email the maintainers instead of opening an issue.",
        "Pin the dependency to a minor version to avoid breaking changes.",
        "Run the tests with the verbose flag to see each failure in full.",
        "This option is experimental and may change without notice.",
    ),
)

EVALUATIVE_COMPLAINTS = Category(
    "evaluative complaints",
    True,
    (
        "The new release is slower and buggier than the last one.",
        "The battery died after two days and support never answered.",
        "This update is a mess and broke half of my workflows.",
        "The documentation is confusing, outdated and full of mistakes.",
        "The new dashboard is ugly and painfully slow.",
        "Honestly, this is the worst onboarding experience I have had with any tool.",
        "The redesign made every common task harder for no reason.",
        "Customer service was rude and completely useless.",
        "The app is bloated, sluggish and crashes constantly.",
        "This API is a nightmare to work with.",
        "The error messages are cryptic and unhelpful.",
        "The product arrived broken and the replacement was just as bad.",
        "The new pricing is a slap in the face to long-time users.",
        "This library has terrible defaults and a frustrating API.",
        "The migration guide is sloppy and skips the hard parts.",
        "Performance has become awful since the last update.",
        "The plot was dull, the acting was wooden and the ending made no sense.",
        "I am really disappointed with how this release was handled.",
        "The installer is clunky and the whole setup feels amateurish.",
        "This change was a bad decision and it hurts every user on older hardware.",
    ),
)

QUIET_CRITICISM = Category(
    "quiet criticism",
    True,
    (
        # rhetorical questions
        "How hard can it be to fix a typo in the docs?",
        "Does anyone on the team actually use this feature?",
        "Why does every release break something that used to work?",
        "Was this even tested before it was merged?",
        "Who thought this was a good idea?",
        # sarcasm
        "Great, another breaking change in a patch release.",
        "Oh wonderful, the build is red again.",
        "Thanks for nothing, as usual.",
        "Love how the 'quick fix' took down production for an hour.",
        "Sure, because reading the changelog is too much to ask.",
        # impatience
        "Six months later, there is still no fix.",
        "Any update on this? It has been broken since March.",
        "Still waiting for a reply after three weeks.",
        "This has been open for two years and nobody seems to care.",
        "Bumping this again, since apparently nobody reads the issues.",
        # resignation
        "I give up.",
        "I'm done with this project.",
        "At this point I have stopped expecting it to work.",
        "We will just move to another library.",
        "Never mind, I'll do it myself as usual.",
        # understatement
        "This is not good enough for production.",
        "The quality of recent releases leaves a lot to be desired.",
        "This is hardly what I would call stable.",
        "The new layout is a step backwards.",
        "I expected more from a paid product.",
    ),
)

APOLOGIES_FOR_FAILURE = Category(
    "apologies for a failure",
    True,
    (
        "We're sorry for the outage and the trouble it caused.",
        "We apologise: yesterday's release deleted some users' drafts.",
        "Sorry, we messed up the migration and lost two hours of data.",
        "We regret that the update broke sign-in for so many of you.",
        "Our apologies for the long delay and the lack of communication.",
        "I'm sorry that your order arrived damaged.",
        "We let you down with this release, and we are sorry.",
        "Sorry for the broken download links over the weekend.",
        "We are truly sorry that the billing error charged you twice.",
        "Apologies, the previous fix made the problem worse.",
    ),
)

# Issue 22: apologies that are politeness, not an admission of failure, are neutral by the
# labelling rules; the model of issue 17 flagged them at 0.9. Written for the suite in issue 22.
SOCIAL_APOLOGIES = Category(
    "social apologies (not flagged)",
    False,
    (
        "Sorry, I forgot to mention that this happens only on the ARM build.",
        "Apologies if this was asked before; the search did not turn anything up.",
        "Sorry to ping you directly, but is the release still planned for Monday?",
        "I'm sorry, could you explain what you mean by a detached worktree?",
        "Sorry for the wall of text, the details below matter for the repro.",
        "Sorry, typo above: the port is 8443, not 8433.",
        "Apologies for the slow response, I was travelling last week.",
        "Sorry if this is the wrong channel for questions about the plugin API.",
        "Pardon the naive question, but why does the parser allocate twice?",
        "Sorry to pile on, but does the flag also apply to nested packages?",
    ),
)

NEGATION_OF_POSITIVE = Category(
    "negation: not positive is negative",
    True,
    (
        "This is not good.",
        "The new editor is not reliable at all.",
        "I am not happy with the latest update.",
        "The support I got was not helpful in any way.",
        "This feature does not work well and never has.",
        "The docs are not clear about anything important.",
        "The performance is not acceptable for a paid tier.",
        "Honestly, it is not worth the money.",
        "The setup was not easy, and the guide did not help.",
        "I would not recommend this library to anyone.",
    ),
)

NEGATION_OF_NEGATIVE = Category(
    "negation: not negative is not flagged",
    False,
    (
        "This is not bad at all.",
        "The upgrade was not painful in the slightest.",
        "I have no complaints about the new release.",
        "The new API is not confusing once you read the guide.",
        "The migration was not nearly as hard as I feared.",
        "Nothing about the setup was frustrating.",
        "The app is no longer slow on older phones.",
        "I am not disappointed with this purchase.",
        "The fix did not break anything else.",
        "It is not a problem for us to wait until next week.",
    ),
)

POSITIVES = Category(
    "positives",
    False,
    (
        "Thank you so much for the quick fix!",
        "This release is fantastic, and the new search is a joy to use.",
        "Great work on the documentation, it is clear and complete.",
        "I love how fast the new build system is.",
        "Support answered within minutes and solved my problem.",
        "The new onboarding flow is a huge improvement.",
        "Kudos to everyone who worked on this feature.",
        "We are excited to announce version 2.0.",
        "This is exactly what I needed, thanks!",
        "The film is warm, funny and beautifully shot.",
        "Really impressed by how stable the beta has been.",
        "This library saved me days of work.",
    ),
)

CATEGORIES: tuple[Category, ...] = (
    NEUTRAL_PROBLEM_REPORTS,
    INSTRUCTIONS_AND_WARNINGS,
    EVALUATIVE_COMPLAINTS,
    QUIET_CRITICISM,
    APOLOGIES_FOR_FAILURE,
    SOCIAL_APOLOGIES,
    NEGATION_OF_POSITIVE,
    NEGATION_OF_NEGATIVE,
    POSITIVES,
)


@dataclass(frozen=True)
class Invariance:
    """A template whose {slot}s are filled with each row of `fills`: one verdict for all."""

    name: str
    template: str
    fills: tuple[dict[str, str], ...]

    def sentences(self) -> list[str]:
        return [self.template.format(**fill) for fill in self.fills]


def _products(*names: str) -> tuple[dict[str, str], ...]:
    return tuple({"product": name} for name in names)


INVARIANCES: tuple[Invariance, ...] = (
    Invariance(
        "product in a complaint",
        "{product} is slow and crashes every time I open a large file.",
        _products("Acme Studio", "Notely", "the Zephyr IDE", "PixelForge", "Kettle"),
    ),
    Invariance(
        "product in a neutral report",
        "{product} exits with an error when the config file is missing.",
        _products("Acme Studio", "Notely", "the Zephyr IDE", "PixelForge", "Kettle"),
    ),
    Invariance(
        "version in a neutral report",
        "Since version {version}, the importer skips empty rows.",
        tuple({"version": v} for v in ("2.1", "3.0.4", "10.12.1", "0.9-beta", "2024.3")),
    ),
    Invariance(
        "version in quiet criticism",
        "Version {version} broke the importer again, as every release does.",
        tuple({"version": v} for v in ("2.1", "3.0.4", "10.12.1", "0.9-beta", "2024.3")),
    ),
    Invariance(
        "person's name in praise",
        "Thanks to {name} for the careful review and the quick fix!",
        tuple({"name": n} for n in ("Ana", "Kwame", "Li Wei", "Priya", "Jonas", "Fatima")),
    ),
    Invariance(
        "person's name in a neutral instruction",
        "Ask {name} for access to the staging cluster before you deploy.",
        tuple({"name": n} for n in ("Ana", "Kwame", "Li Wei", "Priya", "Jonas", "Fatima")),
    ),
    Invariance(
        "numbers in a neutral report",
        "The request takes {n} seconds and returns {m} rows.",
        tuple({"n": n, "m": m} for n, m in (("3", "12"), ("45", "2,000"), ("0.8", "1"))),
    ),
    Invariance(
        "numbers in impatience",
        "This has been broken for {n} months and still nobody has looked at it.",
        tuple({"n": n} for n in ("two", "3", "six", "11", "eighteen")),
    ),
)
