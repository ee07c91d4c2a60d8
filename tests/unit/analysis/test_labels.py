from sentiment_ls.analysis.labels import negative_labels, resolve_flag_labels


def test_negative_labels_by_name_across_label_schemes() -> None:
    assert negative_labels(["NEGATIVE", "POSITIVE"]) == ["NEGATIVE"]
    assert negative_labels(["negative", "neutral", "positive"]) == ["negative"]
    stars = ["1 star", "2 stars", "3 stars", "4 stars", "5 stars"]
    assert negative_labels(stars) == ["1 star", "2 stars"]
    assert negative_labels(["LABEL_0", "LABEL_1"]) == []


def test_unnamed_labels_are_reported_not_guessed() -> None:
    chosen, problems = resolve_flag_labels(None, ["LABEL_0", "LABEL_1"])
    assert chosen == frozenset()
    assert "flagLabels" in problems[0]


def test_requested_labels_match_case_insensitively_and_unknown_ones_are_reported() -> None:
    chosen, problems = resolve_flag_labels(["positive", "angry"], ["NEGATIVE", "POSITIVE"])
    assert chosen == frozenset({"POSITIVE"})
    assert "angry" in problems[0]


def test_only_unknown_labels_fall_back_to_the_negative_ones() -> None:
    chosen, problems = resolve_flag_labels(["JOY", "Angst"], ["NEGATIVE", "POSITIVE"])
    assert chosen == frozenset({"NEGATIVE"})
    assert "['JOY', 'Angst']" in problems[0] and "instead" in problems[0]


def test_an_empty_list_still_flags_nothing() -> None:
    assert resolve_flag_labels([], ["NEGATIVE", "POSITIVE"]) == (frozenset(), [])
