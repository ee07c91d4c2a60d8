"""What a client makes of a team service's model card at connect: whether to send it token
ids or text (its tokenizer is not the local one, by the sha256 of `tokenizer.json`), whether
to use it at all (only the labels must match the configured model's), and what the user
should hear about the difference, once."""

from __future__ import annotations

from dataclasses import dataclass

from sentiment_ls.analysis.runtimes.inference_messages import ModelCard


@dataclass(frozen=True)
class Configured:
    """What a service's model is checked against: the model configured here."""

    labels: list[str]
    weights_sha256: str | None
    tokenizer_sha256: str | None
    max_length: int


@dataclass(frozen=True)
class Connection:
    """How this client uses the service it connected to."""

    card: ModelCard
    text: bool  # sentences go as text: the service's tokenizer is not the local one
    problems: tuple[str, ...] = ()  # what the user should hear (warnings)
    refused: bool = False  # not used: its labels differ, or it cannot read what we send

    @property
    def source(self) -> str:
        return f"team service: {self.card.title}"

    def describe(self) -> str:
        if self.text:
            return f"{self.source}, its own tokenizer: sentences are sent as text"
        return self.source


def connection(base: str, card: ModelCard, configured: Configured) -> Connection:
    """How to use the service whose model `card` describes, and what differs from the model
    configured here that the user should hear, once."""
    where = f"the service at {base}"
    if list(card.labels) != configured.labels:
        problem = (
            f"{where} serves a model with the labels {list(card.labels)}, but the configured "
            f"model has {configured.labels}: its verdicts would not mean what the settings "
            "say, so it is not used"
        )
        return Connection(card, False, (problem,), refused=True)
    text = bool(
        card.tokenizer_sha256
        and configured.tokenizer_sha256
        and card.tokenizer_sha256 != configured.tokenizer_sha256
    )
    if text and not card.reads_text:
        problem = (
            f"{where} serves a model with another tokenizer than the configured model's and "
            "takes no text: it is not used"
        )
        return Connection(card, True, (problem,), refused=True)
    if text:  # another model on purpose (a larger one): news, not a problem
        return Connection(card, True)
    problems = []
    digest = configured.weights_sha256
    if digest and card.weights_sha256 and digest != card.weights_sha256:
        problems.append(
            f"{where} serves other weights than the configured model's (sha256 "
            f"{card.weights_sha256[:12]}… against {digest[:12]}…): scores may differ from a "
            "local run"
        )
    if card.max_length < configured.max_length:
        problems.append(
            f"{where} reads at most {card.max_length} tokens a row, the local tokenizer "
            f"makes rows of up to {configured.max_length}: long sentences will fail"
        )
    return Connection(card, False, tuple(problems))
