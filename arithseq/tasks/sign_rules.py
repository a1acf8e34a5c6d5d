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

import numpy as np

from .digit_products import WHOLE
from .programs import Item
from .splicing import Piece, spliced, whole
from .steps import Steps


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
    minus = np.nonzero(negated)[0]
    return spliced(steps, np.nonzero(~ruled)[0], [
        Piece(index, 0, op, whole(first), whole(second), whole(total)),
        Piece(index[minus], 1, "neg", whole(total[minus]), whole(np.zeros(len(minus), dtype=np.int64)), whole(value[minus]), unary=True),
    ])
