"""Training: configuration in, a run directory out (``recipes``, ``data``, ``callbacks``, ``loop``)."""

from .recipes import recommended

__all__ = ["recommended", "train"]


def __getattr__(name: str):
    # ``train`` imported on first use: recipes (and the CLI's option checks) need no TensorFlow
    if name == "train":
        from .loop import train

        return train
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
