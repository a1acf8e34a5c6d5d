"""Task options: one frozen dataclass, filled from keyword arguments, CLI ``--set`` pairs or TOML.

Values arrive in friendly forms (``terms="2-4"``, ``operators="+-*"``,
``largest=100``) and are normalised here, once, with errors that name the option.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import ConfigError
from ..options import did_you_mean, got, parse_bool, parse_int, parse_int_range, parse_weight
from .numbers import by_digits_share

TARGETS = ("answer", "reversed", "trace", "sums", "products", "steps")
# options that set how problems and answers are written (they belong to a trained model, not to a test)
FORMAT_OPTIONS = ("reverse_input", "reverse_output", "pad_terms", "align_terms", "pad_answer", "input_format", "pad", "pad_side",
                  "target", "partial_products", "magnitudes", "complements", "fractions", "carries", "borrows", "fraction_rules",
                  "forward_quotients", "prime_reductions", "lowest_mark", "align_sums", "digit_products", "unsigned_sums")
MAX_VALUE_DIGITS = 1000  # numbers a task draws have at most this many digits (digits=D, values=LO-HI)


@dataclass(frozen=True)
class TaskConfig:
    """Everything that defines a task's language, lengths and alphabet."""

    grammar: str = "addition"
    terms: tuple[int, int] = (2, 2)
    term_weights: tuple[tuple[int, float], ...] | None = None
    values: tuple[int, int] = (1, 999)
    numbers: str = "uniform"
    operators: tuple[tuple[str, float], ...] | None = None
    depth: int = 0
    brackets: float = 0.05
    negation: float = 0.2
    negative_results: bool = True
    division: str = "exact"
    reverse_input: bool = False
    reverse_output: bool = False
    pad_side: str = "left"
    pad_terms: bool = False
    align_terms: bool = False
    pad_answer: bool = False
    pad: str = " "
    input_format: str = "text"
    target: str = "answer"
    partial_products: bool = False
    magnitudes: bool = False
    complements: bool = False
    fractions: bool = False
    carries: bool = False
    borrows: bool = False
    fraction_rules: bool = False
    forward_quotients: bool = False
    prime_reductions: bool = False
    lowest_mark: bool = False
    align_sums: bool = False
    digit_products: bool = False
    unsigned_sums: bool = False
    carry_chains: float = 0.0
    chain_length: tuple[int, int] = (0, 0)
    carry_runs: float = 0.0
    easy_steps: float = 1.0
    balance_steps: float = 1.0
    practice_steps: int = 0
    python: tuple[str, ...] = field(default=())

    def replace(self, **options: Any) -> TaskConfig:
        return make_config(self, options)

    def as_dict(self) -> dict[str, Any]:
        """Plain TOML/JSON-friendly values."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name in ("operators", "term_weights") and value is not None:
                value = {str(k): v for k, v in value}
            elif isinstance(value, tuple):
                value = list(value)
            if value is not None:
                out[f.name] = value
        return out


OPTION_HELP: dict[str, str] = {
    "grammar": "built-in grammar name or path of a .lark file",
    "terms": "how many numbers: N or MIN-MAX (alias: n_numbers)",
    "term_weights": "how often each number of terms is drawn, COUNT=WEIGHT pairs: 2=1,3=3, a count not "
    "named is not drawn (default: every count within 'terms' equally often); held-out sets stay stratified",
    "values": "range of each number, MIN-MAX (aliases: largest=L for 1-L, digits=D for 0-(10^D-1))",
    "numbers": "'uniform' (every value equally likely), 'by-digits' (every digit count equally likely) or "
    "'by-digits:SHARE' (that share of numbers by digit count, the rest uniform: by-digits:0.3)",
    "operators": "enabled operators and weights: '+-*' or {'+': 2, '*': 1}; default all the grammar has",
    "depth": "largest bracket nesting depth",
    "brackets": "weight of optional brackets around a term",
    "negation": "weight of unary minus",
    "negative_results": "false rejects expressions whose answer is negative",
    "division": "'exact' (only divisions without remainder) or 'rational' (answers p/q in lowest terms)",
    "reverse_input": "feed the expression reversed",
    "reverse_output": "emit the answer reversed (least significant digit first)",
    "pad_side": "'left' (like the tutorial) or 'right'",
    "pad_terms": "zero-pad every number to the widest number's width",
    "align_terms": "zero-pad each expression's numbers to the width of its widest (12+5 is written 12+05): "
    "every place has one digit per number, as position coupling needs",
    "pad_answer": "zero-pad answers to the widest answer's width (aligned digits; non-negative integer answers)",
    "pad": "the padding character",
    "input_format": "'text' (one token per character) or 'columns' (one token per column of digits: up to 3 numbers joined by + -, or 4 by +)",
    "target": "what the network writes: 'answer', 'reversed' (= reverse_output), or a scratchpad: 'trace' "
    "(every step a op b=r), 'sums' (every step's result), 'products' (trace with partial products for *), "
    "or 'steps': one operation per example, and a decoding loop feeding each result back",
    "partial_products": "with target=steps: a multi-digit product's partial products come before its result",
    "magnitudes": "with a trace or products scratchpad, or target=steps: a signed sum or difference is worked on the magnitudes that give "
    "its result, its sign in front (12-34=-(34-12)=-22, (-42)+81=81-42=39)",
    "complements": "with a trace or products scratchpad, or target=steps: a sum or difference of operands of opposite sign (zero "
    "counted as positive) is first written as its ten's complement, a digit wider than its widest operand, whose top digit (0 or 9) gives the "
    "sign (52-58=994=-6, 58-52=006=6): with reverse_output the sign comes after a column-by-column computation",
    "fractions": "with target=steps: a division or a step on a fraction writes its working first (each product "
    "of numerators and denominators, the numerators' sum, the fraction before its reduction): (9/8)-7 -> 7*8=56;9-56=-47;-47/8",
    "fraction_rules": "with target=steps: the loop rewrites a step on a fraction by the rules of fractions into steps "
    "on whole numbers, each computed by the network: (3/4)-(-5/6) as 3*6, (-5)*4, 18-(-20), 4*6, then 38/24, "
    "which the network writes in lowest terms (19/12); the network is trained on the same steps",
    "forward_quotients": "with target=steps and reverse_output: a division's result is written most significant digit "
    "first, the order of long division (384/6 -> 64, 14/8 -> 7/4), while every other step's is reversed (not with worked "
    "steps or pad_answer)",
    "carries": "with target=products or steps: every product of a multi-digit number by a digit is written after its carries, "
    "one per digit of the number (34*56=22:204+12:1700=1904): each digit of the product then follows from a digit, "
    "the multiplier and the carry written for the column before",
    "borrows": "with complements: a complement is written after its borrows, one per column (52-58=111:994=-6): "
    "each of its digits then follows from the column's two digits and the borrow written for the column before",
    "carry_chains": "share of sums drawn with a carry chain: a column that carries, then columns whose digits sum "
    "to exactly 9, which pass the carry on (2-number sums)",
    "chain_length": "how many columns a carry chain passes through, N or MIN-MAX (0: 1 to all but one of the digits)",
    "carry_runs": "share of sums drawn to carry in every column, each summing to at least 9 (999+1, 455+545; "
    "2-number sums): a training mixture, most of its columns carry by themselves",
    "easy_steps": "with target=steps, a training mixture: the share of easy steps kept (unary minus, and an operation "
    "on two one-digit whole numbers; with fraction_rules, of the steps the rules split); the rest are left out, so the examples go "
    "to the multi-digit and fraction steps",
    "balance_steps": "with target=steps, a training mixture: each kind of step (its operator, and the sign and digit "
    "counts of its operands and of its result) is kept up to this share of the steps of each draw, so rare kinds (two-digit "
    "sums, three-digit products, reductions) get more of training; with fraction_rules the steps are split by the rules "
    "first; 1 keeps every step",
    "prime_reductions": "with fraction_rules: a division of two whole numbers is written divided by the smallest prime its "
    "parts share, and the loop asks again with what was written until a step writes a whole number or the fraction it was "
    "asked (72/24 -> 36/12 -> 18/6 -> 9/3 -> 3): each step halves, thirds, fifths or sevenths, where one step had to find the "
    "greatest common divisor",
    "lowest_mark": "with prime_reductions: a division already in lowest terms (19/12, (-4)/3) is answered '=' instead of "
    "being copied out, and the loop keeps the fraction it asked; a network then never miscopies a denominator it "
    "was only meant to keep",
    "align_sums": "with target=steps: a sum or difference of two whole numbers is asked with both zero-padded to the "
    "wider one's digits (47+5 is asked as 47+05, (-3)-12 as (-03)-12), so every sum lines its columns up the same way and "
    "the many sums of a two-digit number and a digit use the tens column as the rare sums of two two-digit numbers do",
    "digit_products": "with target=steps: a product of a whole number of two or more digits by a nonzero digit (1 "
    "included) is asked one digit at a time, as on paper: each digit of the long number times the multiplier, then that "
    "plus the carry the step before wrote (336*5: 6*5, 3*5, 15+3, 3*5, 15+1 -> 1680), so the network computes products of "
    "two digits and small sums instead of rare long products; the loop splits what it wrote into its last digit and the "
    "carry, which is text. Its steps are on one-digit numbers: easy_steps below 1 thins them too",
    "unsigned_sums": "with target=steps (text input): a sum or difference of two whole numbers with a negative one is asked "
    "on the numbers without their signs, by the rules of signs (no arithmetic): a+(-b) as a-b, a-(-b) as a+b, (-a)+b and "
    "(-a)-(-b) as b-a, (-a)+(-b) and (-a)-b as a+b then its minus; the rare multi-digit sums then come in two patterns "
    "instead of eight. With digit_products a long product's carries are added as they are ((-15)+(-3))",
    "practice_steps": "with target=steps, a training mixture: each step on two whole numbers of a kind kept whole by "
    "balance_steps (every kind without it) is followed by up to this many steps of the same kind (operator, signs, digit "
    "counts of the operands and of the result) with fresh operands, so the rarest kinds (reductions of two-digit numbers, "
    "two-digit sums) are practised on new numbers; not with prime_reductions; 0 (the default) adds none",
    "python": "Python files to run first (they register custom nodes)",
}

ALIASES = {"n_numbers", "largest", "digits"}


def _operators(value: Any) -> tuple[tuple[str, float], ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("{"):
            raise ConfigError("option 'operators': write weights as op=weight pairs, e.g. '+=2,*=1'")
        if "=" in text:
            pairs = [p.split("=", 1) for p in text.split(",") if p.strip()]
            value = {k.strip(): v for k, v in pairs}
        else:
            value = {ch: 1.0 for ch in text.replace(",", "").replace(" ", "")}
    elif isinstance(value, list | tuple):
        value = {str(v): 1.0 for v in value}
    if not isinstance(value, Mapping) or not value:
        raise ConfigError(f"option 'operators' must name at least one operator, got {got(value)}")
    return tuple(sorted((str(k), parse_weight(f"operators[{k}]", v)) for k, v in value.items()))


def _term_weights(value: Any) -> tuple[tuple[int, float], ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        pairs = [p.split("=", 1) for p in value.split(",") if p.strip()]
        for pair in pairs:
            if len(pair) != 2:
                raise ConfigError(f"option 'term_weights': {got(pair[0].strip())} is not a COUNT=WEIGHT pair (write '2=1,3=3')")
    elif isinstance(value, Mapping):
        pairs = list(value.items())
    elif isinstance(value, list | tuple) and all(isinstance(p, list | tuple) and len(p) == 2 for p in value):
        pairs = list(value)  # the stored form, ((2, 1.0), (3, 3.0))
    else:
        pairs = []
    if not pairs:
        raise ConfigError(f"option 'term_weights' must give at least one COUNT=WEIGHT pair, e.g. '2=1,3=3', got {got(value)}")
    weights: dict[int, float] = {}
    for key, weight in pairs:
        try:
            count = int(str(key).strip())
        except ValueError:
            raise ConfigError(f"option 'term_weights': {got(key)} is not a number of terms (write '2=1,3=3')") from None
        if count in weights:
            raise ConfigError(f"option 'term_weights' weighs {count} terms twice")
        weights[count] = parse_weight(f"term_weights[{count}]", weight)
    return tuple(sorted(weights.items()))


def make_config(base: TaskConfig, options: Mapping[str, Any]) -> TaskConfig:
    """``base`` with ``options`` applied; raises :class:`ConfigError` naming the bad option."""
    names = {f.name for f in dataclasses.fields(TaskConfig)}
    changes: dict[str, Any] = {}
    for key, value in options.items():
        key = key.replace("-", "_")
        if key == "n_numbers":
            key = "terms"
        if key == "target" and value == "reversed":  # the answer written least significant digit first
            changes["reverse_output"] = True
        if key == "largest":
            hi = parse_int_range(key, value)[1]
            if hi < 1:
                raise ConfigError(f"option 'largest' must be at least 1 (numbers are drawn from 1..largest), got {got(value)}")
            changes["values"] = (1, hi)
            continue
        if key == "digits":
            digits = parse_int_range(key, value)[1]
            if not 1 <= digits <= MAX_VALUE_DIGITS:
                raise ConfigError(f"option 'digits' must be between 1 and {MAX_VALUE_DIGITS}, got {got(value)}")
            changes["values"] = (0, 10**digits - 1)
            continue
        if key not in names:
            raise ConfigError(
                f"unknown task option {got(key)}{did_you_mean(key, names | ALIASES)} (options: {', '.join(sorted(names))})"
            )
        changes[key] = _coerce(key, value)
    if "terms" in changes and "term_weights" not in changes and base.term_weights:
        # other numbers of terms (evaluate -s terms=6): weights outside them no longer apply
        low, high = changes["terms"]
        kept = tuple((n, w) for n, w in base.term_weights if low <= n <= high)
        changes["term_weights"] = kept if any(w > 0 for _, w in kept) else None
    config = dataclasses.replace(base, **changes)
    _check(config)
    return config


def _coerce(key: str, value: Any) -> Any:
    if key in {"terms", "values"}:
        return parse_int_range(key, value)
    if key == "operators":
        return _operators(value)
    if key == "term_weights":
        return _term_weights(value)
    if key == "chain_length":
        return parse_int_range(key, value)
    if key == "depth":
        depth = parse_int_range(key, value)[1]
        return depth
    if key in {"brackets", "negation"}:
        return parse_weight(key, value)
    if key == "practice_steps":
        times = parse_int(key, value)
        if not 0 <= times <= 100:
            raise ConfigError(f"option 'practice_steps' is how many practice steps each step of a rare kind gets, 0 to 100, got {got(value)}")
        return times
    if key in {"carry_chains", "carry_runs", "easy_steps", "balance_steps"}:
        share = parse_weight(key, value)
        if key == "balance_steps" and not 0 < share <= 1:
            raise ConfigError(f"option 'balance_steps' is the largest share of one kind of step, in (0, 1], got {got(value)}" + (": 0 would keep no step" if share == 0 else ""))
        if share > 1:
            raise ConfigError(f"option {key!r} is a share in [0, 1], got {got(value)}")
        return share
    if key in {"negative_results", "reverse_input", "reverse_output", "pad_terms", "align_terms", "pad_answer", "partial_products", "magnitudes", "complements", "fractions", "carries", "borrows", "fraction_rules", "forward_quotients", "prime_reductions", "lowest_mark", "align_sums", "digit_products", "unsigned_sums"}:
        return parse_bool(key, value)
    if key == "python":
        return (value,) if isinstance(value, str) else tuple(str(v) for v in value)
    if key == "grammar" and isinstance(value, os.PathLike):
        return os.fspath(value)
    if not isinstance(value, str):  # a TOML file or a keyword argument may hold anything
        raise ConfigError(f"option {key!r} must be text, got {type(value).__name__} {got(value)}")
    return value


def worked_steps(config: TaskConfig) -> bool:
    """Whether a task computing one step at a time writes working before a step's result."""
    return config.target == "steps" and any(
        (config.partial_products, config.fractions, config.carries, config.complements, config.magnitudes)
    )


