"""Judging models on the whole task: enumeration, strata, stratified held-out sets, the default recipe."""

import json
from fractions import Fraction

import numpy as np
import pytest

import arithseq
from arithseq.evaluation.strata import carries, cells, strata, stratified_sets, worst_stratum
from arithseq.tasks.rendering import format_answer
from arithseq.training import recommended
from arithseq.training.callbacks import StopAt


def brute_force(values, operators):
    """Every two-number problem by a plain Python loop, undefined ones left out."""
    out = {}
    for a in values:
        for b in values:
            for op in operators:
                if op == "/":
                    if b == 0 or a % b:
                        continue  # the task's exact division: whole quotients only
                    value = Fraction(a, b)
                else:
                    value = {"+": a + b, "-": a - b, "*": a * b}[op]
                out[f"{a}{op}{b}"] = format_answer(value)
    return out


@pytest.mark.parametrize(
    "options, values, operators",
    [
        ({"grammar": "addition", "largest": 12}, range(1, 13), "+"),
        ({"grammar": "arithmetic", "terms": 2, "values": "0-9", "operators": "+-*/"}, range(10), "+-*/"),
    ],
)
def test_enumeration_is_every_problem_once(options, values, operators):
    arithseq.register_task("enumerated", replace=True, **options)
    task = arithseq.get_task("enumerated")
    found = {}
    for batch in task.enumerate(chunk=7):
        for example in batch:
            assert example.input not in found
            found[example.input] = example.target
    assert found == brute_force(values, operators)
    assert task.size == len(values) ** 2 * len(operators)


def test_too_large_tasks_are_refused_by_name():
    with pytest.raises(arithseq.SamplingError, match="has 9,030,000 problems, more than the 5,000,000"):
        next(arithseq.get_task("mixed").enumerate())


def test_strata_of_a_batch():
    task = arithseq.get_task("addition")
    batch = task.read(["1+2", "45+678", "999+1", "5+5"]).batch
    batch = arithseq.Batch(batch.inputs, np.array(["3", "723", "1000", "10"]), None, None, batch.numbers)
    groups = strata(task, batch)
    assert groups["digits"].tolist() == ["1+1", "2+3", "3+1", "1+1"]
    assert groups["carries"].tolist() == ["0", "2", "3", "1"]
    # a chain counts the columns that only pass a carry on: 999+1 passes it through two 9-columns
    assert groups["carry chain"].tolist() == ["0", "0", "2", "0"]
    assert groups["answer length"].tolist() == ["1", "3", "4", "2"]
    count, longest = carries(np.array([[99, 1], [15, 15], [0, 0]]))
    assert count.tolist() == [2, 1, 0] and longest.tolist() == [1, 0, 0]
    big = np.array([[36303877564985069541, 72198262435014930459]], dtype=object)  # the big-int path
    assert carries(big)[1].tolist() == [12]
    mixed = arithseq.get_task("brackets")
    shaped = mixed.read(["(1+2)*3", "-(4/(5-6))", "7"]).batch
    labels = strata(mixed, arithseq.Batch(shaped.inputs, None, None, None, shaped.numbers))
    assert labels["operators"].tolist() == ["*+", "-/", "none"] and labels["depth"].tolist() == ["1", "2", "0"]


def test_worst_stratum_is_the_lowest_and_the_largest_on_ties():
    breakdown = {
        "digits": {"1+1": {"n": 10, "exact_match": 0.5}, "3+3": {"n": 100, "exact_match": 1.0}},
        "carries": {"0": {"n": 40, "exact_match": 0.5}},
    }
    worst = worst_stratum(breakdown)
    assert (worst.group, worst.label, worst.n) == ("carries", "0", 40)
    assert worst_stratum({}) is None


def test_stratified_sets_hold_every_cell_and_are_disjoint_from_each_other_and_training():
    task = arithseq.get_task("addition")
    sets = stratified_sets(task, {"val": 2000, "test": 5000}, seed=3)
    assert len(sets["val"]) == 2000 and len(sets["test"]) == 5000
    all_cells = {f"digits={a}+{b};" for a in (1, 2, 3) for b in (1, 2, 3)}
    for batch in sets.values():
        assert set(cells(task, batch).tolist()) == all_cells
        assert len(set(batch.inputs.tolist())) == len(batch)
    assert not set(sets["val"].inputs.tolist()) & set(sets["test"].inputs.tolist())
    # a small cell gives at most an eighth of its problems: 1+1 digit sums stay mostly for training
    one_digit = (cells(task, sets["test"]) == "digits=1+1;").sum()
    assert 1 <= one_digit <= 81 // 8
    held_out = np.concatenate([sets["val"].inputs, sets["test"].inputs])
    stream = task.sample(200_000, seed=4, exclude=held_out)
    assert not np.isin(stream.inputs, held_out).any()


