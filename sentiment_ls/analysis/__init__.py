"""The analysis layer: model loading, the pipeline's three stages, explanations, caching and
scheduling. It knows nothing of LSP: it takes sentence texts and returns results."""
