"""Greedy decoding for ``gpt``: with a key/value cache, and by full recomputation (the reference)."""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np


def gpt_decoder(model: keras.Model, start_id: int, cache: bool = True) -> Callable[[np.ndarray, np.ndarray, int], np.ndarray]:
    """``decode(question_ids, question_places, length, scores=False)``: greedy answers (and each step's
    probabilities), one XLA graph per length.

    With ``cache`` the question and separator pass through the stack once, their keys and values
    are kept, and each new character is one token's pass (attending to the kept keys); without it
    every character re-reads the whole sequence (the reference the cache must agree with).
    """
    import tensorflow as tf

    ids_layer = model.get_layer("position_ids")
    embed = model.get_layer("embedding")
    join = model.get_layer("join")
    blocks = [model.get_layer(f"block_{i}") for i in range(sum(layer.name.startswith("block_") for layer in model.layers))]
    norm, head = model.get_layer("final_norm"), model.get_layer("characters_out")
    counter = next((layer for layer in model.layers if layer.name == "sequence_places"), None)  # option places

    def next_token(x_last):
        probs = head(norm(x_last))[:, -1]
        return tf.cast(tf.argmax(probs, axis=-1), tf.int32), probs

    def cached(question, places, length: int):
        n, q_len = tf.shape(question)[0], tf.shape(question)[1]
        total = q_len + length
        start = tf.fill([n, 1], start_id)
        tokens, keep = join(question, start)
        positions = ids_layer.plain(places, 1)
        place = tf.zeros([n], tf.int32)  # the separator's: no digit
        x = embed(tokens, positions, counter(places, start)) if counter else embed(tokens, positions)
        prefix = q_len + 1
        causal = tf.range(prefix)[:, None] >= tf.range(prefix)[None, :]
        allowed = tf.logical_and(causal[None, None], keep[:, None, None, :])
        keys, values = [], []
        spare = [[0, 0], [0, 0], [0, length - 1], [0, 0]]
        # every token's id, the answer's included (coupled-relative biases the logits by their differences)
        later = ids_layer.answer_ids(tf.range(1, length), q_len)
        every_id = tf.concat([positions, tf.broadcast_to(later[None, :], [n, length - 1])], axis=1)
        for block in blocks:
            q, k, v = block.project(x, positions)
            keys.append(tf.pad(k, spare))
            values.append(tf.pad(v, spare))
            narrowed, bias = block.place_terms(positions, positions, allowed)
            x = block.finish(x, q, k, v, narrowed, bias=bias)
        first, probs = next_token(x)
        readable = tf.concat([keep, tf.ones([n, length - 1], tf.bool)], axis=1)
        written = tf.TensorArray(tf.int32, size=length).write(0, first)
        scores = tf.TensorArray(probs.dtype, size=length).write(0, probs)

        def step(t, token, place, written, scores, keys, values):
            # the token written at step t-1 sits at sequence index q_len + t; its id is answer position t
            at = q_len + t
            pos = tf.fill([n, 1], ids_layer.answer_ids(t, q_len))
            if counter:
                place = counter.step(token, place)
                x = embed(token[:, None] + join.answer_offset, pos, place[:, None])
            else:
                x = embed(token[:, None] + join.answer_offset, pos)
            allowed = tf.logical_and(readable, tf.range(total)[None, :] <= at)[:, None, None, :]
            slot = tf.cast(tf.range(total) == at, x.dtype)[None, None, :, None]
            new_keys, new_values = [], []
            for block, k_all, v_all in zip(blocks, keys, values):
                q, k, v = block.project(x, pos)
                k_all = k_all * (1 - slot) + k * slot
                v_all = v_all * (1 - slot) + v * slot
                new_keys.append(k_all)
                new_values.append(v_all)
                narrowed, bias = block.place_terms(pos, every_id, allowed)
                x = block.finish(x, q, k_all, v_all, narrowed, bias=bias)
            token, probs = next_token(x)
            return t + 1, token, place, written.write(t, token), scores.write(t, probs), new_keys, new_values

        _, _, _, written, scores, _, _ = tf.while_loop(
            lambda t, *_: t < length, step, (tf.constant(1), first, place, written, scores, keys, values), maximum_iterations=length
        )
        return tf.transpose(written.stack()), tf.transpose(scores.stack(), (1, 0, 2))

    def recomputed(question, places, length: int):
        n = tf.shape(question)[0]
        fed = tf.fill([n, length], start_id)  # the separator, then each written character
        out = tf.zeros([n, length], tf.int32)
        vocab = head.units
        scores = tf.zeros([n, length, vocab])

        def step(t, fed, out, scores):
            probs = model([question, places, fed], training=False)
            token = tf.cast(tf.argmax(probs[:, t], axis=-1), tf.int32)[:, None]
            index = tf.range(length)[None, :]
            at_t = tf.cast(index == t, scores.dtype)[:, :, None]
            scores = scores * (1 - at_t) + probs[:, t][:, None, :] * at_t
            return t + 1, tf.where(index == t + 1, token, fed), tf.where(index == t, token, out), scores

        _, _, out, scores = tf.while_loop(
            lambda t, *_: t < length, step, (tf.constant(0), fed, out, scores), maximum_iterations=length
        )
        return out, scores

    loop = cached if cache else recomputed
    compiled: dict[int, Callable] = {}
    spec = [tf.TensorSpec([None, None], tf.int32)] * 2

    def decode(question: np.ndarray, places: np.ndarray, length: int, scores: bool = False):
        """Ids ``(n, length)``; with ``scores``, also each step's probabilities ``(n, length, vocab)``."""
        if length not in compiled:
            compiled[length] = tf.function(lambda q, p: loop(q, p, length), jit_compile=True, input_signature=spec)
        ids, probs = compiled[length](tf.convert_to_tensor(question, tf.int32), tf.convert_to_tensor(places, tf.int32))
        return (np.asarray(ids), np.asarray(probs)) if scores else np.asarray(ids)

    return decode
