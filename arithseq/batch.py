"""Columnar batches of examples: strings and exact values side by side in numpy arrays."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .semantics import Value


@dataclass(frozen=True)
class Example:
    input: str
    target: str
    value: Value


def to_value(num, den) -> Value:
    return int(num) if den == 1 else Fraction(int(num), int(den))


_POW10 = 10 ** np.arange(19, dtype=np.int64)


_TABLE_LIMIT = 1 << 16


def digit_codes(values: np.ndarray, width: int, zero_pad: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Decimal digits of non-negative int64 ``values`` as left-aligned character codes.

    Returns codes ``(*values.shape, width)`` (0 after the last digit) and lengths.
    Small values are looked up in a cached table (one gather instead of a dozen passes).
    """
    top = int(values.max(initial=0))
    if top < _TABLE_LIMIT and values.size > 4 * top:
        codes, lengths = _digit_table(top, width, zero_pad)
        return codes[values], lengths[values]
    return _digits(values, width, zero_pad)


@functools.lru_cache(maxsize=16)
def _digit_table(top: int, width: int, zero_pad: bool) -> tuple[np.ndarray, np.ndarray]:
    return _digits(np.arange(top + 1, dtype=np.int64), width, zero_pad)


def _digits(values: np.ndarray, width: int, zero_pad: bool) -> tuple[np.ndarray, np.ndarray]:
    if zero_pad:
        length = np.full(values.shape, width, np.int64)
    else:
        length = np.ones(values.shape, np.int64)
        for k in range(1, width):
            length += values >= _POW10[k]
    power = length[..., None] - 1 - np.arange(width)
    inside = power >= 0
    digits = (values[..., None] // _POW10[np.maximum(power, 0)]) % 10
    return np.where(inside, digits + ord("0"), 0).astype(np.uint32), length


def scatter_pieces(rows: np.ndarray, codes: np.ndarray, sizes: np.ndarray, n: int, width: int) -> np.ndarray:
    """Strings of ``n`` rows from pieces listed in row-major order.

    Piece ``i`` belongs to row ``rows[i]`` and holds ``codes[i, :sizes[i]]``; rows are at
    most ``width`` characters long.
    """
    width = max(width, 1)
    before = np.concatenate([[0], np.cumsum(sizes)])  # characters before piece i, over all rows
    per_row = np.bincount(rows, minlength=n)
    row_first = np.cumsum(per_row) - per_row
    start = before[:-1] - before[row_first][rows] + rows * width
    out = np.zeros(n * width, np.uint32)
    for j in range(codes.shape[1]):
        has = j < sizes
        out[start[has] + j] = codes[has, j]
    return out.reshape(n, width).view(f"<U{width}").ravel()


def digit_strings(values: np.ndarray) -> np.ndarray:
    """Non-negative int64 values as decimal strings, vectorised."""
    width = len(str(int(values.max(initial=0))))
    codes, _ = digit_codes(values, width)
    return np.ascontiguousarray(codes).view(f"<U{width}").reshape(values.shape)


def format_answers(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """Exact values as answer strings: ``62``, ``-7``, ``-3/4`` (lowest terms, sign in front).

    int64 values take the vectorised path; Python ints (object arrays, for values
    past int64) are formatted one by one.
    """
    if num.dtype == object or den.dtype == object or len(num) == 0:
        text = num.astype(str)
        rational = den != 1
        if rational.any():
            text = text.astype(object)
            text[rational] = np.strings.add(
                np.strings.add(num[rational].astype(str), "/"), den[rational].astype(str)
            )
            text = text.astype(str)
        return text
    text = digit_strings(np.abs(num))
    negative = num < 0
    if negative.any():
        text = np.strings.add(np.where(negative, "-", ""), text)
    rational = den != 1
    if rational.any():
        tail = np.strings.add("/", digit_strings(den))
        text = np.strings.add(text, np.where(rational, tail, ""))
    return text


def format_answer(value: Value) -> str:
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    return f"{value.numerator}/{value.denominator}"


class Batch(Sequence[Example]):
    """``inputs`` and ``targets`` are numpy string arrays; values are exact (numerator/denominator)."""

    def __init__(self, inputs: np.ndarray, targets: np.ndarray, numerators: np.ndarray, denominators: np.ndarray) -> None:
        self.inputs = inputs
        self.targets = targets
        self.numerators = numerators
        self.denominators = denominators

    def __len__(self) -> int:
        return len(self.inputs)

    def __getitem__(self, index):
        if isinstance(index, (int, np.integer)):
            return Example(
                str(self.inputs[index]),
                str(self.targets[index]),
                to_value(self.numerators[index], self.denominators[index]),
            )
        return Batch(self.inputs[index], self.targets[index], self.numerators[index], self.denominators[index])

    def __iter__(self) -> Iterator[Example]:
        for i in range(len(self)):
            yield self[i]

    @property
    def values(self) -> list[Value]:
        return [to_value(n, d) for n, d in zip(self.numerators, self.denominators)]

    @staticmethod
    def concat(batches: Sequence[Batch]) -> Batch:
        if len(batches) == 1:
            return batches[0]
        if not batches:
            empty = np.array([], dtype=str)
            return Batch(empty, empty, np.array([], np.int64), np.array([], np.int64))
        return Batch(
            np.concatenate([b.inputs for b in batches]),
            np.concatenate([b.targets for b in batches]),
            _concat_ints([b.numerators for b in batches]),
            _concat_ints([b.denominators for b in batches]),
        )

    def __repr__(self) -> str:
        head = ", ".join(f"{e.input!r}->{e.target!r}" for e in list(self)[:3])
        return f"Batch({len(self)} examples: {head}{', ...' if len(self) > 3 else ''})"


def _concat_ints(parts: list[np.ndarray]) -> np.ndarray:
    if any(p.dtype == object for p in parts):
        parts = [p.astype(object) for p in parts]
    return np.concatenate(parts)
