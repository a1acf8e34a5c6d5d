"""Encoder-decoder with (Luong dot-product) attention, teacher forcing and greedy decoding.

The training model reads the encoder ids and the decoder ids shifted right behind a
start token. For prediction, :func:`decoder` rebuilds an encoder model and a
one-step decoder from the same layers, so each output character costs one decoder
step (not a whole forward pass) and the output length is not tied to the model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from ..errors import ConfigError
from .registry import Shapes, compiled_per_length, register_model

CELLS = {"lstm": layers.LSTM, "gru": layers.GRU}


@dataclass(frozen=True)
class AttentionOptions:
    units: int = 128
    embedding_dim: int = 32
    cell: str = "gru"

    def check(self) -> None:
        if self.cell not in CELLS:
            raise ConfigError(f"option 'cell' must be one of {', '.join(CELLS)}, got {self.cell!r}")
        if min(self.units, self.embedding_dim) < 1:
            raise ConfigError("units and embedding_dim must be positive")


def decoder(model: keras.Model, start_id: int) -> Callable[[np.ndarray, int], np.ndarray]:
    """Greedy decoding with an encoder pass and one decoder step per output character."""
    enc_in = model.get_layer("encoder_embedding").input
    enc_seq, *state = model.get_layer("encoder_rnn").output
    encoder = keras.Model(enc_in, [enc_seq, *state])
    rnn = model.get_layer("decoder_rnn")
    n_states = len(state)
    units = rnn.units
    token = keras.Input((1,), dtype="int32")
    memory = keras.Input((None, enc_seq.shape[-1]))
    states_in = [keras.Input((units,)) for _ in range(n_states)]
    d = model.get_layer("decoder_embedding")(token)
    out, *states_out = rnn(d, initial_state=states_in)
    context = model.get_layer("attention")([out, memory])
    probs = model.get_layer("characters_out")(model.get_layer("join")([out, context]))
    step = keras.Model([token, memory, *states_in], [probs, *states_out])

    def loop(ids, length: int):
        memory_value, *states = encoder(ids, training=False)
        token_value = tf.fill([tf.shape(ids)[0], 1], start_id)
        tokens = []
        for _ in range(length):
            probs_value, *states = step([token_value, memory_value, *states], training=False)
            token_value = tf.cast(tf.argmax(probs_value, axis=-1), tf.int32)
            tokens.append(token_value)
        return tf.concat(tokens, axis=1)

    return compiled_per_length(loop)


def attention_weights(model: keras.Model, encoder_ids: np.ndarray, decoder_ids: np.ndarray) -> np.ndarray:
    """``(n, output, input)``: the attention layer's weights over the encoder states for each output step."""
    enc_seq, *state = model.get_layer("encoder_rnn")(model.get_layer("encoder_embedding")(encoder_ids))
    dec_seq, *_ = model.get_layer("decoder_rnn")(model.get_layer("decoder_embedding")(decoder_ids), initial_state=state)
    _, scores = model.get_layer("attention")([dec_seq, enc_seq], return_attention_scores=True)
    return np.asarray(scores)


@register_model("attention", framing="autoregressive", options=AttentionOptions, decoder=decoder, attention=attention_weights)
def attention(shapes: Shapes, options: AttentionOptions) -> keras.Model:
    """Recurrent encoder-decoder with dot-product attention over the encoder states."""
    cell = CELLS[options.cell]
    enc_in = keras.Input((None,), dtype="int32", name="encoder")
    dec_in = keras.Input((None,), dtype="int32", name="decoder")
    e = layers.Embedding(shapes.input_vocab, options.embedding_dim, name="encoder_embedding")(enc_in)
    enc_seq, *state = cell(options.units, return_sequences=True, return_state=True, name="encoder_rnn")(e)
    d = layers.Embedding(shapes.vocab + 1, options.embedding_dim, name="decoder_embedding")(dec_in)
    dec_seq, *_ = cell(options.units, return_sequences=True, return_state=True, name="decoder_rnn")(d, initial_state=state)
    context = layers.Attention(name="attention")([dec_seq, enc_seq])
    joined = layers.Concatenate(name="join")([dec_seq, context])
    outputs = layers.Dense(shapes.vocab, activation="softmax", name="characters_out")(joined)
    return keras.Model([enc_in, dec_in], outputs, name="attention")
