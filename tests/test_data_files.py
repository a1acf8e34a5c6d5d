"""Training on someone else's question/answer files; clean logs."""

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

import arithseq
from arithseq.cli import app
from arithseq.tasks.datafiles import read_pairs

runner = CliRunner()


@pytest.mark.parametrize(
    "name, text",
    [
        ("d.tsv", "input\ttarget\n1+2\t3\n4+4\t8\n"),
        ("d.csv", 'question,answer\n1+2,3\n"4+4",8\n'),
        ("d.jsonl", '{"input": "1+2", "target": "3"}\n\n{"question": "4+4", "answer": 8}\n'),
        ("d.txt", "1+2\n3\n4+4\n8\n\n"),
    ],
)
def test_every_format_reads_the_same_pairs(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    questions, answers = read_pairs(path)
    assert questions.tolist() == ["1+2", "4+4"] and answers.tolist() == ["3", "8"]


@pytest.mark.parametrize(
    "name, text, message",
    [
        ("d.tsv", "1+2\t3\n4+4\n", "d.tsv:2: expected 2 tab-separated fields"),
        ("d.csv", "1+2,3,4\n", "d.csv:1: expected 2 comma-separated fields"),
        ("d.jsonl", '{"input": "1"}\n', "d.jsonl:1: the object needs fields 'input' and 'target'"),
        ("d.jsonl", '{"input": "1", "target": "2"}\n{oops\n', "d.jsonl:2: invalid JSON"),
        ("d.txt", "1+2\n3\n4+4\n", "d.txt:3: a question without an answer"),
        ("d.txt", "1+2\n3\n1+2\n4\n", "d.txt:3: question '1+2' was answered '3' at line 1 and '4' here"),
        ("d.tsv", "1+2\t\n", "d.tsv:1: empty answer"),
        ("d.txt", "", "no question/answer pairs"),
    ],
)
def test_a_malformed_record_names_the_file_and_line(tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(arithseq.ConfigError) as info:
        read_pairs(path)
    assert message in str(info.value)


def test_a_bad_data_file_creates_nothing(tmp_path):
    (tmp_path / "bad.txt").write_text("What is 1 plus 2?\n3\nWhat is 2 plus 2?\n")
    result = runner.invoke(app, ["train", "--data", str(tmp_path / "bad.txt"), "--out", str(tmp_path / "run")])
    assert result.exit_code == 2 and "bad.txt:3:" in result.stderr and "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.txt"]


def test_training_on_question_answer_lines_then_evaluate_report_and_predict(tmp_path):
    lines = []
    for a in range(30):
        for b in range(30):
            lines += [f"What is {a} plus {b}?", str(a + b)]
    (tmp_path / "qa.txt").write_text("\n".join(lines) + "\n")
    out = tmp_path / "run"
    result = runner.invoke(app, [
        "train", "--data", str(tmp_path / "qa.txt"), "--out", str(out), "-m", "attention", "-p", "units=16",
        "-p", "embedding_dim=8", "--epochs", "2", "--steps", "5", "--batch-size", "32", "--val-size", "50",
        "--test-size", "50", "--no-jit", "--target", "0",
    ])
    assert result.exit_code == 0, result.output
    assert (out / "report.html").is_file() and (out / "data.npz").is_file()
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["n"] == 50 and metrics["worst"]["group"] == "answer length"
    run = arithseq.load_run(out)
    test = arithseq.Batch.load(out / "test.npz")
    val = arithseq.Batch.load(out / "val.npz")
    assert not set(test.inputs.tolist()) & set(val.inputs.tolist())
    stream = run.task.sample(5000, 0, exclude=list(test.inputs) + list(val.inputs))
    assert not set(stream.inputs.tolist()) & (set(test.inputs.tolist()) | set(val.inputs.tolist()))
    answered = runner.invoke(app, ["predict", str(out), "What is 3 plus 4?", "What is 3 times 4?"])
    assert answered.exit_code == 2  # 'm' never appeared in the data
    assert answered.stdout.splitlines()[1] == "" and answered.stdout.splitlines()[0]
    assert "character 'm' at column 13 never appears in the training data" in answered.stderr
    evaluated = runner.invoke(app, ["evaluate", str(out), "--json"])
    assert json.loads(evaluated.stdout)["source"] == "held-out test data"


def test_logs_without_a_terminal_are_plain_lines(tmp_path):
    """`arithseq train > log.txt` leaves no progress-bar control characters, and no TensorFlow start-up noise."""
    done = subprocess.run(
        [sys.executable, "-m", "arithseq.cli", "train", "--no-recipe", "-s", "largest=20", "-m", "attention",
         "-p", "units=8", "-p", "embedding_dim=4", "--epochs", "2", "--steps", "3", "--batch-size", "8",
         "--val-size", "8", "--test-size", "8", "--no-jit", "--target", "0", "--no-report", "--out", str(tmp_path / "r")],
        capture_output=True, text=True, timeout=300,
        env={k: v for k, v in __import__("os").environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"},
    )
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout and "\r" not in done.stdout and "\b" not in done.stdout
    assert [line.split()[:2] for line in done.stdout.splitlines() if line.startswith("epoch ")] == [["epoch", "1/2"], ["epoch", "2/2"]]
    assert "cuda" not in done.stderr.lower() and "oneDNN" not in done.stderr


def test_commands_without_a_model_do_not_import_tensorflow():
    code = (
        "import sys\nfrom typer.testing import CliRunner\nfrom arithseq.cli import app\n"
        "r = CliRunner()\nfor args in (['tasks'], ['generate', '-n', '3'], ['solve', 'addition', '1+2'], ['--help']):\n"
        "    assert r.invoke(app, args).exit_code == 0, args\n"
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "False False", done.stderr


def test_tensorboard_missing_fails_before_anything_is_created(tmp_path, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "tensorboard" else real(name, *a))
    with pytest.raises(arithseq.ConfigError, match='pip install "arithseq\\[tensorboard\\]"'):
        arithseq.train(arithseq.TrainConfig(tensorboard=True), tmp_path / "run", verbose=0)
    assert not list(tmp_path.iterdir())
