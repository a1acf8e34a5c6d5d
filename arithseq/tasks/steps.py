"""Reduction steps and the scratchpad targets written from them.

The exact evaluator applies operators in postfix order: innermost and highest
precedence first, leftmost first, one operation on one or two values per step.
Recorded, those steps give the target formats a network can be taught to write:

    answer     12+34*56  ->  1916
    trace      12+34*56  ->  34*56=1904;12+1904=1916
    sums       12+34+56  ->  46;102              (each step's result: running sums)
    products   34*56     ->  34*56=204+1700=1904 (partial products a*b_j*10^j first)

With ``carries`` (target products) every product of a multi-digit number by a
digit, partial or whole, is written after its carries, one per digit of the
number: ``34*56=22:204+12:1700=1904``, ``123*4=001:492``. Each digit of the
product then follows from one digit of the number, the multiplier and the
carry written for the column before, instead of from a chain of carries the
network must keep in mind (a multiplication carry is 0-8, not just 0 or 1).

With ``magnitudes`` a sum or difference of signed numbers is worked through the
magnitudes that give its result, its sign in front: ``12-34=-(34-12)=-22``,
``(-42)+81=81-42=39``, ``(-3)-2=-(3+2)=-5``. Nobody subtracts a larger number from a
smaller one digit by digit: the comparison is written down first, and the digits
are then a plain sum or a difference with no sign to settle at its end.

With ``complements`` a sum or difference of operands of opposite sign (zero
counted as positive) is written first as its ten's complement, one digit wider than its widest operand:
``52-58=994=-6``, ``58-52=006=6``, ``(-90)+3=913=-87``. Written least significant
digit first, each digit follows from its column and the borrow from the column
before, and the top digit (0 or 9) gives the sign: the sign is read off at the
end of a column-by-column computation instead of decided before any digit.

Operands that are negative or fractions are written in brackets (``(-3/4)*5``), so
every step reads as an expression of its own. With ``reverse_output`` every number
of a scratchpad is written least significant digit first, but the steps keep
their order: the final answer stays last.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import arrays
from .operators import NODES
from .options import TaskConfig, worked_steps
from .rendering import format_answers, reverse_text

SEPARATOR = ";"
CARRIED = ":"  # ends a product's carries (option carries)


@dataclass
class Steps:
    """Every step of a batch, grouped by row in evaluation order."""

    row: np.ndarray  # the expression each step belongs to (sorted)
    op: np.ndarray  # operator names
    left: tuple[np.ndarray, np.ndarray]  # numerator, denominator
    right: tuple[np.ndarray, np.ndarray] | None  # None where an operator is unary (all rows)
    unary: np.ndarray  # which steps have one operand
    result: tuple[np.ndarray, np.ndarray]
    split: bool = False  # rewritten into the steps the network is given (fraction_rules.split_steps)

    def __len__(self) -> int:
        return len(self.row)

    def take(self, rows: np.ndarray) -> Steps:
        """The steps of ``rows`` (indices into the batch), renumbered 0..len(rows)-1."""
        rows = np.asarray(rows, dtype=np.int64)
        position = np.full(max(int(self.row.max(initial=-1)), int(rows.max(initial=-1))) + 1, -1, np.int64)
        position[rows] = np.arange(len(rows))
        keep = position[self.row] >= 0 if len(self.row) else np.zeros(0, bool)
        new_row = position[self.row[keep]]
        order = np.argsort(new_row, kind="stable")
        pick = np.nonzero(keep)[0][order]
        return self._select(pick, new_row[order])

    def _select(self, index: np.ndarray, row: np.ndarray) -> Steps:
        pair = lambda p: None if p is None else (p[0][index], p[1][index])  # noqa: E731
        return Steps(row, self.op[index], pair(self.left), pair(self.right), self.unary[index], pair(self.result), self.split)

    @staticmethod
    def concat(parts: list[Steps], offsets: list[int]) -> Steps:
        if len({p.split for p in parts}) > 1:  # splitting twice would repeat a reduction's steps
            raise ValueError("cannot join steps split for the network with steps that are not")
        joined = lambda get: (arrays.concat([get(p)[0] for p in parts]), arrays.concat([get(p)[1] for p in parts]))  # noqa: E731
        return Steps(
            np.concatenate([p.row + o for p, o in zip(parts, offsets)]),
            np.concatenate([p.op for p in parts]),
            joined(lambda p: p.left),
            joined(lambda p: p.right),
            np.concatenate([p.unary for p in parts]),
            joined(lambda p: p.result),
            all(p.split for p in parts),
        )

    # -- text ---------------------------------------------------------------------------
    def expressions(self, align_sums: bool = False) -> np.ndarray:
        """Each step as an expression of its own: ``34*56``, ``(-2)-7``, ``-(3/4)``."""
        right = format_answers(*self.right) if self.right is not None else np.full(len(self), "0")
        return step_texts(self.op, format_answers(*self.left), right, self.unary, align_sums)

    def results(self) -> np.ndarray:
        return format_answers(*self.result)

    def row_starts(self, n_rows: int) -> tuple[np.ndarray, np.ndarray]:
        """Per step: its position within its row; per row: how many steps it has."""
        counts = np.bincount(self.row, minlength=n_rows)
        first = np.cumsum(counts) - counts
        return np.arange(len(self.row)) - first[self.row], counts


def record(events: list, n_rows: int) -> Steps:
    """Steps from the evaluator's recorded operations, grouped by row in evaluation order."""
    if not events:
        empty = np.zeros(0, np.int64)
        return Steps(empty, np.zeros(0, dtype=str), (empty, empty), (empty, empty), np.zeros(0, bool), (empty, empty))
    rows = np.concatenate([e[0] for e in events])
    order = np.argsort(rows, kind="stable")  # events come in evaluation order: stable keeps it per row
    ops = np.concatenate([np.full(len(e[0]), e[1]) for e in events])
    unary = np.concatenate([np.full(len(e[0]), len(e[2]) == 1) for e in events])
    left = (arrays.concat([e[2][0][0] for e in events]), arrays.concat([e[2][0][1] for e in events]))
    right = (
        arrays.concat([e[2][-1][0] for e in events]),
        arrays.concat([e[2][-1][1] for e in events]),
    )
    result = (arrays.concat([np.asarray(e[3]) for e in events]), arrays.concat([np.asarray(e[4]) for e in events]))
    steps = Steps(rows, ops, left, right, unary, result)
    return steps._select(order, rows[order])


