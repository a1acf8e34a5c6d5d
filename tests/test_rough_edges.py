"""Rough edges found by using the CLI as people do: pipes, data-file runs, odd batches, big requests."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from arithseq.cli import app

runner = CliRunner()
TINY = ["--epochs", "1", "--min-epochs", "1", "--steps", "3", "--batch-size", "32", "--val-size", "40",
        "--test-size", "40", "--no-jit", "--target", "0", "-q", "--no-report"]


@pytest.fixture(scope="module")
def data_run(tmp_path_factory) -> Path:
    """A run trained with --data on a question/answer file (its task has no grammar to rebuild it by name)."""
    folder = tmp_path_factory.mktemp("data-run")
    lines = [line for a in range(20) for b in range(20) for line in (f"{a}+{b}", str(a + b))]
    (folder / "qa.txt").write_text("\n".join(lines) + "\n")
    out = folder / "run"
    result = runner.invoke(app, ["train", "--data", str(folder / "qa.txt"), "--out", str(out), "-m", "attention",
                                 "-p", "units=8", "-p", "embedding_dim=4", *TINY])
    assert result.exit_code == 0, result.output
    return out


def test_compare_reads_a_run_trained_on_a_data_file(data_run, tmp_path):
    result = runner.invoke(app, ["compare", str(data_run), "--plot", str(tmp_path / "c.png"), "--exhaustive"])
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if line.startswith(str(data_run)))
    assert " qa " in row and "n/a (data file)" in row


def test_tasks_off_a_terminal_prints_every_cell_whole():
    result = runner.invoke(app, ["tasks"])  # CliRunner's stdout is not a terminal, like `arithseq tasks | cat`
    assert result.exit_code == 0 and "…" not in result.stdout and "┃" not in result.stdout
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["task", "grammar", "terms", "values", "ops", "depth", "division", "in/out", "alphabet"]
    brackets = next(line for line in lines if line.startswith(" brackets "))
    assert brackets.split() == ["brackets", "brackets", "2-4", "0-9", "all", "2", "rational", "35/9", "0123456789+-*/()"]


@pytest.mark.parametrize("level", ["3", "2", "junk"])
def test_a_quiet_log_level_of_ones_own_is_no_noisier(level):
    """TF_CPP_MIN_LOG_LEVEL=3 used to skip the muting: absl, oneDNN and CUDA start-up lines on every command."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": level}
    done = subprocess.run([sys.executable, "-m", "arithseq.cli", "models"], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0 and "attention" in done.stdout
    assert done.stderr == ""


def test_bad_training_options_are_refused_before_tensorflow_loads(tmp_path):
    code = (
        "import sys\nfrom typer.testing import CliRunner\nfrom arithseq.cli import app\n"
        f"out = {str(tmp_path / 'run')!r}\n"
        "for args, name in ((['--lr', 'nan'], 'learning_rate'), (['--batch-size', '0'], 'batch_size'), (['-t', 'epochs=-1'], 'epochs')):\n"
        "    result = CliRunner().invoke(app, ['train', *args, '--out', out])\n"
        "    assert result.exit_code == 2 and name in result.stderr, (args, result.output)\n"
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "False False", done.stderr
    assert not (tmp_path / "run").exists()


@pytest.fixture(scope="module")
def column_run(tmp_path_factory) -> Path:
    """A briefly trained run of the default recipe: two numbers 1..999, one token per column."""
    out = tmp_path_factory.mktemp("column-run") / "run"
    result = runner.invoke(app, ["train", "--out", str(out), *TINY])
    assert result.exit_code == 0, result.output
    return out


def test_a_line_the_encoding_cannot_read_is_an_error_in_its_place(column_run):
    result = runner.invoke(app, ["predict", str(column_run)], input="1+2\n1+1+1\n3+4\n")
    assert result.exit_code == 2
    answers = result.stdout.splitlines()
    assert len(answers) == 3 and answers[0] and answers[1] == "" and answers[2]
    assert "error: line 2: column encoding reads up to 2 numbers joined by +, got '1+1+1'" in result.stderr
    assert "warning: line 2" not in result.stderr  # refused, so its range warning says nothing more
    assert "1 of 3 lines could not be answered" in result.stderr


def test_an_answer_does_not_depend_on_the_other_lines(column_run, monkeypatch):
    import warnings

    import numpy as np

    import arithseq

    run = arithseq.load_run(column_run)
    lines = ["3+4", "12+5", "999+1", "1234+1", "55555+44444", "7+8", "123+456"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numbers above 999 are outside the training range
        assert run.predict(lines) == [run.predict(line) for line in lines]
        # the columns each line is read with, as the answer: trained width (4) where it fits, its own beyond
        monkeypatch.setattr(run.framing, "predict", lambda model, batch, tokenizer: np.full(len(batch), str(tokenizer.input_length)))
        assert run.predict(lines) == ["4", "4", "4", "5", "6", "4", "4"]


@pytest.mark.parametrize("values", [(1, 99), (0, 9), (5, 12), (1, 999), (0, 99999)])
def test_every_digits_cell_is_in_each_held_out_set(values):
    """1..99 asks for more problems than the cells' shares: the validation set used to swallow all of 1+1."""
    import arithseq
    from arithseq.evaluation.strata import stratified_sets, strata

    task = arithseq.get_task("addition", values=values)
    widths = range(len(str(values[0])), len(str(values[1])) + 1)
    cells = {f"{a}+{b}" for a in widths for b in widths}
    sets = stratified_sets(task, {"val": 2000, "test": 5000}, seed=0)
    for name, batch in sets.items():
        assert set(strata(task, batch)["digits"].tolist()) == cells, name
    assert not set(sets["val"].inputs.tolist()) & set(sets["test"].inputs.tolist())


def test_generate_refuses_a_file_larger_than_the_free_space(tmp_path, monkeypatch):
    import shutil

    monkeypatch.setattr(shutil, "disk_usage", lambda path: shutil._ntuple_diskusage(10**9, 10**9 - 2000, 2000))
    out = tmp_path / "big.csv"
    result = runner.invoke(app, ["generate", "addition", "-n", "300000", "--seed", "0", "-f", "csv", "-o", str(out)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"300,000 examples to --out {out}: about 3." in result.stderr and " MB to write, but only 2.0 kB free" in result.stderr
    assert list(tmp_path.iterdir()) == []  # nothing begun, no temporary file left
    small = runner.invoke(app, ["generate", "addition", "-n", "100", "-f", "csv", "-o", str(out)])
    assert small.exit_code == 0 and len(out.read_text().splitlines()) == 101


def test_a_long_expression_is_quoted_cut_to_about_60_characters(tmp_path):
    import arithseq
    from arithseq.tasks.datafiles import read_pairs

    tok = arithseq.Tokenizer.for_task(arithseq.get_task("addition", input_format="columns"))
    for text in ("1+" * 500 + "1", "1" * 1000 + "+1"):  # three numbers and more; a number wider than the columns
        with pytest.raises(arithseq.TokenizerError) as info:
            tok.encode(text)
        assert len(str(info.value)) < 200 and "..." in str(info.value), str(info.value)[:300]
    question = "1+" * 500 + "1"
    (tmp_path / "d.tsv").write_text(f"{question}\t501\n{question}\t500\n")
    with pytest.raises(arithseq.ConfigError) as info:
        read_pairs(tmp_path / "d.tsv")
    assert len(str(info.value)) < 250 and "d.tsv:2: question '1+1+" in str(info.value)


def test_study_length_refuses_a_run_trained_on_a_data_file(data_run, tmp_path):
    result = runner.invoke(app, ["study", "length", str(data_run), "--digits", "2-3", "--plot", str(tmp_path / "l.png")])
    assert result.exit_code == 2 and "learned from a data file" in result.output
    assert not (tmp_path / "l.png").exists()
