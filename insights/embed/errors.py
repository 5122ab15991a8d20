"""Errors of the embed stage, importable without loading torch or sentence-transformers."""


class EmbedderError(Exception):
    """A model named by INSIGHTS_EMBEDDING_MODEL cannot be loaded (message is one line)."""


MODEL_SETTING = "INSIGHTS_EMBEDDING_MODEL"


def cannot_load(model_id: str, exc: BaseException) -> EmbedderError:
    """The one-line error for a model that failed to load, naming the setting."""
    reason = " ".join(str(exc).split())[:200] or type(exc).__name__
    return EmbedderError(
        f"cannot load embedding model {model_id!r} (setting {MODEL_SETTING}): {reason}"
    )
