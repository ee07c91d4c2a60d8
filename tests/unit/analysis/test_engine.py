"""The three stages on the real embedded model."""

from __future__ import annotations

import pytest

from sentiment_ls.analysis.forward import forward
from sentiment_ls.analysis.preprocess import encode, windowing_tokenizer
from sentiment_ls.embedded import WEIGHTS_DIR


def _transformers_tokenizer():  # type: ignore[no-untyped-def]
    transformers = pytest.importorskip(
        "transformers", reason="compares with transformers' tokenizer (sentiment-ls[torch])"
    )
    return transformers.AutoTokenizer.from_pretrained(WEIGHTS_DIR, local_files_only=True)


def test_tokens_are_what_the_tokenizer_gives(embedded_engine) -> None:  # type: ignore[no-untyped-def]
    """The `tokenizers` stage gives what transformers' tokenizer of the model gives."""
    reference = _transformers_tokenizer()
    text = "Disappointing results, again."
    encoding = encode(embedded_engine.loaded.tokenizer, text)
    expected = reference(text)
    assert [t.id for t in encoding.tokens] == expected["input_ids"]
    assert [t.attention for t in encoding.tokens] == expected["attention_mask"]
    assert [t.text for t in encoding.tokens] == reference.convert_ids_to_tokens(
        expected["input_ids"]
    )
    assert encoding.tokens[0].text == "[CLS]" and encoding.tokens[0].span is None
    for token in encoding.tokens[1:-1]:
        assert token.span is not None
        piece = text[token.span[0] : token.span[1]].lower()
        assert piece == token.text.removeprefix("##")


def test_long_sentences_are_windowed_as_transformers_windows_them(embedded_engine) -> None:  # type: ignore[no-untyped-def]
    reference = _transformers_tokenizer()
    tokenizer = windowing_tokenizer(embedded_engine.loaded.tokenizer, 64)
    text = " ".join(f"w{i}" for i in range(300))
    encoding = encode(tokenizer, text)
    assert len(encoding.windows) > 1
    assert all(len(w) <= 64 for w in encoding.windows)
    expected = reference(
        text, truncation=True, max_length=64, stride=16, return_overflowing_tokens=True
    )["input_ids"]
    assert [list(w) for w in encoding.windows] == expected
    full = reference(text, add_special_tokens=False)["input_ids"]
    covered: set[int] = set()
    for window in encoding.windows:
        inner = list(window[1:-1])  # [CLS] ... [SEP]
        starts = [i for i in range(len(full)) if full[i : i + len(inner)] == inner]
        assert starts, "a window is not a contiguous slice of the sentence's tokens"
        covered.update(range(starts[0], starts[0] + len(inner)))
    assert covered == set(range(len(full)))  # every token is seen by some window


def test_batched_forward_equals_one_at_a_time_exactly(embedded_engine) -> None:  # type: ignore[no-untyped-def]
    loaded = embedded_engine.loaded
    texts = ["Short.", "A somewhat longer sentence with more words in it.", "Medium length one."]
    rows = [encode(loaded.tokenizer, t).windows[0] for t in texts]
    batched = forward(loaded, rows, batch_size=8)
    for i, row in enumerate(rows):
        alone = forward(loaded, [row])
        assert (batched[i] == alone[0]).all()


def test_cache_serves_repeated_sentences(embedded_engine) -> None:  # type: ignore[no-untyped-def]
    text = "A cache test sentence that appears twice."
    first = embedded_engine.analyze([text, text])
    assert first[0] is first[1]
    assert embedded_engine.cached(text) is first[0]


def test_occlusion_gives_scores_for_content_tokens_only(embedded_engine) -> None:  # type: ignore[no-untyped-def]
    analysis = embedded_engine.analyze(["The food was awful and the service was rude."])[0]
    explanation = embedded_engine.explain(analysis, label=embedded_engine.loaded.labels[0])
    tokens = analysis.encoding.tokens
    assert len(explanation.token_attributions) == len(tokens)
    assert explanation.token_attributions[0] is None and explanation.token_attributions[-1] is None
    scores = {
        t.text: c
        for t, c in zip(tokens, explanation.token_attributions, strict=True)
        if c is not None
    }
    assert set(scores) == {t.text for t in tokens[1:-1]}
    # the word that carries the verdict supports the negative label more than a function word
    assert scores["awful"] > 0
    assert scores["awful"] > abs(scores["the"])


def test_a_one_sentence_edit_runs_the_model_on_that_sentence_alone(embedded_engine) -> None:  # type: ignore[no-untyped-def]
    from sentiment_ls.document import document_sentences

    paragraphs = [
        f"Paragraph {i} opens calmly. It then says the service was slow in case {i}. "
        f"Finally it praises the staff of branch {i}."
        for i in range(700)
    ]
    text = "\n\n".join(paragraphs)
    sentences = [s.text for s in document_sentences(text, "markdown")]
    assert len(sentences) == 2100
    embedded_engine.analyze(sentences)
    before = embedded_engine.sentences_run
    edited = text.replace("slow in case 350.", "wonderfully quick in case 350.")
    again = embedded_engine.analyze([s.text for s in document_sentences(edited, "markdown")])
    assert embedded_engine.sentences_run - before == 1
    assert len(again) == 2100
