"""Columnar batches of examples: strings and exact values side by side in numpy arrays."""

from __future__ import annotations

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


def format_answers(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """Exact values as answer strings: ``62``, ``-7``, ``-3/4`` (lowest terms, sign in front)."""
    text = num.astype(str)
    rational = den != 1
    if rational.any():
        text = text.astype(object)
        text[rational] = np.strings.add(
            np.strings.add(num[rational].astype(str), "/"), den[rational].astype(str)
        )
        text = text.astype(str)
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
