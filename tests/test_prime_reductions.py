"""prime_reductions: a loop's reductions split prime by prime, trained as the loop asks for them."""

import math
import re
from fractions import Fraction

import numpy as np
import pytest
from loops import assert_asks_the_trained_steps, oracle_loop

import arithseq
from arithseq.tasks.fraction_rules import split_steps
from arithseq.tasks.programs import exact_steps

OPTIONS = {"target": "steps", "fraction_rules": True, "reverse_output": True, "prime_reductions": True}
DIVISION = re.compile(r"^\(?(-?\d+)\)?/\(?(-?\d+)\)?$")


def one_prime(step: str) -> str:
    """What a perfect network writes for one step: a division of whole numbers divided by the
    smallest prime its parts share (sign in front), any other step exactly."""
    match = DIVISION.match(step)
    if match is None:
        value = Fraction(eval(re.sub(r"(\d+)", lambda m: f"Fraction({int(m[1])})", step)))  # 05 (align_sums) is 5
        return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    top, bottom = int(match[1]), int(match[2])
    top, bottom = (-top, -bottom) if bottom < 0 else (top, bottom)
    common = math.gcd(top, bottom)
    prime = bottom if top == 0 else next((p for p in range(2, common + 1) if common % p == 0), 1)
    top, bottom = top // prime, bottom // prime
    return str(top) if bottom == 1 else f"{top}/{bottom}"


def test_a_reduction_is_split_prime_by_prime_until_a_step_leaves_its_fraction():
    task = arithseq.get_task("brackets", **OPTIONS)
    steps = split_steps(exact_steps(task.grammar, ["72/24", "16/(0-12)", "3/4", "0/12", "7/7", "(3/4)-(-(5/6))"]), task.config)
    shown = list(zip(steps.row.tolist(), steps.expressions().tolist(), steps.results().tolist()))
    assert shown[:9] == [
        (0, "72/24", "36/12"), (0, "36/12", "18/6"), (0, "18/6", "9/3"), (0, "9/3", "3"),
        (1, "0-12", "-12"), (1, "16/(-12)", "-8/6"), (1, "(-8)/6", "-4/3"), (1, "(-4)/3", "-4/3"),  # asked again once
        (2, "3/4", "3/4"),  # in lowest terms as asked: one step
    ]
    assert shown[9:11] == [(3, "0/12", "0"), (4, "7/7", "1")]
    assert shown[-2:] == [(5, "38/24", "19/12"), (5, "19/12", "19/12")]
    assert split_steps(steps, task.config) is steps  # split once: training and the framing may both ask
    for _, step, result in shown:
        assert one_prime(step) == result
    # every step of a sample is what the loop would ask; the last step of a row is its answer
    batch = task.sample(2000, seed=21, steps=True)
    sampled = batch.steps
    assert sampled.split and all(one_prime(s) == r for s, r in zip(sampled.expressions().tolist(), sampled.results().tolist()))
    last = np.r_[sampled.row[1:] != sampled.row[:-1], True]
    assert sampled.results()[last].tolist() == batch.targets[np.unique(sampled.row)].tolist()
    plain = arithseq.get_task("brackets", **{**OPTIONS, "prime_reductions": False}).sample(2000, seed=21, steps=True).steps
    assert len(sampled) > len(plain)


def test_the_loop_asks_again_as_the_network_was_trained_and_stops_a_network_that_never_settles():
    task = arithseq.get_task("brackets", **OPTIONS)
    framing = oracle_loop(task, one_prime)
    batch = task.sample(300, seed=22)
    trained = split_steps(exact_steps(task.grammar, batch.inputs.tolist()), task.config)
    traces = assert_asks_the_trained_steps(framing, batch, trained)  # asking again takes no arithmetic
    expressions = trained.expressions()
    assert sum(len(trace) for trace in traces) > sum(1 for e in expressions.tolist() if "/" in e) > 50

    def restless(step: str) -> str:  # doubles every fraction: never the one it was asked
        match = DIVISION.match(step)
        return f"{2 * int(match[1])}/{2 * abs(int(match[2]))}" if match else one_prime(step)

    answers, traces = oracle_loop(task, restless).trace(None, task.read(["1/2", "3+4"]).batch)
    assert answers.tolist() == ["?", "7"] and 64 < len(traces[0]) < 200


