"""Which recorded steps a decoding loop trains on (training mixtures of target=steps).

Steps drawn from whole problems come in very unequal numbers: in ``brackets`` four
in five are unary minus or on two one-digit numbers, while a sum of two two-digit
numbers is one step in 500 and a product of a three-digit number by a digit one in
1,900. A network masters the common kinds first and then sees the rare ones too
seldom: those were the steps it got wrong (two-digit sums 32% right, three-digit
products 27%). Both mixtures here thin the common steps so that training draws more
problems and the rare kinds get a larger part of its examples; validation and test
sets keep every step.
"""

from __future__ import annotations

import numpy as np

from .arrays import digit_counts
from .fraction_rules import whole_steps
from .steps import Steps


def training_steps(steps: Steps, config, rng: np.random.Generator) -> Steps:
    """The steps a loop trains on: with ``fraction_rules`` (and ``balance_steps``) split into
    whole-number steps first, then thinned by ``easy_steps`` and ``balance_steps``."""
    if config.balance_steps < 1 and config.fraction_rules:
        steps = whole_steps(steps)  # the framing splits them anyway; balance the kinds it trains on
    return balanced(easy_kept(steps, config.easy_steps, rng), config.balance_steps, rng)


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


def balanced(steps: Steps, cap: float, rng: np.random.Generator) -> Steps:
    """``steps`` with each kind (:func:`step_kinds`) kept up to ``cap`` of all of them, drawn at
    random (option balance_steps); a kind rarer than that is kept whole. The result is part of the
    kind: a division that reduces is another kind than one that does not, a sum that makes a new
    digit another than one that does not."""
    if cap >= 1 or not len(steps):
        return steps
    _, inverse, counts = np.unique(step_kinds(steps), return_inverse=True, return_counts=True)
    keep_share = np.minimum(1.0, cap * len(steps) / counts)
    keep = np.nonzero(rng.random(len(steps)) < keep_share[inverse])[0]
    return steps._select(keep, steps.row[keep])
