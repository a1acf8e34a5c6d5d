import json
import re

import pytest
from typer.testing import CliRunner

from arithseq import Batch, load_run
from arithseq.cli import app

runner = CliRunner()

TINY = [
    "--no-recipe", "-s", "largest=20", "-m", "attention", "-p", "units=8", "-p", "embedding_dim=4",
    "--epochs", "1", "--steps", "2", "--batch-size", "8", "--val-size", "8", "--test-size", "8",
    "--no-jit", "--quiet",
]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "tiny"
    result = runner.invoke(app, ["train", "addition", *TINY, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "exact match: " in result.output and "worst stratum: " in result.output and "expected" in result.output
    return out


def test_models_lists_every_model_with_its_options():
    result = runner.invoke(app, ["models"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    names = [line.split()[0] for line in lines if not line.startswith(" ")]
    assert names == ["attention", "column-feedback", "column-gru", "gpt", "mapping-lstm", "mlp", "seq2seq-lstm", "transformer"]
    assert "seq2seq-lstm  [sequence]  The tutorial's network" in result.output
    assert "    options: encoder_units=100, decoder_units=50, layers=1, cell='lstm'" in result.output


HELP = {
    "train": ["--model", "--config", "--set", "--param", "--training", "--epochs", "--steps", "--batch-size",
              "--lr", "--lr-half-life", "--train-size", "--mix", "--recipe", "--no-recipe", "--val-size", "--test-size",
              "--target", "--min-epochs", "--patience", "--max-minutes", "--seed", "--jit", "--distribute", "--tensorboard",
              "--out", "--overwrite", "--quiet"],
    "evaluate": ["run", "--set", "--count", "--seed", "--exhaustive", "--json"],
    "predict": ["run", "expressions"],
    "models": [],
}


def test_help_of_learning_commands_names_every_option():
    for command, options in HELP.items():
        result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        for option in options:
            assert option in result.output, (command, option)


def test_train_writes_a_reproducible_run(run_dir):
    config = (run_dir / "config.toml").read_text()
    assert 'name = "addition"' in config and 'name = "attention"' in config and "units = 8" in config
    again = run_dir.parent / "again"
    result = runner.invoke(app, ["train", "--config", str(run_dir / "config.toml"), "--quiet", "--out", str(again)])
    assert result.exit_code == 0, result.output
    assert (again / "config.toml").read_text() == config
    first, second = Batch.load(run_dir / "test.npz"), Batch.load(again / "test.npz")
    assert first.inputs.tolist() == second.inputs.tolist()


def test_predict_arguments_and_stdin_match_the_library(run_dir):
    expected = load_run(run_dir).predict(["12+5", "3+4", "1+1", "2+2"])
    result = runner.invoke(app, ["predict", str(run_dir), "12+5", "3+4"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == expected[:2]
    piped = runner.invoke(app, ["predict", str(run_dir)], input="1+1\n2+2\n")
    assert piped.exit_code == 0 and piped.output.splitlines() == expected[2:]


def test_predict_errors_are_clear(run_dir):
    for args, message in [
        (["12+*5"], "error: expression 1: unexpected character '*' at column 4"),
        (["-3"], "column 1"),
        (["1+2", "3+"], "error: expression 2: "),
    ]:
        result = runner.invoke(app, ["predict", str(run_dir), *args])
        assert result.exit_code == 2, result.output
        assert message in result.stderr and "Traceback" not in result.output
    empty = runner.invoke(app, ["predict", str(run_dir)], input="")
    assert empty.exit_code == 2 and "no expressions" in empty.stderr


def test_one_bad_line_does_not_sink_the_batch(run_dir):
    expected = load_run(run_dir).predict(["1+2", "3+4"])
    result = runner.invoke(app, ["predict", str(run_dir)], input="1+2\n1+x\n\n3+4\n")
    assert result.exit_code == 2
    # output lines match input lines: the bad and the blank line keep their place, empty
    assert result.stdout.splitlines() == [expected[0], "", "", expected[1]]
    assert "error: line 2: unexpected character 'x' at column 3" in result.stderr
    assert "\n  1+x\n" in result.stderr and "line 3" not in result.stderr
    assert "1 of 4 lines could not be answered" in result.stderr


def test_inputs_outside_training_are_answered_with_a_warning_or_refused_when_strict(run_dir):
    # trained on 1..20: 0 and 100 lie outside; the attention model still reads the longer input
    result = runner.invoke(app, ["predict", str(run_dir), "0+5", "100+100", "3+4"])
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 3 and all(result.stdout.splitlines())
    assert result.stderr.splitlines() == [
        "warning: expression 1: 0 is outside the training range 1..20",
        "warning: expression 2: 100 is outside the training range 1..20",
    ]
    strict = runner.invoke(app, ["predict", str(run_dir), "--strict", "0+5", "3+4"])
    assert strict.exit_code == 2
    assert strict.stdout.splitlines()[0] == "" and strict.stdout.splitlines()[1]
    assert "error: expression 1: 0 is outside the training range 1..20 (strict mode)" in strict.stderr


def test_evaluate_text_json_and_generalisation(run_dir):
    text = runner.invoke(app, ["evaluate", str(run_dir)])
    assert text.exit_code == 0 and "worst stratum: " in text.output and "by carries" in text.output
    data = json.loads(runner.invoke(app, ["evaluate", str(run_dir), "--json", "-n", "20", "-s", "terms=3"]).output)
    assert data["n"] == 20 and all(label.count("+") == 2 for label in data["breakdown"]["digits"])
    assert data["worst"]["exact_match"] == min(
        cell["exact_match"] for cells in data["breakdown"].values() for cell in cells.values()
    )
    assert {"exact_match", "char_accuracy", "rmse", "mae", "invalid"} <= set(data)


def test_learning_errors_exit_2_without_traceback(tmp_path, run_dir):
    for args, message in [
        (["train", "--model", "nosuch", "--out", str(tmp_path / "a")], "unknown model 'nosuch'"),
        (["train", "brackets", "-m", "mlp", "--out", str(tmp_path / "b")], "fixed number of '+' terms"),
        (["train", *TINY, "--out", str(run_dir)], "already holds files"),
        (["train", "-p", "units=x", "--out", str(tmp_path / "c")], "option 'units' must be a whole number"),
        (["train", "-t", "clipnorm=-1", "--out", str(tmp_path / "d")], "'clipnorm' must not be negative"),
        (["train", "-t", "epoch=3", "--out", str(tmp_path / "e")], "unknown option 'epoch'; did you mean 'epochs'"),
        (["evaluate", str(tmp_path / "missing")], "no such run folder"),
        (["train", "--config", str(tmp_path / "none.toml")], "file not found"),
    ]:
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output and "Traceback" not in result.output


def test_a_loop_trains_on_worked_steps_without_most_easy_ones(tmp_path):
    out = tmp_path / "loop"
    # the recipe's rules of fractions, each whole-number step worked
    worked = ["-s", "complements=true", "-s", "borrows=true", "-s", "carries=true", "-s", "partial_products=true"]
    result = runner.invoke(app, [
        "train", "brackets", "--recipe", "loop", *worked, "--mix", "easy_steps=0.2", "-m", "gpt", "-p", "dim=8",
        "-p", "heads=1", "-p", "layers=1", "-p", "ff=8", "-p", "max_position=160", "--epochs", "1", "--steps", "2",
        "--batch-size", "8", "--val-size", "8", "--test-size", "8", "--no-jit", "--quiet", "--out", str(out),
    ])
    assert result.exit_code == 0, result.output
    assert "steps right: " in result.output
    config = (out / "config.toml").read_text()
    assert re.search(r"easy_steps = \"?0.2", config) and re.search(r"balance_steps = \"?0.002", config) and "borrows = true" in config and "fraction_rules = true" in config
    predicted = runner.invoke(app, ["predict", str(out), "2+2", "(3/4)-(-5/6)"])
    assert predicted.exit_code == 0, predicted.output
