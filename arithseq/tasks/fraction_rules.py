"""The rules of fractions, for a decoding loop that hands the network whole numbers only.

With the task option ``fraction_rules`` (target steps), a step on a fraction is not
given to the network as it stands: the loop rewrites it by the rules of fractions,
which take no arithmetic, into steps on whole numbers, and the network computes each:

    (a/b)+(c/d)  ->  a*d, c*b, (a*d)+(c*b), b*d, then (a*d+c*b)/(b*d)
    (a/b)*(c/d)  ->  a*c, b*d, then (a*c)/(b*d)
    (a/b)/(c/d)  ->  a*d, b*c, then (a*d)/(b*c)

A whole operand is its own numerator over 1, and a product by 1 is no step. The last
step is a division of two whole numbers, which the network writes in lowest terms
(``38/24`` -> ``19/12``): the reduction is its work too. The network is trained on the
same rewritten steps (:func:`whole_steps`).
"""

from __future__ import annotations

import numpy as np

from . import arrays
from .programs import Item
from .steps import Steps

RULES = ("add", "sub", "mul", "div")


def rewrite(name: str, left: str, right: str) -> list[Item] | None:
    """The postfix items that compute ``left name right`` on whole numbers, or None where the step
    is on whole numbers already (or is not one the rules cover)."""
    if name not in RULES or ("/" not in left and "/" not in right):
        return None
    (a, b), (c, d) = _parts(left), _parts(right)
    if name in ("add", "sub"):
        top = [*_product(a, d), *_product(c, b), (name, 2)]
        bottom = _product(b, d)
    elif name == "mul":
        top, bottom = _product(a, c), _product(b, d)
    else:
        top, bottom = _product(a, d), _product(b, c)
    return [*top, *bottom, ("div", 2)]


def _parts(value: str) -> tuple[str, str | None]:
    numerator, slash, denominator = value.partition("/")
    return numerator, denominator if slash else None


def _product(x: str | None, y: str | None) -> list[Item]:
    if x is None or y is None:
        return [x if y is None else y]
    return [x, y, ("mul", 2)]


def whole_steps(steps: Steps) -> Steps:
    """``steps`` with every binary step on a fraction replaced by the whole-number steps the loop
    rewrites it into (:func:`rewrite`), in the same order; every other step as it is."""
    if steps.right is None or not len(steps.row):
        return steps
    (a, b), (c, d) = steps.left, steps.right
    ruled = ~steps.unary & np.isin(steps.op, RULES) & ((b != 1) | (d != 1))
    if not ruled.any():
        return steps
    index = np.nonzero(ruled)[0]
    a, b, c, d = (x[index] for x in (a, b, c, d))
    one = np.ones(len(index), dtype=a.dtype)
    add = np.isin(steps.op[index], ("add", "sub"))
    mul, div = steps.op[index] == "mul", steps.op[index] == "div"
    sign = np.where(steps.op[index] == "sub", -1, 1)
    # every product the rules may need; the masks below leave out a product by a whole operand's 1
    ad, cb, bd = arrays.mul(a, d), arrays.mul(c, b), arrays.mul(b, d)
    ac, bc = arrays.mul(a, c), arrays.mul(b, c)
    top = np.where(add, arrays.add(ad, sign * cb), np.where(mul, ac, ad))
    bottom = np.where(div, bc, bd)
    parts = [  # (which, op, left, right, result), in the loop's order
        (add & (d != 1), "mul", a, d, ad),
        (add & (b != 1), "mul", c, b, cb),
        (add, np.where(sign < 0, "sub", "add"), ad, cb, top),
        (mul, "mul", a, c, ac),
        (div & (d != 1), "mul", a, d, ad),
        ((add | mul) & (b != 1) & (d != 1), "mul", b, d, bd),
        (div & (b != 1), "mul", b, c, bc),
        (np.ones(len(index), bool), "div", top, bottom, None),
    ]
    keep = np.nonzero(~ruled)[0]
    rows, order, ops = [steps.row[keep]], [keep * len(parts) + len(parts) - 1], [steps.op[keep]]
    columns = {side: ([pair[0][keep]], [pair[1][keep]]) for side, pair in (("left", steps.left), ("right", steps.right), ("result", steps.result))}
    for k, (which, op, x, y, z) in enumerate(parts):
        pick = np.nonzero(which)[0]
        rows.append(steps.row[index[pick]])
        order.append(index[pick] * len(parts) + k)
        ops.append(np.asarray(np.broadcast_to(op, len(index))[pick], dtype=str))
        result = (steps.result[0][index[pick]], steps.result[1][index[pick]]) if z is None else (z[pick], one[pick])
        for side, (top_, bottom_) in (("left", (x[pick], one[pick])), ("right", (y[pick], one[pick])), ("result", result)):
            columns[side][0].append(top_)
            columns[side][1].append(bottom_)
    row, key = np.concatenate(rows), np.concatenate(order)
    joined = {side: (arrays.concat(tops), arrays.concat(bottoms)) for side, (tops, bottoms) in columns.items()}
    unary = np.concatenate([steps.unary[keep], np.zeros(len(row) - len(keep), bool)])
    whole = Steps(row, np.concatenate(ops), joined["left"], joined["right"], unary, joined["result"])
    sorted_ = np.lexsort((key, row))
    return whole._select(sorted_, row[sorted_])
