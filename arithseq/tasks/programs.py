"""Expressions as postfix programs, and their exact reduction steps, from what the grammar parses.

The sampler knows the steps of what it draws; an expression typed by a person (or
saved in a test set) is parsed here instead. Both give the same order: postfix,
innermost and highest precedence first.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import numpy as np

from .grammar import Grammar, leaf_value, postfix
from .steps import Steps

Item = str | tuple[str, int]  # a value's text, or (operator name, arity)


def postfix_program(grammar: Grammar, expression: str) -> list[Item]:
    """``12+34*56`` -> ``["12", "34", "56", ("mul", 2), ("add", 2)]``; ExpressionError if it does not parse."""
    return [
        str(leaf_value(node, expression)) if arity == 0 else (str(node.data), arity)
        for node, arity in postfix(grammar.parse(expression))
    ]


def exact_steps(grammar: Grammar, expressions: Sequence[str]) -> Steps:
    """Every reduction step of ``expressions`` with exact values (Python ints and Fractions)."""
    rows, ops, unary, values = [], [], [], {"left": [], "right": [], "result": []}
    for row, expression in enumerate(expressions):
        for name, args, result in grammar.reduce(expression)[1]:
            rows.append(row)
            ops.append(name)
            unary.append(len(args) == 1)
            values["left"].append(Fraction(args[0]))
            values["right"].append(Fraction(args[-1]))
            values["result"].append(Fraction(result))
    column = {
        key: (_ints([v.numerator for v in found]), _ints([v.denominator for v in found])) for key, found in values.items()
    }
    return Steps(
        np.array(rows, np.int64), np.array(ops, dtype=str), column["left"], column["right"],
        np.array(unary, bool), column["result"],
    )


def _ints(values: list[int]) -> np.ndarray:
    if values and max(abs(v) for v in values) >= 2**62:
        return np.array(values, dtype=object)
    return np.array(values, dtype=np.int64)
