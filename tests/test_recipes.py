"""Named recipes per task, and the column-feedback network that carries any distance."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pytest
from typer.testing import CliRunner

import arithseq
from arithseq import ConfigError
from arithseq.cli import app
from arithseq.evaluation.study import length_study
from arithseq.tasks import TASKS
from arithseq.training import recommended

runner = CliRunner()


def test_every_builtin_task_has_a_single_pass_recipe():
    for name in ("addition", "long-addition", "terms", "add-sub", "mixed", "brackets"):
        entry = TASKS.get(name)
        assert "single-pass" in entry.recipes, name
        single = recommended(name, "single-pass")
        assert single.recipe == "single-pass"
        # single pass: the network writes the answer (or a scratchpad) in one decode, no loop of steps
        assert single.task_options.get("target") != "steps"
    assert recommended("mixed").task_options["target"] == "steps"  # the default stays the loop


def test_default_recipe_is_the_first_and_unknown_recipes_are_named():
    assert recommended("long-addition").recipe == "single-pass"
    assert recommended("long-addition").model == "column-feedback"
    assert recommended("long-addition", "column-gru").model == "column-gru"
    with pytest.raises(ConfigError, match="task 'terms' has no recipe 'single-pas'; did you mean 'single-pass'"):
        recommended("terms", "single-pas")


def test_tasks_lists_every_recipe_with_its_mode_and_the_default_marked():
    result = runner.invoke(app, ["tasks"])
    assert result.exit_code == 0, result.output
    assert "recipe single-pass (default): single pass; column-feedback" in result.output
    assert "recipe loop (default): decoding loop; column-gru" in result.output
    assert result.output.count("recipe single-pass") == 6


def test_train_refuses_an_unknown_recipe_and_contradicting_flags(tmp_path):
    result = runner.invoke(app, ["train", "mixed", "--recipe", "nope", "--out", str(tmp_path / "r")])
    assert result.exit_code == 2 and "task 'mixed' has no recipe 'nope' (its recipes: loop, single-pass)" in result.output
    result = runner.invoke(app, ["train", "mixed", "--recipe", "loop", "--no-recipe", "--out", str(tmp_path / "r")])
    assert result.exit_code == 2 and "contradict" in result.output
    assert not (tmp_path / "r").exists()


def test_a_recipe_is_recorded_in_the_run_config(tmp_path):
    run = arithseq.train(
        recommended("long-addition", "single-pass").override(
            task_options={"values": "0-999"},
            model_options={"units": 16, "embedding_dim": 8, "layers": 1},
            train={"epochs": 1, "steps_per_epoch": 3, "batch_size": 32, "val_size": 32, "test_size": 32, "target": 0, "min_epochs": 0},
        ),
        tmp_path / "run",
        verbose=0,
        echo=lambda _: None,
    )
    assert 'recipe = "single-pass"' in (tmp_path / "run" / "config.toml").read_text()
    assert run.config.recipe == "single-pass"


def test_column_feedback_learns_sums_and_adds_numbers_far_longer_than_trained(tmp_path):
    """Trained on 1-4 digits for seconds, right on 30-digit sums whose carry passes through 15-29
    columns of 9s: the network only ever looks one column back, so length does not matter."""
    config = recommended("long-addition").override(
        task_options={"values": "0-9999"},
        model_options={"units": 64, "embedding_dim": 16, "layers": 2},
        train={"epochs": 20, "steps_per_epoch": 50, "batch_size": 128, "min_epochs": 0,
               "target": 0, "val_size": 200, "test_size": 200, "max_minutes": 0},
    )
    run = arithseq.train(config, tmp_path / "run", verbose=0, echo=lambda _: None)
    assert run.evaluate().exact_match == 1.0
    rows = length_study(run, digits=[30], carry_chains=True, n=200)
    assert {(r.kind, r.setting): r.exact_match for r in rows} == {("digits", 30): 1.0, ("carry chain", 30): 1.0}
    # the answer of a line never depends on its neighbours, and a person's first inputs are right
    alone = [run.predict([q])[0] for q in ["2+2", "1+7", "10+10", "999+1"]]
    assert alone == ["4", "8", "20", "1000"]
    assert list(run.predict(["2+2", "1+7", "10+10", "999+1"])) == alone


def test_column_feedback_needs_the_column_format(tmp_path):
    with pytest.raises(ConfigError, match="model 'column-feedback' writes one answer digit per input column"):
        arithseq.train(
            arithseq.TrainConfig(task="addition", model="column-feedback", epochs=1, steps_per_epoch=1, val_size=8, test_size=8),
            tmp_path / "run",
            verbose=0,
            echo=lambda _: None,
        )
    with pytest.raises(ConfigError, match="option 'window' must be between 1 and 8"):
        arithseq.train(
            recommended("long-addition").override(model_options={"window": 0}), tmp_path / "w", verbose=0, echo=lambda _: None
        )


def test_study_seeds_trains_each_seed_and_prints_the_spread(tmp_path):
    out = tmp_path / "seeds"
    result = runner.invoke(app, [
        "study", "seeds", "long-addition", "--seeds", "0,3", "-s", "values=0-99",
        "-p", "units=16", "-p", "embedding_dim=8", "-p", "layers=1",
        "-t", "epochs=1", "-t", "min_epochs=0", "-t", "steps_per_epoch=5", "-t", "val_size=50", "-t", "test_size=50",
        "--digits", "4", "--carry-chains", "-n", "20", "-o", str(out),
    ])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    header = next(line for line in lines if line.startswith("figure"))
    assert header.split()[:4] == ["figure", "min", "median", "max"] and "seed 3" in header
    figures = [line.split()[0:3] for line in lines]
    assert ["held-out", "exact", "match"] in figures and ["carry", "chain", "4"] in figures
    data = __import__("json").loads((out / "seeds.json").read_text())
    assert [s["seed"] for s in data["seeds"]] == [0, 3]
    for name, spread in data["spread"].items():
        values = [s["figures"][name] for s in data["seeds"]]
        assert spread["min"] == min(values) and spread["max"] == max(values)
    assert (out / "seed-0" / "model.keras").exists() and (out / "seed-3" / "config.toml").exists()
    assert (out / "seeds.png").stat().st_size > 1000


@pytest.mark.parametrize("seeds, message", [("0,0", "each seed once"), ("x", "expects a count"), ("0,-1", "seed")])
def test_study_seeds_refuses_bad_seeds_before_training(tmp_path, seeds, message):
    result = runner.invoke(app, ["study", "seeds", "long-addition", "--seeds", seeds, "-o", str(tmp_path / "s")])
    assert result.exit_code == 2 and message in result.output
    assert not (tmp_path / "s").exists()