def step_texts(op: np.ndarray, left: np.ndarray, right: np.ndarray, unary: np.ndarray, align_sums: bool = False) -> np.ndarray:
    """Steps as the network is asked them, from their operator names and operand texts (``right``
    is ignored where ``unary``): ``34*56``, ``(-2)-7``, ``-(3/4)``. With ``align_sums`` the two whole
    numbers of a sum or difference are zero-padded to the wider one's digits (``47+05``,
    ``(-03)-12``): text only, so the decoding loop asks its steps the way they were trained."""
    left, right = np.asarray(left, dtype=str), np.asarray(right, dtype=str)
    if align_sums and len(op):
        whole = (np.strings.find(left, "/") < 0) & (np.strings.find(right, "/") < 0)
        pad = np.isin(op, ("add", "sub")) & ~np.asarray(unary, bool) & whole
        signs = (np.strings.startswith(left, "-").astype(int), np.strings.startswith(right, "-").astype(int))
        digits = np.maximum(np.strings.str_len(left) - signs[0], np.strings.str_len(right) - signs[1])
        # numpy's zfill keeps a sign in front: its width counts the sign
        left = np.where(pad, np.strings.zfill(left, digits + signs[0]), left)
        right = np.where(pad, np.strings.zfill(right, digits + signs[1]), right)
    symbol = np.array([NODES.get(name).symbol or name for name in np.asarray(op).tolist()], dtype=str)
    left, right = bracketed(left), bracketed(right)
    return np.where(unary, np.strings.add("-", left), np.strings.add(np.strings.add(left, symbol), right))


def bracketed(values: np.ndarray) -> np.ndarray:
    """Values in brackets where they are negative or fractions, so a step reads unambiguously."""
    wrap = np.strings.startswith(values, "-") | (np.strings.find(values, "/") >= 0)
    return np.where(wrap, np.strings.add(np.strings.add("(", values), ")"), values)


