"""Exact evaluation of a batch of postfix programs with numpy.

Values are fractions held as two integer arrays (numerator, denominator > 0, in
lowest terms); :mod:`arithseq.tasks.arrays` keeps the arithmetic exact past int64.
"""

from __future__ import annotations

import numpy as np

from .arrays import Pair
from .operators import NODES, apply_per_row


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


class ExactDivider:
    """Division under the "exact" policy: the quotient must be an integer.

    When the divisor is a literal number the sampler still owns, it is re-drawn
    among values of the task's range that divide the dividend (uniform over the
    candidates found), instead of rejecting the whole expression. Without ``rng``
    nothing is re-drawn: inexact divisions are only marked undefined (enumeration).
    """

    def __init__(self, low: int, high: int, rng: np.random.Generator | None, tries: int = 16) -> None:
        self.low, self.high, self.rng, self.tries = max(low, 1), high, rng, tries

    def __call__(self, a: Pair, b: Pair, leaf: np.ndarray, leaves: np.ndarray, rows: np.ndarray):
        dividend, divisor = a[0], b[0].copy()
        redraw = np.nonzero(leaf >= 0)[0]
        if self.rng is not None and redraw.size and self.high >= self.low:
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


def _apply(name: str, args: list[Pair], last_leaf: np.ndarray, leaves: np.ndarray, rows, exact_divider):
    """One operator over whole columns; ``last_leaf`` says which literal (if any) the last operand is."""
    if name == "div" and exact_divider is not None:
        return exact_divider(args[0], args[1], last_leaf, leaves, rows)
    node = NODES.get(name)
    return node.vector(*args) if node.vector is not None else apply_per_row(node, args)


def _record(recorder: list, rows, name: str, args: list[Pair], last_leaf, leaves, n, d, ok) -> None:
    rows = np.arange(len(leaves))[rows]
    if name == "div":  # an exact division may have re-drawn its divisor: record the one used
        redrawn = leaves[rows, np.maximum(last_leaf, 0)]
        args = [args[0], (np.where(last_leaf >= 0, redrawn, args[1][0]), args[1][1])]
    recorder.append((rows, name, [(a[0].copy(), a[1].copy()) for a in args], n, d, ok))


def run_templates(
    programs: np.ndarray,
    choice: np.ndarray,
    leaves: np.ndarray,
    ops: tuple[str, ...],
    leaf_code: int,
    op_base: int,
    exact_divider: ExactDivider | None = None,
    recorder: list | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Like :func:`run` when row ``i`` runs ``programs[choice[i]]``: each distinct program is
    straight-line code over whole columns (no per-row stacks, no scatter)."""
    m = len(choice)
    groups = list(template_groups(choice, len(programs)))
    if len(groups) == 1:
        return _run_program(programs[groups[0][0]], np.arange(m), leaves, ops, leaf_code, op_base, exact_divider, recorder)
    num = np.zeros(m, np.int64)
    den = np.ones(m, np.int64)
    good = np.ones(m, bool)
    for k, rows in groups:
        n, d, ok = _run_program(programs[k], rows, leaves, ops, leaf_code, op_base, exact_divider, recorder)
        if (n.dtype == object or d.dtype == object) and num.dtype != object:
            num, den = num.astype(object), den.astype(object)
        num[rows], den[rows], good[rows] = n, d, ok
    return num, den, good


def _run_program(program, rows, leaves, ops, leaf_code, op_base, exact_divider, recorder=None):
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
        arity = NODES.get(name).arity
        args = stack[len(stack) - arity :]
        del stack[len(stack) - arity :]
        pairs = [(a[0], a[1]) for a in args]
        leaf = np.full(len(rows), args[-1][2], np.int64)
        n, d, ok = _apply(name, pairs, leaf, leaves, rows, exact_divider)
        if recorder is not None:
            _record(recorder, rows, name, pairs, leaf, leaves, n, d, ok)
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
    recorder: list | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Evaluate every row of ``postfix``; returns (numerator, denominator, defined).

    ``leaves`` holds each row's numbers in order; an exact divider may rewrite some.
    With a ``recorder`` list, every operation applied is appended to it, in
    evaluation order (innermost and highest precedence first: the postfix order), as
    ``(rows, name, operands, result numerator, result denominator, defined)``.
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
            arity = NODES.get(name).arity
            base = sp[rows] - arity
            args = [(num[rows, base + i], den[rows, base + i]) for i in range(arity)]
            n, d, ok = _apply(name, args, leaf[rows, base + arity - 1], leaves, rows, exact_divider)
            if recorder is not None:
                _record(recorder, rows, name, args, leaf[rows, base + arity - 1], leaves, n, d, ok)
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