def test_prime_reductions_needs_the_rules_of_fractions():
    with pytest.raises(arithseq.ConfigError, match="prime_reductions.*needs fraction_rules=true"):
        arithseq.get_task("brackets", target="steps", prime_reductions=True)
    with pytest.raises(arithseq.ConfigError, match="prime_reductions"):
        arithseq.get_task("brackets", **{**OPTIONS, "prime_reductions": "sometimes"})


def marked(step: str) -> str:
    """A perfect network with lowest_mark: '=' for a division already in lowest terms, else one_prime."""
    match, written = DIVISION.match(step), one_prime(step)
    kept = match is not None and int(match[2]) > 1 and written == step.replace("(", "").replace(")", "")
    return "=" if kept else written


def test_lowest_mark_answers_a_fraction_in_lowest_terms_with_a_mark_and_the_loop_keeps_it():
    task = arithseq.get_task("brackets", **OPTIONS, lowest_mark=True)
    framing = oracle_loop(task, marked)
    shown = framing.step_batch(task.read(["72/24", "16/(0-12)", "3/4", "7/7", "(3/4)-(-(5/6))", "9/3"]).batch)
    pairs = list(zip(shown.inputs.tolist(), shown.targets.tolist()))
    for pair in [("72/24", "36/12"), ("9/3", "3"), ("16/(-12)", "-8/6"), ("(-8)/6", "-4/3"), ("(-4)/3", "="),
                 ("3/4", "="), ("7/7", "1"), ("38/24", "19/12"), ("19/12", "=")]:
        assert pair in pairs
    assert "=" in task.alphabet and all(marked(step) == target for step, target in pairs)
    # trained on what the loop asks, and every answer right: keeping the asked fraction takes no arithmetic
    batch = task.sample(300, seed=23)
    trained = split_steps(exact_steps(task.grammar, batch.inputs.tolist()), task.config)
    traces = assert_asks_the_trained_steps(framing, batch, trained)
    assert sum(out == "=" for trace in traces for _, out in trace) > 50
    # a mark for any other step is no value: that row fails, the others are untouched
    answers, _ = oracle_loop(task, lambda step: "=" if "+" in step else marked(step)).trace(None, task.read(["3+4", "3/4"]).batch)
    assert answers.tolist() == ["?", "3/4"]


def test_lowest_mark_needs_prime_reductions():
    with pytest.raises(arithseq.ConfigError, match="lowest_mark.*needs prime_reductions=true"):
        arithseq.get_task("brackets", **{**OPTIONS, "prime_reductions": False, "lowest_mark": True})


def test_a_step_too_long_for_the_networks_positions_fails_its_row_not_the_batch():
    from arithseq import Tokenizer
    from arithseq.models import get_model_spec
    from arithseq.models.framing import framing_for

    task = arithseq.get_task("brackets", **OPTIONS)
    spec = get_model_spec("gpt")
    framing = framing_for(spec, spec.make_options({"dim": 8, "heads": 1, "layers": 1, "ff": 8, "max_position": 64}),
                          task, Tokenizer.for_task(task))

    def predict(model, batch, tokenizer):  # refuses what decoding refuses; writes a long number for 2*3
        framing.inner.check_length(tokenizer.input_length, tokenizer.output_length, "these", tokenizer.input_length)
        return np.array(["1" * 30 if step == "2*3" else one_prime(step) for step in batch.inputs.tolist()], dtype=str)

    framing.inner.predict = predict
    answers, traces = framing.trace(None, task.read(["2*3+1", "3+4", "1/2", "(7-9)*2"]).batch)
    assert answers.tolist() == ["?", "7", "1/2", "-4"]  # the other rows are answered as alone
    assert traces[0] == [("2*3", "1" * 30), ("1" * 30 + "+1", "?")]
