"""A recurrent network that writes one answer digit per column it reads: addition by hand.

With ``input_format=columns`` a sum arrives as one token per column of digits,
least significant first; the network reads column ``i`` and writes digit ``i`` of
the (zero-padded) answer, carrying what it needs in its state. Nothing in it
depends on the number of columns, so it reads numbers longer than it was trained on.
With ``bidirectional`` the first layers also read the columns most significant
first, which a difference needs: its sign, written last, depends on the top digits.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
from keras import layers

from ..errors import ConfigError
from .registry import Shapes, one_digit_per_column, register_model

CELLS = {"lstm": layers.LSTM, "gru": layers.GRU}


@dataclass(frozen=True)
class ColumnOptions:
    units: int = 64
    embedding_dim: int = 32
    cell: str = "gru"
    layers: int = 1
    # read the columns both ways first: a difference's sign depends on its most significant columns
    bidirectional: bool = False

    def check(self) -> None:
        if self.cell not in CELLS:
            raise ConfigError(f"option 'cell' must be one of {', '.join(CELLS)}, got {self.cell!r}")
        if min(self.units, self.embedding_dim, self.layers) < 1:
            raise ConfigError("units, embedding_dim and layers must be positive")


@register_model("column-gru", framing="sequence", options=ColumnOptions)
def column_gru(shapes: Shapes, options: ColumnOptions) -> keras.Model:
    """One answer digit per input column: embedding -> GRU over columns -> softmax per column."""
    one_digit_per_column("column-gru", shapes)
    inputs = keras.Input((None,), dtype="int32", name="columns")
    x = layers.Embedding(shapes.input_vocab, options.embedding_dim, name="embedding")(inputs)
    for i in range(options.layers):
        rnn = CELLS[options.cell](options.units, return_sequences=True, name=f"rnn_{i}")
        both_ways = options.bidirectional and (i < options.layers - 1 or options.layers == 1)
        x = layers.Bidirectional(rnn, name=f"birnn_{i}")(x) if both_ways else rnn(x)
    outputs = layers.Dense(shapes.vocab, activation="softmax", name="digits_out")(x)
    return keras.Model(inputs, outputs, name="column_gru")
