"""Word attributions on the real embedded model: words from pieces, source ranges, special
tokens, signs, and the bookkeeping of each method."""

from __future__ import annotations

import dataclasses
import math
import typing

import pytest

from sentiment_ls.analysis.explain import (
    DEFAULT_METHOD,
    METHODS,
    MethodOptions,
    UnknownLabel,
    UnknownMethod,
    explain,
)
from sentiment_ls.analysis.explain.attributions import label_log_odds
from sentiment_ls.analysis.explain.words import merge_words
from sentiment_ls.analysis.forward import forward
from sentiment_ls.analysis.preprocess import encode
from sentiment_ls.document import LineIndex, document_sentences
from sentiment_ls.present.attributions import ExplainedSentence, analysis_json
from sentiment_ls.settings import ExplainMethod, Settings
from tests.analysis_schema import assert_analysis_schema

# The methods the benchmark found faithful (bench/RESULTS.md); grad-x-input is not, so the
# tests hold it to bookkeeping only.
FAITHFUL = ["occlusion", "integrated-gradients", "shapley"]


def _analysis(engine, text: str):  # type: ignore[no-untyped-def]
    return engine.analyze([text])[0]


def test_word_pieces_merge_into_words_and_edge_punctuation_splits_off(embedded_engine) -> None:  # type: ignore[no-untyped-def]
    text = "An unbelievably disappointing, half-baked sequel!"
    encoding = encode(embedded_engine.loaded.tokenizer, text)
    words = merge_words(text, encoding.tokens)
    assert [w.text for w in words] == [
        "An",
        "unbelievably",
        "disappointing",
        ",",
        "half-baked",
        "sequel",
        "!",
    ]
    for word in words:
        assert text[word.span[0] : word.span[1]] == word.text
    pieces = {w.text: [encoding.tokens[i].text for i in w.tokens] for w in words}
    assert pieces["unbelievably"] == ["un", "##bel", "##ie", "##va", "##bly"]
    assert pieces["half-baked"] == ["half", "-", "baked"]


@pytest.mark.parametrize("method", sorted(METHODS))
def test_special_tokens_are_never_scored_and_every_text_token_is(embedded_engine, method) -> None:  # type: ignore[no-untyped-def]
    analysis = _analysis(embedded_engine, "Overwrought and underwhelming, sadly.")
    explanation = embedded_engine.explain(analysis, method=method)
    tokens = analysis.encoding.tokens
    assert len(explanation.token_attributions) == len(tokens)
    for token, score in zip(tokens, explanation.token_attributions, strict=True):
        if token.span is None:
            assert score is None, token.text
        else:
            assert score is not None and math.isfinite(score), token.text
    assert tokens[0].text == "[CLS]" and tokens[-1].text == "[SEP]"
    in_words = sorted(i for word in explanation.words for i in word.tokens)
    assert in_words == [i for i, t in enumerate(tokens) if t.span is not None]


@pytest.mark.parametrize("method", FAITHFUL)
def test_great_supports_a_positive_sentence_and_terrible_a_negative_one(
    embedded_engine,  # type: ignore[no-untyped-def]
    method: str,
) -> None:
    for text, word, label, other in [
        ("The movie was great.", "great", "positive", "negative"),
        ("The movie was terrible.", "terrible", "negative", "positive"),
    ]:
        analysis = _analysis(embedded_engine, text)
        assert analysis.prediction.label == label
        scores = {
            w.text: w.attribution for w in embedded_engine.explain(analysis, method=method).words
        }
        assert scores[word] > 0, (method, text, scores)
        assert scores[word] == max(scores.values()), (method, text, scores)
        # Toward the other label, on request, the same word pushes the other way.
        against = embedded_engine.explain(analysis, label=other, method=method)
        assert against.label == other
        assert {w.text: w.attribution for w in against.words}[word] < 0


