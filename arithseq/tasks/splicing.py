"""Steps replaced by the steps a decoding loop's rules ask for them, in the loop's order.

Each rule (of fractions, reductions prime by prime, of signs, long products) picks some
steps of a batch and replaces each by one or more new steps; every other step stays.
:func:`spliced` puts the kept steps and the new ones together in the order the loop asks
them: by row, then by the step they replace, then by their place in its replacement.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import arrays
from .steps import Steps

Pair = tuple[np.ndarray, np.ndarray]  # numerator, denominator


class Piece(NamedTuple):
    """New steps, one for each of ``replaces`` (indices of the steps they stand for), all at
    place ``slot`` of those steps' replacements; operands and results as (numerator, denominator)."""

    replaces: np.ndarray
    slot: int
    op: np.ndarray | str
    left: Pair
    right: Pair
    result: Pair
    unary: bool = False


def whole(values: np.ndarray) -> Pair:
    """``values`` as whole numbers: each over 1."""
    return values, np.ones(len(values), dtype=np.int64)


def spliced(steps: Steps, keep: np.ndarray, pieces: list[Piece]) -> Steps:
    """The steps ``keep`` (indices into ``steps``, as they are) and the new ``pieces``, in the loop's order."""
    per = max((piece.slot for piece in pieces), default=0) + 1
    side = lambda pair: (pair[0][keep], pair[1][keep])  # noqa: E731
    kept = Piece(keep, 0, steps.op[keep], side(steps.left), side(steps.right), side(steps.result))
    parts = [kept, *pieces]
    row = np.concatenate([steps.row[p.replaces] for p in parts])
    key = np.concatenate([p.replaces * per + p.slot for p in parts])
    op = np.concatenate([np.broadcast_to(np.asarray(p.op, dtype=str), len(p.replaces)) for p in parts])
    unary = np.concatenate([steps.unary[keep]] + [np.full(len(p.replaces), p.unary) for p in pieces])
    joined = lambda get: (arrays.concat([get(p)[0] for p in parts]), arrays.concat([get(p)[1] for p in parts]))  # noqa: E731
    result = Steps(row, op, joined(lambda p: p.left), joined(lambda p: p.right), unary, joined(lambda p: p.result))
    order = np.lexsort((key, row))
    return result._select(order, row[order])
