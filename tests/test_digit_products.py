"""digit_products: a loop's products by a digit asked digit by digit, trained as the loop asks for them."""

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from loops import assert_asks_the_trained_steps, oracle_loop
from test_prime_reductions import OPTIONS, one_prime

import arithseq
from arithseq.errors import ConfigError
from arithseq.tasks.digit_products import LongProduct, digit_steps
from arithseq.tasks.fraction_rules import split_steps
from arithseq.tasks.programs import exact_steps
from arithseq.tasks.steps import step_texts

DIGITS = {**OPTIONS, "digit_products": True}
PRODUCT = re.compile(r"^\(?(-?\d+)\)?\*\(?(-?\d+)\)?$")


def test_a_product_by_a_digit_is_split_into_digit_products_and_carries():
    task = arithseq.get_task("brackets", **DIGITS)
    steps = split_steps(exact_steps(task.grammar, ["336*5", "5*(0-306)", "(0-6)*(0-243)", "27*36", "7*8", "336*0"]), task.config)
    shown = list(zip(steps.row.tolist(), steps.expressions().tolist(), steps.results().tolist()))
    assert shown == [
        (0, "6*5", "30"), (0, "3*5", "15"), (0, "15+3", "18"), (0, "3*5", "15"), (0, "15+1", "16"),  # 1680
        (1, "0-306", "-306"), (1, "5*(-6)", "-30"), (1, "5*0", "0"), (1, "0+(-3)", "-3"), (1, "5*(-3)", "-15"),  # -1530
        (2, "0-6", "-6"), (2, "0-243", "-243"),
        (2, "(-6)*(-3)", "18"), (2, "(-6)*(-4)", "24"), (2, "24+1", "25"), (2, "(-6)*(-2)", "12"), (2, "12+2", "14"),  # 1458
        (3, "27*36", "972"),  # two long numbers, and two digits, and a product by 0: asked whole
        (4, "7*8", "56"),
        (5, "336*0", "0"),
    ]
    assert split_steps(steps, task.config) is steps
    plain = split_steps(exact_steps(task.grammar, ["336*5"]), arithseq.get_task("brackets", **OPTIONS).config)
    assert plain.expressions().tolist() == ["336*5"]


def test_the_loop_asks_the_trained_steps_and_writes_the_digits_side_by_side():
    task = arithseq.get_task("brackets", **DIGITS)
    framing = oracle_loop(task, one_prime)
    typed = task.read(["336*5", "(-336)*5", "5*(0-306)", "(0-6)*(0-243)", "9*9*9*9", "8*7*6*5", "(3/4)-(-(5/6))"]).batch
    answers, traces = framing.trace(None, typed)
    assert answers.tolist() == ["1680", "-1680", "-1530", "1458", "6561", "1680", "19/12"]
    assert [step for step, _ in traces[1]] == ["-336", "(-6)*5", "(-3)*5", "(-15)+(-3)", "(-3)*5", "(-15)+(-1)"]  # unary minus first
    batch = task.sample(1500, seed=31, steps=True)
    traces = assert_asks_the_trained_steps(framing, batch, batch.steps)
    asked = [step for trace in traces for step, _ in trace]
    products = [PRODUCT.match(step) for step in asked if PRODUCT.match(step)]
    assert len(products) > 500
    # no product by a nonzero digit has a long operand left: both are digits, or neither is
    for m in products:
        sizes = sorted(len(x.lstrip("-")) for x in (m[1], m[2]))
        assert sizes == [1, 1] or sizes[0] > 1 or "0" in (m[1], m[2])


@given(st.integers(-10**30, 10**30).filter(lambda x: abs(x) >= 10), st.integers(-9, 9).filter(bool), st.booleans())
def test_digit_steps_are_the_steps_the_loop_asks_and_rebuild_the_product(long, digit, first):
    left, right = (digit, long) if first else (long, digit)
    task = arithseq.get_task("brackets", **DIGITS)
    steps = digit_steps(exact_steps(task.grammar, [f"({left})*({right})"]))  # past 2**62: Python ints
    own = ~steps.unary  # a negative operand is read as a unary minus first
    assert (steps.op[own] == "mul").sum() == len(str(abs(long)))  # one product of two digits a digit
    state, asked, final = LongProduct.of(str(left), str(right)), [], None
    for value in steps.results()[own].tolist():
        assert final is None  # the product is complete only after its last step
        asked.append(state.step())
        final = state.take(value)
    assert final == str(long * digit)  # the last sum in full, then the digits written side by side
    names, lefts, rights = (np.array(part) for part in zip(*asked))
    assert step_texts(names, lefts, rights, np.zeros(len(asked), bool)).tolist() == steps.expressions()[own].tolist()


def test_only_a_whole_number_of_two_or_more_digits_by_a_nonzero_digit_is_split():
    assert LongProduct.of("12", "3") is not None and LongProduct.of("-3", "-120") is not None
    for pair in [("12", "34"), ("1", "2"), ("12", "0"), ("3/4", "5"), ("12", "3/4"), ("-0", "12")]:
        assert LongProduct.of(*pair) is None, pair


def test_a_digit_step_that_is_no_whole_number_fails_its_own_row():
    task = arithseq.get_task("brackets", **DIGITS)
    framing = oracle_loop(task, lambda step: "3/4" if step == "6*5" else one_prime(step))
    answers, traces = framing.trace(None, task.read(["336*5", "3+4", "12*3"]).batch)
    assert answers.tolist() == ["?", "7", "36"]
    assert traces[0] == [("6*5", "3/4")]


def test_digit_products_needs_a_decoding_loop():
    with pytest.raises(ConfigError, match="digit_products.*target=steps"):
        arithseq.get_task("brackets", digit_products=True)
    with pytest.raises(ConfigError, match="digit_products"):
        arithseq.get_task("brackets", target="steps", digit_products="maybe")
