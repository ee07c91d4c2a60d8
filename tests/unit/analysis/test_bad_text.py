"""Text no sentence should be: the document layer and the real model take it without failing,
and every token still points into the sentence it came from."""

from __future__ import annotations

import pytest

from sentiment_ls.analysis.preprocess import encode
from sentiment_ls.document import document_sentences

ODD_TEXTS = {
    "lone surrogates": "A lone \ud800 surrogate and \udfff another ruin the day.",
    "NUL and controls": "Nul \x00 and bell \x07 and escape \x1b[31m are awful here.",
    "right to left": "هذا المنتج سيئ جدا. The product is terrible.",
    "mixed scripts": "Это ужасно. 这太糟糕了。 Das ist schrecklich. C'est horrible.",
    "emoji sequences": "👩\u200d👩\u200d👧\u200d👦 and 🇫🇷 and 👍🏽 make a lovely day!",
    "combining marks": "Cafe\u0301 na\u0308ive Z\u0336a\u0336l\u0336g\u0336o\u0336 is dreadful.",
    "bidi controls": "Evil \u202etxet desrever\u202c text is sad.",
}


@pytest.mark.parametrize("name", list(ODD_TEXTS))
def test_odd_text_is_analysed_with_spans_in_the_sentence(embedded_engine, name: str) -> None:  # type: ignore[no-untyped-def]
    text = ODD_TEXTS[name]
    sentences = document_sentences(text, "plaintext")
    assert sentences, name
    results = embedded_engine.analyze([s.text for s in sentences])
    assert len(results) == len(sentences)
    for sentence, result in zip(sentences, results, strict=True):
        assert sentence.text == text[sentence.start : sentence.end] or "\n" in text
        assert abs(sum(result.prediction.probabilities.values()) - 1) < 1e-4
        for token in result.encoding.tokens:
            if token.span is not None:
                assert 0 <= token.span[0] <= token.span[1] <= len(sentence.text)


def test_a_lone_surrogate_does_not_fail_its_neighbours(embedded_engine) -> None:  # type: ignore[no-untyped-def]
    """Regression: the Rust tokenizer raised TypeError on a lone surrogate, and the one
    sentence took every diagnostic of its document with it."""
    texts = ["A fine day.", "Broken \ud83d here.", "A terrible day."]
    results = embedded_engine.analyze(texts)
    assert [r.text for r in results] == texts
    assert results[2].prediction.label == "negative"


def test_encode_keeps_spans_across_a_lone_surrogate(embedded_engine) -> None:  # type: ignore[no-untyped-def]
    text = "x \udc00 terrible"
    encoding = encode(embedded_engine.loaded.tokenizer, text)
    spans = [t.span for t in encoding.tokens if t.span is not None]
    assert text[spans[-1][0] : spans[-1][1]] == "terrible"


@pytest.mark.parametrize("text", ["", " ", "\n\n\t \r\n", "\x00\x00", "...!?", "\u200b\u200b"])
def test_documents_without_words_have_no_sentences(text: str) -> None:
    for language in ("plaintext", "markdown"):
        assert document_sentences(text, language) == []


def test_a_sentence_past_the_model_maximum_is_read_to_its_end(embedded_engine) -> None:  # type: ignore[no-untyped-def]
    """Windows cover the whole sentence: the last window ends with its last word."""
    tokenizer = embedded_engine.loaded.tokenizer
    words = [f"word{i}" for i in range(1500)] + ["terrible"]
    text = " ".join(words)
    encoding = encode(tokenizer, text)
    assert len(encoding.windows) > 3
    last = [tokenizer.id_to_token(i) for i in encoding.windows[-1]]
    assert last[-2:] == ["terrible", "[SEP]"]
