"""Every registered model builds, trains a few steps, and survives save/load unchanged."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pytest

import arithseq
from arithseq import ConfigError, TrainConfig
from arithseq.models import get_model_spec, list_models

TINY = {
    "column-gru": {"units": 8, "embedding_dim": 4},
    "column-feedback": {"units": 8, "embedding_dim": 4, "layers": 1},
    "seq2seq-lstm": {"encoder_units": 8, "decoder_units": 8},
    "attention": {"units": 8, "embedding_dim": 4},
    "transformer": {"dim": 8, "heads": 2, "layers": 1, "ff": 16},
    "gpt": {"dim": 8, "heads": 2, "layers": 1, "ff": 16, "max_position": 64},
    "mapping-lstm": {"units": 4},
    "mlp": {},
}


COLUMNS = {"input_format": "columns", "reverse_input": True, "reverse_output": True, "pad_answer": True}


def tiny_config(model: str, **changes) -> TrainConfig:
    base = TrainConfig(
        task="addition",
        task_options={"largest": 20, "reverse_output": True, **(COLUMNS if model.startswith("column-") else {})},
        model=model,
        model_options=TINY[model],
        epochs=1,
        steps_per_epoch=3,
        batch_size=16,
        val_size=16,
        test_size=16,
        jit=False,
        target=0,
    )
    return base.replace(**changes)


def test_every_builtin_model_has_tiny_settings_here():
    assert set(list_models()) == set(TINY)


@pytest.mark.parametrize("model", sorted(TINY))
def test_model_trains_and_round_trips_through_save_and_load(model, tmp_path):
    run = arithseq.train(tiny_config(model), tmp_path / "run", verbose=0, echo=lambda *_: None)
    for name in ("config.toml", "model.keras", "tokenizer.json", "history.csv", "metrics.json", "test.npz"):
        assert (tmp_path / "run" / name).exists(), name
    expressions = ["12+5", "3+20", "20+20", "1+1"]
    before = run.predict(expressions)
    loaded = arithseq.load_run(tmp_path / "run")
    saved, reloaded = run.model.get_weights(), loaded.model.get_weights()
    assert len(saved) == len(reloaded) > 0
    assert all(np.array_equal(a, b) for a, b in zip(saved, reloaded))
    assert loaded.predict(expressions) == before
    # an untrained model may write nonsense, but always characters of its own alphabet
    alphabet = set(loaded.tokenizer.alphabet)
    assert len(before) == 4 and all(set(answer) <= alphabet for answer in before)
    report = loaded.evaluate()
    assert report.n == 16 and 0 <= report.exact_match <= 1
    assert report.to_dict() == arithseq.load_run(tmp_path / "run").evaluate().to_dict()


def test_the_tutorial_network_by_default():
    spec = get_model_spec("seq2seq-lstm")
    model = spec.build(arithseq.models.Shapes(12, 5, 2), spec.make_options())
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["InputLayer", "LSTM", "RepeatVector", "LSTM", "TimeDistributed"]
    assert model.get_layer("encoder").units == 100 and model.get_layer("decoder_0").units == 50
    assert model.output_shape == (None, 2, 12)


def test_mapping_models_refuse_tasks_that_are_not_fixed_sums(tmp_path):
    with pytest.raises(ConfigError, match="fixed number of '\\+' terms"):
        arithseq.train(tiny_config("mlp", task="brackets", task_options={}), tmp_path / "r", verbose=0)
    with pytest.raises(ConfigError, match="fixed number"):
        arithseq.train(tiny_config("mlp", task_options={"terms": "2-3"}), tmp_path / "r2", verbose=0)


def test_unknown_models_and_options_are_clear(tmp_path):
    with pytest.raises(ConfigError, match="unknown model 'atention'; did you mean 'attention'"):
        get_model_spec("atention")
    with pytest.raises(ConfigError, match="unknown option 'unit'; did you mean 'units'"):
        get_model_spec("attention").make_options({"unit": 3})
    with pytest.raises(ConfigError, match="'cell' must be one of"):
        get_model_spec("attention").make_options({"cell": "rnn"})
    with pytest.raises(ConfigError, match="model 'attention': option 'units' must be a whole number, got 'many'"):
        get_model_spec("attention").make_options({"units": "many"})


def test_a_small_model_learns_far_better_than_chance(tmp_path):
    config = tiny_config(
        "attention",
        task_options={"largest": 49, "reverse_output": True},
        model_options={"units": 48, "embedding_dim": 8},
        epochs=20,
        steps_per_epoch=30,
        batch_size=64,
        learning_rate=0.01,
        lr_half_life=400,
        val_size=100,
        test_size=100,
        target=0.9,
    )
    run = arithseq.train(config, tmp_path / "run", verbose=0, echo=lambda *_: None)
    # 2,401 problems, 97 possible answers: guessing gets about 1% right
    assert run.evaluate().exact_match >= 0.5


def test_length_generalisation_needs_a_model_that_can_write_longer_answers(tmp_path):
    run = arithseq.train(tiny_config("seq2seq-lstm"), tmp_path / "run", verbose=0, echo=lambda *_: None)
    with pytest.raises(ConfigError, match="always writes 2 output characters"):
        run.evaluate(n=10, largest=200)
    ar = arithseq.train(tiny_config("attention"), tmp_path / "ar", verbose=0, echo=lambda *_: None)
    report = ar.evaluate(n=10, largest=200, terms=3)
    assert report.n == 10 and all(label.count("+") == 2 for label in report.breakdown["digits"])
    with pytest.raises(ConfigError, match="never saw"):
        ar.evaluate(n=5, grammar="arithmetic", operators="+-")


def test_predict_rejects_bad_input_with_columns(tmp_path):
    run = arithseq.train(tiny_config("mlp"), tmp_path / "run", verbose=0, echo=lambda *_: None)
    with pytest.raises(arithseq.ExpressionError, match="column 3"):
        run.predict(["1+*2"])
    with pytest.raises(arithseq.ExpressionError, match="reads at most 5"):
        run.predict(["100+100"])
    assert run.predict("3 + 4").isdigit()


def test_runs_refuse_to_overwrite_and_report_damage(tmp_path):
    target = tmp_path / "run"
    target.mkdir()
    (target / "notes.txt").write_text("keep me")
    with pytest.raises(ConfigError, match="already holds files"):
        arithseq.train(tiny_config("mlp"), target, verbose=0)
    assert (target / "notes.txt").read_text() == "keep me"
    with pytest.raises(arithseq.ArithseqError, match="no manifest.json; this is not an arithseq run folder"):
        arithseq.load_run(target)
    with pytest.raises(arithseq.ArithseqError, match="no such run folder"):
        arithseq.load_run(tmp_path / "nowhere")


def test_config_toml_round_trips_and_names_bad_fields(tmp_path):
    config = tiny_config("attention")
    path = tmp_path / "config.toml"
    path.write_text(config.to_toml())
    assert TrainConfig.from_toml(path) == config
    path.write_text(config.to_toml().replace("batch_size = 16", 'batch_size = "big"'))
    with pytest.raises(ConfigError, match=r"config.toml: \[train\]: option 'batch_size' must be a whole number, got 'big'"):
        TrainConfig.from_toml(path)
    path.write_text("[train]\nepoch = 3\n")
    with pytest.raises(ConfigError, match="'train.epoch' is not a training option"):
        TrainConfig.from_toml(path)


def test_same_seed_same_held_out_data(tmp_path):
    a = arithseq.train(tiny_config("mlp"), tmp_path / "a", verbose=0, echo=lambda *_: None)
    b = arithseq.train(tiny_config("mlp"), tmp_path / "b", verbose=0, echo=lambda *_: None)
    first, second = arithseq.Batch.load(a.path / "test.npz"), arithseq.Batch.load(b.path / "test.npz")
    assert first.inputs.tolist() == second.inputs.tolist() and first.targets.tolist() == second.targets.tolist()
    assert all(np.array_equal(x, y) for x, y in zip(a.model.get_weights(), b.model.get_weights()))


def test_scratchpad_batches_are_trimmed_and_greedy_decoding_stops_when_every_row_ended(tmp_path):
    """A scratchpad's length bound is loose (mixed's products: 231 characters, 47 at most in practice):
    training batches are cut to one width the targets fit, and decoding lets a row go once it wrote
    its end, with the same answers as decoding all the way with full-length inputs."""
    import arithseq.models.framing as F

    config = TrainConfig(
        task="mixed", task_options={"target": "products", "reverse_output": True, "values": "0-9"}, model="transformer",
        model_options=TINY["transformer"], epochs=2, steps_per_epoch=20, batch_size=64, val_size=32, test_size=32,
        target=0, learning_rate=0.005, jit=False,
    )
    run = arithseq.train(config, tmp_path / "run", verbose=0, echo=lambda _: None)
    tok = run.tokenizer
    batch = run.task.sample(64, np.random.default_rng(0))
    y = tok.encode(batch.targets, "output")
    (_, shifted), trimmed = run.framing.arrays(batch)
    assert trimmed.shape[1] % F.TRIM_STEP == 0 and trimmed.shape[1] < y.shape[1] == tok.output_length
    assert shifted.shape == trimmed.shape and (trimmed == y[:, : trimmed.shape[1]]).all()
    assert (y[:, trimmed.shape[1] :] == tok.pad_id).all()
    ids = tok.encode(batch.inputs[:16], "input")
    fast = F.greedy_decoder(run.model, tok.size)(ids, tok.output_length)
    full = np.full_like(fast, tok.pad_id)
    tokens = np.full(fast.shape, tok.size, np.int32)
    started = np.zeros(len(ids), bool)
    for t in range(tok.output_length):  # the plain way: a whole pass over every position, every step
        full[:, t] = np.asarray(run.model([ids, tokens], training=False))[:, t].argmax(-1)
        if t + 1 < tok.output_length:
            tokens[:, t + 1] = full[:, t]
        if (started & (full[:, t] == tok.pad_id)).all():
            break  # every row wrote its end: what follows is not compared
        started |= full[:, t] != tok.pad_id
    for a, b in zip(fast, full):  # every row agrees up to and including the pad that ends its answer
        written = np.nonzero(b != tok.pad_id)[0]
        ends = [t for t in range(len(b)) if b[t] == tok.pad_id and written.size and t > written[0]]
        stop = ends[0] + 1 if ends else len(b)
        assert (a[:stop] == b[:stop]).all()
    # batches of like length: every example once, each batch cut to its own longest target
    big = run.task.sample(1000, np.random.default_rng(1))
    (_, _), y = run.framing.arrays(big)
    order, widths = run.framing.buckets(y, 64, np.random.default_rng(2))
    assert sorted(order.tolist()) == list(range(len(y)))
    assert (widths % F.TRIM_STEP == 0).all() and widths.max() <= y.shape[1]
    for k, width in enumerate(widths.tolist()):
        rows = y[order[k * 64 : (k + 1) * 64]]
        assert (rows[:, width - 1 :] == tok.pad_id).all()  # each target and its end mark fit
    # Keras reads the shapes of the first two batches for all of them: they get two widths if there are two
    from arithseq.training.data import TrainingData, first_two_widths

    lengths = np.r_[np.full(900, 3), np.full(100, 20)]
    synthetic = np.where(np.arange(48)[None, :] < lengths[:, None], 0, tok.pad_id).astype(np.int32)
    for seed in range(5):
        order, widths = first_two_widths(*run.framing.buckets(synthetic, 64, np.random.default_rng(seed)), 64, 48)
        assert sorted(set(widths.tolist())) == [16, 32] and widths[0] != widths[1]
        assert sorted(order.tolist()) == list(range(len(synthetic)))
        for k, width in enumerate(widths.tolist()):  # the batches moved with their widths
            assert (synthetic[order[k * 64 : (k + 1) * 64], width - 1 :] == tok.pad_id).all()
    # one width in an epoch: the second batch gets the whole width, or a later, longer epoch is refused
    _, widths = first_two_widths(*run.framing.buckets(synthetic[:900], 64, np.random.default_rng(0)), 64, 48)
    assert widths[0] == 16 and widths[1] == 48 and (widths[2:] == 16).all()

    one = TrainingData(run.task, run.framing, config.replace(steps_per_epoch=1), np.array([], str))
    assert one.widths is None and one[0][1].shape[1] == one.y.shape[1]  # one batch an epoch: never cut
    data = TrainingData(run.task, run.framing, config, np.array([], str))
    assert data[0][1].shape[1] != data[1][1].shape[1]
    # the command line prints the answer in reading order first, then the scratchpad as written
    from typer.testing import CliRunner

    from arithseq.cli import app
    from arithseq.tasks.steps import final_answers

    result = CliRunner().invoke(app, ["predict", str(tmp_path / "run"), "2+2", "7*8", "10+10"])
    assert result.exit_code == 0, result.output
    for line in result.output.strip().splitlines()[-3:]:
        answer, written = line.split("  (", 1)
        assert written.endswith(")") and answer == final_answers(np.array([written[:-1]]), "products", True)[0]
