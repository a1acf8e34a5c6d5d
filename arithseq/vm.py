"""Exact evaluation of a batch of postfix programs with numpy.

Values are fractions held as two integer arrays (numerator, denominator > 0, in
lowest terms). Arithmetic runs in int64 while the operands' magnitudes prove it
cannot overflow, and switches to Python integers (object arrays) otherwise, so
results are exact whatever the task's sizes.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import numpy as np

from .semantics import NODES, normalise

_SAFE = 2**62
Pair = tuple[np.ndarray, np.ndarray]
VectorOp = Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray]]

VECTOR_OPS: dict[str, VectorOp] = {}


def vector_op(name: str) -> Callable[[VectorOp], VectorOp]:
    """Register a numpy implementation of node ``name`` (decorator); nodes without one run per row."""

    def register(fn: VectorOp) -> VectorOp:
        VECTOR_OPS[name] = fn
        return fn

    return register


def _magnitude(a: np.ndarray) -> int:
    return int(np.abs(a).max()) if a.size else 0


def _wide(*arrays: np.ndarray) -> bool:
    return any(a.dtype == object for a in arrays)


def mul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if _wide(a, b) or _magnitude(a) * _magnitude(b) >= _SAFE:
        return a.astype(object) * b.astype(object)
    return a * b


def add(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if _wide(a, b) or _magnitude(a) + _magnitude(b) >= _SAFE:
        return a.astype(object) + b.astype(object)
    return a + b


def reduce(num: np.ndarray, den: np.ndarray) -> Pair:
    """Lowest terms with a positive denominator."""
    sign = np.where(den < 0, -1, 1)
    num, den = num * sign, den * sign
    g = np.gcd(num, den)
    g[g == 0] = 1
    return num // g, den // g


def _integers(*dens: np.ndarray) -> bool:
    return all(bool((d == 1).all()) for d in dens)


@vector_op("add")
def _add(a: Pair, b: Pair):
    if _integers(a[1], b[1]):
        return add(a[0], b[0]), a[1], np.ones(a[0].shape, bool)
    num, den = reduce(add(mul(a[0], b[1]), mul(b[0], a[1])), mul(a[1], b[1]))
    return num, den, np.ones(num.shape, bool)


@vector_op("sub")
def _sub(a: Pair, b: Pair):
    return _add(a, (-b[0], b[1]))


@vector_op("mul")
def _mul(a: Pair, b: Pair):
    if _integers(a[1], b[1]):
        return mul(a[0], b[0]), a[1], np.ones(a[0].shape, bool)
    num, den = reduce(mul(a[0], b[0]), mul(a[1], b[1]))
    return num, den, np.ones(num.shape, bool)


@vector_op("neg")
def _neg(a: Pair):
    return -a[0], a[1], np.ones(a[0].shape, bool)


@vector_op("div")
def _div(a: Pair, b: Pair):
    good = b[0] != 0
    divisor = np.where(good, b[0], 1)
    num, den = reduce(mul(a[0], b[1]), mul(a[1], divisor))
    return num, den, good


def _per_row(name: str, args: list[Pair]):
    fn = NODES[name].fn
    m = args[0][0].shape[0]
    num = np.zeros(m, object)
    den = np.ones(m, object)
    good = np.ones(m, bool)
    for i in range(m):
        try:
            value = Fraction(normalise(fn(*(Fraction(int(n[i]), int(d[i])) for n, d in args))))
        except (ArithmeticError, ValueError):
            good[i] = False
            continue
        num[i], den[i] = value.numerator, value.denominator
    return num, den, good


class ExactDivider:
    """Division under the "exact" policy: the quotient must be an integer.

    When the divisor is a literal number the sampler still owns, it is re-drawn
    among values of the task's range that divide the dividend (uniform over the
    candidates found), instead of rejecting the whole expression.
    """

    def __init__(self, low: int, high: int, rng: np.random.Generator, tries: int = 16) -> None:
        self.low, self.high, self.rng, self.tries = max(low, 1), high, rng, tries

    def __call__(self, a: Pair, b: Pair, leaf: np.ndarray, leaves: np.ndarray, rows: np.ndarray):
        dividend, divisor = a[0], b[0].copy()
        redraw = np.nonzero(leaf >= 0)[0]
        if redraw.size and self.high >= self.low:
            cand = self.rng.integers(self.low, self.high + 1, (redraw.size, self.tries))
            fits = (dividend[redraw, None] % cand) == 0
            found = fits.any(axis=1)
            pick = cand[np.arange(redraw.size), fits.argmax(axis=1)]
            hit = redraw[found]
            divisor[hit] = pick[found]
            leaves[rows[hit], leaf[hit]] = pick[found]
        safe = np.where(divisor == 0, 1, divisor)
        good = (divisor != 0) & (dividend % safe == 0)
        return dividend // safe, np.ones(dividend.shape, np.int64), good


def template_groups(template: np.ndarray, n_templates: int):
    """``(template id, row indices)`` for each template used; one group means all rows."""
    counts = np.bincount(template, minlength=n_templates)
    used = np.flatnonzero(counts)
    if len(used) == 1:
        yield int(used[0]), slice(None)
        return
    order = np.argsort(template, kind="stable")
    ends = np.cumsum(counts)
    for k in used:
        yield int(k), order[ends[k] - counts[k] : ends[k]]


def _apply(name: str, args: list[Pair], last_leaf: np.ndarray, leaves: np.ndarray, rows, exact_divider):
    """One operator over whole columns; ``last_leaf`` says which literal (if any) the last operand is."""
    if name == "div" and exact_divider is not None:
        return exact_divider(args[0], args[1], last_leaf, leaves, rows)
    if name in VECTOR_OPS:
        return VECTOR_OPS[name](*args)
    return _per_row(name, args)


def run_templates(
    programs: np.ndarray,
    choice: np.ndarray,
    leaves: np.ndarray,
    ops: tuple[str, ...],
    leaf_code: int,
    op_base: int,
    exact_divider: ExactDivider | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Like :func:`run` when row ``i`` runs ``programs[choice[i]]``: each distinct program is
    straight-line code over whole columns (no per-row stacks, no scatter)."""
    m = len(choice)
    groups = list(template_groups(choice, len(programs)))
    if len(groups) == 1:
        return _straight(programs[groups[0][0]], np.arange(m), leaves, ops, leaf_code, op_base, exact_divider)
    num = np.zeros(m, np.int64)
    den = np.ones(m, np.int64)
    good = np.ones(m, bool)
    for k, rows in groups:
        n, d, ok = _straight(programs[k], rows, leaves, ops, leaf_code, op_base, exact_divider)
        if (n.dtype == object or d.dtype == object) and num.dtype != object:
            num, den = num.astype(object), den.astype(object)
        num[rows], den[rows], good[rows] = n, d, ok
    return num, den, good


