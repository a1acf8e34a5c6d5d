"""A decoder-only causal Transformer (``gpt``) and the position schemes that decide how far it generalises.

The sequence is the question, a separator (the start token), then the answer: one
causal stack reads it left to right and the loss falls on the answer's tokens only.
Prediction decodes greedily with a key/value cache: the question is read once and
each new character costs one token's pass through the layers.

Position schemes (``positions``):

- ``absolute``: a learned embedding per token index (the classic GPT);
- ``sinusoidal``: fixed sines and cosines of the token index (Vaswani et al.);
- ``none``: no positions at all; causal masking alone tells order (NoPE, Kazemnejad et al. 2023);
- ``rope``: queries and keys rotated by the token index (Su et al.);
- ``randomized``: in training, the indices are a sorted random subset of ``0..max_position-1``
  (Ruoss et al. 2023), so ids far past the trained lengths are seen; plain indices in prediction;
- ``abacus``: each digit's id is its place in its number (1 for units), the answer's digits too;
  a random offset per example in training (McLeish et al. 2024);
- ``coupled``: digits of equal significance share an id across every operand and the answer
  position that writes that significance, plus a random start offset in training (Cho et al. 2024);
- ``coupled-rope``: the coupled ids, rotating queries and keys (RoPE) instead of a learned table:
  attention then sees only differences of places ("same place", "one place lower"), the same at
  every length, so no id has to be learned separately and no offsets are needed.
- ``coupled-relative``: the coupled ids, as a learned bias on the attention logits per head and
  difference of places (``id(query) - id(key)`` within ``relative`` places, one bias for every
  larger difference, one for keys that are no digit), as T5's relative biases are over token
  distances: no embedding of an id at all, so nothing the network learned depends on how long the
  numbers were, and a key far from the query's place gets a bias that need not be told apart from
  a nearer one by a learned table.

The structural ids (``abacus``, ``coupled``) come from :meth:`Tokenizer.significance`, which
knows where each number starts and which way it is written; answers must be written least
significant digit first (``reverse_output``) so the answer's places are known while writing.
Tokens that are not digits (operators, separator, pads) get id 0 there. Question pads are
masked out of attention in every scheme: they carry nothing, and would otherwise be
distractors whose number depends on the padding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import keras
from keras import layers, ops

from ..errors import ConfigError
from .gpt_decoding import gpt_decoder
from .gpt_positions import LEARNED, PLACE_TABLE, RELATIVE, ROTARY, SCHEMES, STRUCTURAL, PositionIds, SequencePlaces, needed_ids, rotate, sinusoids
from .registry import Shapes, register_model
from .transformer import check_sizes

__all__ = ["GPTBlock", "GPTEmbedding", "GPTOptions", "PositionIds", "SCHEMES", "STRUCTURAL", "SequencePlaces", "gpt", "needed_ids"]

NEG = -1e9


@dataclass(frozen=True)
class GPTOptions:
    dim: int = 128
    heads: int = 4
    layers: int = 1
    ff: int = 512
    dropout: float = 0.0
    positions: str = "coupled"
    max_position: int = 256  # ids 0..max_position-1: training offsets spread over this range
    sink: bool = True  # a learned key/value every head may attend to when no token matches
    log_scale: bool = False  # attention logits times log(tokens attended): as sharp among more tokens
    places: bool = False  # add an embedding of each digit's place in its number, the answer's digits too
    relative: int = 2  # coupled-relative: differences of places with a bias of their own (larger ones share one)
    window: int = 0  # structural ids: a token with a place attends only to those within this many places (0: all)

    def check(self) -> None:
        check_sizes(self)
        if self.positions in ROTARY and (self.dim // self.heads) % 2:
            raise ConfigError(f"positions {self.positions!r} rotates pairs of channels: dim/heads must be even, got {self.dim // self.heads}")
        if self.positions not in SCHEMES:
            from ..options import did_you_mean

            raise ConfigError(
                f"option 'positions': unknown scheme {self.positions!r}{did_you_mean(self.positions, SCHEMES)} "
                f"(schemes: {', '.join(SCHEMES)})"
            )
        if self.places and self.positions in PLACE_TABLE:
            raise ConfigError(f"option 'places' adds digit places to the positions, and {self.positions!r} ids are places already")
        if self.window and self.positions not in STRUCTURAL:
            raise ConfigError(f"option 'window' counts places, which only {', '.join(STRUCTURAL)} ids give; got positions {self.positions!r}")
        if not 0 <= self.window <= 64:
            raise ConfigError(f"option 'window' (places each side a digit attends to; 0 for all) must be between 0 and 64, got {self.window}")
        if not 0 <= self.relative <= 64:
            raise ConfigError(f"option 'relative' (places each side with a bias of their own) must be between 0 and 64, got {self.relative}")
        if not 2 <= self.max_position <= 100_000:
            raise ConfigError(f"option 'max_position' must be between 2 and 100000, got {self.max_position}")


@keras.saving.register_keras_serializable(package="arithseq")
class GPTEmbedding(layers.Layer):
    """Token embedding plus the scheme's position embedding (learned, sinusoidal or none)."""

    def __init__(self, vocab: int, dim: int, scheme: str, max_position: int, places: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.vocab, self.dim, self.scheme, self.max_position = vocab, dim, scheme, max_position
        self.tokens = layers.Embedding(vocab, dim)
        self.positions = layers.Embedding(max_position, dim) if scheme in LEARNED else None
        self.places = layers.Embedding(max_position, dim) if places else None

    def build(self, ids_shape, positions_shape=None, places_shape=None):
        for table in (self.tokens, self.positions, self.places):
            if table is not None:
                table.build(ids_shape)
        super().build(ids_shape)

    def call(self, ids, positions, places=None):
        x = self.tokens(ids)
        if self.positions is not None:
            x = x + self.positions(ops.minimum(positions, self.max_position - 1))
        elif self.scheme == "sinusoidal":
            x = x + sinusoids(positions, self.dim)
        if self.places is not None:
            x = x + self.places(ops.minimum(places, self.max_position - 1))
        return x

    def get_config(self):
        return {**super().get_config(), "vocab": self.vocab, "dim": self.dim, "scheme": self.scheme, "max_position": self.max_position,
                "places": self.places is not None}


@keras.saving.register_keras_serializable(package="arithseq")
class GPTBlock(layers.Layer):
    """Pre-norm causal self-attention and feed-forward; its projections are reused by the cached decoder."""

    def __init__(self, dim: int, heads: int, ff: int, dropout: float = 0.0, rope: bool = False, sink: bool = False,
                 log_scale: bool = False, relative: int = -1, window: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.dim, self.heads, self.ff, self.dropout, self.rope, self.sink = dim, heads, ff, dropout, rope, sink
        self.log_scale, self.relative = log_scale, relative  # relative -1: no biases by place differences
        self.window = window
        self.norm1 = layers.LayerNormalization()
        self.qkv = layers.Dense(3 * dim)
        self.out = layers.Dense(dim)
        self.norm2 = layers.LayerNormalization()
        self.ff1 = layers.Dense(ff, activation="gelu")
        self.ff2 = layers.Dense(dim)
        self.drop = layers.Dropout(dropout)

    def build(self, x_shape, *args):
        self.norm1.build(x_shape)
        self.qkv.build(x_shape)
        self.out.build((*x_shape[:-1], self.dim))
        self.norm2.build(x_shape)
        self.ff1.build(x_shape)
        self.ff2.build((*x_shape[:-1], self.ff))
        if self.sink:
            # "no token here": a head looking for a digit of a place that no number has (past the
            # end of the numbers) attends to this instead of spreading over unrelated tokens
            shape = (1, self.heads, 1, self.dim // self.heads)
            self.sink_key = self.add_weight(shape=shape, initializer="zeros", name="sink_key")
            self.sink_value = self.add_weight(shape=shape, initializer="zeros", name="sink_value")
        if self.relative >= 0:
            # one bias per head for each difference -relative..relative, one for larger ones, one for pairs where
            # the query or the key has no place
            self.relative_bias = self.add_weight(shape=(self.heads, 2 * self.relative + 3), initializer="zeros", name="relative_bias")
        super().build(x_shape)

    def place_bias(self, query_ids, key_ids):
        """``(n, heads, queries, keys)``: each head's learned bias for the difference of the ids."""
        delta = query_ids[:, :, None] - key_ids[:, None, :]
        far, nowhere = 2 * self.relative + 1, 2 * self.relative + 2
        bucket = ops.where(ops.abs(delta) <= self.relative, delta + self.relative, far)
        # a token with no place (operator, separator) has no difference to take: one bias, whatever the ids
        bucket = ops.where((key_ids[:, None, :] == 0) | (query_ids[:, :, None] == 0), nowhere, bucket)
        return ops.transpose(ops.take(self.relative_bias, bucket, axis=1), (1, 0, 2, 3))

    def place_terms(self, query_ids, key_ids, allowed):
        """``allowed`` narrowed to the ``window`` (digit pairs at most that many places apart), and the
        place biases (None without them): what attention adds to its logits from the ids alone."""
        if self.window:
            apart = ops.abs(query_ids[:, :, None] - key_ids[:, None, :]) > self.window
            digits = (query_ids[:, :, None] > 0) & (key_ids[:, None, :] > 0)
            allowed = ops.logical_and(allowed, ops.logical_not(apart & digits)[:, None])
        return allowed, (self.place_bias(query_ids, key_ids) if self.relative >= 0 else None)

    def project(self, x, positions):
        """Queries, keys and values ``(n, heads, length, d)`` of the tokens ``x``."""
        n, length = ops.shape(x)[0], ops.shape(x)[1]
        qkv = ops.reshape(self.qkv(self.norm1(x)), (n, length, 3, self.heads, self.dim // self.heads))
        q, k, v = (ops.transpose(qkv[:, :, i], (0, 2, 1, 3)) for i in range(3))
        if self.rope:
            q, k = rotate(q, positions), rotate(k, positions)
        return q, k, v

    def finish(self, x, q, k, v, allowed, training=False, bias=None):
        """The block's output for tokens ``x`` given their queries and every key/value they may see (and
        the place biases of those pairs, ``(n, heads, queries, keys)``)."""
        n = ops.shape(q)[0]
        if bias is not None and self.sink:
            bias = ops.pad(bias, [(0, 0), (0, 0), (0, 0), (1, 0)])  # the sink is no place: its logit stays as learned
        if self.sink:
            k = ops.concatenate([ops.broadcast_to(self.sink_key, (n, self.heads, 1, self.dim // self.heads)), k], axis=2)
            v = ops.concatenate([ops.broadcast_to(self.sink_value, (n, self.heads, 1, self.dim // self.heads)), v], axis=2)
            allowed = ops.concatenate([ops.ones_like(allowed[..., :1]), allowed], axis=-1)
        scores = ops.einsum("nhqd,nhkd->nhqk", q, k) / math.sqrt(self.dim // self.heads)
        if bias is not None:
            scores = scores + bias
        if self.log_scale:
            # a match must beat every other token: with logits growing like log(n) its share of the
            # attention does not shrink as sequences get longer than any trained on
            seen = ops.sum(ops.cast(allowed, scores.dtype), axis=-1, keepdims=True)
            scores = scores * ops.log(seen + 1.0)
        weights = ops.softmax(ops.where(allowed, scores, NEG), axis=-1)
        mixed = ops.einsum("nhqk,nhkd->nhqd", self.drop(weights, training=training), v)
        n, length = ops.shape(x)[0], ops.shape(x)[1]
        x = x + self.drop(self.out(ops.reshape(ops.transpose(mixed, (0, 2, 1, 3)), (n, length, self.dim))), training=training)
        return x + self.drop(self.ff2(self.ff1(self.norm2(x))), training=training)

    def call(self, x, positions, keep, training=False):
        q, k, v = self.project(x, positions)
        length = ops.shape(x)[1]
        causal = ops.arange(length)[:, None] >= ops.arange(length)[None, :]
        allowed = ops.logical_and(causal[None, None], ops.cast(keep, "bool")[:, None, None, :])
        allowed, bias = self.place_terms(positions, positions, allowed)
        return self.finish(x, q, k, v, allowed, training, bias)

    def get_config(self):
        return {**super().get_config(), "dim": self.dim, "heads": self.heads, "ff": self.ff, "dropout": self.dropout, "rope": self.rope, "sink": self.sink,
                "log_scale": self.log_scale, "relative": self.relative, "window": self.window}


@keras.saving.register_keras_serializable(package="arithseq")
class JoinSequence(layers.Layer):
    """The question and the answer tokens as one sequence, and which of its tokens attention may read
    (every one but the question's pads). The answer's characters get ids of their own (shifted by
    ``answer_offset``): with coupled ids a digit of the question and the answer token beside it in
    id would otherwise look the same to attention."""

    def __init__(self, pad_id: int, answer_offset: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.pad_id, self.answer_offset = pad_id, answer_offset

    def call(self, question, answer):
        tokens = ops.concatenate([question, answer + self.answer_offset], axis=1)
        keep = ops.concatenate([ops.not_equal(question, self.pad_id), ops.ones_like(answer, dtype="bool")], axis=1)
        return tokens, keep

    def compute_output_spec(self, question, answer):
        length = None if question.shape[1] is None or answer.shape[1] is None else question.shape[1] + answer.shape[1]
        shape = (question.shape[0], length)
        return keras.KerasTensor(shape, "int32"), keras.KerasTensor(shape, "bool")

    def get_config(self):
        return {**super().get_config(), "pad_id": self.pad_id, "answer_offset": self.answer_offset}


@keras.saving.register_keras_serializable(package="arithseq")
class AnswerPart(layers.Layer):
    """The last ``answer`` positions of the sequence: the loss and the predictions are on those only."""

    def call(self, x, answer):
        return x[:, ops.shape(x)[1] - ops.shape(answer)[1] :]

    def compute_output_spec(self, x, answer):
        return keras.KerasTensor((x.shape[0], answer.shape[1], x.shape[2]), x.dtype)


@register_model("gpt", framing="decoder-only", options=GPTOptions, decoder=gpt_decoder, summary="Decoder-only causal Transformer (question, separator, answer); positions absolute/sinusoidal/none/rope/randomized/abacus/coupled/coupled-rope/coupled-relative.")
def gpt(shapes: Shapes, options: GPTOptions) -> keras.Model:
    """Decoder-only causal Transformer: question, separator, answer in one sequence; decoded by gpt_decoding.py."""
    if shapes.input_vocab != shapes.vocab:
        raise ConfigError(
            "model 'gpt' reads the question and the answer as one sequence of characters: use it with "
            "input_format=text (column tokens are a different vocabulary)"
        )
    question = keras.Input((None,), dtype="int32", name="question")
    places = keras.Input((None,), dtype="int32", name="question_places")
    answer = keras.Input((None,), dtype="int32", name="answer")
    positions = PositionIds(options.positions, options.max_position, shapes.input_length, name="position_ids")(places, answer)
    tokens, keep = JoinSequence(shapes.vocab - 1, shapes.vocab + 1, name="join")(question, answer)
    embedding = GPTEmbedding(2 * (shapes.vocab + 1), options.dim, options.positions, options.max_position, options.places, name="embedding")
    if options.places:
        if not shapes.digit_ids:
            raise ConfigError("option 'places' counts digit places, but this task's alphabet has no digits")
        x = embedding(tokens, positions, SequencePlaces(shapes.digit_ids, name="sequence_places")(places, answer))
    else:
        x = embedding(tokens, positions)
    for i in range(options.layers):
        relative = options.relative if options.positions in RELATIVE else -1
        x = GPTBlock(options.dim, options.heads, options.ff, options.dropout, options.positions in ROTARY, options.sink, options.log_scale, relative, options.window, name=f"block_{i}")(x, positions, keep)
    x = layers.LayerNormalization(name="final_norm")(AnswerPart(name="answer_part")(x, answer))
    outputs = layers.Dense(shapes.vocab, activation="softmax", name="characters_out")(x)
    return keras.Model([question, places, answer], outputs, name="gpt")
