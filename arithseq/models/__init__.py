"""Models: the registry of Keras 3 networks, how examples are framed for them, one file per family.

``registry`` (names -> builders and their options) and ``framing`` (arrays in,
answers out) load without Keras; the family modules (``seq2seq``, ``mapping``,
``attention``, ``transformer``) import Keras and register themselves when a model
is first asked for.
"""

from .registry import MODELS, FRAMINGS, ModelSpec, Shapes, get_model_spec, list_models, options_dict, register_model

__all__ = [
    "FRAMINGS",
    "MODELS",
    "ModelSpec",
    "Shapes",
    "get_model_spec",
    "list_models",
    "options_dict",
    "register_model",
]
