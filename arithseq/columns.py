"""Column-pair encoding: a sum of two numbers as one token per column of digits.

``12+345`` with 4 columns is the digit pairs (0,3) (0,4) (1,5) (2,...)... written
least significant column first when reversed: column ``i`` holds digit ``i`` of
both numbers, so token ``10*a_i + b_i`` is everything a network needs to write
digit ``i`` of the answer and the carry into the next column. Numbers are
zero-filled to the number of columns; the tokens are ``"00"`` .. ``"99"``.
"""

from __future__ import annotations

import numpy as np

from .errors import TokenizerError

SIZE = 100  # one token per pair of digits


def encode_columns(texts: np.ndarray, columns: int, reverse: bool) -> np.ndarray:
    """Ids ``(n, columns)`` for ``a+b`` strings (digits only, each number at most ``columns`` digits)."""
    n = len(texts)
    if n == 0:
        return np.zeros((0, columns), np.int32)
    first, plus, second = np.strings.partition(texts, "+")
    good = (plus == "+") & np.strings.isdigit(first) & np.strings.isdigit(second)
    if not good.all():
        text = str(texts[np.nonzero(~good)[0][0]])
        raise TokenizerError(f"column encoding reads sums of two numbers like '12+50', got {text!r}")
    for part in (first, second):
        widths = np.strings.str_len(part)
        if int(widths.max()) > columns:
            i = int(widths.argmax())
            raise TokenizerError(
                f"input {str(texts[i])!r} has a number of {int(widths[i])} digits; this tokenizer reads {columns} columns"
            )
    digits = [_digit_grid(part, columns) for part in (first, second)]
    ids = (10 * digits[0] + digits[1]).astype(np.int32)
    return ids[:, ::-1] if reverse else ids


def decode_columns(ids: np.ndarray, reverse: bool) -> np.ndarray:
    """``a+b`` strings (leading zeros removed) from column ids ``(n, columns)``."""
    if reverse:
        ids = ids[:, ::-1]
    n, columns = ids.shape
    parts = []
    for digits in (ids // 10, ids % 10):
        text = (digits + ord("0")).astype(np.uint32).reshape(n, columns)
        strings = np.ascontiguousarray(text).view(f"<U{columns}").ravel()
        stripped = np.strings.lstrip(strings, "0")
        parts.append(np.where(stripped == "", "0", stripped))
    return np.strings.add(np.strings.add(parts[0], "+"), parts[1])


def _digit_grid(numbers: np.ndarray, columns: int) -> np.ndarray:
    placed = np.strings.rjust(numbers, columns, "0").astype(f"<U{columns}")
    return np.ascontiguousarray(placed).view(np.uint32).reshape(len(numbers), columns) - ord("0")
