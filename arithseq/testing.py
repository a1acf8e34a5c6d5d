"""Hypothesis strategies and invariant checks, for arithseq's tests and for yours.

If you write your own encoder, give it the Tokenizer's duck type (``encode(texts,
role, one_hot=...)``, ``decode(array, role)``, ``length(role)``, ``size``) and run
the same checks::

    from hypothesis import given
    from arithseq.testing import texts, assert_round_trip

    @given(texts(my_encoder, "input"))
    def test_round_trip(s):
        assert_round_trip(my_encoder, [s], "input")

Needs the ``test`` extra (hypothesis).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark

from .tasks import Batch, Task
from .tasks.rendering import format_answer
from .tokenizer import Tokenizer


def seeds() -> st.SearchStrategy[int]:
    return st.integers(min_value=0, max_value=2**32 - 1)


def batches(task: Task, max_size: int = 64) -> st.SearchStrategy[Batch]:
    """Batches drawn by the task's own sampler (shrinks towards small batches and seed 0)."""
    return st.builds(lambda n, seed: task.sample(n, seed), st.integers(1, max_size), seeds())


def expressions(task: Task) -> st.SearchStrategy[str]:
    """Expressions the task's sampler produces."""
    return seeds().map(lambda seed: task.sample(1, seed).inputs[0].item())


def grammar_strings(task: Task, max_digits: int = 4) -> st.SearchStrategy[str]:
    """Any string of the task's grammar (``hypothesis.extra.lark.from_lark``), numbers kept short.

    These may use constructs the task's options disable, and may divide by zero.
    """
    grammar = task.grammar
    leaf_terminals = {name for alt in grammar.rules["number"] for kind, name in alt.items if kind == "leaf"}
    number = st.integers(0, 10**max_digits - 1).map(str)
    return from_lark(grammar.parser, start=grammar.start, explicit={t: number for t in leaf_terminals})


def texts(tokenizer: Tokenizer, role: str = "input") -> st.SearchStrategy[str]:
    """Every string the tokenizer accepts: alphabet characters (pads allowed inside), at most
    ``length(role)`` long, not starting or ending with the pad."""
    chars = st.sampled_from(list(tokenizer.alphabet))
    inner = st.sampled_from(list(tokenizer.alphabet + tokenizer.pad))
    length = tokenizer.length(role)
    if length == 1:
        return st.just("") | chars
    framed = st.builds(
        lambda first, middle, last: first + "".join(middle) + last,
        chars,
        st.lists(inner, max_size=length - 2),
        chars,
    )
    return st.just("") | chars | framed


# -- invariant checks ---------------------------------------------------------------
def assert_round_trip(tokenizer, strings: Sequence[str], role: str = "input") -> None:
    """decode(encode(s)) == s, from ids and from one-hot."""
    strings = list(strings)
    ids = tokenizer.encode(strings, role)
    assert list(tokenizer.decode(ids, role)) == strings
    assert list(tokenizer.decode(tokenizer.encode(strings, role, one_hot=True), role)) == strings


def assert_fixed_length(tokenizer, strings: Sequence[str], role: str = "input") -> None:
    """Every encoded sequence has the role's length, whatever the string's length."""
    ids = tokenizer.encode(list(strings), role)
    assert ids.shape == (len(strings), tokenizer.length(role))


def assert_one_hot(tokenizer, strings: Sequence[str], role: str = "input") -> None:
    """One-hot rows are 0/1 and sum to exactly 1, at the position of the id."""
    ids = tokenizer.encode(list(strings), role)
    hot = tokenizer.encode(list(strings), role, one_hot=True)
    assert hot.shape == (*ids.shape, tokenizer.size)
    assert np.array_equal(hot.sum(axis=-1), np.ones(ids.shape))
    assert np.array_equal(hot.argmax(axis=-1), ids)


def assert_reversal_is_involution(tokenizer, strings: Sequence[str], role: str = "input") -> None:
    """A reversed role encodes the plain encoding's row back to front, and decodes back to the string."""
    data = tokenizer.to_dict()
    plain = Tokenizer.from_dict({**data, "reverse_input": False, "reverse_output": False})
    flipped = Tokenizer.from_dict({**data, "reverse_input": True, "reverse_output": True})
    strings = list(strings)
    plain_ids = plain.encode(strings, role)
    flipped_ids = flipped.encode(strings, role)
    assert np.array_equal(flipped_ids, plain_ids[:, ::-1])
    assert list(flipped.decode(flipped_ids, role)) == strings
    assert list(plain.decode(flipped_ids[:, ::-1], role)) == strings


def assert_batch_consistent(task: Task, batch: Batch) -> None:
    """Each sampled expression parses, evaluates to its recorded value, and fits the task's lengths."""
    for example in batch:
        assert task.evaluate(example.input) == example.value, example
        assert format_answer(example.value) == example.target, example
        assert len(example.input) <= task.max_input_length, example
        assert len(example.target) <= task.max_output_length, example
        assert set(example.input + example.target) <= set(task.alphabet), example
