"""sentiment-ls: a language server for prose that shows sentiment per sentence."""

__version__ = "0.1.0"
