"""Training: configuration in, a run directory out (``data``, ``callbacks``, ``loop``)."""

from .loop import train

__all__ = ["train"]
