"""Training batches of a decoder-only network cut to their longest question and answer: the same
function of every example (pads carry nothing, position ids do not move), far fewer positions."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
import pytest

import arithseq
from arithseq import TrainConfig
from arithseq.models import get_model_spec
from arithseq.models.framing import framing_for
from arithseq.models.gpt import SCHEMES, STRUCTURAL, PositionIds
from arithseq.tasks import get_task
from arithseq.tokenizer import Tokenizer
from arithseq.training.data import TrainingData, two_question_widths

TINY = {"dim": 16, "heads": 2, "layers": 2, "ff": 32, "max_position": 64}
LOOP = {"target": "steps", "reverse_output": True, "fraction_rules": True, "prime_reductions": True, "align_sums": True}


def loop_framing(**model_options):
    task = get_task("brackets", **LOOP)
    spec = get_model_spec("gpt")
    options = spec.make_options({**TINY, **model_options})
    return framing_for(spec, options, task, Tokenizer.for_task(task)), spec, options


@pytest.mark.parametrize("scheme", SCHEMES)
def test_a_question_cut_to_fewer_pads_gives_the_same_scores(scheme):
    framing, spec, options = loop_framing(positions=scheme, places=scheme not in STRUCTURAL)
    keras.utils.set_random_seed(3)
    model = spec.build(framing.shapes(), options)
    (question, places, answer), _ = framing.arrays(framing.task.sample(64, np.random.default_rng(4), steps=True))
    need = int((question != framing.tokenizer.pad_id).sum(axis=1).max())
    assert need < question.shape[1] - 8  # a loop's steps are short in a wide bound
    whole = np.asarray(model([question, places, answer], training=False))
    for width in (need, need + 5):
        cut = np.asarray(model([question[:, -width:], places[:, -width:], answer], training=False))
        np.testing.assert_allclose(cut, whole, atol=2e-5)


def test_a_model_saved_before_keeps_its_ids_and_is_never_cut():
    old = PositionIds.from_config({"scheme": "absolute", "max_position": 64, "name": "position_ids"})
    places, answer = np.zeros((2, 5), np.int32), np.zeros((2, 3), np.int32)
    assert np.asarray(old(places, answer)).tolist()[0] == list(range(8))
    assert np.asarray(PositionIds("absolute", 64, 9)(places, answer)).tolist()[0] == list(range(4, 12))
    framing, spec, options = loop_framing(positions="absolute")
    model = spec.build(framing.shapes(), options)
    framing.trains(model)
    assert framing.inner.cut_questions
    model.get_layer("position_ids").question_length = 0  # as a model saved before reads
    framing.trains(model)
    assert not framing.inner.cut_questions
    framing, spec, options = loop_framing(positions="randomized")  # its training ids are drawn per length
    framing.trains(spec.build(framing.shapes(), options))
    assert not framing.inner.cut_questions


def test_training_batches_keep_every_token_and_the_first_two_differ_in_both_widths():
    framing, spec, options = loop_framing(positions="absolute", places=True)
    framing.trains(spec.build(framing.shapes(), options))
    config = TrainConfig(task="brackets", task_options=LOOP, model="gpt", steps_per_epoch=40, batch_size=64, seed=5)
    data = TrainingData(framing.task, framing, config, np.array([], str))
    full_question, full_answer = data.x[0].shape[1], data.y.shape[1]
    shapes = []
    for index in range(len(data)):
        (question, places, answer), y = data[index]
        rows = slice(index * 64, (index + 1) * 64)
        kept = (question != framing.tokenizer.pad_id).sum(axis=1)
        assert (kept == (data.x[0][rows] != framing.tokenizer.pad_id).sum(axis=1)).all()  # no character lost
        assert (y == data.y[rows, : y.shape[1]]).all() and (data.y[rows, y.shape[1] :] == framing.tokenizer.pad_id).all()
        assert question.shape == places.shape and answer.shape == y.shape
        shapes.append((question.shape[1], y.shape[1]))
    # Keras reads the first two batches' shapes for all: each width differs between them
    assert shapes[0][0] == full_question > shapes[1][0] and shapes[0][1] != shapes[1][1]
    assert max(a for _, a in shapes) <= full_answer
    assert np.mean([q + a for q, a in shapes]) < 0.6 * (full_question + full_answer)
    assert two_question_widths(np.array([8, 8, 16]), 27).tolist() == [27, 8, 16]
    assert two_question_widths(np.array([27, 27]), 27) is None


def test_a_loop_run_trains_on_cut_batches_and_answers_alone_as_in_a_batch(tmp_path):
    config = TrainConfig(task="brackets", task_options=LOOP, model="gpt", model_options={**TINY, "positions": "absolute", "places": True},
                         epochs=2, steps_per_epoch=6, batch_size=32, val_size=16, test_size=16, target=0)
    run = arithseq.train(config, tmp_path / "run", verbose=0, echo=lambda *_: None)
    assert run.model.get_layer("position_ids").question_length == run.tokenizer.input_length  # so it was cut
    expressions = ["2+2", "1+7", "(3/4)-(-(5/6))", "9*9*9*9", "(9*8)/(6*4)"]
    together = run.predict(expressions)
    assert [run.predict([e])[0] for e in expressions] == together


def test_what_a_network_writes_after_the_end_of_its_answer_is_not_read():
    framing, spec, options = loop_framing(positions="absolute")
    tok = framing.tokenizer
    garbage = tok.encode(["15"], "output").copy()  # written least significant digit first: 5, 1, then pads
    garbage[0, 4] = garbage[0, 0]  # a digit written after the pad that ends "15"
    framing.inner._decode_chunk = lambda decode, ids, length, tokenizer: np.repeat(garbage, len(ids), axis=0)
    framing.inner._decoder = lambda model: None
    assert framing.inner.predict(None, arithseq.Batch(np.array(["6+9"]), None, None, None)).tolist() == ["15"]
