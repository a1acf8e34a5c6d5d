"""A task: a grammar plus options, with sampling, exact evaluation and fixed lengths.

A task's grammar and its TaskConfig are the single source of its language, alphabet and lengths.
"""

from __future__ import annotations

import functools
import runpy
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np

from ..errors import ArgumentError, ArithseqError, ConfigError, SamplingError
from ..options import check_seed, texts, whole
from . import exact
from .batch import ABSENT, Batch
from .enumeration import LIMIT, enumerate_problems, problem_count
from .grammar import Alternative, Grammar, load_grammar
from .operators import LEAF, MAX_DIGITS, NODES, Bound, Value, too_big
from .numbers import carry_chains, carry_runs, draw_numbers
from .options import TaskConfig
from .reading import ExpressionReader, Reading
from .rendering import ExpressionRenderer, format_answer, format_answers
from .sampler import DerivationTable
from .programs import exact_steps
from .step_mixture import training_steps
from .steps import record, scratchpads

DIGITS = "0123456789"
CHUNK = 1 << 16
SAMPLE_LIMIT = 20_000_000  # examples Task.sample holds at once (batches() streams any number)
UNIQUE_LIMIT = 5_000_000  # unique sampling remembers every expression drawn


@functools.lru_cache(maxsize=None)
def run_python_file(path: str) -> None:
    """Run a user's Python file once (it registers custom operators)."""
    if not Path(path).is_file():
        raise ConfigError(f"option 'python': file {path} does not exist")
    with NODES.replacing():  # the same operators again (the run folder's copy of a file): no clash
        try:
            runpy.run_path(path)
        except ArithseqError:
            raise
        except Exception as exc:  # the user's code failed: say where, without our traceback
            raise ConfigError(f"option 'python': {path} failed: {type(exc).__name__}: {exc}") from None