def reverse_numbers(texts: np.ndarray) -> np.ndarray:
    """Every run of digits reversed in place: ``34*56=1904`` -> ``43*65=4091``."""
    if len(texts) == 0:
        return texts
    width = max(texts.dtype.itemsize // 4, 1)
    codes = np.ascontiguousarray(texts.astype(f"<U{width}")).view(np.uint32).reshape(len(texts), width)
    digit = (codes >= ord("0")) & (codes <= ord("9"))
    # a run's id: count of run starts so far; position within run from both ends
    starts = digit & ~np.concatenate([np.zeros((len(texts), 1), bool), digit[:, :-1]], axis=1)
    run = np.cumsum(starts, axis=1)
    index = np.broadcast_to(np.arange(width), codes.shape)
    key = np.where(digit, run, 0)
    first = np.zeros_like(codes, dtype=np.int64)
    last = np.zeros_like(codes, dtype=np.int64)
    for r in range(1, int(run.max(initial=0)) + 1):
        inside = key == r
        lo = np.where(inside, index, width).min(axis=1, keepdims=True)
        hi = np.where(inside, index, -1).max(axis=1, keepdims=True)
        first = np.where(inside, lo, first)
        last = np.where(inside, hi, last)
    source = np.where(digit, first + last - index, index)
    out = np.take_along_axis(codes, source, axis=1)
    return np.ascontiguousarray(out).view(f"<U{width}").ravel()


def final_answers(texts: np.ndarray, target: str, reverse: bool) -> np.ndarray:
    """The answer a scratchpad ends with (after its last ``;``, ``=`` and carries' ``:``), digits back in reading order."""
    if target in ("answer", "reversed"):
        return texts
    last = np.strings.rpartition(np.strings.rpartition(texts, SEPARATOR)[2], "=")[2]
    last = np.strings.rpartition(last, CARRIED)[2]
    return reverse_numbers(last) if reverse else last


def scratchpads(steps: Steps, answers: np.ndarray, config: TaskConfig) -> np.ndarray:
    """The target text of every row (``answers`` are the rows' final answers, for rows without steps),
    as a task's ``config`` (a TaskConfig) writes it: its target, reverse_output, magnitudes, complements."""
    target, reverse, n = config.target, config.reverse_output, len(answers)
    exprs, results = steps.expressions(), steps.results()
    if target == "sums":
        segment = results
    else:
        worked, results = _worked(steps, results, config)
        worked = np.where(worked == "", worked, np.strings.add(worked, "="))
        segment = np.strings.add(np.strings.add(np.strings.add(exprs, "="), worked), results)
    position, counts = steps.row_starts(n)
    out = np.where(counts == 0, answers, "").astype(object)
    for p in range(int(counts.max(initial=0))):
        here = position == p
        rows = steps.row[here]
        joiner = "" if p == 0 else SEPARATOR
        out[rows] = out[rows] + joiner + segment[here].astype(object)
    text = out.astype(str)
    return reverse_numbers(text) if reverse else text


def _worked(steps: Steps, results: np.ndarray, config: TaskConfig) -> tuple[np.ndarray, np.ndarray]:
    """Each step's working ("" where it has none) and its result, carries in front where ``config``
    asks for them: a product's partial products (target products, or partial_products with target
    steps), a signed sum's magnitudes or its complement."""
    worked = np.full(len(steps.row), "", dtype=str)
    if config.target == "products" or (config.target == "steps" and config.partial_products):
        worked = np.where(_multiplied(steps), _partial_products(steps, config.carries), worked)
    if config.carries:
        results = np.strings.add(_carries(steps), results)
    if config.magnitudes:
        worked = np.where(worked == "", _magnitudes(steps), worked)
    if config.complements:
        worked = np.where(worked == "", _complements(steps, config.borrows), worked)
    return worked, results


def step_targets(steps: Steps, config: TaskConfig) -> np.ndarray:
    """What a network computing one step at a time (target steps) writes for each step: its result,
    after its working where ``config`` asks for one (partial_products, carries, complements or
    magnitudes; a division's or a fraction's working with ``fractions``), numbers reversed with
    reverse_output where anything is worked."""
    worked, results = _worked(steps, steps.results(), config)
    results = np.where(worked == "", results, np.strings.add(np.strings.add(worked, "="), results))
    if config.fractions:
        work = _fraction_work(steps)
        results = np.where(work == "", results, np.strings.add(work, results))
    if config.forward_quotients:  # the tokenizer reverses every target: a division's is reversed first
        results = np.where(steps.op == "div", reverse_text(results), results)
    return reverse_numbers(results) if config.reverse_output and worked_steps(config) else results


def _fraction_work(steps: Steps) -> np.ndarray:
    """A division's or a fraction's working, before its result: each product of a numerator or
    denominator that is not a product by 1, the numerators' sum, then the fraction before its
    reduction where there is one (``(9/8)-7`` -> ``7*8=56;9-56=-47;``, ``(3/2)/6`` -> ``2*6=12;3/12=``,
    ``16/14`` -> ``16/14=``): every part is a whole-number step of its own, the reduction comes last."""
    if steps.right is None or not len(steps.row):
        return np.zeros(len(steps.row), dtype=str)
    out = []
    for op, a, b, c, d, unary in zip(steps.op.tolist(), steps.left[0].tolist(), steps.left[1].tolist(),
                                     steps.right[0].tolist(), steps.right[1].tolist(), steps.unary.tolist()):
        if unary or op not in ("add", "sub", "mul", "div") or (b == 1 and d == 1 and op != "div"):
            out.append("")
            continue
        parts: list[str] = []
        if op == "mul":
            top, bottom = _product(parts, a, c), _product(parts, b, d)
        elif op == "div":
            top, bottom = _product(parts, a, d), _product(parts, b, c)
        else:
            left, right, bottom = _product(parts, a, d), _product(parts, c, b), _product(parts, b, d)
            symbol = "+" if op == "add" else "-"
            top = left + right if op == "add" else left - right
            parts.append(f"{left}{symbol}{_operand(right)}={top}")
        if bottom < 0 or math.gcd(top, bottom) != 1 or bottom == 1:  # the fraction still to reduce
            out.append(";".join([*parts, f"{top}/{_operand(bottom)}"]) + "=")
        else:
            out.append(";".join(parts) + ";" if parts else "")
    return np.array(out, dtype=str)


def _product(parts: list[str], x: int, y: int) -> int:
    """``x*y``, its working added to ``parts`` unless it is a product by 1."""
    if x != 1 and y != 1:
        parts.append(f"{_operand(x)}*{_operand(y)}={x * y}")
    return x * y


def _operand(value: int) -> str:
    return f"({value})" if value < 0 else str(value)


def _whole_products(steps: Steps) -> np.ndarray:
    """Products of two whole numbers (steps with a right operand only)."""
    return (steps.op == "mul") & (steps.left[1] == 1) & (steps.right[1] == 1)


def _multiplied(steps: Steps) -> np.ndarray:
    """Products of two whole numbers whose right factor has more than one digit."""
    if steps.right is None or not len(steps.row):
        return np.zeros(len(steps.row), bool)
    return _whole_products(steps) & (np.abs(steps.right[0].astype(object)) >= 10).astype(bool)


def _signed_sums(steps: Steps) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every step as a sum ``a + b`` of signed Python ints (exact at any width; a difference's ``b``
    negated), and which steps are sums or differences of two whole numbers."""
    a, right = steps.left[0].astype(object), steps.right[0].astype(object)
    whole = (steps.left[1] == 1) & (steps.right[1] == 1) & ~steps.unary & np.isin(steps.op, ("add", "sub"))
    return a, np.where(steps.op == "sub", -right, right), whole


def _magnitudes(steps: Steps) -> np.ndarray:
    """A signed sum or difference of whole numbers as the operation on magnitudes that gives its
    result, sign in front (``-(34-12)`` for 12-34); "" where the step reads so already (``a+b``,
    ``a-b`` with a >= b >= 0) and for every other step."""
    if steps.right is None or not len(steps.row):
        return np.zeros(len(steps.row), dtype=str)
    a, b, whole = _signed_sums(steps)
    subtract = steps.op == "sub"
    a_up, b_up = (a >= 0).astype(bool), (b >= 0).astype(bool)
    as_computed = (a_up & b_up & ~subtract) | (subtract & (a >= -b).astype(bool) & (b <= 0).astype(bool))
    text_a, text_b = np.abs(a).astype(str), np.abs(b).astype(str)
    plus, minus = np.where(a_up, a, b), np.where(a_up, -b, -a)  # where the signs differ
    text_plus, text_minus = plus.astype(str), minus.astype(str)
    differences = np.where(
        (plus >= minus).astype(bool),
        np.strings.add(np.strings.add(text_plus, "-"), text_minus),
        np.strings.add(np.strings.add(np.strings.add(np.strings.add("-(", text_minus), "-"), text_plus), ")"),
    )
    sums = np.strings.add(np.strings.add(text_a, "+"), text_b)
    return np.select(
        [~whole | as_computed, a_up & b_up, ~a_up & ~b_up],
        [np.array("", dtype=str), sums, np.strings.add(np.strings.add("-(", sums), ")")],
        differences,
    )


def _complements(steps: Steps, borrows: bool = False) -> np.ndarray:
    """The ten's complement of a whole-number sum or difference of operands of opposite effective
    sign, one digit wider than the widest operand (``994`` for 52-58); "" for every other step.
    With ``borrows`` each comes after its borrows, one per column (``111:994``)."""
    if steps.right is None or not len(steps.row):
        return np.zeros(len(steps.row), dtype=str)
    a, signed, whole = _signed_sums(steps)
    mixed = whole & ((a < 0) != (signed < 0)).astype(bool)
    width = np.maximum(np.strings.str_len(np.abs(a).astype(str)), np.strings.str_len(np.abs(signed).astype(str))) + 1
    complement = np.where(mixed, (a + signed) % (10 ** width.astype(object)), 0)
    out = np.where(mixed, np.strings.zfill(complement.astype(str), width), "")
    if borrows:
        written = [_borrowed(x, y, w) if here else "" for x, y, w, here in zip(a.tolist(), signed.tolist(), width.tolist(), mixed.tolist())]
        out = np.strings.add(np.array(written, dtype=str), out)
    return out


def _borrowed(a: int, b: int, width: int) -> str:
    """The borrows of ``a + b`` (one of them negative) worked as a difference, column by column over
    ``width`` columns, most significant first, then ``:``: ``111:`` for 52-58."""
    top, bottom = (str(abs(v)).zfill(width)[::-1] for v in ((a, -b) if a >= 0 else (b, -a)))
    borrow, written = 0, []
    for x, y in zip(top, bottom):
        borrow = int(int(x) - int(y) - borrow < 0)
        written.append(borrow)
    return _written(written)


def _written(per_column: list[int]) -> str:
    """Carries or borrows worked least significant column first, written as a number (most
    significant first) and ended by ``:``."""
    return "".join(map(str, reversed(per_column))) + CARRIED


def _partial_products(steps: Steps, carries: bool = False) -> np.ndarray:
    """``a*b_0 + a*b_1*10 + ...`` written out: ``204+1700`` for 34*56 (Python ints: exact); with
    ``carries`` each after its carries (``22:204+12:1700``)."""
    out = []
    for a, b, many in zip(steps.left[0].tolist(), steps.right[0].tolist(), _multiplied(steps).tolist()):
        if not many:
            out.append("")
            continue
        sign = -1 if b < 0 else 1
        digits = str(abs(b))[::-1]
        out.append("+".join((_carried(a, int(d)) if carries else "") + str(a * sign * int(d) * 10**j) for j, d in enumerate(digits)))
    return np.array(out, dtype=str)


def _carried(a: int, digit: int) -> str:
    """The carries of ``|a|*digit``, one per digit of ``a``, most significant first, then ``:``
    ("" for a one-digit ``a``): ``22:`` for 34*6."""
    if abs(a) < 10:
        return ""
    carry, written = 0, []
    for place in str(abs(a))[::-1]:
        carry = (int(place) * digit + carry) // 10
        written.append(carry)
    return _written(written)


def _carries(steps: Steps) -> np.ndarray:
    """The carries before each whole product by a one-digit number (``_carried``), "" for every other step."""
    if steps.right is None or not len(steps.row):
        return np.zeros(len(steps.row), dtype=str)
    by_digit = (_whole_products(steps) & (np.abs(steps.right[0].astype(object)) < 10).astype(bool)).tolist()
    lefts, rights = steps.left[0].tolist(), steps.right[0].tolist()
    return np.array([_carried(a, abs(b)) if here else "" for a, b, here in zip(lefts, rights, by_digit)], dtype=str)
