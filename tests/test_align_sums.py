"""align_sums: a loop's sums and differences asked with both numbers zero-padded to the same digits."""

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from loops import assert_asks_the_trained_steps, oracle_loop
from test_prime_reductions import one_prime

import arithseq
from arithseq.tasks.fraction_rules import split_steps
from arithseq.tasks.programs import exact_steps
from arithseq.tasks.steps import step_texts

OPTIONS = {"target": "steps", "fraction_rules": True, "reverse_output": True, "prime_reductions": True, "align_sums": True}
SUM = re.compile(r"^\(?(-?)(\d+)\)?([+-])\(?(-?)(\d+)\)?$")


def test_sums_and_differences_are_padded_and_nothing_else_is():
    ops = np.array(["add", "sub", "mul", "div", "add", "neg", "add", "sub"])
    left = np.array(["47", "-3", "73", "315", "3/4", "5", "0", "-123"])
    right = np.array(["5", "12", "5", "5", "5", "0", "12", "-4"])
    unary = ops == "neg"
    assert step_texts(ops, left, right, unary, True).tolist() == [
        "47+05", "(-03)-12", "73*5", "315/5", "(3/4)+5", "-5", "00+12", "(-123)-(-004)",
    ]
    assert step_texts(ops, left, right, unary, False).tolist() == ["47+5", "(-3)-12", "73*5", "315/5", "(3/4)+5", "-5", "0+12", "(-123)-(-4)"]


@given(st.integers(-10**12, 10**12), st.integers(-10**12, 10**12), st.sampled_from(["add", "sub"]))
def test_an_aligned_sum_reads_as_the_same_numbers_with_as_many_digits(a, b, op):
    text = step_texts(np.array([op]), np.array([str(a)]), np.array([str(b)]), np.zeros(1, bool), True)[0]
    sign_a, digits_a, symbol, sign_b, digits_b = SUM.match(text).groups()
    assert symbol == ("+" if op == "add" else "-") and len(digits_a) == len(digits_b) == max(len(str(abs(a))), len(str(abs(b))))
    assert int(sign_a + digits_a) == a and int(sign_b + digits_b) == b


def test_the_loop_asks_the_aligned_steps_it_was_trained_on():
    task = arithseq.get_task("brackets", **OPTIONS)
    batch = task.sample(300, seed=23)
    trained = split_steps(exact_steps(task.grammar, batch.inputs.tolist()), task.config)
    traces = assert_asks_the_trained_steps(oracle_loop(task, one_prime), batch, trained)
    asked = [step for trace in traces for step, _ in trace]
    sums = [SUM.match(step) for step in asked if SUM.match(step)]
    assert sum(len(m[2]) > 1 for m in sums) > 20  # multi-digit sums are there, and each is aligned
    assert all(len(m[2]) == len(m[5]) for m in sums)
    # sampled training steps are asked the same way
    sampled = task.sample(500, seed=24, steps=True).steps.expressions(True)
    assert any(step.startswith("0") and SUM.match(step) for step in sampled.tolist())


def test_align_sums_needs_a_decoding_loop():
    with pytest.raises(arithseq.ConfigError, match="align_sums.*needs target=steps"):
        arithseq.get_task("brackets", align_sums=True)
    with pytest.raises(arithseq.ConfigError, match="align_sums"):
        arithseq.get_task("brackets", **{**OPTIONS, "align_sums": "sometimes"})
