"""A network that writes one answer digit per column and reads the digit it wrote for the column before.

Addition by hand needs no long memory: the carry into column ``i`` follows from
column ``i-1`` (its digits) and the digit written for it (``d = a + b + carry_in``
mod 10 fixes ``carry_in``, and with it ``carry_out``). So this network sees, at
column ``i``, the tokens of columns ``i`` and ``i-1`` (a causal convolution of
width 2) and the digit it wrote for column ``i-1`` (teacher forcing in training,
its own output in prediction), and nothing else: the same small function at every
column, whatever the number of columns. A carry that passes through a hundred
columns summing to 9 is a hundred applications of that function, which is why it
adds numbers of any length once it adds short ones. Decoding is one greedy pass
over the columns (the network writes every digit; Python only hands each one back).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from ..errors import ConfigError
from .registry import Shapes, compiled_per_length, one_digit_per_column, register_model


@dataclass(frozen=True)
class FeedbackOptions:
    units: int = 128
    embedding_dim: int = 32
    layers: int = 2  # dense layers after the column window and the digit written before
    window: int = 2  # columns read at once: this one and the ones before it

    def check(self) -> None:
        if min(self.units, self.embedding_dim, self.layers) < 1:
            raise ConfigError("units, embedding_dim and layers must be positive")
        if not 1 <= self.window <= 8:
            raise ConfigError(f"option 'window' must be between 1 and 8 columns, got {self.window}")


def decoder(model: keras.Model, start_id: int) -> Callable[[np.ndarray, int], np.ndarray]:
    """Greedy decoding: the column window once for all columns, then one small step per column."""
    columns_in = model.get_layer("column_embedding").input
    window = keras.Model(columns_in, model.get_layer("column_window").output)
    features = keras.Input((1, window.output.shape[-1]))
    token = keras.Input((1,), dtype="int32")
    x = model.get_layer("join")([features, model.get_layer("written_embedding")(token)])
    hidden = [layer for layer in model.layers if layer.name.startswith("hidden_")]
    for layer in hidden:
        x = layer(x)
    step = keras.Model([features, token], model.get_layer("digits_out")(x))

    def loop(ids, length: int):
        seen = window(ids, training=False)  # (n, columns, units)
        token_value = tf.fill([tf.shape(ids)[0], 1], start_id)
        written = []
        for t in range(length):
            probs = step([seen[:, t : t + 1], token_value], training=False)
            token_value = tf.cast(tf.argmax(probs[:, 0], axis=-1), tf.int32)[:, None]
            written.append(token_value)
        return tf.concat(written, axis=1)

    compiled = compiled_per_length(loop)

    def decode(ids: np.ndarray, length: int) -> np.ndarray:
        if length != ids.shape[1]:
            raise ConfigError(
                f"model 'column-feedback' writes one digit per column: {ids.shape[1]} columns give "
                f"{ids.shape[1]} digits, not {length}"
            )
        return compiled(ids, length)

    return decode


@register_model("column-feedback", framing="autoregressive", options=FeedbackOptions, decoder=decoder)
def column_feedback(shapes: Shapes, options: FeedbackOptions) -> keras.Model:
    """One answer digit per column from this column, the ones before it and the digit written before."""
    one_digit_per_column("column-feedback", shapes)
    columns = keras.Input((None,), dtype="int32", name="columns")
    written = keras.Input((None,), dtype="int32", name="written")
    x = layers.Embedding(shapes.input_vocab, options.embedding_dim, name="column_embedding")(columns)
    # causal: column i sees columns i-window+1..i, never a later one (zeros stand before the units)
    x = layers.Conv1D(options.units, options.window, padding="causal", activation="relu", name="column_window")(x)
    d = layers.Embedding(shapes.vocab + 1, options.embedding_dim, name="written_embedding")(written)
    x = layers.Concatenate(name="join")([x, d])
    for i in range(options.layers):
        x = layers.Dense(options.units, activation="relu", name=f"hidden_{i}")(x)
    outputs = layers.Dense(shapes.vocab, activation="softmax", name="digits_out")(x)
    return keras.Model([columns, written], outputs, name="column_feedback")
