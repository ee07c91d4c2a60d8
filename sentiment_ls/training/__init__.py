"""Fine-tuning and evaluation of the embedded model (not imported by the server)."""
