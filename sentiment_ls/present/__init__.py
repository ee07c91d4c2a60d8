"""The presentation layer: results to diagnostics, hover Markdown and reports."""