def test_stopping_at_the_target_needs_every_stratum():
    class Model:
        stop_training = False

    stop = StopAt(target=0.99, minutes=0)
    stop.set_model(Model())
    stop.on_epoch_end(0, {"val_exact_match": 0.999, "val_worst_exact": 0.9})
    assert not stop.model.stop_training
    stop.on_epoch_end(1, {"val_exact_match": 0.999, "val_worst_exact": 0.995})
    assert stop.model.stop_training
    patient = StopAt(target=0.99, minutes=0, min_epochs=5)
    patient.set_model(Model())
    patient.on_epoch_end(1, {"val_exact_match": 1.0, "val_worst_exact": 1.0})
    assert not patient.model.stop_training


def test_a_time_limit_passed_during_the_held_out_figures_ends_training_at_that_epoch():
    """The held-out figures run after an epoch's last batch: a limit passed while they ran must not
    start another epoch (a brackets run once went 107 s past its --max-minutes this way)."""

    class Model:
        stop_training = False

    stop = StopAt(target=0.99, minutes=1, min_epochs=50)
    stop.set_model(Model())
    stop.on_train_begin()
    stop.on_train_batch_end(0)
    stop.on_epoch_end(0, {"val_exact_match": 0.5, "val_worst_exact": 0.1})
    assert not stop.model.stop_training
    stop.started -= 61  # the figures of epoch 1 took past the minute
    stop.on_epoch_end(1, {"val_exact_match": 0.5, "val_worst_exact": 0.1})
    assert stop.model.stop_training


def test_the_default_recipe_gets_every_two_digit_sum_right(tmp_path):
    """The default recipe on a smaller addition task, judged on every problem against a plain loop."""
    config = recommended("addition").override(
        task_options={"largest": 99}, train={"epochs": 12, "min_epochs": 12, "steps_per_epoch": 30, "val_size": 500, "test_size": 500}
    )
    run = arithseq.train(config, tmp_path / "run", verbose=0, echo=lambda *_: None)
    report = run.evaluate(exhaustive=True)
    problems = [f"{a}+{b}" for a in range(1, 100) for b in range(1, 100)]
    answers = run.predict(problems)
    right = sum(answer == str(eval(p)) for p, answer in zip(problems, answers))
    assert report.n == 9801 and report.exact_match == right / 9801
    assert report.exact_match >= 0.99, report.format()
    assert sum(cell["n"] for cell in report.breakdown["digits"].values()) == 9801
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["worst"]["n"] >= 1 and set(metrics["worst"]) == {"group", "stratum", "exact_match", "n"}
    assert run.predict(["2+2", "1+1", "3+4", "10+10", "1+7", "99+1"]) == ["4", "2", "7", "20", "8", "100"]


def test_exhaustive_evaluation_of_a_large_task_falls_back_to_a_stratified_sample(tmp_path):
    config = arithseq.TrainConfig(
        task="mixed", model="attention", model_options={"units": 8, "embedding_dim": 4},
        epochs=1, steps_per_epoch=2, batch_size=8, val_size=20, test_size=30, jit=False,
    )
    run = arithseq.train(config, tmp_path / "run", verbose=0, echo=lambda *_: None)
    report = run.evaluate(exhaustive=True, n=40)
    assert report.n == 40
    assert "stratified sample of 40 problems (the task has 9,030,000 problems, more than the 5,000,000" in report.source
    small = run.evaluate(exhaustive=True, terms=2)
    assert small.n == 30_000 and small.source == "all 30,000 problems of the task"


def test_evaluating_other_values_spells_problems_as_the_model_was_trained(tmp_path, monkeypatch):
    """A run trained on zero-padded numbers (01+02) is asked 1..9 + 1..9 in its own spelling, as predict does."""
    config = arithseq.TrainConfig(
        task="addition", task_options={"largest": 99, "pad_terms": True}, model="attention",
        model_options={"units": 8, "embedding_dim": 4}, epochs=1, steps_per_epoch=2, batch_size=8,
        val_size=20, test_size=20, jit=False,
    )
    run = arithseq.train(config, tmp_path / "run", verbose=0, echo=lambda *_: None)
    seen = []
    from arithseq.models import framing as framing_module

    for cls in (framing_module.SequenceFraming, framing_module.AutoregressiveFraming):
        original = cls.predict_ids

        def spy(self, model, batch, tokenizer=None, _original=original):
            seen.extend(batch.inputs.tolist())
            return _original(self, model, batch, tokenizer)

        monkeypatch.setattr(cls, "predict_ids", spy)
    report = run.evaluate(values=(1, 9), exhaustive=True)
    assert report.n == 81 and len(seen) == 81
    assert "01+02" in seen and "1+2" not in seen
