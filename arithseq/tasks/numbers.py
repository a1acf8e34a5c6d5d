"""Drawing the numbers of a batch: uniform values, every digit count equally likely (or a blend of
the two), carry chains.

Values past int64 (more than 18 digits) are drawn digit by digit and held as Python
ints in object arrays; everything downstream stays exact with them.
"""

from __future__ import annotations

import numpy as np

INT64_SAFE = 10**18  # every value below fits int64 with room for a sum


def by_digits_share(how: str) -> float | None:
    """The share of numbers drawn by digit count for ``numbers=how`` (``uniform`` 0, ``by-digits`` 1,
    ``by-digits:0.3`` 0.3), or None where ``how`` is none of these."""
    if how in ("uniform", "by-digits"):
        return float(how == "by-digits")
    name, _, share = how.partition(":")
    try:
        value = float(share)
    except ValueError:
        return None
    return value if name == "by-digits" and 0 < value < 1 else None


def draw_numbers(rng: np.random.Generator, lo: int, hi: int, shape: tuple[int, ...], how: str) -> np.ndarray:
    """Numbers in ``lo..hi``: every value equally likely, every digit count equally likely, or each
    number one way or the other (``by-digits:0.3``: three in ten by digit count)."""
    share = by_digits_share(how)
    if share is None:
        raise ValueError(f"numbers={how!r}: expected 'uniform', 'by-digits' or 'by-digits:SHARE'")
    if share not in (0.0, 1.0):
        by_count = draw_numbers(rng, lo, hi, shape, "by-digits")
        return np.where(rng.random(shape) < share, by_count, draw_numbers(rng, lo, hi, shape, "uniform"))
    how = "by-digits" if share else "uniform"
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
_SUMS = _PAIRS.sum(axis=1)
_TOP = (_PAIRS >= 1).all(axis=1)  # the top column: both numbers keep their digit count
_CARRY_OUT = _PAIRS[_SUMS >= 10]  # a column that carries by itself
_CARRY_ON = _PAIRS[_SUMS >= 9]  # a column that carries or passes a carry on (999+1, 999+999)
_LEADING = _PAIRS[(_SUMS >= 9) & _TOP]
_PASS = _PAIRS[_SUMS == 9]  # a column that passes an incoming carry on and makes none of its own
_PASS_TOP = _PAIRS[(_SUMS == 9) & _TOP]
_ANY_TOP = _PAIRS[_TOP]
_STOP = _PAIRS[_SUMS != 9]  # the column after a chain: the run ends there


def _pick(rng: np.random.Generator, pairs: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    return pairs[rng.integers(0, len(pairs), shape)]


def carry_chains(
    rng: np.random.Generator,
    leaves: np.ndarray,
    share: float,
    lo: int,
    hi: int,
    length: tuple[int, int] = (0, 0),
) -> None:
    """Make a share of two-number rows pass one carry through a run of columns whose digits sum to
    exactly 9 (``36303877564985069541+72198262435014930459``: the carry made in the units travels
    through the next 12 columns): those columns make no carry of their own, so only a network that
    passes the carry on gets them right. ``length`` bounds the run (``(0, 0)``: 1 column up to all
    but one of the digits of ``hi``); the digit count, the column the carry starts in and every
    other column are drawn at random, and the column after the run does not sum to 9, so the run is
    exactly as long as drawn."""
    longest = len(str(hi))
    rows = np.nonzero(rng.random(len(leaves)) < share)[0]
    if not rows.size or longest < 2:
        return
    low, high = length if length[1] else (1, longest - 1)
    high = min(high, longest - 1)
    low = min(max(low, 1), high)
    n = rows.size
    run = rng.integers(low, high + 1, n)
    width = rng.integers(np.maximum(run + 1, len(str(lo))), longest + 1)  # digits of both numbers
    start = (rng.random(n) * (width - run)).astype(np.int64)  # the column that makes the carry
    column = np.arange(longest)[None, :]
    columns = _pick(rng, _PAIRS, (n, longest))
    columns = np.where((column == start[:, None])[..., None], _pick(rng, _CARRY_OUT, (n, longest)), columns)
    after = column == (start + run + 1)[:, None]
    columns = np.where(after[..., None], _pick(rng, _STOP, (n, longest)), columns)
    passing = (column > start[:, None]) & (column <= (start + run)[:, None])
    columns = np.where(passing[..., None], _pick(rng, _PASS, (n, longest)), columns)
    top = column == (width - 1)[:, None]
    top_pairs = np.where(passing[..., None], _pick(rng, _PASS_TOP, (n, longest)), _pick(rng, _ANY_TOP, (n, longest)))
    top_pairs = np.where((top & after)[..., None], _pick(rng, _STOP[(_STOP >= 1).all(axis=1)], (n, longest)), top_pairs)
    columns = np.where(top[..., None], top_pairs, columns)
    digits = np.where((column < width[:, None])[..., None], columns, 0)
    _place(leaves, rows, digits, lo, hi)


def carry_runs(rng: np.random.Generator, leaves: np.ndarray, share: float, lo: int, hi: int) -> None:
    """Make a share of two-number rows carry in every column (999+1, 455+545, 999+999): each column
    sums to at least 9, so most make a carry of their own (runs of 1 to all the digits of ``hi``).
    A training mixture; what tests how far a carry travels is :func:`carry_chains`."""
    rows = np.nonzero(rng.random(len(leaves)) < share)[0]
    if not rows.size:
        return
    longest = len(str(hi))
    length = rng.integers(1, longest + 1, rows.size)
    columns = np.concatenate(
        [_pick(rng, _CARRY_OUT, (rows.size, 1)), _pick(rng, _CARRY_ON, (rows.size, longest - 1))], axis=1
    )  # (rows, columns, 2): column 0 carries, the rest pass it on
    top = length - 1
    leading = _pick(rng, _LEADING, rows.size)
    columns[np.arange(rows.size), top] = np.where((top > 0)[:, None], leading, columns[np.arange(rows.size), top])
    inside = np.arange(longest) < length[:, None]
    _place(leaves, rows, np.where(inside[..., None], columns, 0), lo, hi)


def _place(leaves: np.ndarray, rows: np.ndarray, digits: np.ndarray, lo: int, hi: int) -> None:
    """Write the two numbers whose digits (units first) are ``digits`` into ``rows``, where they fit lo..hi."""
    longest = digits.shape[1]
    if longest <= 18:
        power = 10 ** np.arange(longest, dtype=np.int64)
        a, b = (digits[..., 0] * power).sum(axis=1), (digits[..., 1] * power).sum(axis=1)
    else:
        power = np.array([10**i for i in range(longest)], dtype=object)
        a, b = (digits[..., 0].astype(object) * power).sum(axis=1), (digits[..., 1].astype(object) * power).sum(axis=1)
    fits = np.array([lo <= min(x, y) and max(x, y) <= hi for x, y in zip(a.tolist(), b.tolist())], bool)
    leaves[rows[fits], 0] = a[fits]
    leaves[rows[fits], 1] = b[fits]