def _check(config: TaskConfig) -> None:
    if config.terms[0] < 1:
        raise ConfigError(f"option 'terms' must be at least 1, got {config.terms[0]}")
    if config.terms[1] > 64:
        raise ConfigError(f"option 'terms' allows at most 64 numbers, got {config.terms[1]}")
    if config.term_weights is not None:
        low, high = config.terms
        outside = [n for n, _ in config.term_weights if not low <= n <= high]
        if outside:
            allowed = f"{low}" if low == high else f"{low}-{high}"
            raise ConfigError(f"option 'term_weights' weighs {outside[0]} terms, outside 'terms' {allowed}: weigh only those counts")
        if not any(w > 0 for _, w in config.term_weights):
            raise ConfigError(f"option 'term_weights' must give some number of terms a weight above 0, got {config.as_dict()['term_weights']}")
    if config.values[0] < 0:
        raise ConfigError(f"option 'values' must not be negative (numbers are written without sign), got {config.values}")
    if config.values[0] > config.values[1]:
        raise ConfigError(f"option 'values': range {config.values[0]}-{config.values[1]} is empty")
    if config.values[1] >= 10**MAX_VALUE_DIGITS:
        raise ConfigError(f"option 'values': numbers have at most {MAX_VALUE_DIGITS} digits (digits={MAX_VALUE_DIGITS})")
    if config.chain_length[0] < 0 or config.chain_length[1] > len(str(config.values[1])) - 1:
        low, high = config.chain_length
        raise ConfigError(
            "option 'chain_length' must lie between 0 and one less than the digits of the largest value "
            f"({len(str(config.values[1])) - 1}), got {low if low == high else f'{low}-{high}'}"
        )
    if not 0 <= config.depth <= 16:
        raise ConfigError(f"option 'depth' must be between 0 and 16, got {config.depth}")
    if config.division not in {"exact", "rational"}:
        raise ConfigError(f"option 'division' must be 'exact' or 'rational', got {got(config.division)}")
    if by_digits_share(config.numbers) is None:
        raise ConfigError(
            "option 'numbers' must be 'uniform', 'by-digits' or 'by-digits:SHARE' (that share of numbers drawn "
            f"by digit count, the rest uniform; 0 < SHARE < 1), got {got(config.numbers)}"
        )
    if config.target not in TARGETS:
        raise ConfigError(f"option 'target' must be one of {', '.join(TARGETS)}, got {got(config.target)}")
    if config.fractions and config.target != "steps":
        raise ConfigError(f"option 'fractions' writes the working of one step at a time: it needs target=steps, got target={config.target}")
    for name in ("magnitudes", "complements"):
        if getattr(config, name) and config.target not in ("trace", "products", "steps"):
            raise ConfigError(f"option {name!r} works through a scratchpad's sums: it needs target=trace, products or steps, got target={config.target}")
    if config.carries and config.target not in ("products", "steps"):
        raise ConfigError(f"option 'carries' writes the carries of a product's partial products: it needs target=products or steps, got target={config.target}")
    if config.fraction_rules and (config.target != "steps" or config.fractions):
        raise ConfigError("option 'fraction_rules' rewrites a decoding loop's steps on fractions: it needs target=steps, and not fractions=true (which works them in one step)")
    if config.prime_reductions and not config.fraction_rules:
        raise ConfigError("option 'prime_reductions' splits the reductions of a loop's divisions of whole numbers: it needs fraction_rules=true")
    if config.lowest_mark and not config.prime_reductions:
        raise ConfigError("option 'lowest_mark' answers '=' where prime_reductions would copy a fraction out: it needs prime_reductions=true")
    if config.forward_quotients and (config.target != "steps" or not config.reverse_output or worked_steps(config) or config.pad_answer):
        raise ConfigError("option 'forward_quotients' writes a loop's divisions in reading order among reversed steps: it needs "
                          "target=steps and reverse_output=true, no worked steps (partial_products, carries, complements, magnitudes, "
                          "fractions) and no pad_answer (its zeros would end a quotient)")
    if config.align_sums and config.target != "steps":
        raise ConfigError(f"option 'align_sums' pads the numbers of a decoding loop's sums: it needs target=steps, got target={config.target}")
    if config.digit_products and config.target != "steps":
        raise ConfigError(f"option 'digit_products' splits a decoding loop's products by a digit: it needs target=steps, got target={config.target}")
    if config.unsigned_sums and config.target != "steps":
        raise ConfigError(f"option 'unsigned_sums' rewrites a decoding loop's signed sums: it needs target=steps, got target={config.target}")
    if config.unsigned_sums and config.input_format == "columns":
        raise ConfigError("option 'unsigned_sums' asks the minus of a negative sum as a step of its own (-83), which "
                          "input_format=columns cannot read (two numbers joined by + or -): use input_format=text")
    if config.practice_steps and config.target != "steps":
        raise ConfigError(f"option 'practice_steps' adds steps to what a decoding loop trains on: it needs target=steps, got target={config.target}")
    if config.practice_steps and config.prime_reductions:
        raise ConfigError("option 'practice_steps' writes a practice division in lowest terms, not reduced by one prime: "
                          "it cannot be combined with prime_reductions")
    for name in ("easy_steps", "balance_steps"):
        if getattr(config, name) < 1 and config.target != "steps":
            raise ConfigError(f"option {name!r} thins the steps a decoding loop trains on: it needs target=steps, got target={config.target}")
    if config.borrows and not config.complements:
        raise ConfigError("option 'borrows' writes the borrows of a sum's ten's complement: it needs complements=true")
    if config.complements and config.magnitudes:
        raise ConfigError("options 'magnitudes' and 'complements' are two ways of working a signed sum: set one of them")
    if config.input_format not in {"text", "columns"}:
        raise ConfigError(f"option 'input_format' must be 'text' or 'columns', got {got(config.input_format)}")
    if config.pad_side not in {"left", "right"}:
        raise ConfigError(f"option 'pad_side' must be 'left' or 'right', got {got(config.pad_side)}")
    if len(config.pad) != 1 or config.pad.isdigit():
        raise ConfigError(f"option 'pad' must be one non-digit character, got {got(config.pad)}")
