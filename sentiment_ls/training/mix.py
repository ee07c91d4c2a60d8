"""The embedded model's training mix: which labelled sets, how much of each, and what is held out.

Every set is read from the shared data folder (`../shared/data` beside a checkout), never
copied into the repository. Each epoch draws a seeded sample of every source, so the mix
is reproducible and a run resumes on exactly the batches it would have seen.

Weights say how close a set is to what users write: documentation and issue-thread sentences
are the product's own domain but few, so they are repeated; software-engineering comments are
near, but label the writer's emotion rather than the tone toward a reader, so they are drawn
less; tweets are a far register and are subsampled; SST-2 movie-review phrases have no neutral
class and train polarity only (see `LabelSpace.POLARITY`), except its whole sentences, which are
reviews a reader would call negative or positive.

Sentences this project labelled from the shared unlabelled pools are kept in the repository as
ids and labels only (`data/*.tsv`); their text is read from the pool at training time.
"""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path

from sentiment_ls.training.data import Example, detokenize, read_labelled_tsv, sentence_case

LABELS = ("negative", "neutral", "positive")
LABEL2ID = {name: index for index, name in enumerate(LABELS)}
HOLDOUT_FRACTION = 0.15
HOLDOUT_SEED = 2026


class LabelSpace(Enum):
    THREE_CLASS = "three-class"  # negative / neutral / positive
    # SST-2 rows are 0/1 (negative/positive) and carry no information about neutrality: the
    # loss compares only the negative and positive logits, so review phrases teach which way
    # a sentence leans without teaching that every phrase has a sign.
    POLARITY = "polarity"


@dataclass(frozen=True)
class Source:
    name: str
    path: str  # relative to the data folder
    per_epoch: float  # rows drawn each epoch, as a multiple of the source's training rows
    space: LabelSpace = LabelSpace.THREE_CLASS
    holdout: bool = False  # keep a seeded, stratified part aside for evaluation
    prose_variant: bool = False  # SST-2: also train on the detokenized, sentence-cased phrase
    min_words: int = 0  # keep only rows of at least this many words (SST-2's whole sentences)
    labels: str = ""  # a pool source: the repository's id/label file (in the labels folder)
    in_repo: bool = False  # `path` is a labelled file of the labels folder (sentences we wrote)
    binary: bool = False  # labels are 0/1 (negative/positive), as SST-2 writes them


SOURCES: tuple[Source, ...] = (
    Source("docs", "tone/docs/train.tsv", per_epoch=4.0),
    Source("docs-pool", "tone/docs/unlabelled.tsv", per_epoch=2.0, labels="docs_labels.tsv"),
    Source("issues", "tone/issues/train.tsv", per_epoch=2.0),
    Source("issues-pool", "tone/issues/unlabelled.tsv", per_epoch=2.0, labels="issues_labels.tsv"),
    # Quiet criticism and its calm contrasts, which the real data holds little of: sentences
    # this project wrote (data/README.md), apart from the behavioural suite of tests/.
    Source("written", "written.tsv", per_epoch=2.0, in_repo=True),
    Source("github", "tone/se/github.tsv", per_epoch=0.2, holdout=True),
    Source("jira", "tone/se/jira.tsv", per_epoch=0.2, holdout=True),
    Source("stackoverflow", "tone/se/stackoverflow.tsv", per_epoch=0.2, holdout=True),
    Source("javalib", "tone/se/javalib.tsv", per_epoch=0.2, holdout=True),
    Source("tweets-val", "tone/tweets/tweeteval_val.tsv", per_epoch=0.1, holdout=True),
    Source("tweets-test", "tone/tweets/tweeteval_test.tsv", per_epoch=0.1, holdout=True),
    Source(
        "sst2",
        "sst2/train.tsv",
        per_epoch=0.03,
        space=LabelSpace.POLARITY,
        prose_variant=True,
        binary=True,
    ),
    # Whole review sentences: the treebank left out its neutral phrases, and a review sentence
    # of eight words or more that leans is one a reader would call negative or positive.
    Source(
        "sst2-sentences",
        "sst2/train.tsv",
        per_epoch=0.06,
        space=LabelSpace.THREE_CLASS,
        prose_variant=True,
        min_words=8,
        binary=True,
    ),
)
# Gold labels read where the embedded model was weakest (issue 22, `training.gold_draw`): ids
# of the built pool (`training.pool build`), so they join a mix only where that pool is given.
# Once an epoch in either mix, not twice as the embedded mix's other in-domain sets: drawn where
# the models disagree, they are the hardest and most ambiguous sentences, and twice (issue 22's
# run C) cost docs dev AP.
GOLD = Source("gold", "", per_epoch=1.0, labels="gold_labels.tsv")
# The teacher's mix (issue 22): the larger base costs six times the compute a row, so an
# epoch keeps every in-domain row once (the docs, the smallest and weakest domain, twice) and
# draws the far sets at half of stage 2's rate: about 14,000 rows instead of 28,000.
TEACHER_PER_EPOCH = {
    "docs": 2.0,
    "docs-pool": 1.0,
    "issues": 1.0,
    "issues-pool": 1.0,
    "written": 1.0,
    "github": 0.1,
    "jira": 0.1,
    "stackoverflow": 0.1,
    "javalib": 0.1,
    "tweets-val": 0.05,
    "tweets-test": 0.05,
    "sst2": 0.015,
    "sst2-sentences": 0.03,
}
TEACHER_SOURCES = tuple(replace(s, per_epoch=TEACHER_PER_EPOCH[s.name]) for s in SOURCES)
MIXES = {"embedded": SOURCES, "teacher": TEACHER_SOURCES}
# Model selection and calibration: whole repositories that the train splits never see.
DEV_PATHS = ("tone/docs/dev.tsv", "tone/issues/dev.tsv")
# The labels this project added to the shared pools: ids and labels, no text.
LABELS_DIR = Path(__file__).resolve().parents[2] / "data"


