"""Exact integer arithmetic on numpy arrays: int64 while it provably fits, Python ints after.

Values are fractions held as two arrays (numerator, denominator > 0, lowest terms).
Each helper checks the operands' magnitudes first and switches to object arrays of
Python ints when int64 could overflow, so results are exact whatever the sizes.
"""

from __future__ import annotations

import numpy as np

SAFE = 2**62
ABSENT = -1
"""Filler in a batch's ``numbers`` after an expression's last number."""
Pair = tuple[np.ndarray, np.ndarray]


def magnitude(a: np.ndarray) -> int:
    return int(np.abs(a).max()) if a.size else 0


def is_wide(*arrays: np.ndarray) -> bool:
    return any(a.dtype == object for a in arrays)


def mul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if is_wide(a, b) or magnitude(a) * magnitude(b) >= SAFE:
        return a.astype(object) * b.astype(object)
    return a * b


def add(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if is_wide(a, b) or magnitude(a) + magnitude(b) >= SAFE:
        return a.astype(object) + b.astype(object)
    return a + b


def lowest_terms(num: np.ndarray, den: np.ndarray) -> Pair:
    """Lowest terms with a positive denominator."""
    sign = np.where(den < 0, -1, 1)
    num, den = num * sign, den * sign
    g = np.gcd(num, den)
    g[g == 0] = 1
    return num // g, den // g


def all_integers(*denominators: np.ndarray) -> bool:
    return all(bool((d == 1).all()) for d in denominators)


def concat(parts: list[np.ndarray]) -> np.ndarray:
    """Concatenate int64 and object arrays without losing exactness."""
    if any(p.dtype == object for p in parts):
        parts = [p.astype(object) for p in parts]
    return np.concatenate(parts)


def digit_counts(numbers: np.ndarray) -> np.ndarray:
    """Decimal digits of each number (0 where absent)."""
    present = numbers != ABSENT
    if numbers.dtype == object:
        widths = np.vectorize(lambda v: len(str(v)), otypes=[np.int64])(numbers)
        return np.where(present, widths, 0)
    widths = np.ones(numbers.shape, np.int64)
    for k in range(1, 19):
        widths += numbers >= 10**k
    return np.where(present, widths, 0)