class Task:
    """A language of arithmetic expressions with sampling, exact evaluation and fixed lengths."""

    from_data = False  # a grammar's task (a DataTask comes from question/answer files)

    def __init__(self, name: str, config: TaskConfig) -> None:
        self.name = name
        self.config = config
        for path in config.python:
            run_python_file(path)
        self.grammar: Grammar = load_grammar(config.grammar)
        self._check_operators()
        lo, hi = config.values
        weights = dict(config.term_weights) if config.term_weights else None
        self.table = DerivationTable(self.grammar, self._weight, config.terms, config.depth, len(str(hi)), Bound(hi), weights)
        limits = self.table.limits
        bound = limits.output_bound
        if any(too_big(b.num) or too_big(b.den) for b in (bound, limits.value_bound)):
            raise ConfigError(
                f"task {name!r}: its values can grow past {MAX_DIGITS:,} digits (numbers of up to {len(str(hi))} "
                f"digits, {config.terms[1]} terms, operators {' '.join(self.table.ops_used)}); use fewer digits or terms"
            )
        self.negative_answers = bound.negative and config.negative_results
        self.rational_answers = config.division == "rational" and "div" in self.table.ops_used
        sign = 1 if self.negative_answers else 0
        self.max_input_length: int = limits.input_length
        self.max_output_length: int = len(str(bound.num)) + sign + (1 + len(str(bound.den)) if self.rational_answers else 0)
        extra = ("-" if self.negative_answers else "") + ("/" if self.rational_answers else "")
        self.scratchpad = config.target in ("trace", "sums", "products")
        if self.scratchpad:
            extra += self._scratchpad_characters()
            self.max_output_length = self._scratchpad_length()
        self.stepwise = config.target == "steps"
        self.step_input_length = 0
        if self.stepwise:
            extra += self._step_characters()
            self.step_input_length, self.max_output_length = self._step_lengths()
        chars = DIGITS + "".join(self.table.literals_used) + extra
        self.alphabet: str = "".join(dict.fromkeys(chars))
        self.number_width = len(str(hi))
        self.renderer = ExpressionRenderer(self.table, self.number_width, config.pad_terms, self.max_input_length, config.align_terms)
        if config.pad in self.alphabet:
            raise ConfigError(f"option 'pad': {config.pad!r} is a character of the task's expressions")
        self.two_number_sums = config.terms == (2, 2) and self.table.ops_used == ("add",) and self.table.literals_used == ("+",)
        # up to three numbers joined by + and -: what column encoding reads (a sum of two non-negative
        # numbers for every step, when the network computes one step at a time)
        whole = not self.rational_answers and set(self.table.literals_used) <= {"+", "-", "*"}
        if self.stepwise:
            self.column_readable = whole and set(self.table.ops_used) <= {"add", "sub", "mul"}
        else:
            # a token holds one digit of every number: 10**terms ids per block of operators, so
            # four numbers for sums (10,000 ids), three with - as well (8 blocks of 1,000)
            sums = set(self.table.ops_used) <= {"add"}
            self.column_readable = whole and (
                (config.terms[1] <= 3 and set(self.table.ops_used) <= {"add", "sub"}) or (config.terms[1] <= 4 and sums)
            )
        self._check_formats()

    # -- scratchpads ----------------------------------------------------------------
    def _scratchpad_characters(self) -> str:
        bound = self.table.limits.value_bound
        chars = ";" + ("" if self.config.target == "sums" else "=+") + (":" if self.config.carries or self.config.borrows else "")
        if self.config.target != "sums":
            chars += "".join(NODES.get(op).symbol or "" for op in self.table.ops_used)
            if bound.negative or self.rational_answers:
                chars += "()"
        return chars + ("-" if bound.negative else "") + ("/" if self.rational_answers else "")

    def _value_width(self) -> int:
        """Characters of the longest value along the way (sign and fraction included)."""
        bound = self.table.limits.value_bound
        return len(str(bound.num)) + bound.negative + (1 + len(str(bound.den)) if self.rational_answers else 0)

    def _step_characters(self) -> str:
        bound, c = self.table.limits.value_bound, self.config
        chars = "".join(NODES.get(op).symbol or "" for op in self.table.ops_used) + ("()" if bound.negative or self.rational_answers else "")
        chars += ("+=" if c.partial_products else "") + ("=" if c.complements else "") + ("+-()=" if c.magnitudes else "")
        chars += ("*+-=;()/" if c.fractions or c.fraction_rules else "") + (":" if c.carries or c.borrows else "")
        return chars + ("-" if bound.negative else "") + ("/" if self.rational_answers else "")

    def _step_lengths(self) -> tuple[int, int]:
        """The longest single step (``(-a/b)*(-c/d)``) and the longest thing written for it."""
        value = self._value_width() + self.config.fraction_rules  # a rule's sum of two numerators times denominators
        symbol = max((len(NODES.get(op).symbol or op) for op in self.table.ops_used), default=1)
        c = self.config  # a product by a digit is written after its carries
        written = value + self._worked_length(value, c.partial_products) + (value + 1) * c.carries
        if c.fractions:
            # at most three products, a sum and a fraction to reduce, each "x op y=z;" of values this wide
            written += 5 * (3 * (value + 2) + 3)
        return 2 * (value + 2) + symbol, written

    def _scratchpad_length(self) -> int:
        """The longest scratchpad: steps times the longest step, from the bounds of every value."""
        limits = self.table.limits
        value = self._value_width()
        steps = max(1, limits.postfix_items - self.config.terms[0])
        if self.config.target == "sums":
            return steps * (value + 1)
        symbol = max((len(NODES.get(op).symbol or op) for op in self.table.ops_used), default=1)
        segment = 2 * (value + 2) + symbol + 1 + value + self._worked_length(value, self.config.target == "products")
        return steps * (segment + 1)

    def _worked_length(self, value: int, products: bool) -> int:
        """The longest working of one step, worked one way at most: a product's partial products (with
        ``products``), a signed sum's magnitudes ("-(b-a)=") or its complement (a digit wider than the
        widest operand, "=", its borrows and ":")."""
        c = self.config
        worked = [len(str(self.table.limits.value_bound.num)) * (value + 1) * (1 + c.carries) + 1] if products else []
        worked += ([2 * value + 6] if c.magnitudes else []) + ([(value + 2) * (1 + c.borrows)] if c.complements else [])
        return max(worked, default=0)

    # -- options ------------------------------------------------------------------
    def _check_formats(self) -> None:
        config = self.config
        have = f"task {self.name!r} has terms {config.terms[0]}-{config.terms[1]} and operators {' '.join(self.table.ops_used) or 'none'}"
        if config.input_format == "columns" and not self.column_readable:
            if self.stepwise:
                raise ConfigError(f"option input_format=columns with target=steps reads steps of + - * on whole numbers; {have}")
            raise ConfigError(f"option input_format=columns reads up to 3 numbers joined by + and -, or 4 joined by +; {have}")
        for option in ("carry_chains", "carry_runs"):
            if getattr(config, option) > 0 and not self.two_number_sums:
                raise ConfigError(f"option {option} needs sums of exactly two numbers (terms=2, operator +); {have}")
        if config.pad_answer and (self.rational_answers or (self.negative_answers and "+" not in self.alphabet)):
            raise ConfigError(
                "option pad_answer zero-pads whole answers (a negative one needs '+' and '-' in the alphabet for "
                "its sign); this task's answers can be fractions or negative (set division=exact, negative_results=false)"
            )

    def _check_operators(self) -> None:
        if self.config.operators is None:
            return
        known = {n: NODES.get(n) for n in self.grammar.labels if n != LEAF}
        names = {n.symbol or n.name for n in known.values()}
        for key, _ in self.config.operators:
            if not any(key in (n.name, n.symbol) for n in known.values()):
                raise ConfigError(
                    f"option 'operators': {key!r} is not an operator of grammar "
                    f"{self.grammar.name!r} (it has {' '.join(sorted(names))})"
                )

    def _weight(self, alt: Alternative) -> float:
        label = alt.label
        if label == LEAF:
            return 1.0
        if label is None:
            return self.config.brackets if alt.opens_bracket else 1.0
        if label == "neg":
            return self.config.negation
        if self.config.operators is None:
            return 1.0
        node = NODES.get(label)
        return sum(w for key, w in self.config.operators if key in (node.name, node.symbol))

    # -- exact answers --------------------------------------------------------------
    def evaluate(self, expression: str) -> Value:
        """The exact value of ``expression``, or an ExpressionError naming the column."""
        return self.grammar.evaluate(expression)

    def answer(self, expression: str) -> str:
        """The answer of ``expression`` (``62``, ``-3/4``)."""
        return format_answer(self.evaluate(expression))

    def target(self, expression: str) -> str:
        """What a network is taught to write for ``expression``: its answer or, with a scratchpad
        target, the scratchpad (``34*56=1904;12+1904=1916``), numbers reversed with reverse_output."""
        answer = self.answer(expression)
        if not self.scratchpad:
            return answer
        steps = exact_steps(self.grammar, [expression])
        return str(scratchpads(steps, np.array([answer]), self.config)[0])

    # -- every problem ---------------------------------------------------------------------
    @functools.cached_property
    def size(self) -> int:
        """How many expressions the grammar and options can write (undefined ones, such as a division
        by zero, included): derivation shapes times the choices of numbers."""
        return problem_count(self.table, self.config.values)

    def enumerate(self, chunk: int = CHUNK, limit: int = LIMIT) -> Iterator[Batch]:
        """Every defined problem once, in batches of at most ``chunk``; refuses tasks larger than ``limit``."""
        whole("chunk", chunk, 1)
        batches = enumerate_problems(self.name, self.table, self.config, self.renderer, chunk, limit, self.scratchpad)
        return self._with_scratchpads(batches) if self.scratchpad else batches

    def _with_scratchpads(self, batches: Iterator[Batch]) -> Iterator[Batch]:
        # every problem is judged on what the network is taught to write: the scratchpad, not the bare answer
        for batch in batches:
            targets = scratchpads(batch.steps, batch.targets, self.config)
            yield Batch(batch.inputs, targets, batch.numerators, batch.denominators, batch.numbers, batch.steps)

    # -- reading what people type ---------------------------------------------------------
    def read(self, expressions: Sequence[str] | np.ndarray, check: bool = True) -> Reading:
        """Expressions as typed, checked against the grammar in batches and put in the task's spelling.

        The :class:`~arithseq.tasks.reading.Reading` holds the good ones as a Batch
        (with their numbers; no answers are computed) and an error for each bad one.
        ``check=False`` trusts the input (for example sampled batches).
        """
        return self._reader.read(expressions, check)

    @functools.cached_property
    def _reader(self) -> ExpressionReader:
        # align_terms pads each expression to its own widest number: a width of 1 leaves that one to decide
        width = self.number_width if self.config.pad_terms else 1
        return ExpressionReader(self.grammar, width, self.config.pad_terms or self.config.align_terms)

    # -- sampling -----------------------------------------------------------------
    def sample(
        self,
        n: int,
        seed: int | np.random.Generator | None = None,
        *,
        exclude: Iterable[str] | np.ndarray | None = None,
        unique: bool = False,
        steps: bool = False,
    ) -> Batch:
        """``n`` random examples. ``exclude`` lists expressions never to produce; ``unique`` de-duplicates;
        ``steps`` keeps every reduction step (``batch.steps``). More than SAMPLE_LIMIT: use :meth:`batches`."""
        if whole("the number of examples", n) > SAMPLE_LIMIT:
            raise ConfigError(
                f"sample holds every example in memory: at most {SAMPLE_LIMIT:,}, got {n:,}; "
                "task.batches(...) streams any number in chunks"
            )
        return Batch.concat(list(self.batches(n, seed, exclude=exclude, unique=unique, steps=steps)))

    def batches(
        self,
        n: int,
        seed: int | np.random.Generator | None = None,
        *,
        batch_size: int = CHUNK,
        exclude: Iterable[str] | np.ndarray | None = None,
        unique: bool = False,
        steps: bool = False,
    ) -> Iterator[Batch]:
        """The examples of :meth:`sample` in chunks of ``batch_size`` (same seed, same data)."""
        n = whole("the number of examples", n)
        batch_size = whole("batch_size", batch_size, 1)
        check_seed(seed)
        if unique and n > UNIQUE_LIMIT:
            raise ConfigError(
                f"unique sampling keeps every expression drawn to compare with: at most {UNIQUE_LIMIT:,} examples, "
                f"got {n:,}"
            )
        rng = np.random.default_rng(seed)
        banned = None
        if exclude is not None:
            banned = np.unique(texts("exclude", exclude))
        seen = np.array([], dtype=str) if unique else None
        remaining = n
        while remaining > 0:
            chunk = self._draw(min(batch_size, remaining), rng, banned, seen, steps)
            if seen is not None:
                seen = np.union1d(seen, chunk.inputs)
            remaining -= len(chunk)
            yield chunk

    def split(self, sizes: dict[str, int], seed: int | None = None) -> dict[str, Batch]:
        """Disjoint de-duplicated sets, e.g. ``{"train": 8000, "val": 1000, "test": 1000}``."""
        if not isinstance(sizes, dict):
            raise ArgumentError(f"split expects a dict of set names and sizes, got {type(sizes).__name__}")
        total = sum(whole(f"size of set {name!r}", size) for name, size in sizes.items())
        pool = self.sample(total, seed, unique=True)
        out, start = {}, 0
        for name, size in sizes.items():
            out[name] = pool[start : start + size]
            start += size
        return out

    def _draw(self, want: int, rng: np.random.Generator, banned, seen, steps: bool = False) -> Batch:
        parts: list[Batch] = []
        have = drawn = 0
        rate = 1.0
        while have < want:
            m = want - have if rate == 1.0 else int((want - have) / max(rate, 0.02) * 1.1) + 16
            batch = self._derive(m, rng, steps)
            drawn += m
            keep = np.ones(len(batch), bool)
            if banned is not None and banned.size:
                keep &= ~np.isin(batch.inputs, banned)
            if seen is not None:
                if seen.size:
                    keep &= ~np.isin(batch.inputs, seen)
                _, first = np.unique(batch.inputs, return_index=True)
                once = np.zeros(len(batch), bool)
                once[first] = True
                keep &= once
                for part in parts:
                    keep &= ~np.isin(batch.inputs, part.inputs)
            if not keep.all():
                batch = batch[np.nonzero(keep)[0]]
            parts.append(batch)
            have += len(batch)
            rate = max(have / drawn, 1e-6)
            if drawn > 200 * want + 10_000 and have < want:
                raise SamplingError(
                    f"task {self.name!r}: only {have} of {want} examples were usable after {drawn} draws; "
                    "the task may have too few distinct expressions for unique sampling or exclusions, "
                    "or its options reject almost everything"
                )
        batch = Batch.concat(parts)
        return batch if len(batch) == want else batch[:want]

    def _derive(self, m: int, rng: np.random.Generator, steps: bool = False) -> Batch:
        """``m`` derivations with their numbers, evaluated; rows with undefined values dropped."""
        recorder = [] if steps or self.scratchpad else None
        table, config = self.table, self.config
        infix, postfix, template = table.walk(m, rng)
        lo, hi = config.values
        leaves = draw_numbers(rng, lo, hi, (m, config.terms[1]), config.numbers)
        if config.carry_runs:
            carry_runs(rng, leaves, config.carry_runs, lo, hi)
        if config.carry_chains:
            carry_chains(rng, leaves, config.carry_chains, lo, hi, config.chain_length)
        divider = exact.ExactDivider(lo, hi, rng) if config.division == "exact" else None
        if template is None:
            num, den, defined = exact.run(postfix, leaves, table.ops, table.leaf_code, table.op_base, divider, recorder)
        else:
            programs = table.templates[1]
            num, den, defined = exact.run_templates(
                programs, template, leaves, table.ops, table.leaf_code, table.op_base, divider, recorder
            )
        if not config.negative_results:
            defined &= num >= 0
        rows = np.nonzero(defined)[0]
        infix, leaves = infix[rows], leaves[rows]
        inputs = self.renderer.render(infix, leaves, None if template is None else template[rows])
        targets = format_answers(num[rows], den[rows])
        trace = None if recorder is None else training_steps(record(recorder, m).take(rows), config, rng)
        if self.scratchpad:
            targets = scratchpads(trace, targets, config)
        self._check_output_lengths(targets)
        # rows use the first `terms` of their drawn numbers; the rest are marked absent
        numbers = leaves
        if self.config.terms[0] != leaves.shape[1]:
            used = (infix == table.leaf_code).sum(axis=1)
            numbers = np.where(np.arange(leaves.shape[1]) < used[:, None], leaves, ABSENT)
        return Batch(inputs, targets, num[rows], den[rows], numbers, trace)

    def _check_output_lengths(self, targets: np.ndarray) -> None:
        if targets.size and targets.dtype.itemsize // 4 > self.max_output_length:
            longest = int(np.strings.str_len(targets).max())
            if longest > self.max_output_length:
                raise SamplingError(
                    f"task {self.name!r}: an answer has {longest} characters but the computed maximum is "
                    f"{self.max_output_length}; a custom node's bound= is too small"
                )

    def __repr__(self) -> str:
        return f"Task({self.name!r}, grammar={self.grammar.name!r}, alphabet={self.alphabet!r})"
