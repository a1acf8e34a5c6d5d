"""The rules of signs, for a decoding loop that asks its sums on numbers without signs.

With the task option ``unsigned_sums`` (target steps), a sum or difference of two whole
numbers with a negative one is not given to the network as it stands: the loop rewrites
it by the rules of signs, which take no arithmetic, into a sum or difference of the
numbers without their signs, and a unary minus where the result is the negative of that:

    a+(-b)  ->  a-b           (-a)+b     ->  b-a
    a-(-b)  ->  a+b           (-a)-(-b)  ->  b-a
    (-a)+(-b), (-a)-b  ->  a+b, then -(a+b)

A sum of two two-digit numbers came in eight sign patterns, each a rare kind of step
(one in several thousand); now every one is a sum or a difference of two numbers without
signs, and the minus in front is a step the network gets right every time. The network
is trained on the same rewritten steps (:func:`unsigned_steps`). With ``digit_products``
a long product's carries are added as they are (``(-15)+(-3)``): the rules apply to the
steps of the expression, before products are split. The minus is a step of its own
(``-83``), which column encoding cannot read: the option needs text input.
"""

from __future__ import annotations

import re

import numpy as np

from . import arrays
from .programs import Item
from .steps import Steps

WHOLE = re.compile(r"-?\d+")


def sign_rule(name: str, left: str, right: str) -> list[Item] | None:
    """The postfix items that compute ``left name right`` on numbers without signs, or None where
    it needs no rule (no negative operand, or not a sum or difference of whole numbers)."""
    if name not in ("add", "sub") or not (WHOLE.fullmatch(left) and WHOLE.fullmatch(right)):
        return None
    x_negative, y_negative = left.startswith("-"), right.startswith("-")
    if not (x_negative or y_negative):
        return None
    x, y = left.lstrip("-"), right.lstrip("-")
    subtracts = name == "sub"
    if not x_negative:  # a+(-b), a-(-b)
        return [x, y, ("add" if subtracts else "sub", 2)]
    if y_negative != subtracts:  # (-a)+(-b), (-a)-b: the negative of a sum
        return [x, y, ("add", 2), ("neg", 1)]
    return [y, x, ("sub", 2)]  # (-a)+b, (-a)-(-b)


def unsigned_steps(steps: Steps) -> Steps:
    """``steps`` with each sum or difference of two whole numbers with a negative one replaced by
    the steps :func:`sign_rule` rewrites it into, in the same order; every other step as it is."""
    if steps.right is None or not len(steps):
        return steps
    (a, b), (c, d) = steps.left, steps.right
    x_negative, y_negative = np.asarray(a < 0, bool), np.asarray(c < 0, bool)
    ruled = ~steps.unary & np.isin(steps.op, ("add", "sub")) & (b == 1) & (d == 1) & (x_negative | y_negative)
    if not ruled.any():
        return steps
    index = np.nonzero(ruled)[0]
    x, y = np.where(x_negative, -a, a)[index], np.where(y_negative, -c, c)[index]
    xn, yn, subtracts = x_negative[index], y_negative[index], steps.op[index] == "sub"
    negated = xn & (yn != subtracts)
    swapped = xn & ~negated
    op = np.where(~xn, np.where(subtracts, "add", "sub"), np.where(negated, "add", "sub"))
    first, second = np.where(swapped, y, x), np.where(swapped, x, y)
    value = steps.result[0][index]
    total = np.where(negated, -value, value)
    one = np.ones(len(index), dtype=np.int64)
    keep = np.nonzero(~ruled)[0]
    pieces = [  # (rows, order keys, op, unary, left, right, result): the kept steps, the rewritten, the minus
        (keep, keep * 2, steps.op[keep], steps.unary[keep], _pair(steps.left, keep), _pair(steps.right, keep), _pair(steps.result, keep)),
        (index, index * 2, op, np.zeros(len(index), bool), (first, one), (second, one), (total, one)),
    ]
    minus = np.nonzero(negated)[0]
    pieces.append((index[minus], index[minus] * 2 + 1, np.full(len(minus), "neg"), np.ones(len(minus), bool),
                   (total[minus], one[minus]), (np.zeros(len(minus), dtype=np.int64), one[minus]), (value[minus], one[minus])))
    row = np.concatenate([steps.row[p[0]] for p in pieces])
    joined = lambda k: (arrays.concat([p[k][0] for p in pieces]), arrays.concat([p[k][1] for p in pieces]))  # noqa: E731
    split = Steps(row, np.concatenate([p[2] for p in pieces]), joined(4), joined(5), np.concatenate([p[3] for p in pieces]), joined(6))
    order = np.lexsort((np.concatenate([p[1] for p in pieces]), row))
    return split._select(order, row[order])


def _pair(pair: tuple[np.ndarray, np.ndarray], index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return pair[0][index], pair[1][index]
