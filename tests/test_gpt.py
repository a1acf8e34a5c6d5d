"""The decoder-only Transformer: position ids of every scheme, the cached decoder, save/load, bad options."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
import pytest
from typer.testing import CliRunner

import arithseq
from arithseq import ConfigError, TrainConfig
from arithseq.cli import app
from arithseq.models import get_model_spec
from arithseq.models.framing import framing_for
from arithseq.models.gpt import SCHEMES, PositionIds
from arithseq.models.gpt_decoding import gpt_decoder
from arithseq.tasks import get_task
from arithseq.tokenizer import Tokenizer
from arithseq.training.recipes import recipe_names, recommended

TINY = {"dim": 16, "heads": 2, "layers": 2, "ff": 32, "max_position": 64}


def framing_of(scheme: str, **task_options):
    task = get_task("long-addition", **{"reverse_output": True, **task_options})
    spec = get_model_spec("gpt")
    options = spec.make_options({**TINY, "positions": scheme})
    tokenizer = Tokenizer.for_task(task)
    return framing_for(spec, options, task, tokenizer), spec, options


def ids_of(scheme: str, questions: list[str], answer_length: int, training: bool, seed: int = 0):
    framing, *_ = framing_of(scheme)
    question = framing.tokenizer.encode(questions, "input")
    places = framing.tokenizer.significance(question)
    layer = PositionIds(scheme, TINY["max_position"])
    layer.seed = keras.random.SeedGenerator(seed)
    answer = np.zeros((len(questions), answer_length), np.int32)
    return question, np.asarray(layer(places, answer, training=training))


def test_the_tokenizer_knows_each_digits_place():
    tok = Tokenizer("0123456789+", 8, 5)
    assert tok.significance(tok.encode(["12+345", "7+0"])).tolist() == [[0, 0, 2, 1, 0, 3, 2, 1], [0, 0, 0, 0, 0, 1, 0, 1]]
    reversed_ = Tokenizer("0123456789+", 8, 5, reverse_input=True)  # "543+21  ": units digits come first
    assert reversed_.significance(reversed_.encode(["12+345"])).tolist() == [[1, 2, 3, 0, 1, 2, 0, 0]]


@pytest.mark.parametrize("questions", [["12+345", "98765+4"], ["7+0", "10000+99999"]])
def test_coupled_ids_give_equal_significance_equal_ids_across_operands_and_answer(questions):
    for training in (False, True):
        question, ids = ids_of("coupled", questions, 6, training)
        tok = framing_of("coupled")[0].tokenizer
        places = tok.significance(question)
        q_len = question.shape[1]
        for row in range(len(questions)):
            offset = ids[row, q_len] - 1  # the answer position writing the units digit
            digits = places[row] > 0
            # every digit's id is its place plus the row's offset; the answer position t writes place t+1
            assert (ids[row, :q_len][digits] == places[row][digits] + offset).all()
            assert (ids[row, :q_len][~digits] == 0).all()  # operators and pads
            assert ids[row, q_len:].tolist() == [offset + 1 + t for t in range(6)]
            assert ids[row].max() <= TINY["max_position"] - 1
            if not training:
                assert offset == 0


def test_abacus_ids_count_each_numbers_digits_from_its_units_and_the_answers_own_digits():
    question, ids = ids_of("abacus", ["12+345"], 4, training=False)
    q_len = question.shape[1]
    assert ids[0, :q_len].tolist()[-6:] == [2, 1, 0, 3, 2, 1]  # "12+345", left-padded with id 0
    assert (ids[0, : q_len - 6] == 0).all()
    assert ids[0, q_len:].tolist() == [0, 1, 2, 3]  # the separator, then the answer's digits by place


@pytest.mark.parametrize("scheme", SCHEMES)
def test_offsets_come_only_in_training_and_stay_within_max_position(scheme):
    questions = ["12+345", "99999+1", "5+5"] * 4
    _, plain = ids_of(scheme, questions, 6, training=False)
    _, again = ids_of(scheme, questions, 6, training=False, seed=7)
    assert np.array_equal(plain, again)  # prediction is deterministic
    _, trained = ids_of(scheme, questions, 6, training=True, seed=3)
    assert trained.min() >= 0 and trained.max() <= TINY["max_position"] - 1
    if scheme in ("abacus", "coupled", "randomized"):
        assert not np.array_equal(plain, trained)  # the random offsets / subsets
        if scheme == "randomized":
            assert (np.diff(trained, axis=1) > 0).all()  # a sorted subset: order kept, no repeats
        else:
            assert np.array_equal(trained == 0, plain == 0)  # non-digit tokens keep id 0
            shift = trained - plain
            assert all(len(set(row[p > 0])) == 1 for row, p in zip(shift, plain))  # one offset per example
    else:
        assert np.array_equal(plain, trained)  # rotary, relative and fixed schemes need no offsets
        if scheme in ("coupled-rope", "coupled-relative"):
            assert np.array_equal(plain, ids_of("coupled", questions, 6, training=False)[1])
        else:
            assert plain[0].tolist() == list(range(plain.shape[1]))  # token indices


def tiny_config(scheme: str = "coupled", **changes) -> TrainConfig:
    return TrainConfig(
        task="addition",
        task_options={"largest": 20, "reverse_output": True},
        model="gpt",
        model_options={**TINY, "positions": scheme},
        epochs=1,
        steps_per_epoch=3,
        batch_size=16,
        val_size=16,
        test_size=16,
        target=0,
        jit=False,  # three steps: compiling with XLA costs more than it saves (the recipes keep it on)
    ).replace(**changes)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_cache_gives_the_answers_of_full_recomputation(scheme):
    framing, spec, options = framing_of(scheme, values=(0, 999))
    keras.utils.set_random_seed(1)
    model = spec.build(framing.shapes(), options)
    questions = ["2+2", "1+7", "10+10", "999+999", *framing.task.sample(28, 0).inputs]
    tok = framing.tokenizer
    question = tok.encode(questions, "input")
    places = tok.significance(question)
    start = framing.shapes().start_id
    cached, cached_probs = gpt_decoder(model, start, cache=True)(question, places, tok.output_length, scores=True)
    again, probs = gpt_decoder(model, start, cache=False)(question, places, tok.output_length, scores=True)
    assert cached.shape == (len(questions), tok.output_length)
    assert np.array_equal(cached, again)
    # every step's distribution, not only its argmax (an untrained network writes few distinct characters)
    np.testing.assert_allclose(cached_probs, probs, atol=2e-5)
    assert np.array_equal(cached, cached_probs.argmax(-1))
    assert cached_probs.std(axis=0).max() > 1e-3  # the questions do change what it writes


def test_gpt_trains_saves_loads_and_answers_the_same_alone_or_in_a_batch(tmp_path):
    run = arithseq.train(tiny_config("rope"), tmp_path / "run", verbose=0, echo=lambda *_: None)
    expressions = ["2+2", "1+7", "10+10", "20+20", "13+5"]
    before = run.predict(expressions)
    loaded = arithseq.load_run(tmp_path / "run")
    assert all(np.array_equal(a, b) for a, b in zip(run.model.get_weights(), loaded.model.get_weights()))
    assert loaded.predict(expressions) == before
    assert [loaded.predict([e])[0] for e in expressions] == before  # no answer depends on its batch


def test_every_scheme_has_a_long_addition_recipe_listed_by_tasks():
    names = recipe_names("long-addition")
    assert {"gpt-coupled", "gpt-coupled-rope", "gpt-abacus", "gpt-absolute", "gpt-rope", "gpt-nope", "gpt-randomized", "gpt-sinusoidal"} <= set(names)
    config = recommended("long-addition", "gpt-coupled")
    assert config.model == "gpt" and config.model_options["positions"] == "coupled"
    assert config.task_options["values"] == [0, 9_999_999_999]  # trained on 1-10 digits
    result = CliRunner().invoke(app, ["tasks"])
    assert "gpt-coupled" in result.output and "gpt-abacus" in result.output


def test_bad_gpt_options_are_refused_with_what_is_wrong(tmp_path):
    spec = get_model_spec("gpt")
    with pytest.raises(ConfigError, match=r"unknown scheme 'coupeld'.*did you mean 'coupled'"):
        spec.make_options({"positions": "coupeld"})
    with pytest.raises(ConfigError, match="max_position"):
        spec.make_options({"max_position": 1})
    with pytest.raises(ConfigError, match="reverse_output=true"):
        framing_of("coupled", reverse_output=False)
    with pytest.raises(ConfigError, match="input_format=text"):
        arithseq.train(tiny_config(task_options={"largest": 20, **{"input_format": "columns", "reverse_input": True, "reverse_output": True, "pad_answer": True}}), tmp_path / "c", verbose=0, echo=lambda *_: None)
    with pytest.raises(ConfigError, match=r"position ids up to 5 .*max_position 4"):
        arithseq.train(tiny_config(model_options={**TINY, "max_position": 4}), tmp_path / "m", verbose=0, echo=lambda *_: None)


def test_lengths_beyond_max_position_are_refused_with_the_length(tmp_path):
    run = arithseq.train(tiny_config("coupled", model_options={**TINY, "max_position": 12}), tmp_path / "run", verbose=0, echo=lambda *_: None)
    long = "1" * 20 + "+1"
    with pytest.raises(ConfigError, match=r"position ids up to 23 \(digit places: a question of 22 characters.*max_position 12.*train with -p max_position=24 or more"):
        run.predict([long])
    result = CliRunner().invoke(app, ["predict", str(tmp_path / "run"), long])
    assert result.exit_code != 0 and "max_position 12" in result.output and "Traceback" not in result.output


def test_align_terms_zero_pads_each_expressions_numbers_to_its_widest():
    task = arithseq.get_task("terms", align_terms=True, values=(0, 99_999), numbers="by-digits")
    batch = task.sample(500, 0)
    for text, numbers in zip(batch.inputs.tolist(), batch.numbers.tolist()):
        parts = text.split("+")
        assert len({len(p) for p in parts}) == 1  # one width per expression
        assert len(parts[0]) == max(len(str(v)) for v in numbers if v >= 0)
        assert [int(p) for p in parts] == [v for v in numbers if v >= 0]
    assert task.read(["2+17", "1+2+300", "5+5"]).batch.inputs.tolist() == ["02+17", "001+002+300", "5+5"]
    assert arithseq.get_task("terms").read(["2+17"]).batch.inputs.tolist() == ["2+17"]  # off by default
    with pytest.raises(ConfigError, match="align_terms"):
        arithseq.get_task("terms", align_terms="maybe")


def test_a_gpt_run_answers_what_people_type_first_in_its_own_spelling(tmp_path):
    config = tiny_config("coupled", task_options={"largest": 20, "reverse_output": True, "align_terms": True})
    run = arithseq.train(config, tmp_path / "run", verbose=0, echo=lambda *_: None)
    answers = run.predict(["2+2", "1+7", "10+10"])
    assert len(answers) == 3 and all(isinstance(a, str) for a in answers)
    result = CliRunner().invoke(app, ["study", "length", str(tmp_path / "run"), "--digits", "1,3", "--carry-chains", "-n", "20"])
    assert result.exit_code == 0, result.output
    assert "carry chain 3" in result.output and "digits 3" in result.output


def places_framing(**options):
    task = get_task("mixed", target="products", reverse_output=True)
    spec = get_model_spec("gpt")
    made = spec.make_options({**TINY, "max_position": 256, "positions": "absolute", "places": True, **options})
    return framing_for(spec, made, task, Tokenizer.for_task(task)), spec, made


def test_places_count_each_digit_of_the_scratchpad_from_its_units_as_the_questions_are_counted():
    from arithseq.models.gpt import SequencePlaces

    framing, *_ = places_framing()
    tok = framing.tokenizer
    target = framing.task.target("12*34")  # "21*43=84+063=804": every number units first
    assert target == "21*43=84+063=804"
    (question, places, answer), _ = framing.arrays(arithseq.tasks.Batch(np.array(["12*34"]), np.array([target]), None, None))
    counted = np.asarray(SequencePlaces(tok.digit_ids)(places, answer))
    q_len = question.shape[1]
    assert counted[0, :q_len][-5:].tolist() == [2, 1, 0, 2, 1]  # the question: "12*34", units 1
    # the answer's inputs are the separator then the target shifted by one: each digit counted from its units
    written = "\x00" + target
    expected = []
    for i, ch in enumerate(written[: answer.shape[1]]):
        expected.append(expected[-1] + 1 if ch.isdigit() and i and written[i - 1].isdigit() else int(ch.isdigit()))
    assert counted[0, q_len : q_len + len(expected)].tolist() == expected


def test_the_cache_gives_the_answers_of_full_recomputation_with_places():
    framing, spec, options = places_framing()
    keras.utils.set_random_seed(3)
    model = spec.build(framing.shapes(), options)
    tok = framing.tokenizer
    questions = ["2+2", "1+7", "10+10", "99*99-98", *framing.task.sample(12, 0).inputs]
    question = tok.encode(questions, "input")
    places = tok.significance(question)
    start = framing.shapes().start_id
    cached, cached_probs = gpt_decoder(model, start, cache=True)(question, places, 24, scores=True)
    again, probs = gpt_decoder(model, start, cache=False)(question, places, 24, scores=True)
    assert np.array_equal(cached, again)
    np.testing.assert_allclose(cached_probs, probs, atol=2e-5)


def test_places_are_refused_where_they_mean_nothing():
    with pytest.raises(ConfigError, match="reverse_output=true"):
        task = get_task("mixed", target="products")
        spec = get_model_spec("gpt")
        framing_for(spec, spec.make_options({**TINY, "positions": "absolute", "places": True}), task, Tokenizer.for_task(task))
    with pytest.raises(ConfigError, match="ids are places already"):
        get_model_spec("gpt").make_options({"positions": "coupled", "places": True})


def test_coupled_relative_biases_come_from_differences_of_places_only():
    from arithseq.models.gpt import GPTBlock

    block = GPTBlock(16, 2, 32, relative=2)
    block.build((1, 5, 16))
    table = np.arange(2 * 7, dtype="float32").reshape(2, 7)  # head h, bucket b -> 7h + b
    block.relative_bias.assign(table)
    ids = np.array([[0, 3, 1, 4, 9]], np.int32)  # an operator (no place), places 3, 1, 4, 9
    bias = np.asarray(block.place_bias(ids, ids))
    assert bias.shape == (1, 2, 5, 5)
    # buckets: differences -2..2 -> 0..4, larger ones -> 5, a query or key with no place -> 6
    assert bias[0, 0, 0].tolist() == [6] * 5
    assert bias[0, 0, 1].tolist() == [6, 2, 4, 1, 5]  # query place 3 against keys 0, 3, 1, 4, 9
    assert bias[0, 1, 4].tolist() == [13, 12, 12, 12, 9]  # head 1 (7 added): query place 9
    shifted = np.where(ids > 0, ids + 40, 0)  # the same places far along: the same biases
    assert np.array_equal(np.asarray(block.place_bias(shifted, shifted)), bias)


def test_a_coupled_relative_model_needs_no_id_table_and_refuses_no_length():
    spec = get_model_spec("gpt")
    options = spec.make_options({**TINY, "positions": "coupled-relative", "max_position": 8})
    task = get_task("long-addition", reverse_output=True)
    framing = framing_for(spec, options, task, Tokenizer.for_task(task))  # 5-digit sums need places up to 6
    model = spec.build(framing.shapes(), options)
    embedding = model.get_layer("embedding")
    assert embedding.positions is None and embedding.places is None  # no id table at all
    assert len(embedding.weights) == 1  # the tokens' only
    long = framing.tokenizer.resized(80, 41).encode(["9" * 40 + "+1"], "input")
    framing.check_length(int(framing.tokenizer.significance(long).max()), 41, "these", long.shape[1])  # no refusal
    with pytest.raises(ConfigError, match="relative"):
        spec.make_options({"positions": "coupled-relative", "relative": -1})
    # with places the places have a table of their own: a 40-digit number is past max_position 12
    placed = spec.make_options({**TINY, "positions": "coupled-relative", "max_position": 12, "places": True})
    with pytest.raises(ConfigError, match=r"position ids up to 41 \(digit places.*max_position 12"):
        framing_for(spec, placed, task, Tokenizer.for_task(task)).check_length(40, 41, "these", long.shape[1])


@pytest.mark.parametrize("scheme", ["coupled", "coupled-relative"])
def test_a_window_of_places_keeps_digits_from_attending_far_and_the_cache_agrees(scheme):
    from arithseq.models.gpt import GPTBlock

    block = GPTBlock(16, 2, 32, window=1)
    ids = np.array([[0, 3, 1, 4, 2]], np.int32)
    allowed, bias = block.place_terms(ids, ids, np.ones((1, 1, 5, 5), bool))
    assert bias is None
    # digits at most one place apart, and every pair with a token that has no place (an operator)
    assert np.asarray(allowed)[0, 0].astype(int).tolist() == [[1] * 5, [1, 1, 0, 1, 1], [1, 0, 1, 0, 1], [1, 1, 0, 1, 0], [1, 1, 1, 0, 1]]
    framing, spec, _ = framing_of(scheme, values=(0, 999))
    options = spec.make_options({**TINY, "positions": scheme, "window": 1})
    keras.utils.set_random_seed(2)
    model = spec.build(framing.shapes(), options)
    tok = framing.tokenizer
    question = tok.encode(["2+2", "10+10", "999+999", *framing.task.sample(13, 0).inputs], "input")
    places = tok.significance(question)
    start = framing.shapes().start_id
    cached, cached_probs = gpt_decoder(model, start, cache=True)(question, places, tok.output_length, scores=True)
    again, probs = gpt_decoder(model, start, cache=False)(question, places, tok.output_length, scores=True)
    assert np.array_equal(cached, again)
    np.testing.assert_allclose(cached_probs, probs, atol=2e-5)
    with pytest.raises(ConfigError, match="window.*counts places"):
        spec.make_options({"positions": "absolute", "window": 2})
