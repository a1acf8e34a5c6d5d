"""Drawing the numbers of a batch: uniform values, every digit count equally likely, long carry chains.

Values past int64 (more than 18 digits) are drawn digit by digit and held as Python
ints in object arrays; everything downstream stays exact with them.
"""

from __future__ import annotations

import numpy as np

INT64_SAFE = 10**18  # every value below fits int64 with room for a sum


def draw_numbers(rng: np.random.Generator, lo: int, hi: int, shape: tuple[int, ...], how: str) -> np.ndarray:
    """Numbers in ``lo..hi``: every value equally likely, or every digit count equally likely."""
    if hi >= INT64_SAFE:
        return _draw_big(rng, lo, hi, shape, how)
    if how == "uniform":
        return rng.integers(lo, hi + 1, size=shape)
    widths = np.arange(len(str(lo)), len(str(hi)) + 1)
    low = np.maximum(lo, np.where(widths == 1, 0, 10 ** (widths - 1)))
    high = np.minimum(hi, 10**widths - 1)
    pick = rng.integers(0, len(widths), size=shape)
    return rng.integers(low[pick], high[pick] + 1)


def _draw_big(rng: np.random.Generator, lo: int, hi: int, shape: tuple[int, ...], how: str) -> np.ndarray:
    """Python ints in ``lo..hi``: a digit count (weighted by how many values it has, for uniform), then
    its digits; rows that fall outside ``lo..hi`` are drawn again."""
    widths = np.arange(len(str(lo)), len(str(hi)) + 1)
    # exact counts (past 308 digits they overflow a float), divided exactly: int / int is a correctly rounded float
    counts = [min(hi, 10**w - 1) - max(lo, 0 if w == 1 else 10 ** (w - 1)) + 1 for w in widths.tolist()]
    total = sum(counts)
    weights = np.array([c / total for c in counts]) if how == "uniform" else np.full(len(widths), 1 / len(widths))
    weights /= weights.sum()
    n = int(np.prod(shape))
    out = np.empty(n, dtype=object)
    todo = np.arange(n)
    while todo.size:
        width = widths[rng.choice(len(widths), size=todo.size, p=weights)]
        longest = int(width.max())
        digits = rng.integers(0, 10, (todo.size, longest))
        digits[:, 0] = np.where(width > 1, rng.integers(1, 10, todo.size), digits[:, 0])
        text = np.where(np.arange(longest) < width[:, None], digits + ord("0"), 0).astype(np.uint32)
        values = [int(t) for t in np.ascontiguousarray(text).view(f"<U{longest}").ravel().tolist()]
        fits = np.array([lo <= v <= hi for v in values])
        out[todo[fits]] = np.array(values, dtype=object)[fits]
        todo = todo[~fits]
    return out.reshape(shape)


_PAIRS = np.array([(a, b) for a in range(10) for b in range(10)])
_CARRY_OUT = _PAIRS[_PAIRS.sum(axis=1) >= 10]  # a column that carries by itself
_CARRY_ON = _PAIRS[_PAIRS.sum(axis=1) >= 9]  # a column that passes a carry on (999+1, 999+999)
_LEADING = _CARRY_ON[(_CARRY_ON >= 1).all(axis=1)]  # the top column: both numbers keep their digit count


def carry_chains(
    rng: np.random.Generator, leaves: np.ndarray, share: float, lo: int, hi: int, length: int | None = None
) -> None:
    """Make a share of two-number rows carry through all their columns (999+1, 455+545, 999+999):
    chains of 1 to all digits of ``hi``, or exactly ``length`` digits."""
    rows = np.nonzero(rng.random(len(leaves)) < share)[0]
    if not rows.size:
        return
    longest = len(str(hi))
    length = np.full(rows.size, length) if length else rng.integers(1, longest + 1, rows.size)
    columns = np.concatenate(
        [
            _CARRY_OUT[rng.integers(0, len(_CARRY_OUT), (rows.size, 1))],
            _CARRY_ON[rng.integers(0, len(_CARRY_ON), (rows.size, longest - 1))],
        ],
        axis=1,
    )  # (rows, columns, 2): column 0 carries, the rest pass it on
    top = length - 1
    leading = _LEADING[rng.integers(0, len(_LEADING), rows.size)]
    columns[np.arange(rows.size), top] = np.where((top > 0)[:, None], leading, columns[np.arange(rows.size), top])
    inside = np.arange(longest) < length[:, None]
    digits = np.where(inside[..., None], columns, 0)
    if longest <= 18:
        power = 10 ** np.arange(longest, dtype=np.int64)
        a, b = (digits[..., 0] * power).sum(axis=1), (digits[..., 1] * power).sum(axis=1)
    else:
        power = np.array([10**i for i in range(longest)], dtype=object)
        a, b = (digits[..., 0].astype(object) * power).sum(axis=1), (digits[..., 1].astype(object) * power).sum(axis=1)
    fits = np.array([lo <= min(x, y) and max(x, y) <= hi for x, y in zip(a.tolist(), b.tolist())], bool)
    leaves[rows[fits], 0] = a[fits]
    leaves[rows[fits], 1] = b[fits]
