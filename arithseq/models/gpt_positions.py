"""Position ids for ``gpt``: the schemes, the ids of a whole sequence (offsets only in training), each
digit's place in its number, and the fixed functions of ids (sinusoids, rotations).

The structural schemes (``abacus``, ``coupled`` and its variants) take their ids from
:meth:`Tokenizer.significance` (the question) and from the answer position; see :mod:`.gpt`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import keras
from keras import layers, ops

SCHEMES = ("absolute", "sinusoidal", "none", "rope", "randomized", "abacus", "coupled", "coupled-rope", "coupled-relative")
STRUCTURAL = ("abacus", "coupled", "coupled-rope", "coupled-relative")  # ids from the numbers' digits, not from token indices
ROTARY = ("rope", "coupled-rope")  # ids rotate queries and keys instead of being added to the tokens
RELATIVE = ("coupled-relative",)  # ids bias the attention logits by their differences: no id range to train
LEARNED = ("absolute", "randomized", "abacus", "coupled")  # an embedding table of max_position ids
COUPLED = ("coupled", "coupled-rope", "coupled-relative")  # an answer position shares the id of the place it writes
PLACE_TABLE = ("abacus", "coupled")  # a learned table indexed by places, shifted by a random offset in training


def needed_ids(scheme: str, top_place: int, question_length: int, answer_length: int) -> int:
    """The largest position id a question (its highest digit place, from the tokenizer) and an answer
    need, before offsets."""
    if scheme in RELATIVE:
        return 0  # only differences of ids are used: no table to run past
    if scheme in STRUCTURAL:
        return max(top_place, answer_length)
    return question_length + answer_length - 1


@keras.saving.register_keras_serializable(package="arithseq")
class PositionIds(layers.Layer):
    """Position ids of the whole sequence ``(n, question + answer)`` from the question's places and
    the answer's length; training adds the scheme's random offsets (only in training)."""

    def __init__(self, scheme: str, max_position: int, question_length: int = 0, **kwargs):
        super().__init__(**kwargs)
        # with question_length, token indices count as if the left-padded question were that long:
        # a question cut to fewer of its pads (training) gets the ids it has at full width (prediction).
        # 0 (models saved before): indices from the first token, whatever the width
        self.scheme, self.max_position, self.question_length = scheme, max_position, question_length
        self.seed = keras.random.SeedGenerator(1)

    def _end(self, question_length):
        return ops.maximum(question_length, self.question_length) if self.question_length else question_length

    def answer_ids(self, t, question_length):
        """Ids of answer positions ``t`` (a tensor of indices) without offsets."""
        if self.scheme in COUPLED:
            return t + 1  # the position that writes the digit of place t+1 lines up with those digits
        if self.scheme == "abacus":
            return t  # the token at t is the answer's digit of place t (the separator: 0)
        return self._end(question_length) + t

    def plain(self, places, answer_length):
        n, length = ops.shape(places)[0], ops.shape(places)[1]
        answer = self.answer_ids(ops.arange(answer_length, dtype="int32"), length)
        answer = ops.broadcast_to(answer[None, :], (n, answer_length))
        if self.scheme in STRUCTURAL:
            question = ops.cast(places, "int32")
        else:
            first = self._end(length) - length
            question = ops.broadcast_to((ops.arange(length, dtype="int32") + first)[None, :], (n, length))
        return ops.concatenate([question, answer], axis=1)

    def call(self, places, answer, training=False):
        ids = self.plain(places, ops.shape(answer)[1])
        if not training:
            return ids
        n, total = ops.shape(ids)[0], ops.shape(ids)[1]
        if self.scheme in PLACE_TABLE:
            # one random start per example: every id up to max_position is trained, with the same
            # alignment; non-digit tokens keep id 0
            room = ops.cast(self.max_position - 1 - ops.max(ids, axis=1, keepdims=True), "float32")
            draw = keras.random.uniform((n, 1), seed=self.seed)
            offset = ops.cast(ops.floor(draw * (ops.maximum(room, 0.0) + 1.0)), "int32")
            return ops.where(ids > 0, ids + offset, ids)
        if self.scheme == "randomized":
            # a sorted random subset of 0..max_position-1, as long as the sequence
            scores = keras.random.uniform((n, self.max_position), seed=self.seed)
            _, chosen = ops.top_k(scores, total)
            return ops.sort(ops.cast(chosen, "int32"), axis=1)
        return ids

    def get_config(self):
        return {**super().get_config(), "scheme": self.scheme, "max_position": self.max_position, "question_length": self.question_length}


@keras.saving.register_keras_serializable(package="arithseq")
class SequencePlaces(layers.Layer):
    """Each token's place in its number over the whole sequence (1 units, 2 tens, ...; 0 for other
    tokens): the question's from the tokenizer, the answer's counted causally along each run of digits,
    which is its place value when the answer writes numbers least significant digit first. A digit of
    the answer and the question's digits of the same place then share an embedding, whatever their
    token index: the alignment a scratchpad's sums and partial products need."""

    def __init__(self, digit_ids: Iterable[int], **kwargs):
        super().__init__(**kwargs)
        self.digit_ids = tuple(int(i) for i in digit_ids)

    def answer_places(self, answer):
        digit = ops.cast(ops.any(ops.expand_dims(answer, -1) == ops.array(self.digit_ids, "int32"), axis=-1), "int32")
        count = ops.cumsum(digit, axis=1)
        at_other = (1 - digit) * count  # digits counted before each non-digit token
        length = ops.shape(answer)[1]
        causal = ops.arange(length)[:, None] >= ops.arange(length)[None, :]
        before = ops.max(ops.where(causal[None], at_other[:, None, :], 0), axis=-1)  # at the last non-digit
        return digit * (count - before)

    def step(self, token, place):
        """The place of ``token`` written after a token of place ``place`` (the cached decoder's step)."""
        digit = ops.any(ops.expand_dims(token, -1) == ops.array(self.digit_ids, "int32"), axis=-1)
        return ops.where(digit, place + 1, 0)

    def call(self, question_places, answer):
        return ops.concatenate([ops.cast(question_places, "int32"), self.answer_places(answer)], axis=1)

    def compute_output_spec(self, question_places, answer):
        length = None if question_places.shape[1] is None or answer.shape[1] is None else question_places.shape[1] + answer.shape[1]
        return keras.KerasTensor((question_places.shape[0], length), "int32")

    def get_config(self):
        return {**super().get_config(), "digit_ids": list(self.digit_ids)}


def sinusoids(positions, dim: int):
    half = dim // 2
    rates = ops.exp(-math.log(10_000.0) * ops.arange(half, dtype="float32") / half)
    angles = ops.cast(positions, "float32")[..., None] * rates
    waves = ops.concatenate([ops.sin(angles), ops.cos(angles)], axis=-1)
    return ops.pad(waves, [(0, 0), (0, 0), (0, dim - 2 * half)]) if dim % 2 else waves


def rotate(x, positions):
    """RoPE: channel pairs of ``x (n, heads, length, d)`` rotated by angles of the token ids."""
    d = ops.shape(x)[-1]
    half = d // 2
    rates = ops.exp(-math.log(10_000.0) * ops.arange(half, dtype="float32") / half)
    angles = ops.cast(positions, "float32")[:, None, :, None] * rates  # (n, 1, length, half)
    cos, sin = ops.cos(angles), ops.sin(angles)
    a, b = x[..., :half], x[..., half:]
    return ops.concatenate([a * cos - b * sin, a * sin + b * cos], axis=-1)
