"""The training mixtures of a decoding loop: which steps it trains on (easy_steps, balance_steps)."""

import collections

import numpy as np
import pytest

import arithseq
from arithseq.tasks.fraction_rules import whole_steps
from arithseq.tasks.programs import exact_steps
from arithseq.tasks.step_mixture import balanced, step_kinds


def kind_counts(steps) -> collections.Counter:
    return collections.Counter(step_kinds(steps).tolist())


def test_step_kinds_tell_operators_digit_counts_and_fractions_apart():
    task = arithseq.get_task("brackets")
    steps = exact_steps(task.grammar, ["2+3", "4+5", "2*3", "12+3", "3+12", "-(4)", "-(12)", "1/2+3"])
    assert step_kinds(steps).tolist() == [
        "add:+10+10:+10", "add:+10+10:+10", "mul:+10+10:+10", "add:+20+10:+20", "add:+10+20:+20",
        "neg:+10+00:-10", "neg:+20+00:-20", "div:+10+10:+11", "add:+11+10:+11",
    ]
    kinds = step_kinds(exact_steps(task.grammar, ["14/8", "48/3", "(0-7)+8", "(0-7)+2"])).tolist()
    assert kinds[:2] == ["div:+20+10:+11", "div:+20+10:+20"]  # a reduction is not a whole quotient
    assert kinds[3] == "add:-10+10:+10" and kinds[5] == "add:-10+10:-10"  # signs are part of a kind


def test_balance_steps_caps_common_kinds_and_keeps_rare_ones_whole():
    options = {"target": "steps", "fraction_rules": True}
    every = whole_steps(arithseq.get_task("brackets", **options).sample(20_000, seed=4, steps=True).steps)
    task = arithseq.get_task("brackets", balance_steps=0.002, **options)
    batch = task.sample(20_000, seed=4, steps=True)
    kept = batch.steps
    binary = ~kept.unary
    assert (kept.left[1][binary] == 1).all() and (kept.right[1][binary] == 1).all()  # split by the rules first
    before, after = kind_counts(every), kind_counts(kept)
    for kind, count in before.items():  # the draws differ (thinned steps change how many are drawn)
        if 30 <= count <= 0.001 * len(every):  # a kind under half the cap: about every one of it kept
            assert after[kind] >= 0.6 * count, (kind, count, after[kind])
        if count >= 0.01 * len(every):  # a common kind: about the cap's share of what was drawn
            assert after[kind] <= 0.004 * len(every), (kind, count, after[kind])
    # two positive two-digit numbers summing to two digits: one step in ~800 drawn, five times as common kept
    kinds, two_digit = step_kinds(kept), step_kinds(exact_steps(task.grammar, ["12+34"]))[0]
    share_before = (step_kinds(every) == two_digit).mean()
    assert (kinds == two_digit).mean() > 4 * share_before
    # every kept step is still a true step of its own problem
    rows = kept.row
    assert (rows[:-1] <= rows[1:]).all() and rows.max() < len(batch)
    for expression, result in zip(kept.expressions()[:300].tolist(), kept.results()[:300].tolist()):
        assert task.answer(expression) == result


def test_balanced_is_a_no_op_at_one_and_draws_at_random():
    steps = arithseq.get_task("brackets", target="steps").sample(500, seed=1, steps=True).steps
    assert balanced(steps, 1.0, np.random.default_rng(0)) is steps
    one = balanced(steps, 0.01, np.random.default_rng(0))
    other = balanced(steps, 0.01, np.random.default_rng(1))
    assert len(one) < len(steps) and one.expressions().tolist() != other.expressions().tolist()


@pytest.mark.parametrize(
    "options, message",
    [
        ({"balance_steps": 0.01}, "balance_steps.*needs target=steps"),
        ({"target": "steps", "balance_steps": 0}, "balance_steps.*0 would keep no step"),
        ({"target": "steps", "balance_steps": 2}, "balance_steps.*share in \\[0, 1\\]"),
        ({"target": "steps", "balance_steps": "many"}, "balance_steps"),
    ],
)
def test_bad_balance_steps_is_refused_by_name(options, message):
    with pytest.raises(arithseq.ConfigError, match=message):
        arithseq.get_task("brackets", **options)
