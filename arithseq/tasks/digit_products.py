"""Long multiplication in a decoding loop: a product by a digit asked one digit at a time.

With the task option ``digit_products`` (target steps), a product of a whole number of
two or more digits by a nonzero digit is not given to the network as it stands. The loop
asks for it the way it is done on paper, one digit of the long number at a time, from
the units up: that digit times the multiplier, then that plus the carry from the digit
before. Of what the network writes, the last character is the product's digit and the
rest is the carry into the next digit; for the leading digit, asked last, what the
network writes goes in front as it stands:

    336*5  ->  6*5 = 30        digit 0, carry 3
               3*5 = 15, 15+3 = 18   digit 8, carry 1
               3*5 = 15, 15+1 = 16   the last: 16, so 1680

A negative number's digits carry its sign (``(-336)*5`` asks ``(-6)*5``, ``(-15)+(-3)``,
and so on, to ``-1680``). Every step is then a product of two digits or a sum of a
number between -90 and 90 and a one-digit carry of the same sign, kinds seen thousands of times an epoch, where a product of a
three-digit number by a digit is seen a few times. Splitting what the network wrote into
its last character and the rest, and writing the digits side by side, is text: the loop
takes no arithmetic. The network is trained on the same steps (:func:`digit_steps`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from . import arrays
from .splicing import Piece, spliced, whole
from .steps import Steps

WHOLE = re.compile(r"-?\d+")
ONE_DIGIT = re.compile(r"-?[1-9]")
LONG = re.compile(r"-?[1-9]\d+")


@dataclass
class LongProduct:
    """A product asked digit by digit in the loop: what to ask next, and what was written so far."""

    digits: list[str]  # the long number's digits, units first, each with the number's sign ("-3"; "0" without)
    multiplier: str
    multiplier_first: bool  # the digit was on the left: the steps keep that order
    at: int = 0
    carry: str = ""  # into the digit at `at`, as the network wrote it ("": none)
    product: str = ""  # the digit's product, written, waiting for its carry
    written: list[str] = field(default_factory=list)  # the result's digits so far, units first

    @classmethod
    def of(cls, left: str, right: str) -> LongProduct | None:
        """The long product for ``left*right``, or None where it is not a whole number of two or
        more digits times a nonzero digit."""
        for long, digit, first in ((left, right, False), (right, left, True)):
            if LONG.fullmatch(long) and ONE_DIGIT.fullmatch(digit):
                sign, body = ("-", long[1:]) if long.startswith("-") else ("", long)
                return cls([sign + d if d != "0" else d for d in reversed(body)], digit, first)
        return None

    def step(self) -> tuple[str, str, str]:
        """The next step to ask: (operator, left, right)."""
        if self.product:
            return "add", self.product, self.carry
        pair = (self.multiplier, self.digits[self.at]) if self.multiplier_first else (self.digits[self.at], self.multiplier)
        return "mul", *pair

    def take(self, value: str) -> str | None:
        """Take what the network wrote for :meth:`step`: the product's text once it is complete,
        else None. Raises ValueError where ``value`` is not a whole number (the row fails)."""
        if not WHOLE.fullmatch(value):
            raise ValueError(value)
        if self.carry and not self.product:
            self.product = value  # the carry is added next
            return None
        self.product = ""
        if self.at == len(self.digits) - 1:
            return value + "".join(reversed(self.written))
        self.written.append(value[-1])
        rest = value[:-1]
        self.carry = "" if rest in ("", "-") else rest
        self.at += 1
        return None


def digit_steps(steps: Steps) -> Steps:
    """``steps`` with each product of a whole number of two or more digits by a nonzero digit
    replaced by the steps :class:`LongProduct` asks for it, in the same order; every other step
    as it is. The steps' values are exact: a digit's product and its sum with the carry."""
    if steps.right is None or not len(steps):
        return steps
    (a, b), (c, d) = steps.left, steps.right
    whole_numbers = ~steps.unary & (steps.op == "mul") & (b == 1) & (d == 1)
    small = lambda x: np.asarray((x != 0) & (x > -10) & (x < 10), bool)  # noqa: E731
    big = lambda x: np.asarray((x <= -10) | (x >= 10), bool)  # noqa: E731
    first = whole_numbers & small(a) & big(c)  # the digit on the left
    split = (whole_numbers & small(c) & big(a)) | first
    if not split.any():
        return steps
    index = np.nonzero(split)[0]
    first = first[index]
    long = np.where(first, c[index], a[index])
    digit = np.where(first, a[index], c[index])
    negative = np.asarray(long < 0, bool)
    magnitude = np.where(negative, -long, long)
    count = arrays.digit_counts(magnitude)
    width = int(count.max())
    carry = np.zeros(len(index), dtype=magnitude.dtype)
    pieces = []
    for k in range(width):
        pick = np.nonzero(count > k)[0]
        place = (magnitude[pick] // 10**k) % 10
        own = np.where(negative[pick], -place, place)
        product = own * digit[pick]
        pieces.append(Piece(index[pick], 2 * k, "mul", whole(np.where(first[pick], digit[pick], own)),
                            whole(np.where(first[pick], own, digit[pick])), whole(product)))
        carried = np.nonzero(carry[pick] != 0)[0]
        total = product.copy()
        total[carried] = product[carried] + carry[pick][carried]
        pieces.append(Piece(index[pick[carried]], 2 * k + 1, "add", whole(product[carried]), whole(carry[pick][carried]), whole(total[carried])))
        size = np.where(total < 0, -total, total) // 10
        carry[pick] = np.where(total < 0, -size, size)
    return spliced(steps, np.nonzero(~split)[0], pieces)
