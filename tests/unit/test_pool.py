"""The pure parts of the distillation pool builder: filters, dedupe, ids and the keep-out rule."""

from __future__ import annotations

from sentiment_ls.training.pool import KeepOut, Pool, keep, normalise, sentence_id
from sentiment_ls.training.pool_sources import Found, kept_out_project

DEV = [
    "These jobs must be retried manually or they will expire after six months.",
    "Thanks for the quick report.",
]


def test_keep_takes_prose_and_drops_fragments_code_urls_and_boilerplate() -> None:
    assert keep("The parser now reports the line of the first error it finds.")
    assert keep("Install it right now.")
    assert not keep("Install it now.")  # under four words
    assert not keep(" ".join(["word"] * 61))  # over sixty
    assert not keep("const value = compute(items); return value;")
    assert not keep("See https://example.com/docs/install for the details.")
    assert not keep("Licensed under the Apache License, Version 2.0 (the License).")
    assert not keep("| name | type | default | description |")
    assert not keep("THE SOFTWARE IS PROVIDED AS IS AND WITHOUT ANY GUARANTEE")
    assert not keep("Это предложение написано не по-английски совсем.")


def test_normalise_ignores_case_punctuation_and_spacing() -> None:
    assert normalise("It  works\u2014finally!") == normalise("it works, finally")
    assert normalise("\uff21 full-width Letter") == "a full width letter"


def test_ids_are_stable_and_depend_on_source_and_text() -> None:
    first = sentence_id("python/peps", "This PEP proposes a new syntax.")
    assert first == sentence_id("python/peps", "This PEP proposes a new syntax.")
    assert len(first) == 16 and int(first, 16) >= 0
    assert first != sentence_id("golang/proposal", "This PEP proposes a new syntax.")
    assert first != sentence_id("python/peps", "This PEP proposes another syntax.")


def test_keep_out_catches_dev_sentences_exactly_and_inside_other_splits() -> None:
    keep_out = KeepOut(DEV)
    assert DEV[0] in keep_out
    assert DEV[0].upper() in keep_out
    # split differently: a longer sentence holding eight of its words in a row
    assert "Note that these jobs must be retried manually or they vanish." in keep_out
    # a short dev sentence kept out when held whole by a longer one
    assert "Hi, thanks for the quick report, I will look." in keep_out
    assert "Jobs are retried automatically after a failure." not in keep_out


def test_pool_filters_dedupes_and_keeps_out_in_order() -> None:
    pool = Pool(KeepOut(DEV))
    text = "The release adds a flag that turns the cache off."
    assert pool.add(Found(text, "a", "MIT"))
    assert not pool.add(Found("the release adds a flag that turns the cache off", "b", "MIT"))
    assert not pool.add(Found("The release adds a flag\tthat turns the cache off!", "c", "MIT"))
    assert not pool.add(Found(DEV[0], "d", "MIT"))
    assert not pool.add(Found("x = 1", "e", "MIT"))
    assert [row.source for row in pool.rows] == ["a"]
    assert pool.dropped == {"filter": 1, "duplicate": 2, "dev": 1}


def test_dev_projects_and_sample_projects_stay_out() -> None:
    dev_repos = {"pallets/flask", "chalk/chalk", "scikit-learn/scikit-learn"}
    assert kept_out_project("Flask", dev_repos)
    assert kept_out_project("scikit_learn", dev_repos)
    assert kept_out_project("chalk", dev_repos)
    assert kept_out_project("mkdocs", dev_repos)  # reserved for the natural-rate sample
    assert not kept_out_project("requests", dev_repos)
