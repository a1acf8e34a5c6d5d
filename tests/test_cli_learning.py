import json

import pytest
from typer.testing import CliRunner

from arithseq.cli import app

runner = CliRunner()

TINY = [
    "-s", "largest=20", "-m", "attention", "-p", "units=8", "-p", "embedding_dim=4",
    "--epochs", "1", "--steps", "2", "--batch-size", "8", "--val-size", "8", "--test-size", "8",
    "--no-jit", "--quiet",
]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "tiny"
    result = runner.invoke(app, ["train", "addition", *TINY, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "held-out exact match" in result.output and "expected" in result.output
    return out


def test_models_lists_every_model():
    result = runner.invoke(app, ["models"])
    assert result.exit_code == 0
    for name in ("seq2seq-lstm", "mapping-lstm", "mlp", "attention", "transformer"):
        assert name in result.output


def test_help_for_learning_commands():
    for command in ("train", "evaluate", "predict", "models"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output


def test_train_writes_a_reproducible_run(run_dir):
    config = (run_dir / "config.toml").read_text()
    assert 'name = "addition"' in config and 'name = "attention"' in config and "units = 8" in config
    again = run_dir.parent / "again"
    result = runner.invoke(app, ["train", "--config", str(run_dir / "config.toml"), "--quiet", "--out", str(again)])
    assert result.exit_code == 0, result.output
    assert (again / "config.toml").read_text() == config
    assert (again / "test.txt").read_text() == (run_dir / "test.txt").read_text()


def test_predict_arguments_and_stdin(run_dir):
    result = runner.invoke(app, ["predict", str(run_dir), "12+5", "3+4"])
    assert result.exit_code == 0, result.output
    assert len(result.output.strip().splitlines()) == 2
    piped = runner.invoke(app, ["predict", str(run_dir)], input="1+1\n\n2+2\n")
    assert piped.exit_code == 0 and len(piped.output.strip().splitlines()) == 2


def test_predict_errors_are_clear(run_dir):
    for args, message in [
        (["12+*5"], "column 4"),
        (["100+100"], "reads at most 5"),
        (["-3"], "column 1"),
    ]:
        result = runner.invoke(app, ["predict", str(run_dir), *args])
        assert result.exit_code == 2, result.output
        assert message in result.output and "Traceback" not in result.output
    empty = runner.invoke(app, ["predict", str(run_dir)], input="")
    assert empty.exit_code == 2 and "no expressions" in empty.output


def test_evaluate_text_json_and_generalisation(run_dir):
    text = runner.invoke(app, ["evaluate", str(run_dir)])
    assert text.exit_code == 0 and "held-out exact match" in text.output and "by carries" in text.output
    data = json.loads(runner.invoke(app, ["evaluate", str(run_dir), "--json", "-n", "20", "-s", "terms=3"]).output)
    assert data["n"] == 20 and set(data["breakdown"]["terms"]) == {"3"}
    assert {"exact_match", "char_accuracy", "rmse", "mae", "invalid"} <= set(data)


def test_learning_errors_exit_2_without_traceback(tmp_path, run_dir):
    for args, message in [
        (["train", "--model", "nosuch", "--out", str(tmp_path / "a")], "unknown model 'nosuch'"),
        (["train", "brackets", "-m", "mlp", "--out", str(tmp_path / "b")], "fixed number of '+' terms"),
        (["train", *TINY, "--out", str(run_dir)], "already holds files"),
        (["train", "-p", "units=x", "--out", str(tmp_path / "c")], "must be int"),
        (["evaluate", str(tmp_path / "missing")], "no such run directory"),
        (["train", "--config", str(tmp_path / "none.toml")], "file not found"),
    ]:
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output and "Traceback" not in result.output
