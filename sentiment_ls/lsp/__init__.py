"""The LSP layer: a thin pygls adapter over the document, analysis and presentation layers."""
