"""Column encoding: a sum or difference of up to three numbers as one token per column of digits.

Column ``i`` holds digit ``i`` of every number (numbers zero-filled to the number
of columns) and the operators between them: ``12+345-6`` with 5 columns is the
columns (0,3,0) (0,4,0) (1,5,0) (2,...) ... plus "+-" in every token. Written least
significant column first (reversed), a token is everything a network needs to
write digit ``i`` of the answer and pass a carry or borrow on. A row with fewer
numbers than ``terms`` reads as if the missing ones were ``+0``.

Token = operator index * 10**terms + the column's digits read as one number; the
vocabulary has ``10**terms * len(operators)**(terms-1)`` tokens (100 for sums of two).
"""

from __future__ import annotations

import numpy as np

from .errors import TokenizerError


def vocabulary_size(terms: int, operators: str) -> int:
    return 10**terms * len(operators) ** (terms - 1)


def encode_columns(texts: np.ndarray, columns: int, reverse: bool, terms: int = 2, operators: str = "+") -> np.ndarray:
    """Ids ``(n, columns)`` for expressions like ``a+b`` or ``a-b+c`` (digits and ``operators`` only)."""
    n = len(texts)
    if n == 0:
        return np.zeros((0, columns), np.int32)
    numbers, ops = _split(texts, terms, operators)
    ids = np.zeros((n, columns), np.int64)
    for j, part in enumerate(numbers):
        widths = np.strings.str_len(part)
        if int(widths.max()) > columns:
            i = int(widths.argmax())
            raise TokenizerError(
                f"input {str(texts[i])!r} has a number of {int(widths[i])} digits; this tokenizer reads {columns} columns"
            )
        ids += _digit_grid(part, columns) * 10 ** (terms - 1 - j)
    code = np.zeros(n, np.int64)
    for j, op in enumerate(ops):
        code = code * len(operators) + op
    ids += (code * 10**terms)[:, None]
    ids = ids.astype(np.int32)
    return ids[:, ::-1] if reverse else ids


def decode_columns(ids: np.ndarray, reverse: bool, terms: int = 2, operators: str = "+") -> np.ndarray:
    """Expressions (leading zeros removed; a missing last number reads ``+0``) from column ids."""
    if reverse:
        ids = ids[:, ::-1]
    n, columns = ids.shape
    digits, code = ids % 10**terms, ids[:, 0] // 10**terms if columns else np.zeros(n, np.int64)
    ops = []
    for _ in range(terms - 1):
        ops.append(np.array(list(operators))[code % len(operators)])
        code //= len(operators)
    ops = ops[::-1]
    text = None
    for j in range(terms):
        column = (digits // 10 ** (terms - 1 - j)) % 10
        grid = (column + ord("0")).astype(np.uint32).reshape(n, columns)
        strings = np.ascontiguousarray(grid).view(f"<U{columns}").ravel()
        stripped = np.strings.lstrip(strings, "0")
        number = np.where(stripped == "", "0", stripped)
        text = number if text is None else np.strings.add(np.strings.add(text, ops[j - 1]), number)
    return text


def _split(texts: np.ndarray, terms: int, operators: str) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The numbers (as digit strings) and operator indices of each row, vectorised; a missing
    number reads as 0 after a ``+``."""
    none = np.iinfo(np.int64).max
    numbers, ops, rest = [], [], texts
    for j in range(terms):
        empty = np.strings.str_len(rest) == 0
        head = rest
        if j < terms - 1:
            found = np.stack([np.strings.find(rest, o) for o in operators])
            found = np.where(found < 0, none, found)
            at = found.min(axis=0)
            has_op = at < none
            cut = np.where(has_op, at, np.strings.str_len(rest))
            head = np.strings.slice(rest, 0, cut)
            tail = np.strings.slice(rest, cut + 1, None)
            dangling = has_op & (np.strings.str_len(tail) == 0)
            ops.append(np.where(has_op, found.argmin(axis=0), 0))
            rest = np.where(has_op, tail, "")
        else:
            dangling = np.zeros(len(texts), bool)
        if j > 0:
            head = np.where(empty, "0", head)
        bad = ~np.strings.isdigit(head) | dangling
        if bad.any():
            text = str(texts[np.nonzero(bad)[0][0]])
            raise TokenizerError(
                f"column encoding reads up to {terms} numbers joined by {' or '.join(operators)}, got {text!r}"
            )
        numbers.append(head)
    return numbers, ops


def _digit_grid(numbers: np.ndarray, columns: int) -> np.ndarray:
    placed = np.strings.rjust(numbers, columns, "0").astype(f"<U{columns}")
    return np.ascontiguousarray(placed).view(np.uint32).reshape(len(numbers), columns).astype(np.int64) - ord("0")
