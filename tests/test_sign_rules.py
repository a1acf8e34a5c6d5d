"""unsigned_sums: a loop's sums with a negative number asked on numbers without signs, by the rules of signs."""

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from loops import assert_asks_the_trained_steps, oracle_loop
from test_prime_reductions import OPTIONS, one_prime

import arithseq
from arithseq.errors import ConfigError
from arithseq.tasks.fraction_rules import split_steps
from arithseq.tasks.programs import exact_steps
from arithseq.tasks.sign_rules import sign_rule, unsigned_steps
from arithseq.tasks.steps import step_texts

UNSIGNED = {**OPTIONS, "unsigned_sums": True}
SIGNED_SUM = re.compile(r"^(\(-\d+\)[+-]|\d+[+-]\(-)")


def test_each_sign_pattern_is_rewritten_into_a_sum_or_difference_without_signs():
    task = arithseq.get_task("brackets", **UNSIGNED)
    expressions = ["47+(0-36)", "47-(0-36)", "(0-47)+36", "(0-47)-(0-36)", "(0-47)+(0-36)", "(0-47)-36", "47-36", "3/4+(0-5)"]
    steps = split_steps(exact_steps(task.grammar, expressions), task.config)
    shown = [(r, e, v) for r, e, v in zip(steps.row.tolist(), steps.expressions().tolist(), steps.results().tolist()) if not e.startswith("0-")]
    assert shown == [
        (0, "47-36", "11"), (1, "47+36", "83"), (2, "36-47", "-11"), (3, "36-47", "-11"),
        (4, "47+36", "83"), (4, "-83", "-83"), (5, "47+36", "83"), (5, "-83", "-83"),
        (6, "47-36", "11"),  # no negative number: as it is
        (7, "3/4", "3/4"), (7, "(-5)*4", "-20"), (7, "3-20", "-17"), (7, "(-17)/4", "-17/4"),  # the rules of fractions first, then of signs
    ]
    assert unsigned_steps(steps) is steps  # nothing signed is left


@given(st.integers(-10**14, 10**14), st.integers(-10**14, 10**14), st.sampled_from(["add", "sub"]))
def test_the_rules_of_signs_keep_the_value_and_leave_no_sign_in_a_sum(x, y, name):
    items = sign_rule(name, str(x), str(y))
    if x >= 0 and y >= 0:
        assert items is None
        return
    stack = []
    for item in items:
        if isinstance(item, str):
            assert not item.startswith("-")
            stack.append(int(item))
        elif item == ("neg", 1):
            stack.append(-stack.pop())
        else:
            b, a = stack.pop(), stack.pop()
            stack.append(a + b if item[0] == "add" else a - b)
    assert stack == [x + y if name == "add" else x - y]


@given(st.integers(-10**30, 10**30), st.integers(-10**30, 10**30), st.sampled_from(["+", "-"]))
def test_training_steps_are_the_steps_the_rules_of_signs_ask(x, y, symbol):
    task = arithseq.get_task("brackets", **UNSIGNED)
    steps = unsigned_steps(exact_steps(task.grammar, [f"({x}){symbol}({y})"]))  # past 2**62: Python ints
    own = steps.expressions()[-(2 if x < 0 and (y < 0) != (symbol == "-") else 1):].tolist()
    items = sign_rule("add" if symbol == "+" else "sub", str(x), str(y)) or [str(x), str(y), ("add" if symbol == "+" else "sub", 2)]
    first, second, (name, _) = items[:3]
    expected = step_texts(np.array([name]), np.array([first]), np.array([second]), np.zeros(1, bool)).tolist()
    if len(items) == 4:  # then its minus, of what the sum is
        expected.append("-" + str(abs(x) + abs(y)))
    assert own == expected
    assert steps.results()[-1] == str(x + y if symbol == "+" else x - y)


def test_the_loop_asks_the_trained_steps_with_long_products_too():
    for options in (UNSIGNED, {**UNSIGNED, "digit_products": True, "align_sums": True}):
        task = arithseq.get_task("brackets", **options)
        framing = oracle_loop(task, one_prime)
        answers, traces = framing.trace(None, task.read(["(-72)+63", "-3-5", "(3/4)-(-(5/6))", "(-336)*5"]).batch)
        assert answers.tolist() == ["-9", "-8", "19/12", "-1680"]
        batch = task.sample(1500, seed=41, steps=True)
        traces = assert_asks_the_trained_steps(framing, batch, batch.steps)
        asked = [step for trace in traces for step, _ in trace]
        signed = [step for step in asked if SIGNED_SUM.match(step)]
        if options.get("digit_products"):  # only a long product's carries, added as they are ((-15)+(-03), aligned)
            assert signed and all(re.fullmatch(r"\(-\d+\)\+\(-0?\d\)", step) for step in signed)
        else:
            assert not signed


def test_a_sign_rule_only_touches_sums_of_whole_numbers():
    assert sign_rule("mul", "-3", "4") is None and sign_rule("add", "-3/4", "5") is None and sign_rule("add", "3", "4") is None
    assert sign_rule("sub", "-3", "4") == ["3", "4", ("add", 2), ("neg", 1)]


def test_unsigned_sums_needs_a_decoding_loop_on_text():
    with pytest.raises(ConfigError, match="unsigned_sums.*target=steps"):
        arithseq.get_task("brackets", unsigned_sums=True)
    with pytest.raises(ConfigError, match="unsigned_sums.*input_format=text"):  # its minus step (-83) is no column sum
        arithseq.get_task("mixed", target="steps", input_format="columns", unsigned_sums=True)
