"""What each tree node means: the registry of node names shared by all grammars.

A grammar names its nodes with lark aliases (``-> add``); this module says what an
``add`` computes, with ints and :class:`fractions.Fraction`, never floats. A new
operator is one decorated function::

    @arithseq.node("mod", symbol="%")
    def mod(a, b):
        return a % b

``bound`` tells the sampler how large a result can get, so tokenizers can size
their outputs; it receives one :class:`Bound` per operand.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Union

Value = Union[int, Fraction]

LEAF = "number"
"""The node every grammar uses for literal numbers; the sampler fills it from the task's value range."""


@dataclass(frozen=True)
class Bound:
    """Upper bounds on a value written as a fraction: ``|numerator| <= num``, ``denominator <= den``."""

    num: int
    den: int = 1
    negative: bool = False


BoundFn = Callable[[Sequence[Bound]], Bound]


@dataclass(frozen=True)
class Node:
    name: str
    fn: Callable[..., Value]
    arity: int
    symbol: str | None
    bound: BoundFn


NODES: dict[str, Node] = {}


def _product_bound(args: Sequence[Bound]) -> Bound:
    num = den = 1
    for b in args:
        num *= b.num
        den *= b.den
    return Bound(num, den, any(b.negative for b in args))


def node(name: str, *, symbol: str | None = None, bound: BoundFn = _product_bound) -> Callable:
    """Register the exact semantics of node ``name`` (decorator).

    ``symbol`` is how users select the operator in a task's ``operators`` option.
    The default ``bound`` assumes results grow no faster than a product of the
    operands (true of + - * and of max, min, mod, gcd); pass your own otherwise.
    """

    def register(fn: Callable[..., Value]) -> Callable[..., Value]:
        arity = fn.__code__.co_argcount
        NODES[name] = Node(name, fn, arity, symbol, bound)
        return fn

    return register


def normalise(value: Value) -> Value:
    """Integers stay ints; a Fraction with denominator 1 becomes an int."""
    if isinstance(value, Fraction) and value.denominator == 1:
        return int(value.numerator)
    return value


def _sum_bound(args: Sequence[Bound]) -> Bound:
    a, b = args
    return Bound(a.num * b.den + b.num * a.den, a.den * b.den, a.negative or b.negative)


def _div_bound(args: Sequence[Bound]) -> Bound:
    a, b = args
    return Bound(a.num * b.den, a.den * b.num, a.negative or b.negative)


@node("add", symbol="+", bound=_sum_bound)
def add(a: Value, b: Value) -> Value:
    return a + b


def _difference_bound(args: Sequence[Bound]) -> Bound:
    total = _sum_bound(args)
    return Bound(total.num, total.den, True)


@node("sub", symbol="-", bound=_difference_bound)
def sub(a: Value, b: Value) -> Value:
    return a - b


@node("mul", symbol="*")
def mul(a: Value, b: Value) -> Value:
    return a * b


@node("div", symbol="/", bound=_div_bound)
def div(a: Value, b: Value) -> Value:
    if b == 0:
        raise ZeroDivisionError("division by zero")
    return normalise(Fraction(a) / Fraction(b))


@node("neg", bound=lambda args: Bound(args[0].num, args[0].den, True))
def neg(a: Value) -> Value:
    return -a
