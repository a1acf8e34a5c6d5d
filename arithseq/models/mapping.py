"""The tutorial's mapping framing ("the beginner's mistake"): term values in, one number out."""

from __future__ import annotations

from dataclasses import dataclass

import keras
from keras import layers

from ..errors import ConfigError
from .registry import Shapes, register_model


@dataclass(frozen=True)
class MappingLSTMOptions:
    units: int = 10

    def check(self) -> None:
        if self.units < 1:
            raise ConfigError("option 'units' must be positive")


@dataclass(frozen=True)
class MLPOptions:
    hidden: tuple[int, ...] = (4, 2)

    def check(self) -> None:
        if any(h < 1 for h in self.hidden):
            raise ConfigError("option 'hidden' sizes must be positive")


@register_model("mapping-lstm", framing="regression", options=MappingLSTMOptions)
def mapping_lstm(shapes: Shapes, options: MappingLSTMOptions) -> keras.Model:
    """LSTM(10) over the normalised terms -> Dense(1): the tutorial's first model."""
    inputs = keras.Input((shapes.terms,), name="terms")
    x = layers.Reshape((shapes.terms, 1), name="one_feature_per_step")(inputs)
    x = layers.LSTM(options.units, name="lstm")(x)
    return keras.Model(inputs, layers.Dense(1, name="sum")(x), name="mapping_lstm")


@register_model("mlp", framing="regression", options=MLPOptions)
def mlp(shapes: Shapes, options: MLPOptions) -> keras.Model:
    """Dense(4) -> Dense(2) -> Dense(1): the MLP that shows the mapping framing needs no sequence model."""
    inputs = keras.Input((shapes.terms,), name="terms")
    x = inputs
    for i, size in enumerate(options.hidden):
        x = layers.Dense(size, name=f"dense_{i}")(x)
    return keras.Model(inputs, layers.Dense(1, name="sum")(x), name="mlp")
