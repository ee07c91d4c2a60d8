from sentiment_ls.document import document_sentences
from sentiment_ls.lsp.visible import TOP_SENTENCES, VisibleRanges


def test_top_of_the_document_by_default_and_the_visible_ranges_when_told() -> None:
    text = "\n\n".join(f"Sentence number {i} is here." for i in range(200))
    sentences = document_sentences(text, "plaintext")
    ranges = VisibleRanges()
    assert ranges.first_pass("file:///a", sentences) == list(range(TOP_SENTENCES))
    start = text.index("Sentence number 150")
    ranges.set("file:///a", [(start, start + 1)])
    assert ranges.first_pass("file:///a", sentences) == [150]
    ranges.forget("file:///a")
    assert len(ranges.first_pass("file:///a", sentences)) == TOP_SENTENCES
