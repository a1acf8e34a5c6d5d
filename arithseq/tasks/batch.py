"""Columnar batches of examples: strings, the numbers they were written from, and exact values."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from . import arrays
from .operators import Value
from .steps import Steps

ABSENT = arrays.ABSENT


@dataclass(frozen=True)
class Example:
    input: str
    target: str
    value: Value


def to_value(num, den) -> Value:
    return int(num) if den == 1 else Fraction(int(num), int(den))


def _integers(column: np.ndarray) -> np.ndarray:
    """int64 as saved, or text of values past int64 back to Python ints."""
    if column.dtype.kind in "iu":
        return column.astype(np.int64)
    return np.vectorize(int, otypes=[object])(column) if column.size else column.astype(np.int64)


class Batch(Sequence[Example]):
    """Examples side by side in numpy arrays.

    ``inputs`` and ``targets`` are string arrays (the canonical, un-reversed text);
    ``numerators``/``denominators`` hold each exact value in lowest terms;
    ``numbers[i]`` lists the literal numbers of expression ``i`` in reading order,
    padded with :data:`ABSENT` (int64, or Python ints past int64). Expressions read
    from people (:meth:`Task.read`) have no targets or values: those are ``None``.
    """

    def __init__(
        self,
        inputs: np.ndarray,
        targets: np.ndarray | None,
        numerators: np.ndarray | None,
        denominators: np.ndarray | None,
        numbers: np.ndarray | None = None,
        steps: Steps | None = None,
    ) -> None:
        self.inputs = inputs
        self.steps = steps
        self.targets = targets
        self.numerators = numerators
        self.denominators = denominators
        self.numbers = np.full((len(inputs), 0), ABSENT, np.int64) if numbers is None else numbers

    def __len__(self) -> int:
        return len(self.inputs)

    def __getitem__(self, index):
        if isinstance(index, (int, np.integer)):
            return Example(
                str(self.inputs[index]),
                str(self.targets[index]),
                to_value(self.numerators[index], self.denominators[index]),
            )
        return Batch(
            self.inputs[index],
            None if self.targets is None else self.targets[index],
            None if self.numerators is None else self.numerators[index],
            None if self.denominators is None else self.denominators[index],
            self.numbers[index],
            None if self.steps is None else self.steps.take(np.arange(len(self))[index]),
        )

    def __iter__(self) -> Iterator[Example]:
        for i in range(len(self)):
            yield self[i]

    @property
    def values(self) -> list[Value]:
        return [to_value(n, d) for n, d in zip(self.numerators, self.denominators)]

    @property
    def terms(self) -> np.ndarray:
        """How many numbers each expression has."""
        return (self.numbers != ABSENT).sum(axis=1)

    @staticmethod
    def concat(batches: Sequence[Batch]) -> Batch:
        if len(batches) == 1:
            return batches[0]
        if not batches:
            empty = np.array([], dtype=str)
            return Batch(empty, empty, np.array([], np.int64), np.array([], np.int64))
        width = max(b.numbers.shape[1] for b in batches)
        numbers = [
            np.pad(b.numbers, ((0, 0), (0, width - b.numbers.shape[1])), constant_values=ABSENT)
            if b.numbers.dtype != object
            else np.concatenate([b.numbers, np.full((len(b), width - b.numbers.shape[1]), ABSENT, object)], axis=1)
            for b in batches
        ]
        steps = None
        if all(b.steps is not None for b in batches):
            offsets = np.cumsum([0] + [len(b) for b in batches[:-1]]).tolist()
            steps = Steps.concat([b.steps for b in batches], offsets)
        return Batch(
            np.concatenate([b.inputs for b in batches]),
            np.concatenate([b.targets for b in batches]),
            arrays.concat([b.numerators for b in batches]),
            arrays.concat([b.denominators for b in batches]),
            arrays.concat(numbers),
            steps,
        )

    # -- files ------------------------------------------------------------------------------
    def save(self, file) -> None:
        """Write to an ``.npz`` file (a path or an open binary file); values past int64 are kept as text."""
        columns = {"inputs": self.inputs, "numbers": self.numbers}
        if self.targets is not None:
            columns["targets"] = self.targets
        if self.numerators is not None:
            columns.update(numerators=self.numerators, denominators=self.denominators)
        np.savez(file, **{k: v.astype(str) if v.dtype == object else v for k, v in columns.items()})

    @staticmethod
    def load(path) -> Batch:
        """Read a file written by :meth:`save`; never unpickles anything."""
        from ..errors import ArithseqError

        try:
            with np.load(path, allow_pickle=False) as data:
                columns = {k: data[k] for k in data.files}
        except (OSError, ValueError, EOFError) as exc:
            raise ArithseqError(f"{path}: not a readable batch file ({exc})") from None
        missing = {"inputs", "numbers"} - set(columns)
        if missing:
            raise ArithseqError(f"{path}: field(s) {', '.join(sorted(missing))} missing")
        ints = {k: _integers(v) for k, v in columns.items() if k in ("numerators", "denominators", "numbers")}
        return Batch(columns["inputs"], columns.get("targets"), ints.get("numerators"), ints.get("denominators"), ints["numbers"])

    def __repr__(self) -> str:
        head = ", ".join(f"{e.input!r}->{e.target!r}" for e in list(self)[:3])
        return f"Batch({len(self)} examples: {head}{', ...' if len(self) > 3 else ''})"
