"""A small encoder-decoder Transformer, with the same contract as ``attention``."""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np
from keras import layers, ops

from ..errors import ConfigError
from .registry import Shapes, register_model

MAX_POSITIONS = 1024  # learned positions; a scratchpad's length bound is loose (brackets' trace: 612)


@keras.saving.register_keras_serializable(package="arithseq")
class TokenAndPosition(layers.Layer):
    """Token embedding plus a learned position embedding (up to ``max_length`` positions)."""

    def __init__(self, vocab: int, dim: int, max_length: int = MAX_POSITIONS, **kwargs):
        super().__init__(**kwargs)
        self.vocab, self.dim, self.max_length = vocab, dim, max_length
        self.tokens = layers.Embedding(vocab, dim)
        self.positions = layers.Embedding(max_length, dim)

    def build(self, ids_shape):
        self.tokens.build(ids_shape)
        self.positions.build((None,))
        super().build(ids_shape)

    def call(self, ids):
        positions = ops.arange(ops.shape(ids)[-1])
        return self.tokens(ids) + self.positions(positions)[None, :, :]

    def get_config(self):
        return {**super().get_config(), "vocab": self.vocab, "dim": self.dim, "max_length": self.max_length}


@keras.saving.register_keras_serializable(package="arithseq")
class TransformerBlock(layers.Layer):
    """Pre-norm block: self-attention (causal when ``causal``), optional cross-attention, feed-forward."""

    def __init__(self, dim: int, heads: int, ff: int, causal: bool = False, cross: bool = False, dropout: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        self.dim, self.heads, self.ff, self.causal, self.cross, self.dropout = dim, heads, ff, causal, cross, dropout
        self.norm1 = layers.LayerNormalization()
        self.self_attention = layers.MultiHeadAttention(heads, dim // heads, dropout=dropout)
        if cross:
            self.norm2 = layers.LayerNormalization()
            self.cross_attention = layers.MultiHeadAttention(heads, dim // heads, dropout=dropout)
        self.norm3 = layers.LayerNormalization()
        self.ff1 = layers.Dense(ff, activation="relu")
        self.ff2 = layers.Dense(dim)

    def build(self, x_shape, memory_shape=None):
        self.norm1.build(x_shape)
        self.self_attention.build(x_shape, x_shape)
        if self.cross:
            self.norm2.build(x_shape)
            self.cross_attention.build(x_shape, memory_shape or x_shape)
        self.norm3.build(x_shape)
        self.ff1.build(x_shape)
        self.ff2.build((*x_shape[:-1], self.ff))
        super().build(x_shape)

    def call(self, x, memory=None, training=False):
        h = self.norm1(x)
        x = x + self.self_attention(h, h, use_causal_mask=self.causal, training=training)
        if self.cross:
            x = x + self.cross_attention(self.norm2(x), memory, training=training)
        return x + self.ff2(self.ff1(self.norm3(x)))

    def get_config(self):
        return {
            **super().get_config(),
            "dim": self.dim,
            "heads": self.heads,
            "ff": self.ff,
            "causal": self.causal,
            "cross": self.cross,
            "dropout": self.dropout,
        }


@dataclass(frozen=True)
class TransformerOptions:
    dim: int = 64
    heads: int = 4
    layers: int = 2
    ff: int = 128
    dropout: float = 0.0

    def check(self) -> None:
        check_sizes(self)


def check_sizes(options) -> None:
    """The checks every Transformer's options share (this one's and ``gpt``'s)."""
    if min(options.dim, options.heads, options.layers, options.ff) < 1 or options.dim % options.heads:
        raise ConfigError("dim, heads, layers and ff must be positive, and dim divisible by heads")
    if not 0 <= options.dropout < 1:
        raise ConfigError("option 'dropout' must be in [0, 1)")


def cross_attention(model: keras.Model, encoder_ids: np.ndarray, decoder_ids: np.ndarray) -> np.ndarray:
    """``(n, output, input)``: the last decoder block's cross-attention over the question, averaged over heads."""
    layers_by_name = {layer.name: layer for layer in model.layers}
    memory = layers_by_name["encoder_embedding"](encoder_ids)
    for i in range(sum(name.startswith("encoder_") and name[8:].isdigit() for name in layers_by_name)):
        memory = layers_by_name[f"encoder_{i}"](memory)
    memory = layers_by_name["encoder_norm"](memory)
    x = layers_by_name["decoder_embedding"](decoder_ids)
    blocks = [layers_by_name[f"decoder_{i}"] for i in range(sum(name.startswith("decoder_") and name[8:].isdigit() for name in layers_by_name))]
    for block in blocks[:-1]:
        x = block(x, memory)
    last = blocks[-1]
    h = last.norm1(x)
    x = x + last.self_attention(h, h, use_causal_mask=True)
    _, scores = last.cross_attention(last.norm2(x), memory, return_attention_scores=True)
    return np.asarray(scores).mean(axis=1)


@register_model("transformer", framing="autoregressive", options=TransformerOptions, attention=cross_attention)
def transformer(shapes: Shapes, options: TransformerOptions) -> keras.Model:
    """Encoder-decoder Transformer (pre-norm, learned positions), greedy decoding."""
    if max(shapes.input_length, shapes.output_length) > MAX_POSITIONS:
        raise ConfigError(f"model 'transformer' handles at most {MAX_POSITIONS} positions")
    enc_in = keras.Input((None,), dtype="int32", name="encoder")
    dec_in = keras.Input((None,), dtype="int32", name="decoder")
    memory = TokenAndPosition(shapes.input_vocab, options.dim, name="encoder_embedding")(enc_in)
    for i in range(options.layers):
        memory = TransformerBlock(options.dim, options.heads, options.ff, dropout=options.dropout, name=f"encoder_{i}")(memory)
    memory = layers.LayerNormalization(name="encoder_norm")(memory)
    x = TokenAndPosition(shapes.vocab + 1, options.dim, name="decoder_embedding")(dec_in)
    for i in range(options.layers):
        block = TransformerBlock(options.dim, options.heads, options.ff, causal=True, cross=True, dropout=options.dropout, name=f"decoder_{i}")
        x = block(x, memory)
    x = layers.LayerNormalization(name="decoder_norm")(x)
    outputs = layers.Dense(shapes.vocab, activation="softmax", name="characters_out")(x)
    return keras.Model([enc_in, dec_in], outputs, name="transformer")
