"""Runs and reports show themselves in Jupyter (_repr_html_): headline, worst stratum, digit heat map."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import re

import arithseq
from arithseq.evaluation.notebook import digits_table
from arithseq.training import recommended


def test_a_run_and_its_report_show_headline_worst_stratum_and_digit_heat_map(tmp_path):
    config = recommended("addition").override(
        task_options={"largest": 99},
        train={"epochs": 2, "steps_per_epoch": 10, "min_epochs": 0, "val_size": 200, "test_size": 300, "target": 0},
    )
    run = arithseq.train(config, tmp_path / "run", verbose=0, echo=lambda _: None)
    page = run._repr_html_()
    assert "addition, recipe single-pass, model column-gru" in page
    assert re.search(r"exact match <b>\d+\.\d+%</b> of 300", page)
    assert "worst stratum <b>" in page
    # the heat map: operand 1's digits by row, operand 2's by column, each cell with its n
    assert "<tr><th>digits</th><th>1</th><th>2</th></tr>" in page and page.count("n=") >= 5
    report = run.evaluate()
    shown = report._repr_html_()
    assert f"exact match <b>{arithseq.evaluation.strata.percent(report.exact_match)}</b>" in shown
    assert report.worst.label in shown


def test_strata_that_are_not_two_numbers_show_as_one_row():
    table = digits_table({"max 1": {"exact_match": 1.0, "n": 5}, "max 2": {"exact_match": 0.5, "n": 8}})
    assert "<th>max 1</th><th>max 2</th>" in table and "50.00%" in table and "n=8" in table
    assert digits_table({}) == ""
