"""The tutorial's encoder-decoder: recurrent encoder, RepeatVector, recurrent decoder, softmax per character."""

from __future__ import annotations

from dataclasses import dataclass

import keras
from keras import layers

from ..errors import ConfigError
from .registry import Shapes, register_model

CELLS = {"lstm": layers.LSTM, "gru": layers.GRU}


@dataclass(frozen=True)
class Seq2SeqOptions:
    encoder_units: int = 100
    decoder_units: int = 50
    layers: int = 1
    cell: str = "lstm"
    input_encoding: str = "one-hot"
    embedding_dim: int = 16

    def check(self) -> None:
        if self.cell not in CELLS:
            raise ConfigError(f"option 'cell' must be one of {', '.join(CELLS)}, got {self.cell!r}")
        if self.input_encoding not in ("one-hot", "embedding"):
            raise ConfigError(f"option 'input_encoding' must be 'one-hot' or 'embedding', got {self.input_encoding!r}")
        if min(self.encoder_units, self.decoder_units, self.layers, self.embedding_dim) < 1:
            raise ConfigError("units, layers and embedding_dim must be positive")


@register_model("seq2seq-lstm", framing="sequence", options=Seq2SeqOptions)
def seq2seq(shapes: Shapes, options: Seq2SeqOptions) -> keras.Model:
    """The tutorial's network: LSTM(100) -> RepeatVector -> LSTM(50) -> TimeDistributed(Dense softmax)."""
    cell = CELLS[options.cell]
    if options.input_encoding == "one-hot":
        inputs = keras.Input((None, shapes.input_vocab), name="characters")
        x = inputs
    else:
        # the tutorial's "integer encoding" extension: ids through a learned embedding
        inputs = keras.Input((None,), dtype="int32", name="characters")
        x = layers.Embedding(shapes.input_vocab, options.embedding_dim, name="embedding")(inputs)
    for i in range(options.layers - 1):
        x = cell(options.encoder_units, return_sequences=True, name=f"encoder_{i}")(x)
    x = cell(options.encoder_units, name="encoder")(x)
    x = layers.RepeatVector(shapes.output_length, name="repeat")(x)
    for i in range(options.layers):
        x = cell(options.decoder_units, return_sequences=True, name=f"decoder_{i}")(x)
    outputs = layers.TimeDistributed(layers.Dense(shapes.vocab, activation="softmax"), name="characters_out")(x)
    return keras.Model(inputs, outputs, name="seq2seq")