@dataclass(frozen=True)
class MixedExample:
    text: str
    label: int  # an index into LABELS
    space: LabelSpace
    source: str


def read_source(data_dir: Path, source: Source, labels_dir: Path = LABELS_DIR) -> list[Example]:
    """The source's rows with labels as indices into LABELS (SST-2's 0/1 mapped by name)."""
    if source.labels:
        return read_pool_labels(data_dir / source.path, labels_dir / source.labels)
    if source.in_repo:
        return read_labelled_tsv(labels_dir / source.path, LABEL2ID)
    if source.binary:
        binary = read_labelled_tsv(data_dir / source.path)
        mapping = {0: LABEL2ID["negative"], 1: LABEL2ID["positive"]}
        rows = [Example(e.text, mapping[e.label]) for e in binary]
    else:
        rows = read_labelled_tsv(data_dir / source.path, LABEL2ID)
    return [e for e in rows if len(e.text.split()) >= source.min_words]


def read_pool_labels(pool: Path, labels: Path, strict: bool = True) -> list[Example]:
    """Labelled pool sentences: ids and labels from `labels`, the text from `pool` (an id
    missing from it is an error, or skipped where not `strict`: a pool rebuilt elsewhere)."""
    with pool.open(encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream, delimiter="\t", quoting=csv.QUOTE_NONE)
        texts = {row["id"]: row["text"] for row in reader}
    examples: list[Example] = []
    with labels.open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream, delimiter="\t", quoting=csv.QUOTE_NONE):
            if row["id"] not in texts:
                if not strict:
                    continue
                raise ValueError(f"{labels}: id {row['id']} is not in {pool}")
            examples.append(Example(texts[row["id"]], LABEL2ID[row["label"]]))
    return examples


def dev_splits(data_dir: Path) -> dict[str, list[Example]]:
    """The dev splits there are in `data_dir`, by path: what selects and calibrates a model."""
    return {
        path: read_labelled_tsv(data_dir / path, LABEL2ID)
        for path in DEV_PATHS
        if (data_dir / path).is_file()
    }


def split_holdout(
    examples: list[Example], fraction: float = HOLDOUT_FRACTION, seed: int = HOLDOUT_SEED
) -> tuple[list[Example], list[Example]]:
    """(train, held out): a seeded split stratified by label, the same on every machine."""
    by_label: dict[int, list[Example]] = defaultdict(list)
    for example in examples:
        by_label[example.label].append(example)
    rng = random.Random(seed)
    train: list[Example] = []
    held: list[Example] = []
    for label in sorted(by_label):
        rows = list(by_label[label])
        rng.shuffle(rows)
        cut = round(len(rows) * fraction)
        held.extend(rows[:cut])
        train.extend(rows[cut:])
    return train, held


def training_rows(data_dir: Path, source: Source, labels_dir: Path = LABELS_DIR) -> list[Example]:
    rows = read_source(data_dir, source, labels_dir)
    return split_holdout(rows)[0] if source.holdout else rows


def heldout_rows(data_dir: Path, source: Source) -> list[Example]:
    """The part of a source that training never sees (what the benchmark reports on)."""
    if not source.holdout:
        raise ValueError(f"{source.name} has no held-out part")
    return split_holdout(read_source(data_dir, source))[1]


def source_named(name: str) -> Source:
    for source in SOURCES:
        if source.name == name:
            return source
    raise KeyError(name)


def prose_variant(text: str) -> str:
    """The treebank phrase as a person would write it: detokenized, sentence-cased."""
    return sentence_case(detokenize(text))


class TrainingMix:
    """All training rows of every source, and a seeded draw of them for each epoch."""

    def __init__(
        self,
        data_dir: Path,
        sources: tuple[Source, ...] = SOURCES,
        labels_dir: Path = LABELS_DIR,
        pool: Path | None = None,
    ) -> None:
        self.sources = sources
        self.rows = {s.name: training_rows(data_dir, s, labels_dir) for s in sources}
        gold = labels_dir / GOLD.labels
        if pool is not None and gold.is_file():
            self.sources += (GOLD,)
            self.rows[GOLD.name] = read_pool_labels(pool, gold, strict=False)

    def sizes(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in self.rows.items()}

    def epoch_size(self) -> int:
        return sum(round(len(self.rows[s.name]) * s.per_epoch) for s in self.sources)

    def epoch(self, epoch: int, seed: int, limit: int = 0) -> list[MixedExample]:
        rng = random.Random(seed * 1000 + epoch)
        drawn: list[MixedExample] = []
        for source in self.sources:
            rows = self.rows[source.name]
            count = round(len(rows) * source.per_epoch)
            whole, rest = divmod(count, len(rows)) if rows else (0, 0)
            # Every row `whole` times, then a sample without replacement for the remainder.
            picked = rows * whole + rng.sample(rows, rest)
            for example in picked:
                text = example.text
                if source.prose_variant and rng.random() < 0.5:
                    text = prose_variant(text)
                drawn.append(MixedExample(text, example.label, source.space, source.name))
        rng.shuffle(drawn)
        return drawn[:limit] if limit else drawn
