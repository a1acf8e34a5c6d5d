"""Text from numbers, for whole batches: digits, expressions and answers, built column-wise with numpy."""

from __future__ import annotations

import functools
from fractions import Fraction

import numpy as np

from .arrays import ABSENT
from .operators import Value
from .exact import template_groups
from .sampler import EMPTY, DerivationTable

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


def number_codes(numbers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Left-aligned digit codes ``(m, k, width)`` and lengths (0 where absent) of non-negative numbers."""
    absent = numbers == ABSENT
    if numbers.dtype == object:
        text = np.array([str(v) for v in numbers.ravel()], dtype=str).reshape(numbers.shape)
        width = max(int(np.strings.str_len(text).max(initial=1)), 1)
        codes = np.ascontiguousarray(text.astype(f"<U{width}")).view(np.uint32).reshape(*numbers.shape, width)
        lengths = np.strings.str_len(text).astype(np.int64)
    else:
        values = np.where(absent, 0, numbers)
        codes, lengths = digit_codes(values, len(str(int(values.max(initial=0)))))
    return codes, np.where(absent, 0, lengths)


def left_zeros(codes: np.ndarray, lengths: np.ndarray, want: np.ndarray) -> np.ndarray:
    """Digit codes zero-padded on the left from ``lengths`` to ``want`` characters."""
    width = max(int(want.max(initial=1)), 1)
    k = np.arange(width)
    shift = (want - lengths)[..., None]
    source = k - shift
    inside = (source >= 0) & (source < lengths[..., None])
    picked = np.take_along_axis(codes, np.clip(source, 0, codes.shape[-1] - 1), axis=-1)
    return np.where(inside, picked, np.where(k < want[..., None], ord("0"), 0)).astype(np.uint32)


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


class ExpressionRenderer:
    """Expression strings from sampled derivations: the literals of the grammar and the numbers."""

    def __init__(self, table: DerivationTable, number_width: int, zero_pad: bool, max_length: int, align: bool = False) -> None:
        self.table = table
        self.align = align and not zero_pad  # each expression's numbers zero-padded to its widest
        self.number_width = number_width
        self.zero_pad = zero_pad
        self.max_length = max_length
        literals = table.tokens
        widest = max([len(t) for t in literals] + [number_width])
        self._literal_codes = np.zeros((len(literals) + 2, widest), np.uint32)
        for i, text in enumerate(literals):
            self._literal_codes[i, : len(text)] = [ord(c) for c in text]
        self._literal_lengths = np.array([len(t) for t in literals] + [0, 0], np.int64)

    def render(self, infix: np.ndarray, leaves: np.ndarray, template: np.ndarray | None) -> np.ndarray:
        """Expression strings, built column-wise (no per-row Python)."""
        m = infix.shape[0]
        if m == 0:
            return np.array([], dtype=str)
        width = self.number_width
        if leaves.dtype == object:  # numbers past int64
            number, number_len = number_codes(leaves)
            if self.zero_pad:
                number, number_len = left_zeros(number, number_len, np.full(leaves.shape, width)), np.full(leaves.shape, width)
            width = number.shape[-1]
        else:
            number, number_len = digit_codes(leaves, width, zero_pad=self.zero_pad)
        if self.align:
            real = np.arange(leaves.shape[1]) < (infix == self.table.leaf_code).sum(axis=1)[:, None]
            widest = np.where(real, number_len, 0).max(axis=1, initial=1)
            want = np.where(real, widest[:, None], number_len)
            number, number_len = left_zeros(number, number_len, want), want
            width = number.shape[-1]
        if template is not None:
            strings = np.ascontiguousarray(number).view(f"<U{width}")[..., 0]
            return self._render_templates(template, strings)
        # general case: scatter the characters of the pieces that exist
        leaf_code = self.table.leaf_code
        ordinal = np.maximum(np.cumsum(infix == leaf_code, axis=1) - 1, 0)
        rows, slots = np.nonzero(infix != EMPTY)
        code = infix[rows, slots]
        leaf = code == leaf_code
        which = ordinal[rows, slots]
        codes = np.where(leaf[:, None], number[rows, which], self._literal_codes[code])
        sizes = np.where(leaf, number_len[rows, which], self._literal_lengths[code])
        return scatter_pieces(rows, codes, sizes, m, self.max_length)

    def _render_templates(self, template: np.ndarray, numbers: np.ndarray) -> np.ndarray:
        """Each template is a fixed sequence of literals and number columns: concatenate columns."""
        table = self.table
        out = np.empty(len(template), f"<U{self.max_length}")
        for k, rows in template_groups(template, len(table.templates[0])):
            text, column, literal = None, 0, ""
            for code in table.templates[0][k].tolist():
                if code == EMPTY:
                    break
                if code != table.leaf_code:
                    literal += table.tokens[code]
                    continue
                piece = numbers[rows, column]
                column += 1
                if literal:
                    text = literal if text is None else np.strings.add(text, literal)
                    literal = ""
                text = piece if text is None else np.strings.add(text, piece)
            if literal:
                text = np.strings.add(text, literal)
            out[rows] = text
        return out


def reverse_text(texts: np.ndarray) -> np.ndarray:
    """Every text reversed character by character: ``-16/3`` -> ``3/61-``."""
    if len(texts) == 0:
        return texts
    width = max(texts.dtype.itemsize // 4, 1)
    codes = np.ascontiguousarray(texts.astype(f"<U{width}")).view(np.uint32).reshape(len(texts), width)
    length = np.strings.str_len(texts.astype(f"<U{width}"))[:, None]
    index = np.arange(width)[None, :]
    flipped = np.take_along_axis(codes, np.clip(length - 1 - index, 0, width - 1), axis=1)
    return np.where(index < length, flipped, 0).astype(np.uint32).view(f"<U{width}").reshape(len(texts))
