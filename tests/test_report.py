"""RUN/report.html, RUN/plots/*.png, `arithseq report` and `arithseq compare`."""

import base64
import html
import json
import re
import shutil

import matplotlib.image
import pytest
from typer.testing import CliRunner

import arithseq
from arithseq.cli import app
from arithseq.evaluation import Report
from arithseq.evaluation.strata import percent
from arithseq.report.html import write_report
from arithseq.report.plots import digit_grid, learning_curves, read_history

runner = CliRunner()
PNG = b"\x89PNG\r\n\x1a\n"
TINY = arithseq.TrainConfig(
    task="addition", task_options={"largest": 20}, model="attention", model_options={"units": 8, "embedding_dim": 4},
    epochs=2, steps_per_epoch=3, batch_size=16, val_size=16, test_size=16, jit=False, target=0,
)
TINY_CLI = [
    "--no-recipe", "-s", "largest=20", "-m", "attention", "-p", "units=8", "-p", "embedding_dim=4",
    "--epochs", "1", "--steps", "2", "--batch-size", "8", "--val-size", "8", "--test-size", "8", "--no-jit", "--quiet",
]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return arithseq.train(TINY, tmp_path_factory.mktemp("report") / "run", verbose=0, echo=lambda *_: None)


@pytest.fixture(scope="module")
def page(run):
    path = write_report(run)
    return path, path.read_text(encoding="utf-8")


def images(text):
    return re.findall(r'<img\b[^>]*\bsrc="([^"]*)"', text)


def test_the_report_is_one_self_contained_page(run, page):
    path, text = page
    assert path == run.path / "report.html"
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    assert "http://" not in text and "https://" not in text
    assert "<script" not in text and "<link" not in text and "url(" not in text and "@import" not in text
    sources = images(text)
    assert len(sources) == text.count("<img") >= 5
    assert all(src.startswith("data:image/png;base64,") for src in sources)


def test_the_plots_are_pngs_and_the_page_embeds_them(run, page):
    _, text = page
    folder = run.path / "plots"
    names = {p.name for p in folder.glob("*.png")}
    assert {"learning-time.png", "learning-examples.png", "digits.png", "strata-digits.png", "strata-carries.png",
            "strata-carry-chain.png", "strata-answer-length.png"} <= names
    embedded = {base64.b64decode(src.split(",", 1)[1]) for src in images(text)}
    for name in names:
        data = (folder / name).read_bytes()
        assert data.startswith(PNG), name
        assert matplotlib.image.imread(folder / name).shape[0] > 100, name
        assert data in embedded, f"{name} is not in the page"


def test_the_headline_is_the_exhaustive_evaluation(run, page):
    _, text = page
    report = run.evaluate(exhaustive=True)  # 400 problems: at most LIMIT, so every one is judged
    assert report.source == "all 400 problems of the task"
    assert percent(report.exact_match) in text
    assert html.escape(report.worst.describe()) in text
    assert html.escape(report.source) in text
    assert "steps right" not in text.lower()  # not a scratchpad task
    for section in ("Learning curves", "Exact match by digit count", "Exact match by stratum",
                    "Worst-predicted examples", "Configuration"):
        assert f"<h2>{section}</h2>" in text
    assert "<title>arithseq report: addition, attention</title>" in text


def test_the_configuration_is_shown_escaped(run, page):
    _, text = page
    config = (run.path / "config.toml").read_text()
    assert 'pad = " "' in config
    assert f"<pre>{html.escape(config)}</pre>" in text


def test_every_text_is_escaped(run, tmp_path):
    hostile = "<script>alert(1)</script>"
    report = Report(
        n=2, exact_match=0.5, char_accuracy=None, rmse=None, mae=None, invalid=0.0,
        breakdown={"digits": {"1+1": {"n": 1, "exact_match": 1.0}, "1,1,2": {"n": 1, "exact_match": 0.0}},
                   "odd <group>": {"<x>": {"n": 2, "exact_match": 0.5}}},
        worst_examples=[("1+<b>", "&amp;", hostile, False)], source=f"made up {hostile}", steps_right=0.25,
    )
    text = write_report(run, report).read_text()
    assert "<script" not in text and "<b>" not in text and "<x>" not in text
    assert "1+&lt;b&gt;" in text and "&amp;amp;" in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "steps right" in text and "25.00%" in text
    assert (run.path / "plots" / "strata-odd-group.png").exists()
    write_report(run)  # the module's page again, for the other tests