def test_occlusion_removes_a_word_whole_and_a_single_piece_word_scores_as_its_token(
    embedded_engine,  # type: ignore[no-untyped-def]
) -> None:
    loaded = embedded_engine.loaded
    analysis = _analysis(embedded_engine, "An unbelievably dull film.")
    # float32, so that the scores can be recomputed exactly below
    exact = MethodOptions(reduced_precision=False)
    explanation = embedded_engine.explain(analysis, method="occlusion", options=exact)
    ids = list(analysis.encoding.windows[0])
    label_id = loaded.labels.index(analysis.prediction.label)
    by_text = {w.text: w for w in explanation.words}
    word = by_text["unbelievably"]
    without = [t for i, t in enumerate(ids) if i not in word.tokens]
    logits = forward(loaded, [ids, without], purpose="exact")
    log_odds = label_log_odds(logits, label_id, analysis.prediction.function)
    assert word.attribution == pytest.approx(float(log_odds[0] - log_odds[1]), abs=1e-4)
    dull = by_text["dull"]
    assert dull.attribution == pytest.approx(explanation.token_attributions[dull.tokens[0]])


def test_integrated_gradients_add_up_to_the_change_from_the_baseline(embedded_engine) -> None:  # type: ignore[no-untyped-def]
    loaded = embedded_engine.loaded
    text = "A thoughtful, moving and beautifully acted drama."
    analysis = _analysis(embedded_engine, text)
    label = analysis.prediction.label
    explanation = explain(
        loaded, text, analysis.encoding, label, "integrated-gradients", MethodOptions(steps=64)
    )
    ids = list(analysis.encoding.windows[0])
    pad = loaded.pad_id
    baseline = [ids[0], *([pad] * (len(ids) - 2)), ids[-1]]
    log_odds = label_log_odds(
        forward(loaded, [ids, baseline]), loaded.labels.index(label), "softmax"
    )
    expected = float(log_odds[0] - log_odds[1])
    total = sum(w.attribution for w in explanation.words)
    assert total == pytest.approx(expected, rel=0.05, abs=0.05)
    # The word view of an additive method is the sum of its pieces.
    tokens = sum(s for s in explanation.token_attributions if s is not None)
    assert total == pytest.approx(tokens, abs=1e-4)


def test_steps_change_integrated_gradients_and_are_cached_apart(embedded_engine) -> None:  # type: ignore[no-untyped-def]
    analysis = _analysis(embedded_engine, "Clumsy but oddly charming.")
    coarse = embedded_engine.explain(
        analysis, method="integrated-gradients", options=MethodOptions(steps=2)
    )
    fine = embedded_engine.explain(
        analysis, method="integrated-gradients", options=MethodOptions(steps=32)
    )
    assert coarse is not fine
    assert coarse.token_attributions != fine.token_attributions
    again = embedded_engine.explain(
        analysis, method="integrated-gradients", options=MethodOptions(steps=32)
    )
    assert again is fine


def test_unknown_method_and_label_are_refused(embedded_engine) -> None:  # type: ignore[no-untyped-def]
    analysis = _analysis(embedded_engine, "Fine.")
    with pytest.raises(UnknownMethod):
        embedded_engine.explain(analysis, method="lime")
    with pytest.raises(UnknownLabel):
        embedded_engine.explain(analysis, label="mixed")


def test_the_settings_name_exactly_the_registered_methods() -> None:
    assert set(typing.get_args(ExplainMethod)) == set(METHODS)
    assert Settings().explainMethod == DEFAULT_METHOD


def test_words_land_on_their_source_ranges_in_multibyte_markdown(embedded_engine) -> None:  # type: ignore[no-untyped-def]
    source = "# Notes 🎉\n\n**Zoë's** café 😀 was *great*, naïvely so.\n"
    sentences = document_sentences(source, "markdown")
    sentence = next(s for s in sentences if "café" in s.text)
    assert sentence.text == "Zoë's café 😀 was great, naïvely so."
    analysis = _analysis(embedded_engine, sentence.text)
    explanation = embedded_engine.explain(analysis)
    words = [w.text for w in explanation.words]
    assert words == ["Zoë's", "café", "😀", "was", "great", ",", "naïvely", "so", "."]
    for word in explanation.words:
        start, end = sentence.source_span(*word.span)
        assert source[start:end] == word.text
    report = analysis_json(
        "embedded",
        embedded_engine.loaded.labels,
        DEFAULT_METHOD,
        [ExplainedSentence(sentence, analysis, explanation)],
        LineIndex(source),
        "utf-16",
    )
    assert_analysis_schema(report)
    lines = source.split("\n")
    for word in report["sentences"][0]["words"]:
        assert _utf16_slice(lines, word["range"]) == word["text"]