def _straight(program, rows, leaves, ops, leaf_code, op_base, exact_divider):
    stack: list[tuple[np.ndarray, np.ndarray, int]] = []  # (numerator, denominator, leaf column or -1)
    ones = np.ones(len(rows), np.int64)
    good = np.ones(len(rows), bool)
    column = 0
    for code in program.tolist():
        if code == leaf_code:
            stack.append((leaves[rows, column], ones, column))
            column += 1
            continue
        if code < leaf_code:
            break  # EMPTY padding
        name = ops[code - op_base]
        arity = NODES[name].arity
        args = stack[len(stack) - arity :]
        del stack[len(stack) - arity :]
        pairs = [(a[0], a[1]) for a in args]
        leaf = np.full(len(rows), args[-1][2], np.int64)
        n, d, ok = _apply(name, pairs, leaf, leaves, rows, exact_divider)
        good &= ok
        stack.append((np.where(ok, n, 0), np.where(ok, d, 1), -1))
    return stack[-1][0], stack[-1][1], good


def run(
    postfix: np.ndarray,
    leaves: np.ndarray,
    ops: tuple[str, ...],
    leaf_code: int,
    op_base: int,
    exact_divider: ExactDivider | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Evaluate every row of ``postfix``; returns (numerator, denominator, defined).

    ``leaves`` holds each row's numbers in order; an exact divider may rewrite some.
    """
    m, width = postfix.shape
    depth = max(width, 1)
    num = np.zeros((m, depth), np.int64)
    den = np.ones((m, depth), np.int64)
    leaf = np.full((m, depth), -1, np.int64)
    sp = np.zeros(m, np.int64)
    used = np.zeros(m, np.int64)
    good = np.ones(m, bool)
    for t in range(width):
        code = postfix[:, t]
        rows = np.nonzero(code == leaf_code)[0]
        if rows.size:
            top = sp[rows]
            num[rows, top] = leaves[rows, used[rows]]
            den[rows, top] = 1
            leaf[rows, top] = used[rows]
            used[rows] += 1
            sp[rows] += 1
        for j, name in enumerate(ops):
            rows = np.nonzero(code == op_base + j)[0]
            if not rows.size:
                continue
            arity = NODES[name].arity
            base = sp[rows] - arity
            args = [(num[rows, base + i], den[rows, base + i]) for i in range(arity)]
            n, d, ok = _apply(name, args, leaf[rows, base + arity - 1], leaves, rows, exact_divider)
            n = np.where(ok, n, 0)
            d = np.where(ok, d, 1)
            if (n.dtype == object or d.dtype == object) and num.dtype != object:
                num, den = num.astype(object), den.astype(object)
            num[rows, base] = n
            den[rows, base] = d
            leaf[rows, base] = -1
            sp[rows] = base + 1
            good[rows] &= ok
    return num[:, 0], den[:, 0], good
