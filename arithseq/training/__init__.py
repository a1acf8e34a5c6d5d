"""Training: configuration in, a run directory out (``recipes``, ``data``, ``callbacks``, ``loop``)."""

from .loop import train
from .recipes import recommended

__all__ = ["recommended", "train"]
