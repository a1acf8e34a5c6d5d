"""How examples become model arrays, and model outputs become answer strings.

Four framings cover the registry: ``sequence`` (characters in, one softmax per
output character, one pass), ``autoregressive`` (teacher forcing in training, greedy
decoding in prediction), ``decoder-only`` (the same, with question and answer in one
causal sequence and the question's digit places as position ids) and ``regression`` (the tutorial's mapping framing:
normalised term values in, one number out, RMSE in original units).
"""

from __future__ import annotations

import weakref

import numpy as np

from ..errors import ArithseqError, ConfigError
from ..tasks import Batch, Task
from ..tokenizer import Tokenizer
from .greedy import greedy_decoder
from .registry import ModelSpec, Shapes

_FORWARDS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # model -> its compiled argmax
_DECODERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # model -> its greedy decoder

PREDICT_BATCH = 8192
TRIM_STEP = 16  # cut output widths are multiples of this: few compiled shapes
SHORT_STEP = 4  # ... or of this where every answer is short (a loop's steps): a compile per width is seconds
QUESTION_STEP = 8  # cut question widths are multiples of this


def framing_for(spec: ModelSpec, options, task: Task, tokenizer: Tokenizer) -> Framing:
    kinds = {
        "sequence": SequenceFraming,
        "autoregressive": AutoregressiveFraming,
        "decoder-only": DecoderOnlyFraming,
        "regression": RegressionFraming,
    }
    framing = kinds[spec.framing](spec, options, task, tokenizer)
    if task.stepwise:
        from .stepwise import StepwiseFraming  # the loop wraps the framing of its step network

        return StepwiseFraming(framing)
    return framing