def test_more_than_two_numbers_fold_into_the_first_two_and_max_labels_get_a_sentence(run, tmp_path):
    rows, cols, grid = digit_grid({"1,2": {"n": 10, "exact_match": 1.0}, "1,2,3": {"n": 30, "exact_match": 0.0},
                                   "2,1": {"n": 5, "exact_match": 0.4}})
    assert (rows, cols) == ([1, 2], [1, 2])
    assert grid[0][1] == (0.25, 40) and grid[1][0] == (0.4, 5) and grid[0][0] is None
    assert "widest number" in digit_grid({"max 2": {"n": 3, "exact_match": 1.0}})
    report = Report(n=3, exact_match=1.0, char_accuracy=None, rmse=None, mae=None, invalid=0.0,
                    breakdown={"digits": {"max 1": {"n": 1, "exact_match": 1.0}, "max 2": {"n": 2, "exact_match": 1.0}}})
    text = write_report(run, report).read_text()
    assert "No heat map: the digits strata of this task count only the widest number" in text
    assert "Every one of the 3 answers was entirely right." in text
    write_report(run)


def test_learning_curves_take_whatever_columns_the_history_has(tmp_path):
    csv = tmp_path / "history.csv"
    csv.write_text("epoch,loss,val_exact_match,val_worst_exact,examples_seen\n0,2.5,0.1,0.0,64\n1,2.0,0.5,,128\n")
    history = read_history(csv)
    assert history["val_worst_exact"][0] == 0.0 and history["val_worst_exact"][1] != history["val_worst_exact"][1]
    assert learning_curves(history, "seconds", tmp_path / "time.png") is None  # no wall time recorded
    assert learning_curves(history, "examples_seen", tmp_path / "seen.png").read_bytes().startswith(PNG)


# -- the command line ------------------------------------------------------------------------------
def test_report_command_writes_the_page(run):
    (run.path / "report.html").unlink()
    result = runner.invoke(app, ["report", str(run.path), "--no-exhaustive"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"report written to {run.path / 'report.html'}"
    assert "held-out test set, stratified" in (run.path / "report.html").read_text()
    result = runner.invoke(app, ["report", str(run.path)])
    assert result.exit_code == 0, result.output
    assert "all 400 problems of the task" in (run.path / "report.html").read_text()


def test_compare_prints_one_table_and_writes_one_plot(run, tmp_path):
    other = tmp_path / "copy"
    shutil.copytree(run.path, other)
    plot = tmp_path / "out" / "curves.png"
    result = runner.invoke(app, ["compare", str(run.path), str(other), "--plot", str(plot)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split()[:4] == ["run", "task", "model", "format"]
    for column in ("samples seen", "train time", "exact match", "worst stratum", "exhaustive"):
        assert column in lines[0]
    metrics = json.loads((run.path / "metrics.json").read_text())
    rows = [line for line in lines if line.startswith((str(run.path), str(other)))]
    assert len(rows) == 2
    for row in rows:
        assert " addition " in row and " attention " in row and " text " in row
        assert f"{metrics['examples_seen']:,}" in row and percent(metrics["exact_match"]) in row
        assert f"{metrics['worst']['group']} {metrics['worst']['stratum']}: " in row
        assert row.rstrip().endswith("-")
    assert f"plot written to {plot}" in result.stdout
    assert plot.read_bytes().startswith(PNG)
    exhaustive = runner.invoke(app, ["compare", str(run.path), "--plot", str(plot), "--exhaustive"])
    assert exhaustive.exit_code == 0, exhaustive.output
    assert "of 400" in exhaustive.stdout


def test_train_writes_the_report_unless_told_not_to(tmp_path):
    result = runner.invoke(app, ["train", "addition", *TINY_CLI, "--out", str(tmp_path / "a")])
    assert result.exit_code == 0, result.output
    assert f"report written to {tmp_path / 'a' / 'report.html'}" in result.stdout
    assert (tmp_path / "a" / "report.html").exists() and (tmp_path / "a" / "plots" / "digits.png").exists()
    result = runner.invoke(app, ["train", "addition", *TINY_CLI, "--no-report", "--out", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    assert "report written" not in result.stdout and not (tmp_path / "b" / "report.html").exists()


@pytest.mark.parametrize("command", [["report"], ["compare"], ["compare", "--exhaustive"]])
def test_a_missing_run_folder_is_a_clear_error(tmp_path, command):
    result = runner.invoke(app, [*command, str(tmp_path / "nowhere")])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ") and "nowhere" in result.stderr
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)


def test_compare_refuses_a_folder_that_is_not_a_finished_run(tmp_path):
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "config.toml").write_text('[task]\nname = "addition"\n')
    result = runner.invoke(app, ["compare", str(tmp_path / "half")])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and "metrics.json" in result.stderr and "Traceback" not in result.output


HELP = {  # command: (its arguments, its options)
    "report": (["run"], ["--exhaustive", "--no-exhaustive"]),
    "compare": (["runs"], ["--plot", "--exhaustive"]),
    "train": ([], ["--report", "--no-report"]),
}


@pytest.mark.parametrize("command", sorted(HELP))
def test_help_names_every_option(command):
    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    arguments, options = HELP[command]
    for argument in arguments:
        assert re.search(rf"\*\s+{argument}\b", result.output), (command, argument)
    for option in options:
        assert option in result.output, (command, option)
