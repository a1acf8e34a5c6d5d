"""What each tree node means: the operators shared by all grammars.

A grammar names its nodes with lark aliases (``-> add``); this module says what an
``add`` computes, with ints and :class:`fractions.Fraction`, never floats. A new
operator is one decorated function::

    @arithseq.node("mod", symbol="%")
    def mod(a, b):
        return a % b

``bound`` tells the sampler how large a result can get, so tokenizers can size
their outputs; it receives one :class:`Bound` per operand. ``vector`` (or the
:func:`vector_op` decorator) gives a numpy implementation over whole columns;
operators without one are evaluated row by row.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Union

import numpy as np

from ..options import Registry
from . import arrays
from .arrays import Pair

Value = Union[int, Fraction]

LEAF = "number"
"""The node every grammar uses for literal numbers; the sampler fills it from the task's value range."""

MAX_DIGITS = 4000
"""Digits of the longest number arithseq reads or writes (Python converts at most 4300 between text and int)."""
_MAX_BITS = 13287  # 2**13287 < 10**4000


def too_big(value: Value) -> bool:
    """Whether ``value`` (or a fraction's numerator or denominator) has more than MAX_DIGITS digits."""
    if isinstance(value, Fraction):
        return too_big(value.numerator) or too_big(value.denominator)
    return abs(int(value)).bit_length() > _MAX_BITS


@dataclass(frozen=True)
class Bound:
    """Upper bounds on a value written as a fraction: ``|numerator| <= num``, ``denominator <= den``."""

    num: int
    den: int = 1
    negative: bool = False


BoundFn = Callable[[Sequence[Bound]], Bound]
VectorFn = Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class Node:
    name: str
    fn: Callable[..., Value]
    arity: int
    symbol: str | None
    bound: BoundFn
    vector: VectorFn | None = None  # (num, den) pairs in -> (num, den, defined)


NODES: Registry[Node] = Registry("operator")


def _product_bound(args: Sequence[Bound]) -> Bound:
    num = den = 1
    for b in args:
        num *= b.num
        den *= b.den
    return Bound(num, den, any(b.negative for b in args))


def node(
    name: str,
    *,
    symbol: str | None = None,
    bound: BoundFn = _product_bound,
    vector: VectorFn | None = None,
    replace: bool = False,
) -> Callable:
    """Register the exact semantics of node ``name`` (decorator).

    ``symbol`` is how users select the operator in a task's ``operators`` option.
    The default ``bound`` assumes results grow no faster than a product of the
    operands (true of + - * and of max, min, mod, gcd); pass your own otherwise.
    """

    def register(fn: Callable[..., Value]) -> Callable[..., Value]:
        NODES.register(name, Node(name, fn, fn.__code__.co_argcount, symbol, bound, vector), replace=replace)
        return fn

    return register


def vector_op(name: str) -> Callable[[VectorFn], VectorFn]:
    """Give the registered node ``name`` a numpy implementation (decorator)."""

    def register(fn: VectorFn) -> VectorFn:
        NODES.register(name, dataclasses.replace(NODES.get(name), vector=fn), replace=True)
        return fn

    return register


def normalise(value: Value) -> Value:
    """Integers stay ints; a Fraction with denominator 1 becomes an int."""
    if isinstance(value, Fraction) and value.denominator == 1:
        return int(value.numerator)
    return value


def apply_per_row(node_: Node, args: list[Pair]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A node without a vector implementation, one row at a time; undefined rows are marked."""
    m = args[0][0].shape[0]
    num = np.zeros(m, object)
    den = np.ones(m, object)
    defined = np.ones(m, bool)
    for i in range(m):
        try:
            value = Fraction(normalise(node_.fn(*(Fraction(int(n[i]), int(d[i])) for n, d in args))))
        except (ArithmeticError, ValueError):
            defined[i] = False
            continue
        num[i], den[i] = value.numerator, value.denominator
    return num, den, defined


# -- the built-in operators ---------------------------------------------------------------
def _sum_bound(args: Sequence[Bound]) -> Bound:
    a, b = args
    return Bound(a.num * b.den + b.num * a.den, a.den * b.den, a.negative or b.negative)


def _difference_bound(args: Sequence[Bound]) -> Bound:
    total = _sum_bound(args)
    return Bound(total.num, total.den, True)


def _quotient_bound(args: Sequence[Bound]) -> Bound:
    a, b = args
    return Bound(a.num * b.den, a.den * b.num, a.negative or b.negative)


def _everywhere(shape) -> np.ndarray:
    return np.ones(shape, bool)


def _add_pairs(a: Pair, b: Pair):
    if arrays.all_integers(a[1], b[1]):
        return arrays.add(a[0], b[0]), a[1], _everywhere(a[0].shape)
    num, den = arrays.lowest_terms(arrays.add(arrays.mul(a[0], b[1]), arrays.mul(b[0], a[1])), arrays.mul(a[1], b[1]))
    return num, den, _everywhere(num.shape)


def _sub_pairs(a: Pair, b: Pair):
    return _add_pairs(a, (-b[0], b[1]))


def _mul_pairs(a: Pair, b: Pair):
    if arrays.all_integers(a[1], b[1]):
        return arrays.mul(a[0], b[0]), a[1], _everywhere(a[0].shape)
    num, den = arrays.lowest_terms(arrays.mul(a[0], b[0]), arrays.mul(a[1], b[1]))
    return num, den, _everywhere(num.shape)


def _div_pairs(a: Pair, b: Pair):
    defined = b[0] != 0
    divisor = np.where(defined, b[0], 1)
    num, den = arrays.lowest_terms(arrays.mul(a[0], b[1]), arrays.mul(a[1], divisor))
    return num, den, defined


def _neg_pairs(a: Pair):
    return -a[0], a[1], _everywhere(a[0].shape)


@node("add", symbol="+", bound=_sum_bound, vector=_add_pairs)
def add(a: Value, b: Value) -> Value:
    return a + b


@node("sub", symbol="-", bound=_difference_bound, vector=_sub_pairs)
def sub(a: Value, b: Value) -> Value:
    return a - b


@node("mul", symbol="*", vector=_mul_pairs)
def mul(a: Value, b: Value) -> Value:
    return a * b


@node("div", symbol="/", bound=_quotient_bound, vector=_div_pairs)
def div(a: Value, b: Value) -> Value:
    if b == 0:
        raise ZeroDivisionError("division by zero")
    return normalise(Fraction(a) / Fraction(b))


@node("neg", bound=lambda args: Bound(args[0].num, args[0].den, True), vector=_neg_pairs)
def neg(a: Value) -> Value:
    return -a
