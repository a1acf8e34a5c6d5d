"""Tasks: a grammar plus sampling and formatting options, and the registry of named tasks.

A task's grammar and :class:`~arithseq.config.TaskConfig` are the single source of
its language, its alphabet and its maximum input and output lengths.
"""

from __future__ import annotations

import functools
import runpy
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import vm
from .batch import Batch, digit_codes, format_answer, format_answers, scatter_pieces
from .config import TaskConfig, make_config, read_toml
from .derivation import EMPTY, DerivationTable
from .errors import ConfigError, SamplingError
from .grammar import Alternative, Grammar, load_grammar
from .semantics import LEAF, NODES, Bound, Value

DIGITS = "0123456789"
CHUNK = 1 << 16


@dataclass(frozen=True)
class TaskEntry:
    config: TaskConfig
    description: str


TASKS: dict[str, TaskEntry] = {}


def register_task(name: str, config: TaskConfig | None = None, *, description: str = "", **options: Any) -> TaskConfig:
    """Register (or replace) the task ``name``: a base config plus option overrides."""
    if not name or any(ch.isspace() for ch in name):
        raise ConfigError(f"task names must be non-empty and without spaces, got {name!r}")
    config = make_config(config or TaskConfig(), options)
    TASKS[name] = TaskEntry(config, description)
    return config


def list_tasks() -> list[str]:
    return sorted(TASKS)


def get_task(name: str, **options: Any) -> Task:
    """The task ``name`` (a registered name or a ``.toml`` file), with options overridden."""
    if name.endswith(".toml"):
        name, config = load_task_file(name)
    elif name in TASKS:
        config = TASKS[name].config
    else:
        raise ConfigError(f"unknown task {name!r}; known tasks: {', '.join(list_tasks())} (or a .toml file)")
    return _task(name, make_config(config, options) if options else config)


def load_task_file(path: str | Path, register: bool = False) -> tuple[str, TaskConfig]:
    """Read a task from TOML: optional ``name``, ``base`` (a registered task) and any task option.

    Relative ``grammar`` and ``python`` paths are relative to the file.
    """
    path = Path(path)
    data = read_toml(path)
    name = str(data.pop("name", path.stem))
    base = data.pop("base", None)
    description = str(data.pop("description", ""))
    if base is not None and base not in TASKS:
        raise ConfigError(f"{path}: field 'base': unknown task {base!r} (known: {', '.join(list_tasks())})")
    config = TASKS[base].config if base else TaskConfig()
    grammar = data.get("grammar")
    if isinstance(grammar, str) and grammar.endswith(".lark"):
        data["grammar"] = str((path.parent / grammar).resolve())
    if "python" in data:
        files = [data["python"]] if isinstance(data["python"], str) else list(data["python"])
        data["python"] = [str((path.parent / f).resolve()) for f in files]
    try:
        config = make_config(config, data)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    if register:
        TASKS[name] = TaskEntry(config, description)
    return name, config


def draw_numbers(rng: np.random.Generator, lo: int, hi: int, shape: tuple[int, ...], how: str) -> np.ndarray:
    """Numbers in ``lo..hi``: every value equally likely, or every digit count equally likely."""
    if how == "uniform":
        return rng.integers(lo, hi + 1, size=shape)
    widths = np.arange(len(str(lo)), len(str(hi)) + 1)
    low = np.maximum(lo, np.where(widths == 1, 0, 10 ** (widths - 1)))
    high = np.minimum(hi, 10**widths - 1)
    pick = rng.integers(0, len(widths), size=shape)
    return rng.integers(low[pick], high[pick] + 1)


@functools.lru_cache(maxsize=32)
def _task(name: str, config: TaskConfig) -> Task:
    return Task(name, config)


@functools.lru_cache(maxsize=None)
def _run_python(path: str) -> None:
    if not Path(path).is_file():
        raise ConfigError(f"option 'python': file {path} does not exist")
    runpy.run_path(path)


