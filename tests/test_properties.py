"""Property tests: the encode/decode invariants and the sampler/evaluator contract."""

import re
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import arithseq
from arithseq import EvaluationError, Tokenizer
from arithseq import testing as at

TASKS = {
    "addition": arithseq.get_task("addition"),
    "add-sub": arithseq.get_task("add-sub"),
    "mixed-div": arithseq.get_task("mixed", operators="+-*/"),
    "brackets": arithseq.get_task("brackets"),
    "brackets-reversed-right": arithseq.get_task("brackets", reverse_input=True, reverse_output=True, pad_side="right"),
    "padded-terms": arithseq.get_task("add-sub", pad_terms=True, terms="1-4"),
}
TOKENIZERS = {name: Tokenizer.for_task(task) for name, task in TASKS.items()}
ROLES = ["input", "output"]


def oracle(expression: str):
    """Python's own parser and Fraction arithmetic: independent of lark and of our evaluator."""
    python = re.sub(r"\d+", lambda m: f"Fraction({int(m.group())})", expression)
    return eval(python, {"Fraction": Fraction, "__builtins__": {}})


@pytest.mark.parametrize("name", TOKENIZERS)
@pytest.mark.parametrize("role", ROLES)
@given(data=st.data())
def test_decode_inverts_encode_for_every_accepted_string(name, role, data):
    tok = TOKENIZERS[name]
    strings = data.draw(st.lists(at.texts(tok, role), min_size=1, max_size=8))
    at.assert_round_trip(tok, strings, role)
    at.assert_fixed_length(tok, strings, role)
    at.assert_one_hot(tok, strings, role)
    at.assert_reversal_is_involution(tok, strings, role)


@pytest.mark.parametrize("name", TASKS)
@given(data=st.data())
def test_sampled_examples_parse_evaluate_and_fit(name, data):
    task = TASKS[name]
    batch = data.draw(at.batches(task, max_size=32))
    at.assert_batch_consistent(task, batch)
    tok = TOKENIZERS[name]
    at.assert_round_trip(tok, batch.inputs.tolist(), "input")
    at.assert_round_trip(tok, batch.targets.tolist(), "output")


@pytest.mark.parametrize("name", ["add-sub", "mixed-div", "brackets"])
@given(data=st.data())
def test_evaluator_agrees_with_an_independent_oracle(name, data):
    task = TASKS[name]
    expression = data.draw(at.expressions(task))
    assert task.evaluate(expression) == oracle(expression)


@pytest.mark.parametrize("grammar", arithseq.grammar_names())
# from_lark is slow on recursive grammars and discards many draws
@settings(max_examples=25, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(data=st.data())
def test_any_grammar_string_evaluates_or_raises_the_documented_error(grammar, data):
    task = arithseq.get_task("brackets", grammar=grammar)
    expression = data.draw(at.grammar_strings(task))
    try:
        value = task.evaluate(expression)
    except EvaluationError as exc:
        assert "division by zero" in str(exc)
        with pytest.raises(ZeroDivisionError):
            oracle(expression)
    else:
        assert value == oracle(expression)


@settings(max_examples=20)
@given(seed=at.seeds(), n=st.integers(1, 300))
def test_same_seed_same_data(seed, n):
    task = TASKS["brackets"]
    a, b = task.sample(n, seed), task.sample(n, seed)
    assert a.inputs.tolist() == b.inputs.tolist() and a.values == b.values


@settings(max_examples=25)
@given(terms=st.tuples(st.integers(1, 4), st.integers(0, 3)), digits=st.integers(1, 4), depth=st.integers(0, 3), seed=at.seeds())
def test_maximum_lengths_bound_every_sample(terms, digits, depth, seed):
    task = arithseq.get_task("brackets", terms=(terms[0], terms[0] + terms[1]), digits=digits, depth=depth)
    batch = task.sample(300, seed)
    assert max(len(s) for s in batch.inputs) <= task.max_input_length
    assert max(len(s) for s in batch.targets) <= task.max_output_length