def test_the_predicted_label_is_what_the_attributions_explain(embedded_engine) -> None:  # type: ignore[no-untyped-def]
    analysis = _analysis(embedded_engine, "What a waste of a good cast.")
    assert embedded_engine.explain(analysis).label == analysis.prediction.label


def _utf16_slice(lines: list[str], range_: dict[str, typing.Any]) -> str:
    """Independent of the server's code: cut a one-line range by UTF-16 units."""
    start, end = range_["start"], range_["end"]
    assert start["line"] == end["line"]
    units = lines[start["line"]].encode("utf-16-le")
    return units[start["character"] * 2 : end["character"] * 2].decode("utf-16-le")


def test_the_words_only_view_skips_tokens_and_a_full_explanation_serves_it(
    embedded_engine,  # type: ignore[no-untyped-def]
) -> None:
    analysis = _analysis(embedded_engine, "An unbelievably tedious, overwrought sequel.")
    words_only = embedded_engine.explain(analysis, options=MethodOptions(token_view=False))
    assert words_only.token_attributions is None
    full = embedded_engine.explain(analysis)
    assert full.token_attributions is not None
    assert [w.attribution for w in full.words] == [w.attribution for w in words_only.words]
    other = _analysis(embedded_engine, "A slow, unbelievably tedious sequel.")
    first = embedded_engine.explain(other)
    assert embedded_engine.explain(other, options=MethodOptions(token_view=False)) is first


def test_reduced_precision_ranks_words_as_float32_does(embedded_engine) -> None:  # type: ignore[no-untyped-def]
    analysis = _analysis(embedded_engine, "The acting is wooden and the plot is a mess.")
    exact = embedded_engine.explain(analysis, options=MethodOptions(reduced_precision=False))
    fast = embedded_engine.explain(analysis, options=MethodOptions(reduced_precision=True))
    exact_scores = [w.attribution for w in exact.words]
    fast_scores = [w.attribution for w in fast.words]
    assert max(range(len(exact_scores)), key=exact_scores.__getitem__) == max(
        range(len(fast_scores)), key=fast_scores.__getitem__
    )
    assert fast_scores == pytest.approx(exact_scores, abs=0.25)


def test_occlusion_runs_the_float_weights_when_verdicts_come_from_int8() -> None:
    pytest.importorskip(
        "torch", reason="the int8 copy is the torch runtime's (sentiment-ls[torch])"
    )
    from sentiment_ls.analysis.model_loading import load_model
    from sentiment_ls.analysis.request import LoadRequest
    from sentiment_ls.analysis.runtimes.torch_runtime import TorchRuntime, quantize_int8

    loaded = load_model(LoadRequest(model="embedded", device="cpu", runtime="torch"))
    float_model = loaded.torch_model("the test")
    runtime = TorchRuntime(float_model, quantize_int8(float_model.model))
    served = dataclasses.replace(loaded, runtime=runtime, precision="int8")
    text = "This release is a terrible, frustrating mess, though the docs are fine."
    encoding = encode(loaded.tokenizer, text)
    label = "negative"
    # int8 activations are scaled per batch, so the variants would not be comparable rows;
    # occlusion must give the same scores whichever copy serves the verdicts.
    from_int8 = explain(served, text, encoding, label, "occlusion")
    from_float = explain(loaded, text, encoding, label, "occlusion")
    assert [w.attribution for w in from_int8.words] == [w.attribution for w in from_float.words]
