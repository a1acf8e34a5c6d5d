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

With ``prime_reductions`` the reduction is split too: a division of two whole numbers is
written divided by the smallest prime the two share, and the loop asks again with what was
written until a step leaves its fraction as it was asked (``72/24`` -> ``36/12`` ->
``18/6`` -> ``9/3`` -> ``3``; ``16/(-12)`` -> ``-8/6`` -> ``-4/3``, then ``(-4)/3`` ->
``-4/3``): each step halves, thirds, fifths or sevenths both parts, where one step had to find the
greatest common divisor. Deciding when to ask again compares texts, no arithmetic.

With ``lowest_mark`` too, a division already in lowest terms is answered ``=`` instead of
being copied out (``19/12`` -> ``=``, ``(-4)/3`` -> ``=``) and the loop keeps the fraction
it asked: copying a fraction out is where a network miswrote a denominator it only had to keep.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..errors import ConfigError
from . import arrays
from .digit_products import digit_steps
from .programs import Item
from .sign_rules import unsigned_steps
from .splicing import Piece, spliced, whole
from .steps import Steps

RULES = ("add", "sub", "mul", "div")
LOWEST_MARK = "="  # lowest_mark: what a network writes for a division already in lowest terms
FACTOR_LIMIT = 10**10  # the largest shared divisor prime_reductions factors (trial division up to 10**5)


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
    pieces = []
    for k, (which, op, x, y, z) in enumerate(parts):
        pick = np.nonzero(which)[0]
        result = (steps.result[0][index[pick]], steps.result[1][index[pick]]) if z is None else whole(z[pick])
        pieces.append(Piece(index[pick], k, np.asarray(np.broadcast_to(op, len(index))[pick], dtype=str), whole(x[pick]), whole(y[pick]), result))
    return spliced(steps, np.nonzero(~ruled)[0], pieces)


def split_steps(steps: Steps, config) -> Steps:
    """The steps the network is given for ``steps``: split by the rules of fractions (option
    fraction_rules), reductions split prime by prime (option prime_reductions), sums with a
    negative number by the rules of signs (option unsigned_sums), and products by a digit asked
    digit by digit (option digit_products). Steps split already are returned
    as they are."""
    if steps.split:
        return steps
    if config.fraction_rules:
        steps = whole_steps(steps)
    if config.prime_reductions:
        steps = prime_steps(steps)
    if config.unsigned_sums:  # before digit_products, whose carries the loop adds as they are
        steps = unsigned_steps(steps)
    if config.digit_products:
        steps = digit_steps(steps)
    return dataclasses.replace(steps, split=True)


def mark_lowest(steps: Steps, targets: np.ndarray, config) -> np.ndarray:
    """``targets`` with each division of two whole numbers that is already in lowest terms (a
    positive denominator above 1, both parts kept) answered LOWEST_MARK, with option lowest_mark."""
    if not config.lowest_mark or steps.right is None or not len(targets):
        return targets
    (a, b), (c, d), (top, bottom) = steps.left, steps.right, steps.result
    kept = ~steps.unary & (steps.op == "div") & (b == 1) & (d == 1) & (c > 1) & (top == a) & (bottom == c)
    return np.where(kept, LOWEST_MARK, targets)


def prime_steps(steps: Steps) -> Steps:
    """``steps`` with each division of two whole numbers replaced by the divisions the loop asks
    for with ``prime_reductions``: each writes its fraction divided by the smallest prime both
    parts share (sign in front), and the next is asked with what the one before wrote, until a
    step writes a whole number or the fraction it was asked (``split_steps``' docstring)."""
    if steps.right is None or not len(steps):
        return steps
    (a, b), (c, d) = steps.left, steps.right
    division = ~steps.unary & (steps.op == "div") & (b == 1) & (d == 1) & (c != 0)
    if not division.any():
        return steps
    index = np.nonzero(division)[0]
    left, right = a[index], c[index]
    num, den = np.where(right < 0, -left, left), np.abs(right)
    pieces, alive, k = [], np.arange(len(index)), 0
    while len(alive):
        prime = np.where(num[alive] == 0, den[alive], _smallest_prime_factor(np.gcd(num[alive], den[alive])))  # 0/12 -> 0
        out_num, out_den = num[alive] // prime, den[alive] // prime
        pieces.append((alive, k, left[alive], right[alive], out_num, out_den))
        again = (out_den != 1) & ~((left[alive] == out_num) & (right[alive] == out_den))
        alive = alive[again]
        left[alive], right[alive] = out_num[again], out_den[again]
        num[alive], den[alive] = out_num[again], out_den[again]
        k += 1
    return spliced(steps, np.nonzero(~division)[0], [
        Piece(index[which], step, steps.op[index[which]], whole(x), whole(y), (n, m)) for which, step, x, y, n, m in pieces
    ])


def _smallest_prime_factor(values: np.ndarray) -> np.ndarray:
    """The smallest prime dividing each value, 1 for 1, by trial division (vectorised over the
    values still open). The values are greatest common divisors of a step's two numbers, small in
    the built-in tasks; past FACTOR_LIMIT trial division would take too long, and that is refused."""
    values = np.asarray(values)
    if len(values) and int(values.max()) > FACTOR_LIMIT:
        raise ConfigError(
            f"option 'prime_reductions': a division's two numbers share a divisor of {len(str(int(values.max())))} digits, "
            f"too large to factor step by step (at most {FACTOR_LIMIT:,}); use smaller values or leave the option off"
        )
    factor = np.where(values > 1, values, 1)  # a value with no divisor up to its root is prime
    open_ = np.nonzero(values > 1)[0]
    candidate = 2
    while len(open_) and candidate * candidate <= int(values[open_].max()):
        hit = values[open_] % candidate == 0
        factor[open_[hit]] = candidate
        open_ = open_[~hit]
        candidate += 1 if candidate == 2 else 2
    return factor
