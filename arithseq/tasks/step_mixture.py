"""Which recorded steps a decoding loop trains on (training mixtures of target=steps).

Steps drawn from whole problems come in very unequal numbers: in ``brackets`` four
in five are unary minus or on two one-digit numbers, while a sum of two two-digit
numbers is one step in 500 and a product of a three-digit number by a digit one in
1,900. A network masters the common kinds first and then sees the rare ones too
seldom: those were the steps it got wrong (two-digit sums 32% right, three-digit
products 27%). Two mixtures here (easy_steps, balance_steps) thin the common steps so that training draws more
problems and the rare kinds get a larger part of its examples; validation and test
sets keep every step. A third (practice_steps) adds steps of the rare kinds on fresh numbers.
"""

from __future__ import annotations

import numpy as np

from . import arrays
from .arrays import digit_counts
from .fraction_rules import split_steps
from .operators import NODES, apply_per_row
from .steps import Steps

TRIES = 16  # fresh operand pairs drawn per practice step wanted; those of another kind are dropped


def training_steps(steps: Steps, config, rng: np.random.Generator) -> Steps:
    """The steps a loop trains on: split as the loop asks for them first (the rules of fractions,
    reductions prime by prime: :func:`split_steps`), then thinned by ``easy_steps`` and
    ``balance_steps``, then any practice steps added."""
    steps = split_steps(steps, config)  # the framing would split them anyway: balance the kinds it trains on
    kept, rare = balanced(easy_kept(steps, config.easy_steps, rng), config.balance_steps, rng)
    return practiced(kept, rare, config.practice_steps, rng) if config.practice_steps else kept


def easy_kept(steps: Steps, share: float, rng: np.random.Generator) -> Steps:
    """``steps`` with only ``share`` of the easy ones, drawn at random (option easy_steps): unary
    minus, and operations on two one-digit whole numbers, which a network learns first."""
    if share >= 1 or not len(steps):
        return steps
    small = lambda p: (p[1] == 1) & (np.abs(p[0].astype(object)) < 10).astype(bool)  # noqa: E731
    easy = steps.unary | (small(steps.left) & small(steps.right))
    keep = np.nonzero(~easy | (rng.random(len(steps)) < share))[0]
    return steps._select(keep, steps.row[keep])


def step_kinds(steps: Steps) -> np.ndarray:
    """A name per step for its kind: operator, then for each operand and the result its sign and
    the digit counts of its numerator and denominator (0 for a denominator of 1): ``add:-10+10:+10``
    is a negative one-digit number plus a positive one making a positive one-digit number,
    ``div:+20+10:+11`` a two-digit number over a digit reduced to a fraction (``14/8`` -> ``7/4``);
    a unary step's missing operand is ``+00``."""
    none = np.zeros(len(steps), np.int64)
    right = steps.right if steps.right is not None else (none, none + 1)
    right = (np.where(steps.unary, 0, right[0]), np.where(steps.unary, 1, right[1]))
    def shape(pair):
        sign = np.where(np.asarray(pair[0] < 0, bool), "-", "+")
        digits = lambda part: np.minimum(digit_counts(np.abs(part)), 9)  # noqa: E731
        code = digits(pair[0]) * 10 + np.where(pair[1] == 1, 0, digits(pair[1]))
        return np.strings.add(sign, np.char.zfill(code.astype(str), 2))
    operands = np.strings.add(shape(steps.left), np.where(steps.unary, "+00", shape(right)))
    return np.strings.add(np.strings.add(np.strings.add(steps.op.astype(str), ":"), operands), np.strings.add(":", shape(steps.result)))


def balanced(steps: Steps, cap: float, rng: np.random.Generator) -> tuple[Steps, np.ndarray]:
    """``steps`` with each kind (:func:`step_kinds`) kept up to ``cap`` of all of them, drawn at
    random (option balance_steps); a kind rarer than that is kept whole. The result is part of the
    kind: a sum that makes a new digit is another kind than one that does not, a division that
    reduces to fewer digits another than one that does not. Also which kept steps are of a kind
    kept whole."""
    if cap >= 1 or not len(steps):
        return steps, np.ones(len(steps), bool)
    _, inverse, counts = np.unique(step_kinds(steps), return_inverse=True, return_counts=True)
    keep_share = np.minimum(1.0, cap * len(steps) / counts)
    keep = np.nonzero(rng.random(len(steps)) < keep_share[inverse])[0]
    return steps._select(keep, steps.row[keep]), keep_share[inverse[keep]] >= 1


def practiced(steps: Steps, rare: np.ndarray, times: int, rng: np.random.Generator) -> Steps:
    """``steps`` and, after each ``rare`` step on two whole numbers, up to ``times`` more of the same
    kind (:func:`step_kinds`: operator, signs, digit counts of the operands and of the result) with
    fresh operands (option practice_steps). A rare kind (a reduction of two two-digit numbers, one
    step in 3,000) comes from a handful of problems an epoch; its practice steps are new problems of
    that kind, and the same length, so they fit wherever the step did."""
    if steps.right is None or not len(steps) or times < 1:
        return steps
    (a, b), (c, d) = steps.left, steps.right
    wide = a.dtype == object or c.dtype == object
    source = np.nonzero(rare & ~steps.unary & (b == 1) & (d == 1))[0] if not wide else np.zeros(0, np.int64)
    if not len(source):
        return steps
    pick = np.repeat(source, TRIES * times)

    def fresh(part: np.ndarray) -> np.ndarray:  # the same sign and number of digits
        digits = np.minimum(digit_counts(np.abs(part[pick])), 18)
        low = np.where(digits == 1, 0, 10 ** (digits - 1))
        value = rng.integers(low, 10**digits)
        return np.where(part[pick] < 0, -value, value)

    x, y = fresh(a), fresh(c)
    one = np.ones(len(pick), np.int64)
    num, den, defined = np.zeros(len(pick), np.int64), one.copy(), np.zeros(len(pick), bool)
    for name in np.unique(steps.op[pick]).tolist():
        at = np.nonzero(steps.op[pick] == name)[0]
        node = NODES.get(name)
        args = [(x[at], one[at]), (y[at], one[at])]
        n, m, ok = node.vector(*args) if node.vector is not None else apply_per_row(node, args)
        if n.dtype == object or m.dtype == object:  # a custom node's, or past int64: keep the rows that fit
            fits = ok & np.array([abs(v) < arrays.SAFE and abs(w) < arrays.SAFE for v, w in zip(n.tolist(), m.tolist())], bool)
            n, m, ok = np.where(fits, n, 0).astype(np.int64), np.where(fits, m, 1).astype(np.int64), fits
        num[at], den[at], defined[at] = n, m, ok
    candidate = Steps(steps.row[pick], steps.op[pick], (x, one), (y, one), np.zeros(len(pick), bool), (num, den), steps.split)
    same = defined & (step_kinds(candidate) == step_kinds(steps)[pick])  # each source's kind, named once
    # at most `times` per source step: rank the matches within each source's tries
    rank = np.cumsum(same.reshape(-1, TRIES * times), axis=1).ravel()
    chosen = np.nonzero(same & (rank <= times))[0]
    extra = candidate._select(chosen, candidate.row[chosen])
    joined = Steps.concat([steps, extra], [0, 0])
    # each practice step right after its source step: a key per step, sorted within rows
    key = np.concatenate([np.arange(len(steps)) * (times + 1), pick[chosen] * (times + 1) + rank[chosen]])
    order = np.lexsort((key, joined.row))
    return joined._select(order, joined.row[order])