class Framing:
    loss = "sparse_categorical_crossentropy"

    def __init__(self, spec: ModelSpec, options, task: Task, tokenizer: Tokenizer) -> None:
        self.spec, self.options, self.task, self.tokenizer = spec, options, task, tokenizer

    def shapes(self) -> Shapes:
        tok = self.tokenizer
        return Shapes(tok.size, tok.input_length, tok.output_length, input_vocab=tok.vocab_size("input"), digit_ids=tok.digit_ids)

    def metrics(self) -> list:
        import keras

        return [keras.metrics.SparseCategoricalAccuracy(name="char_accuracy")]

    def arrays(self, batch: Batch):
        """``(x, y)`` for training on ``batch``."""
        raise NotImplementedError

    def predict_ids(self, model, batch: Batch, tokenizer: Tokenizer | None = None) -> np.ndarray | None:
        """Output ids ``(n, output_length)`` for a batch of canonical expressions (None: no character output)."""
        raise NotImplementedError

    def predict(self, model, batch: Batch, tokenizer: Tokenizer | None = None) -> np.ndarray:
        """Answer strings for a batch of canonical expressions."""
        return (tokenizer or self.tokenizer).decode(self.predict_ids(model, batch, tokenizer), "output")

    def char_probabilities(self, model, inputs: np.ndarray, written: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """``(ids, p)``, each ``(n, output_length)``: the ids the network wrote for canonical ``inputs``
        (their answers ``written``, as decoded) and the probability it gave each one, read with the run's
        own lengths; None for a framing that writes no characters. The answers are fed back as written
        (teacher forcing), so a greedy decoder's step probabilities come out of one pass."""
        ids = self.tokenizer.encode(written, "output")
        probs = np.asarray(model(self._teacher_inputs(inputs, ids), training=False))
        return ids, np.take_along_axis(probs, ids[..., None].astype(np.int64), axis=-1)[..., 0]

    def trains(self, model) -> None:
        """Told the network about to be trained (a new one or a resumed one)."""

    def question_widths(self, x, batch_size: int) -> np.ndarray | None:
        """Each training batch's question width once cut to its longest question (None: questions stay whole)."""
        return None

    def _teacher_inputs(self, inputs: np.ndarray, ids: np.ndarray):
        return self.tokenizer.encode(inputs, "input")

    def attention_map(self, model, inputs: np.ndarray, written: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """``(input ids, written ids, weights (n, output, input))``: which input character each written
        character attended to, for models that say (``register_model(attention=...)``); else None."""
        if self.spec.attention is None:
            return None
        ids = self.tokenizer.encode(written, "output")
        question, answer = self._teacher_inputs(inputs, ids)
        return question, ids, self.spec.attention(model, question, answer)


class SequenceFraming(Framing):
    def _encode_inputs(self, inputs: np.ndarray, tokenizer: Tokenizer) -> np.ndarray:
        one_hot = getattr(self.options, "input_encoding", "embedding") == "one-hot"
        return tokenizer.encode(inputs, "input", one_hot=one_hot)

    def _teacher_inputs(self, inputs, ids):
        return self._encode_inputs(inputs, self.tokenizer)

    def arrays(self, batch):
        return self._encode_inputs(batch.inputs, self.tokenizer), self.tokenizer.encode(batch.targets, "output")

    def _forward(self, model):
        """The model's argmax as one compiled graph (eager Keras runs a recurrent layer op by op), one
        per model however many framings (evaluations) use it, so TensorFlow traces it once per shape."""
        forward = _FORWARDS.get(model)
        if forward is None:
            import tensorflow as tf

            held = weakref.ref(model)  # the graph must not keep the model alive

            def forward(x):
                scores = held()(x, training=False)
                broken = tf.reduce_any(tf.math.is_nan(scores), axis=[1, 2])
                return tf.argmax(scores, axis=-1, output_type=tf.int32), broken

            forward = _FORWARDS[model] = tf.function(forward, jit_compile=True, reduce_retracing=True)
        return forward

    def predict_ids(self, model, batch, tokenizer=None):
        tokenizer = tokenizer or self.tokenizer
        forward = self._forward(model)
        inputs, out = batch.inputs, []
        for i in range(0, len(inputs), PREDICT_BATCH):
            x = self._encode_inputs(inputs[i : i + PREDICT_BATCH], tokenizer)
            ids, broken = forward(padded_rows(x))
            _refuse_nan(np.asarray(broken)[: len(x)])
            out.append(np.asarray(ids)[: len(x)])
        return np.concatenate(out) if out else np.zeros((0, tokenizer.output_length), np.int32)


class AutoregressiveFraming(Framing):
    _width: int | None = None

    def arrays(self, batch):
        y = self.tokenizer.encode(batch.targets, "output")
        if self.tokenizer._pad_side("output") == "right":
            # right-padded outputs (scratchpads) have a loose length bound (mixed's products: 231
            # characters, 47 at most in practice): training on hundreds of pad positions would cost
            # most of the time, so batches are cut to one width that the task's targets fit
            width = self._training_width()
            keep = (y[:, width - 1 :] == self.tokenizer.pad_id).all(axis=1)  # a rare longer one is left out
            batch, y = (batch[np.nonzero(keep)[0]], y[keep]) if not keep.all() else (batch, y)
            y = y[:, :width]
        start = np.full((len(y), 1), self.shapes().start_id, np.int32)
        return (self.tokenizer.encode(batch.inputs, "input"), np.concatenate([start, y[:, :-1]], axis=1)), y

    def _teacher_inputs(self, inputs, ids):
        start = np.full((len(ids), 1), self.shapes().start_id, np.int32)
        return [self.tokenizer.encode(inputs, "input"), np.concatenate([start, ids[:, :-1]], axis=1)]

    def buckets(self, y: np.ndarray, batch_size: int, rng: np.random.Generator, x=None) -> tuple[np.ndarray, np.ndarray] | None:
        """An order of the examples ``y`` (training targets) that groups them into batches of like length
        (then of like question length, where ``x``'s questions are cut too), and each batch's width (its
        longest target and end mark, a multiple of TRIM_STEP, or of SHORT_STEP where answers are short);
        None where answers do not end in pads. Mixed's partial products are 16 characters on average
        and 47 at most: batches of one width for all spend two thirds of their time on padding."""
        if self._pads_trail() and len(y) > batch_size:
            need = (y != self.tokenizer.pad_id).sum(axis=1) + 1
            step = TRIM_STEP if y.shape[1] > 2 * TRIM_STEP else SHORT_STEP
            bucket = -(-need // step)
            # by bucket, then by question width where questions are cut too (x), at random within one
            order = np.lexsort((rng.random(len(y)), *self._question_buckets(x), bucket))
            batches = len(y) // batch_size
            width = bucket[order][: batches * batch_size].reshape(batches, batch_size).max(axis=1) * step
            shuffled = rng.permutation(batches)
            rows = (shuffled[:, None] * batch_size + np.arange(batch_size)).ravel()
            return np.concatenate([order[rows], order[batches * batch_size :]]), np.minimum(width[shuffled], y.shape[1])
        return None

    def _question_buckets(self, x) -> list[np.ndarray]:
        return []

    def _pads_trail(self) -> bool:
        """Whether every answer's pads come after it (a scratchpad, or an answer written least
        significant digit first): the first pad ends an answer, and what follows can be cut."""
        return (self.tokenizer._pad_side("output") == "right") != self.tokenizer._reversed("output")

    def cut(self, x, y: np.ndarray, width: int):
        """A training batch cut to ``width`` answer positions (the teacher-forced answer is the last input)."""
        return (*x[:-1], x[-1][:, :width]), y[:, :width]

    def _training_width(self) -> int:
        """The longest target of a large sample, its end mark and a margin, a multiple of TRIM_STEP
        (one width for every batch: Keras feeds batches of one shape)."""
        if self._width is None:
            if self.task.from_data:
                self._width = self.tokenizer.output_length
            else:
                self.fit_width(self.task.sample(20_000, np.random.default_rng(0)).targets)
        return self._width

    def fit_width(self, targets: np.ndarray) -> None:
        """Set the training width from a sample of targets (a decoding loop's are its steps')."""
        longest = int(np.strings.str_len(targets).max()) + 1 + TRIM_STEP
        self._width = min(self.tokenizer.output_length, -(-longest // TRIM_STEP) * TRIM_STEP)

    def _decoder(self, model):
        """One decoder per model however many framings (evaluations) use it: its compiled loop is traced
        once per shape, not once per evaluation."""
        decode = _DECODERS.get(model)
        if decode is None:
            make = self.spec.decoder or greedy_decoder
            decode = _DECODERS[model] = make(model, self.shapes().start_id)
        return decode

    def predict_ids(self, model, batch, tokenizer=None):
        tokenizer = tokenizer or self.tokenizer
        decode = self._decoder(model)
        inputs, full = batch.inputs, tokenizer.output_length
        length = full
        if batch.targets is not None and len(batch.targets) and tokenizer._pad_side("output") == "right":
            # judging a held-out set: a row still writing past the longest target and its end mark is
            # wrong whatever it writes next, so the loose length bound of a scratchpad (hundreds of
            # characters an untrained network never stops writing) need not be decoded
            length = min(full, int(np.strings.str_len(batch.targets).max()) + 1)
        if tokenizer._pad_side("output") == "right" and full == self.tokenizer.output_length and not self.task.from_data:
            # nor past the width this task's targets need (for the run's own task, the width it was
            # trained to): positions beyond it were never taught to write
            length = min(length, self._training_width())
        out = []
        for i in range(0, len(inputs), PREDICT_BATCH):
            ids = tokenizer.encode(inputs[i : i + PREDICT_BATCH], "input")
            written = self._decode_chunk(decode, ids, length, tokenizer)[: len(ids)]
            if self._pads_trail():
                # the first pad after an answer ends it, as an end-of-sequence token does: training
                # cuts batches past their longest answer, so what a network writes after it is not taught
                pad = written == tokenizer.pad_id
                ended = np.cumsum(pad & np.cumsum(~pad, axis=1).astype(bool), axis=1) > 0
                written = np.where(ended, tokenizer.pad_id, written)
            out.append(np.pad(written, ((0, 0), (0, full - length)), constant_values=tokenizer.pad_id))
        return np.concatenate(out) if out else np.zeros((0, full), np.int32)

    def _decode_chunk(self, decode, ids: np.ndarray, length: int, tokenizer: Tokenizer) -> np.ndarray:
        return decode(padded_rows(ids), length)


class DecoderOnlyFraming(AutoregressiveFraming):
    """Autoregressive, for a model that reads ``(question, question places, answer)``: the places
    (units 1, tens 2, ...; 0 for other tokens) come from the tokenizer, for position schemes that
    line digits up."""

    def __init__(self, *args) -> None:
        super().__init__(*args)
        from .gpt import STRUCTURAL

        scheme = getattr(self.options, "positions", "")
        tok = self.tokenizer
        if scheme in STRUCTURAL and (not tok.reverse_output or tok._pad_side("output") == "right"):
            raise ConfigError(
                f"positions {scheme!r} give each answer digit the id of its place, so the answer must be written "
                "least significant digit first: set -s reverse_output=true (and no scratchpad target)"
            )
        if getattr(self.options, "places", False) and not (tok.reverse_output or self.task.config.reverse_output):
            raise ConfigError(
                "option 'places' counts each answer digit's place from the start of its number, its place value only "
                "when numbers are written least significant digit first: set -s reverse_output=true"
            )
        self.check_length(tok.input_length, tok.output_length, "this task's")

    def check_length(self, top_place: int, answer_length: int, what: str, question_length: int | None = None) -> None:
        from .gpt import STRUCTURAL, needed_ids

        scheme, most = getattr(self.options, "positions", ""), getattr(self.options, "max_position", 0)
        if not most:
            return
        length = question_length if question_length is not None else self.tokenizer.input_length
        need = needed_ids(scheme, top_place, length, answer_length)
        places = getattr(self.options, "places", False)  # their own table, indexed by digit places
        if places:
            need = max(need, top_place, answer_length)
        if need > most - 1:
            unit = "digit places" if scheme in STRUCTURAL or places else "tokens"
            raise ConfigError(
                f"{what} sequences need position ids up to {need} ({unit}: a question of {length} characters and an "
                f"answer of {answer_length}), past this model's max_position {most} (ids 0..{most - 1}); train with "
                f"-p max_position={need + 1} or more"
            )

    def arrays(self, batch):
        (question, answer), y = super().arrays(batch)
        return (question, self.tokenizer.significance(question), answer), y

    cut_questions = False  # set by trains(): only for a network whose position ids a cut leaves alone

    def trains(self, model) -> None:
        ids = model.get_layer("position_ids")
        self.cut_questions = bool(ids.question_length) and ids.scheme != "randomized"  # randomized ids are drawn per length

    def _question_buckets(self, x) -> list[np.ndarray]:
        if x is None or not self.cut_questions:
            return []
        return [-(-(x[0] != self.tokenizer.pad_id).sum(axis=1) // QUESTION_STEP)]

    def question_widths(self, x, batch_size: int) -> np.ndarray | None:
        """Each batch's longest question, a multiple of QUESTION_STEP (a loop's steps are 4 characters
        on average in a width of 27): the left pads cut off carry nothing (attention never reads them)
        and the ids of what is left do not change (``PositionIds.question_length``)."""
        if not self.cut_questions:
            return None
        (bucket,) = self._question_buckets(x)  # the buckets the batches were grouped by
        batches = len(bucket) // batch_size
        most = bucket[: batches * batch_size].reshape(batches, batch_size).max(axis=1)
        return np.minimum(np.maximum(most, 1) * QUESTION_STEP, x[0].shape[1])

    def cut(self, x, y: np.ndarray, width: int, question: int | None = None):
        (words, places, answer), y = super().cut(x, y, width)
        if question is not None and question < words.shape[1]:
            words, places = words[:, -question:], places[:, -question:]
        return (words, places, answer), y

    def _teacher_inputs(self, inputs, ids):
        question, answer = super()._teacher_inputs(inputs, ids)
        return [question, self.tokenizer.significance(question), answer]

    def _decode_chunk(self, decode, ids, length, tokenizer):
        places = tokenizer.significance(ids)
        self.check_length(int(places.max(initial=0)), length, "these", ids.shape[1])
        return decode(padded_rows(ids), padded_rows(places), length)


def padded_rows(ids: np.ndarray) -> np.ndarray:
    """Rows padded to a power of two (at least 64): a compiled graph then sees few batch shapes."""
    size = min(PREDICT_BATCH, max(64, 1 << (len(ids) - 1).bit_length()))
    if size <= len(ids):
        return ids
    return np.concatenate([ids, np.repeat(ids[:1], size - len(ids), axis=0)])


def check_weights(model) -> None:
    """Refuse a model whose weights hold NaN or infinity: it would still write answers, all of them wrong."""
    for weight in model.weights:
        if not np.isfinite(np.asarray(weight)).all():
            raise ArithseqError(
                f"the model's weights hold NaN or infinity (in {weight.path}): a diverged or damaged model "
                "cannot answer; train it again"
            )


def _refuse_nan(broken: np.ndarray) -> None:
    if broken.any():
        raise ArithseqError(
            f"the model's scores are NaN for {int(broken.sum())} of {len(broken)} expressions: its weights "
            "hold NaN or infinity (a diverged or damaged model), so no answer can be read"
        )


class RegressionFraming(Framing):
    """The mapping framing; valid only for a fixed number of '+' terms."""

    loss = "mean_squared_error"

    def __init__(self, *args) -> None:
        super().__init__(*args)
        config = self.task.config
        if self.task.from_data or self.task.table.ops_used not in (("add",), ()) or config.terms[0] != config.terms[1]:
            raise ConfigError(
                f"model {self.spec.name!r} uses the mapping framing, which needs a task with a fixed number "
                f"of '+' terms; task {self.task.name!r} has terms {config.terms[0]}-{config.terms[1]} and "
                f"operators {' '.join(self.task.table.ops_used) or 'none'}"
            )
        self.terms = config.terms[0]
        self.scale = float(config.values[1] * self.terms)

    def shapes(self) -> Shapes:
        tok = self.tokenizer
        return Shapes(tok.size, tok.input_length, tok.output_length, self.terms, tok.vocab_size("input"))

    def metrics(self) -> list:
        return []

    def _terms(self, batch: Batch) -> np.ndarray:
        return batch.numbers[:, : self.terms].astype(np.float32) / self.scale

    def arrays(self, batch):
        return self._terms(batch), batch.numerators.astype(np.float32) / self.scale

    def char_probabilities(self, model, inputs, written):
        return None  # one regressed number: no characters, no probabilities

    def predict_ids(self, model, batch, tokenizer=None):
        return None

    def predict(self, model, batch, tokenizer=None):
        x = self._terms(batch)
        raw = np.asarray(model(x, training=False)).reshape(-1) if len(x) else np.zeros(0)
        # the tutorial's invert(): back to original units, rounded
        return np.round(raw * self.scale).astype(np.int64).astype(str)
