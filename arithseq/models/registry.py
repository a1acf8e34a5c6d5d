"""The model registry: Keras 3 networks by stable name.

A model is one decorated builder function::

    @register_model("my-gru", framing="sequence", options=MyOptions)
    def my_gru(shapes: Shapes, options: MyOptions) -> keras.Model:
        ...

``framing`` says how examples become arrays and predictions become strings (see
:mod:`arithseq.models.framing`): ``sequence`` (one pass, fixed output length),
``autoregressive`` (teacher forcing, greedy decoding), ``decoder-only`` (question,
separator and answer in one causal sequence, with the question's digit places from
the tokenizer; see :mod:`arithseq.models.gpt`) or ``regression`` (the tutorial's
mapping framing). ``options`` is a frozen dataclass of hyperparameters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError
from ..options import Registry, dataclass_dict, fill_dataclass

FRAMINGS = ("sequence", "autoregressive", "decoder-only", "regression")


@dataclass(frozen=True)
class Shapes:
    """What a builder needs to know about the data."""

    vocab: int  # output classes (alphabet + pad)
    input_length: int
    output_length: int
    terms: int = 0  # numbers per expression (regression framing)
    input_vocab: int = 0  # input classes when they differ from the output's (column pairs: 100)
    digit_ids: tuple[int, ...] = ()  # the output ids of the digits (a model that counts digit places)

    def __post_init__(self) -> None:
        if not self.input_vocab:
            object.__setattr__(self, "input_vocab", self.vocab)

    @property
    def start_id(self) -> int:
        """The decoder's start token: one id past the vocabulary."""
        return self.vocab


@dataclass(frozen=True)
class ModelSpec:
    name: str
    framing: str
    options: type
    build: Callable[..., Any]
    summary: str
    decoder: Callable[..., Any] | None = None
    attention: Callable[..., Any] | None = None

    def make_options(self, values: Mapping[str, Any] | None = None) -> Any:
        return fill_dataclass(self.options, values or {}, f"model {self.name!r}")


MODELS: Registry[ModelSpec] = Registry("model")


def register_model(
    name: str,
    *,
    framing: str,
    options: type,
    summary: str = "",
    decoder: Callable[..., Any] | None = None,
    attention: Callable[..., Any] | None = None,
    replace: bool = False,
) -> Callable:
    """Register a builder ``(shapes, options) -> keras.Model`` under ``name`` (decorator).

    Autoregressive models may pass ``decoder(model, start_id) -> decode(ids, length)``
    for a faster greedy decoder than the generic one (a full pass per character), and
    ``attention(model, encoder_ids, decoder_ids) -> (n, output, input)`` weights: which input
    character each output character attended to (teacher forced; a heat map in ``serve``).
    """
    if framing not in FRAMINGS:
        raise ConfigError(f"framing must be one of {', '.join(FRAMINGS)}, got {framing!r}")

    def register(build: Callable[..., Any]) -> Callable[..., Any]:
        doc = summary or (build.__doc__ or "").strip().splitlines()[0]
        MODELS.register(name, ModelSpec(name, framing, options, build, doc, decoder, attention), replace=replace)
        return build

    return register


def one_digit_per_column(name: str, shapes: Shapes) -> None:
    """Refuse a task whose answer is not one digit per input column (the column models need one)."""
    if shapes.input_length != shapes.output_length:
        raise ConfigError(
            f"model {name!r} writes one answer digit per input column; use it with -s input_format=columns "
            f"(this task reads {shapes.input_length} tokens and answers with {shapes.output_length})"
        )


def compiled_per_length(loop: Callable[[Any, int], Any]) -> Callable[[Any, int], Any]:
    """``decode(ids, length)`` running ``loop(ids, length)`` (a greedy loop of ``length`` steps) as one
    XLA-compiled graph per length: no Python between steps."""
    import numpy as np
    import tensorflow as tf

    compiled: dict[int, Callable] = {}

    def decode(ids, length: int):
        if length not in compiled:
            compiled[length] = tf.function(
                lambda x: loop(x, length), jit_compile=True, input_signature=[tf.TensorSpec([None, None], tf.int32)]
            )
        return np.asarray(compiled[length](tf.convert_to_tensor(ids, tf.int32)))

    return decode


def get_model_spec(name: str) -> ModelSpec:
    _load_builtins()
    return MODELS.get(name)


def list_models() -> list[str]:
    _load_builtins()
    return MODELS.names()


def _load_builtins() -> None:
    # importing a family module runs its @register_model decorators; Keras loads only now
    from . import attention, columns, feedback, gpt, mapping, seq2seq, transformer  # noqa: F401


options_dict = dataclass_dict