class Task:
    """A language of arithmetic expressions with sampling, exact evaluation and fixed lengths."""

    def __init__(self, name: str, config: TaskConfig) -> None:
        self.name = name
        self.config = config
        for path in config.python:
            _run_python(path)
        self.grammar: Grammar = load_grammar(config.grammar)
        self._check_operators()
        lo, hi = config.values
        self.table = DerivationTable(
            self.grammar, self._weight, config.terms, config.depth, len(str(hi)), Bound(hi)
        )
        limits = self.table.limits
        bound = limits.output_bound
        self.negative_answers = bound.negative and config.negative_results
        self.rational_answers = config.division == "rational" and "div" in self.table.ops_used
        sign = 1 if self.negative_answers else 0
        self.max_input_length: int = limits.input_length
        self.max_output_length: int = len(str(bound.num)) + sign + (
            1 + len(str(bound.den)) if self.rational_answers else 0
        )
        extra = ("-" if self.negative_answers else "") + ("/" if self.rational_answers else "")
        chars = DIGITS + "".join(self.table.literals_used) + extra
        self.alphabet: str = "".join(dict.fromkeys(chars))
        literals = self.table.tokens
        widest = max([len(t) for t in literals] + [len(str(hi))])
        self._literal_codes = np.zeros((len(literals) + 2, widest), np.uint32)
        for i, text in enumerate(literals):
            self._literal_codes[i, : len(text)] = [ord(c) for c in text]
        self._literal_lengths = np.array([len(t) for t in literals] + [0, 0], np.int64)
        if config.pad in self.alphabet:
            raise ConfigError(f"option 'pad': {config.pad!r} is a character of the task's expressions")

    # -- options ------------------------------------------------------------------
    def _check_operators(self) -> None:
        if self.config.operators is None:
            return
        known = {n: NODES[n] for n in self.grammar.labels if n != LEAF}
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
        node = NODES[label]
        return sum(w for key, w in self.config.operators if key in (node.name, node.symbol))

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, **self.config.as_dict()}

    # -- exact answers --------------------------------------------------------------
    def evaluate(self, expression: str) -> Value:
        """The exact value of ``expression``, or an ExpressionError naming the column."""
        return self.grammar.evaluate(expression)

    def answer(self, expression: str) -> str:
        """The answer string a model should produce for ``expression``."""
        return format_answer(self.evaluate(expression))

    format_answer = staticmethod(format_answer)

    # -- sampling -----------------------------------------------------------------
    def sample(
        self,
        n: int,
        seed: int | np.random.Generator | None = None,
        *,
        exclude: Iterable[str] | np.ndarray | None = None,
        unique: bool = False,
    ) -> Batch:
        """``n`` random examples. ``exclude`` lists expressions never to produce; ``unique`` de-duplicates."""
        return Batch.concat(list(self.batches(n, seed, exclude=exclude, unique=unique)))

    def batches(
        self,
        n: int,
        seed: int | np.random.Generator | None = None,
        *,
        batch_size: int = CHUNK,
        exclude: Iterable[str] | np.ndarray | None = None,
        unique: bool = False,
    ) -> Iterator[Batch]:
        """The examples of :meth:`sample` in chunks of ``batch_size`` (same seed, same data)."""
        if n < 0:
            raise ConfigError(f"number of examples must not be negative, got {n}")
        rng = np.random.default_rng(seed)
        banned = None
        if exclude is not None:
            banned = np.unique(np.asarray(exclude if isinstance(exclude, np.ndarray) else list(exclude), dtype=str))
        seen = np.array([], dtype=str) if unique else None
        remaining = n
        while remaining > 0:
            chunk = self._draw(min(batch_size, remaining), rng, banned, seen)
            if seen is not None:
                seen = np.union1d(seen, chunk.inputs)
            remaining -= len(chunk)
            yield chunk

    def split(self, sizes: dict[str, int], seed: int | None = None) -> dict[str, Batch]:
        """Disjoint de-duplicated sets, e.g. ``{"train": 8000, "val": 1000, "test": 1000}``."""
        total = sum(sizes.values())
        pool = self.sample(total, seed, unique=True)
        out, start = {}, 0
        for name, size in sizes.items():
            out[name] = pool[start : start + size]
            start += size
        return out

    def _draw(self, want: int, rng: np.random.Generator, banned, seen) -> Batch:
        parts: list[Batch] = []
        have = drawn = 0
        rate = 1.0
        while have < want:
            m = want - have if rate == 1.0 else int((want - have) / max(rate, 0.02) * 1.1) + 16
            batch = self._raw(m, rng)
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

    def _raw(self, m: int, rng: np.random.Generator) -> Batch:
        """``m`` derivations with their numbers, evaluated; rows with undefined values dropped."""
        table, config = self.table, self.config
        infix, postfix, template = table.walk(m, rng)
        lo, hi = config.values
        leaves = draw_numbers(rng, lo, hi, (m, config.terms[1]), config.numbers)
        divider = vm.ExactDivider(lo, hi, rng) if config.division == "exact" else None
        if template is None:
            num, den, good = vm.run(postfix, leaves, table.ops, table.leaf_code, table.op_base, divider)
        else:
            programs = table.template_postfix
            num, den, good = vm.run_templates(programs, template, leaves, table.ops, table.leaf_code, table.op_base, divider)
        if not config.negative_results:
            good &= num >= 0
        rows = np.nonzero(good)[0]
        inputs = self._render(infix[rows], leaves[rows], None if template is None else template[rows])
        targets = format_answers(num[rows], den[rows])
        self._check_output_lengths(targets)
        return Batch(inputs, targets, num[rows], den[rows])

    def _render(self, infix: np.ndarray, leaves: np.ndarray, template: np.ndarray | None) -> np.ndarray:
        """Expression strings, built column-wise (no per-row Python)."""
        m = infix.shape[0]
        if m == 0:
            return np.array([], dtype=str)
        width = len(str(self.config.values[1]))
        number, number_len = digit_codes(leaves, width, zero_pad=self.config.pad_terms)
        if template is not None:
            strings = np.ascontiguousarray(number).view(f"<U{width}")[..., 0]
            return self._render_templates(template, strings)
        # general case: scatter the characters of the pieces that exist
        is_leaf = infix == self.table.leaf_code
        ordinal = np.maximum(np.cumsum(is_leaf, axis=1) - 1, 0)
        rows, slots = np.nonzero(infix != EMPTY)
        code = infix[rows, slots]
        leaf = code == self.table.leaf_code
        which = ordinal[rows, slots]
        codes = np.where(leaf[:, None], number[rows, which], self._literal_codes[code])
        sizes = np.where(leaf, number_len[rows, which], self._literal_lengths[code])
        return scatter_pieces(rows, codes, sizes, m, self.max_input_length)

    def _render_templates(self, template: np.ndarray, numbers: np.ndarray) -> np.ndarray:
        """Each template is a fixed sequence of literals and number columns: concatenate columns."""
        table = self.table
        out = np.empty(len(template), f"<U{self.max_input_length}")
        for k, rows in vm.template_groups(template, len(table.template_infix)):
            text, column, literal = None, 0, ""
            for code in table.template_infix[k].tolist():
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


register_task(
    "addition",
    description="two numbers 1..999 added, the tutorial's task (n_numbers/largest change it)",
    grammar="addition",
    terms=2,
    values=(1, 999),
)
register_task(
    "add-sub",
    description="2-3 numbers 0..999 with + and -",
    grammar="arithmetic",
    terms=(2, 3),
    values=(0, 999),
    operators="+-",
)
register_task(
    "mixed",
    description="2-3 numbers 0..99 with + - * (add operators='+-*/' for exact division)",
    grammar="arithmetic",
    terms=(2, 3),
    values=(0, 99),
    operators="+-*",
)
register_task(
    "brackets",
    description="2-4 numbers 0..99, + - * /, brackets to depth 3, unary minus, rational answers",
    grammar="brackets",
    terms=(2, 4),
    values=(0, 99),
    depth=3,
    division="rational",
)
