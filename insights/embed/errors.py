"""Errors of the embed stage, importable without loading torch or sentence-transformers."""


class EmbedderError(Exception):
    """A model named by INSIGHTS_EMBEDDING_MODEL cannot be loaded (message is one line)."""
