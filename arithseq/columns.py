"""Column encoding: up to three numbers joined by + - (four by +, two by *) as one token per column of digits.

Column ``i`` holds digit ``i`` of every number (numbers zero-filled to the number
of columns) and the operators between them: ``12+345-6`` with 5 columns is the
columns (2,5,6) (1,4,0) (0,3,0) (0,0,0) (0,0,0) with "+-" in every token, least
significant first when reversed. A token is everything a network needs to write
digit ``i`` of the answer and pass a carry or borrow on. A row with fewer numbers
than ``terms`` reads as if the missing ones were ``+0``.

A product of two numbers (the right one below 100) puts in column ``i`` digit ``a_i``
of the left factor and the whole right factor ``b``: the multiplier every column
needs, in place. (Giving ``a_(i-1)`` too, so that the two partial products meeting in
a column are both in its token, was measured worse: 10,000 ids per block learn
slower than 1,000, and the network keeps the previous digit in its state anyway.)

Ids come in blocks, one per combination of signs (``signed``: a negative number is
written in brackets, ``(-12)*34``, as the steps of a reduction are) and operators:
``10**terms`` ids per block, 1,000 for a product.
"""

from __future__ import annotations

import itertools

import numpy as np

from .errors import TokenizerError, shown

NEGATIVE = "~"  # stands for "(-" while splitting: a negative number's sign is not an operator
MULTIPLIER = 100  # a product's right factor (below 100) is given whole in every column


def _blocks(terms: int, operators: str, signed: bool) -> tuple[list[tuple[tuple[int, ...], tuple[bool, ...]]], np.ndarray]:
    """Every (operators, signs) combination and the first id of its block (the last entry: the total)."""
    combos = [
        (ops, signs)
        for ops in itertools.product(range(len(operators)), repeat=terms - 1)
        for signs in itertools.product((False, True), repeat=terms if signed else 0)
    ]
    sizes = [10 * MULTIPLIER if "*" in operators and operators[ops[0]] == "*" else 10**terms for ops, _ in combos]
    return combos, np.concatenate([[0], np.cumsum(sizes)])


def vocabulary_size(terms: int, operators: str, signed: bool = False) -> int:
    return int(_blocks(terms, operators, signed)[1][-1])


def encode_columns(
    texts: np.ndarray, columns: int, reverse: bool, terms: int = 2, operators: str = "+", signed: bool = False
) -> np.ndarray:
    """Ids ``(n, columns)`` for expressions like ``a+b``, ``a-b+c`` or, ``signed``, ``(-12)*34``."""
    n = len(texts)
    if n == 0:
        return np.zeros((0, columns), np.int32)
    if "*" in operators and terms != 2:
        raise TokenizerError("column encoding reads products of two numbers only")
    source = texts
    if signed:
        texts = np.strings.replace(np.strings.replace(texts, "(-", NEGATIVE), ")", "")
    numbers, ops = _split(texts, terms, operators, source, signed)
    signs = [np.strings.startswith(part, NEGATIVE) for part in numbers] if signed else []
    numbers = [np.strings.lstrip(part, NEGATIVE) for part in numbers] if signed else numbers
    grids = []
    for part in numbers:
        widths = np.strings.str_len(part)
        if int(widths.max()) > columns:
            i = int(widths.argmax())
            raise TokenizerError(
                f"input {shown(str(source[i]))} has a number of {int(widths[i])} digits; this tokenizer reads {columns} columns"
            )
        grids.append(_digit_grid(part, columns)[:, ::-1])  # column 0: the units
    x = sum(grid * 10 ** (terms - 1 - j) for j, grid in enumerate(grids))
    if "*" in operators:
        product = ops[0] == operators.index("*")
        factor = np.where(product, np.strings.lstrip(numbers[1], "0"), "0")
        big = np.strings.str_len(factor) > 2
        if big.any():
            raise TokenizerError(
                f"column encoding gives a product's right factor whole to every column, so it must be below "
                f"{MULTIPLIER}; got {shown(str(source[np.nonzero(big)[0][0]]))}"
            )
        factor = np.where(factor == "", "0", factor).astype(np.int64)
        x = np.where(product[:, None], grids[0] * MULTIPLIER + factor[:, None], x)
    _, base = _blocks(terms, operators, signed)
    row_ops = np.stack(ops, axis=1) if ops else np.zeros((n, 0), np.int64)
    row_signs = np.stack(signs, axis=1) if signs else np.zeros((n, 0), bool)
    block = _block_index(row_ops, row_signs, operators)
    ids = (base[block][:, None] + x).astype(np.int32)
    return ids if reverse else ids[:, ::-1]


