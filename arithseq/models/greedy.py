"""Greedy decoding for any autoregressive (encoder ids, decoder ids) -> probabilities model."""

from __future__ import annotations

import weakref

import numpy as np

PREFIX_STEP = 16  # decoded prefixes are multiples of this long: few traced shapes


def greedy_decoder(model, start_id: int):
    """Generic greedy decoding for any (encoder ids, decoder ids) -> probabilities model: one compiled
    full pass per output character (eager Keras would run every layer op by op, minutes per epoch's
    validation for a Transformer writing a scratchpad)."""
    import tensorflow as tf

    held = weakref.ref(model)  # the decoder is cached per model: it must not keep the model alive

    # a graph, not XLA: a prefix of each new width would cost an XLA compile of tens of seconds
    @tf.function(reduce_retracing=True)
    def next_ids(ids, tokens, t):
        probs = held()([ids, tokens], training=False)
        return tf.argmax(tf.gather(probs, t, axis=1), axis=-1, output_type=tf.int32)

    def decode(ids: np.ndarray, length: int) -> np.ndarray:
        pad = start_id - 1
        tokens = np.full((len(ids), length), start_id, np.int32)
        result = np.full((len(ids), length), pad, np.int32)
        active = np.arange(len(ids))  # rows still writing: a row that wrote its end leaves the batch
        started = np.zeros(len(ids), bool)
        for t in range(length):
            # a causal decoder's character t depends on tokens 0..t only: pass a prefix, a multiple of
            # PREFIX_STEP long (few traced shapes), not all of a loose length bound
            width = min(length, -(-(t + 1) // PREFIX_STEP) * PREFIX_STEP)
            out = np.asarray(next_ids(tf.constant(ids[active]), tf.constant(tokens[active, :width]), tf.constant(t)))
            result[active, t] = out
            if t + 1 < length:
                tokens[active, t + 1] = out
            ended = (out == pad) & started[active]  # right-padded outputs: the answer is written
            started[active] |= out != pad
            active = active[~ended]
            if not active.size:
                break
        return result

    return decode
