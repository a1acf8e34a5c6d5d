"""Reading what people type: many expressions checked against the grammar at once, in canonical spelling.

Parsing every line with lark costs about 40 us; most lines of a batch share a
*shape*, the expression with each number replaced by ``0`` (``12+345`` and ``7+8``
are both ``0+0``). Each distinct shape is parsed once; the numbers are cut out with
one regular-expression pass over the whole batch, in C. A line whose shape does
not parse is parsed on its own, so its error names the column in the text as typed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..errors import ExpressionError
from ..options import texts
from .batch import ABSENT, Batch
from .grammar import Grammar
from .operators import MAX_DIGITS
from .rendering import left_zeros, number_codes, scatter_pieces

_NUMBER = re.compile(r"[0-9]+")
# leaf patterns that accept every run of digits: a shape's "0" then stands for any number
_DIGIT_RUNS = {"[0-9]+", r"\d+", "[0-9][0-9]*"}
_INT64_DIGITS = 18


@dataclass
class Reading:
    """The outcome of :meth:`Task.read`."""

    batch: Batch  # the expressions that were read, canonical spelling, numbers in reading order
    shapes: np.ndarray  # each one's shape (numbers replaced by "0")
    rows: np.ndarray  # their positions in the input
    errors: list[tuple[int, ExpressionError]] = field(default_factory=list)  # the others, in input order

    def raise_first(self) -> None:
        if self.errors:
            index, error = self.errors[0]
            raise type(error)(f"expression {index + 1}: {error.args[0]}") from None


class ExpressionReader:
    """Checks and canonicalises expressions of one task, many at a time.

    ``number_width`` and ``zero_pad`` are the task's: with ``zero_pad`` every number
    is written at least ``number_width`` digits wide (``012+005``).
    """

    def __init__(self, grammar: Grammar, number_width: int, zero_pad: bool) -> None:
        self.grammar = grammar
        self.number_width = number_width
        self.zero_pad = zero_pad
        ignored = [t.pattern.to_regexp() for t in grammar.parser.terminals if t.name in grammar.parser.ignore_tokens]
        self.ignored = "".join(ch for ch in " \t" if any(re.fullmatch(p, ch) for p in ignored))
        leaf_terms = {name for alt in grammar.rules["number"] for kind, name in alt.items if kind == "leaf"}
        patterns = {grammar.parser.get_terminal(name).pattern.to_regexp() for name in leaf_terms}
        self.every_digit_run = patterns <= _DIGIT_RUNS
        self.leaf = re.compile("|".join(f"(?:{p})" for p in patterns))
        self._shape_ok: dict[str, bool] = {}

    def read(self, expressions: Sequence[str] | np.ndarray, check: bool = True) -> Reading:
        typed = texts("expressions", expressions)
        text = typed
        for ch in self.ignored:
            text = np.strings.replace(text, ch, "")
        joined = "\n".join(text.tolist())
        shapes = np.array(_NUMBER.sub("0", joined).split("\n") if len(text) else [], dtype=str)
        counts = np.strings.count(shapes, "0") if len(shapes) else np.zeros(0, np.int64)
        digits = _NUMBER.findall(joined)
        errors = _long_numbers(typed, digits, counts)  # refused even unchecked: int() cannot read them
        good = np.ones(len(text), bool)
        good[[i for i, _ in errors]] = False
        if check:
            good &= self._check(typed, shapes, digits, counts, errors, ~good)
            errors.sort(key=lambda item: item[0])
        numbers = _numbers(digits, counts)
        rows = np.nonzero(good)[0]
        canonical = self._fill(shapes[rows], numbers[rows])
        return Reading(Batch(canonical, None, None, None, numbers[rows]), shapes[rows], rows, errors)

    def _check(self, typed, shapes, digits, counts, errors, refused) -> np.ndarray:
        unique, inverse = np.unique(shapes, return_inverse=True)
        shape_ok = np.array([self._parses(s) for s in unique.tolist()], bool)
        good = shape_ok[inverse] if len(shapes) else np.zeros(0, bool)
        if not self.every_digit_run and digits:
            ends = np.cumsum(counts)
            for i in np.nonzero(good)[0].tolist():
                if not all(self.leaf.fullmatch(d) for d in digits[ends[i] - counts[i] : ends[i]]):
                    good[i] = False
        for i in np.nonzero(~good & ~refused)[0].tolist():
            try:
                self.grammar.parse(str(typed[i]))
                good[i] = True  # the shape was the trouble, not the expression: accept it
            except ExpressionError as exc:
                errors.append((i, exc))
        return good

    def _parses(self, shape: str) -> bool:
        if shape not in self._shape_ok:
            try:
                self.grammar.parse(shape)
                self._shape_ok[shape] = True
            except ExpressionError:
                self._shape_ok[shape] = False
        return self._shape_ok[shape]

    def _fill(self, shapes: np.ndarray, numbers: np.ndarray) -> np.ndarray:
        """The task's own spelling, with one scatter: each shape's ``0`` placeholders replaced by the
        numbers' digits; when the task pads numbers, each is zero-padded to the task's number width
        (or to the row's widest number, if that is wider)."""
        m = len(shapes)
        if m == 0:
            return np.array([], dtype=str)
        codes, lengths = number_codes(numbers)
        if self.zero_pad:
            row_width = np.maximum(lengths.max(axis=1, initial=0), self.number_width)
            want = np.where(numbers == ABSENT, 0, row_width[:, None])
            codes, lengths = left_zeros(codes, lengths, want), want
        chars = np.ascontiguousarray(shapes).view(np.uint32).reshape(m, -1)
        is_number = chars == ord("0")
        ordinal = np.maximum(np.cumsum(is_number, axis=1) - 1, 0)
        rows, slots = np.nonzero(chars != 0)
        placeholder = is_number[rows, slots]
        which = ordinal[rows, slots]
        literal = np.zeros((len(rows), codes.shape[-1]), np.uint32)
        literal[:, 0] = chars[rows, slots]
        piece = np.where(placeholder[:, None], codes[rows, which], literal)
        sizes = np.where(placeholder, lengths[rows, which], 1)
        longest = int((np.strings.str_len(shapes) - is_number.sum(axis=1) + lengths.sum(axis=1)).max())
        return scatter_pieces(rows, piece, sizes, m, longest)


def _long_numbers(typed: np.ndarray, digits: list[str], counts: np.ndarray) -> list[tuple[int, ExpressionError]]:
    """An error for each row with a number of more than MAX_DIGITS digits; its digits become "0" in ``digits``."""
    if not digits or max(map(len, digits)) <= MAX_DIGITS:
        return []
    errors = []
    ends = np.cumsum(counts)
    for k in [k for k, d in enumerate(digits) if len(d) > MAX_DIGITS]:
        digits[k] = "0"
        row = int(np.searchsorted(ends, k, side="right"))
        if errors and errors[-1][0] == row:
            continue
        found = re.search(f"[0-9]{{{MAX_DIGITS + 1},}}", str(typed[row]))
        column = found.start() + 1 if found else None
        size = len(found[0]) if found else MAX_DIGITS + 1
        errors.append((row, ExpressionError(
            f"the number at column {column} has {size:,} digits; arithseq reads numbers of at most {MAX_DIGITS:,}",
            str(typed[row]),
            column,
        )))
    return errors


def _numbers(digits: list[str], counts: np.ndarray) -> np.ndarray:
    """Each row's numbers in reading order, padded with ABSENT; Python ints when past int64."""
    m = len(counts)
    width = int(counts.max(initial=0))
    if not digits:
        return np.full((m, width), ABSENT, np.int64)
    flat = np.array(digits, dtype=str)
    if int(np.strings.str_len(flat).max()) > _INT64_DIGITS:
        values = np.array([int(d) for d in digits], dtype=object)
        out = np.full((m, width), ABSENT, dtype=object)
    else:
        values = flat.astype(np.int64)
        out = np.full((m, width), ABSENT, np.int64)
    rows = np.repeat(np.arange(m), counts)
    starts = np.cumsum(counts) - counts
    out[rows, np.arange(len(values)) - starts[rows]] = values
    return out