def _block_index(row_ops: np.ndarray, row_signs: np.ndarray, operators: str) -> np.ndarray:
    """The block of each row, vectorised (combos enumerate operators first, signs second)."""
    block = np.zeros(len(row_ops), np.int64)
    for j in range(row_ops.shape[1]):
        block = block * len(operators) + row_ops[:, j]
    for j in range(row_signs.shape[1]):
        block = block * 2 + row_signs[:, j]
    return block


def decode_columns(
    ids: np.ndarray, reverse: bool, terms: int = 2, operators: str = "+", signed: bool = False
) -> np.ndarray:
    """Expressions (leading zeros removed; a missing last number reads ``+0``) from column ids."""
    ids = ids if reverse else ids[:, ::-1]  # column 0: the units
    n, columns = ids.shape
    combos, base = _blocks(terms, operators, signed)
    block = np.searchsorted(base, ids[:, 0], side="right") - 1 if columns else np.zeros(n, np.int64)
    x = ids - base[block][:, None]
    row_ops = np.array([combos[b][0] for b in block.tolist()], np.int64).reshape(n, terms - 1)
    row_signs = np.array([combos[b][1] for b in block.tolist()], bool).reshape(n, terms if signed else 0)
    product = ("*" in operators) & (row_ops[:, 0] == operators.find("*")) if terms > 1 else np.zeros(n, bool)
    parts = []
    for j in range(terms):
        digit = (x // 10 ** (terms - 1 - j)) % 10
        if j == 0:
            digit = np.where(product[:, None], x // MULTIPLIER, digit)
        parts.append(_number_text(digit))
    if product.any():
        parts[1] = np.where(product, (x[:, 0] % MULTIPLIER).astype(str), parts[1])
    text = None
    for j, number in enumerate(parts):
        if signed:
            number = np.where(row_signs[:, j], np.strings.add(np.strings.add("(-", number), ")"), number)
        op = np.array(list(operators))[row_ops[:, j - 1]] if j else None
        text = number if text is None else np.strings.add(np.strings.add(text, op), number)
    return text


def _number_text(digits: np.ndarray) -> np.ndarray:
    """Numbers from their digits, units first; leading zeros removed."""
    n, columns = digits.shape
    grid = (digits[:, ::-1] + ord("0")).astype(np.uint32)
    strings = np.ascontiguousarray(grid).view(f"<U{columns}").ravel()
    stripped = np.strings.lstrip(strings, "0")
    return np.where(stripped == "", "0", stripped)


def _split(
    texts: np.ndarray, terms: int, operators: str, source: np.ndarray, signed: bool
) -> tuple[list[np.ndarray], list[np.ndarray]]:
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
        digits = np.strings.lstrip(head, NEGATIVE) if signed else head
        bad = ~np.strings.isdigit(digits) | dangling | (np.strings.count(head, NEGATIVE) > 1)
        if bad.any():
            text = str(source[np.nonzero(bad)[0][0]])
            raise TokenizerError(
                f"column encoding reads up to {terms} numbers joined by {' or '.join(operators)}, got {shown(text)}"
            )
        numbers.append(head)
    return numbers, ops


def _digit_grid(numbers: np.ndarray, columns: int) -> np.ndarray:
    placed = np.strings.rjust(numbers, columns, "0").astype(f"<U{columns}")
    return np.ascontiguousarray(placed).view(np.uint32).reshape(len(numbers), columns).astype(np.int64) - ord("0")


def column_places(shape: tuple[int, int], reverse: bool) -> np.ndarray:
    """Each column token's place value (1 = units): columns are written units first when ``reverse``."""
    n, length = shape
    place = np.arange(1, length + 1) if reverse else np.arange(length, 0, -1)
    return np.broadcast_to(place, (n, length)).astype(np.int32)


def digit_places(digits: np.ndarray, reverse: bool) -> np.ndarray:
    """Each character's place value in its number (1 = units digit; 0 where ``digits`` is False), from a
    boolean grid ``(n, length)`` of which characters are digits. A number's units digit is its last
    character, or its first when the text is reversed: count along each run of digits from that end."""
    run = digits if reverse else digits[:, ::-1]
    counted = np.cumsum(run, axis=1, dtype=np.int32)
    restart = np.maximum.accumulate(np.where(run, 0, counted), axis=1)
    place = (counted - restart) * run
    return (place if reverse else place[:, ::-1]).astype(np.int32)
