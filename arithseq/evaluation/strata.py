"""The strata that matter: where in a task's problem space each example lies, and held-out sets that cover them all.

A uniform sample of 3-digit addition holds 81 one-digit sums in a million, so a
mean over it cannot see how a model does on ``2+2``. Every example is labelled by
the digit counts of its numbers (``1+2``), its number of terms, the operators it
uses, its bracket depth and, for sums, its carries and longest carry chain (the
columns in a row that only pass an incoming carry on);
held-out sets are drawn so that every combination of the first four (a *cell*)
is present, small cells included, and every report names its worst stratum.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..tasks import Batch, Task
from ..tasks.arrays import digit_counts
from ..tasks.batch import ABSENT
from ..tasks.registry import cached_task

_DIGIT_RUN = re.compile(r"[0-9]+")
CELL_GROUPS = ("digits", "terms", "operators", "depth")
HELD_OUT_SHARE = 8  # a held-out set takes at most 1/8 of a small cell's distinct problems


def shapes(inputs: np.ndarray) -> np.ndarray:
    """Each expression with its numbers replaced by ``0`` (``12*(3+45)`` -> ``0*(0+0)``)."""
    if len(inputs) == 0:
        return np.array([], dtype=str)
    return np.array(_DIGIT_RUN.sub("0", "\n".join(inputs.tolist())).split("\n"), dtype=str)


def carries(numbers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row: how many columns carry when its numbers are added by hand, and its longest carry chain:
    the most columns in a row that carry only because a carry came in (their digits alone sum to less
    than 10, to exactly 9 for two numbers), so the network must pass the incoming carry on."""
    if numbers.dtype == object:
        pairs = [_carries_of([int(v) for v in row if v != ABSENT]) for row in numbers]
        return np.array([p[0] for p in pairs], np.int64), np.array([p[1] for p in pairs], np.int64)
    values = np.where(numbers == ABSENT, 0, numbers).astype(np.int64)
    count, run, longest, carry = (np.zeros(len(values), np.int64) for _ in range(4))
    while values.any() or carry.any():
        digits = (values % 10).sum(axis=1)
        passes = (carry > 0) & (digits < 10) & (digits + carry >= 10)
        carry = (carry + digits) // 10
        count += carry > 0
        run = np.where(passes, run + 1, 0)
        longest = np.maximum(longest, run)
        values //= 10
    return count, longest


def _carries_of(numbers: list[int]) -> tuple[int, int]:
    count = run = longest = carry = 0
    while any(numbers) or carry:
        digits = sum(n % 10 for n in numbers)
        passes = carry > 0 and digits < 10 <= digits + carry
        carry = (carry + digits) // 10
        count += carry > 0
        run = run + 1 if passes else 0
        longest = max(longest, run)
        numbers = [n // 10 for n in numbers]
    return count, longest


def strata(task: Task, batch: Batch) -> dict[str, np.ndarray]:
    """Labels (strings) per example for each stratum group the task has."""
    config, ops = task.config, task.table.ops_used
    groups: dict[str, np.ndarray] = {}
    if batch.numbers.shape[1]:
        widths = digit_counts(batch.numbers)
        if config.terms[1] <= 3:
            joiner = "+" if ops == ("add",) else ","
            labels = np.where(widths[:, 0] > 0, widths[:, 0].astype(str), "")
            for j in range(1, widths.shape[1]):
                part = np.where(widths[:, j] > 0, np.strings.add(joiner, widths[:, j].astype(str)), "")
                labels = np.strings.add(labels, part)
            groups["digits"] = labels
        else:
            groups["digits"] = np.strings.add("max ", widths.max(axis=1).astype(str))
        if config.terms[0] != config.terms[1]:
            groups["terms"] = batch.terms.astype(str)
    literal_ops = [t for t in task.table.literals_used if t not in "()"]
    if len(literal_ops) > 1 or config.depth > 0:
        unique, inverse = np.unique(shapes(batch.inputs), return_inverse=True)
        if len(literal_ops) > 1:
            used = np.array(["".join(sorted({ch for ch in s if ch in literal_ops})) or "none" for s in unique.tolist()])
            groups["operators"] = used[inverse]
        if config.depth > 0:
            groups["depth"] = np.array([str(bracket_depth(s)) for s in unique.tolist()])[inverse]
    if ops == ("add",) and batch.numbers.shape[1]:
        count, longest = carries(batch.numbers)
        groups["carries"] = count.astype(str)
        groups["carry chain"] = longest.astype(str)
    if batch.targets is not None:
        groups["answer length"] = np.strings.str_len(batch.targets).astype(str)
    return groups


def bracket_depth(shape: str) -> int:
    """How deep the brackets of an expression nest."""
    deepest = level = 0
    for ch in shape:
        level += (ch == "(") - (ch == ")")
        deepest = max(deepest, level)
    return deepest


def percent(share: float) -> str:
    """``99.46%``; a share just short of 1 keeps enough decimals not to read as 100% (``99.9999%``)."""
    decimals = 2
    while share < 1 and round(share * 100, decimals) >= 100 and decimals < 8:
        decimals += 1
    return f"{share:.{decimals}%}"


@dataclass(frozen=True)
class Worst:
    """The stratum with the lowest exact match (ties: the larger one)."""

    group: str
    label: str
    exact_match: float
    n: int

    def describe(self) -> str:
        return f"{self.group} {self.label}: {percent(self.exact_match)} (n={self.n:,})"

    def to_dict(self) -> dict:
        return {"group": self.group, "stratum": self.label, "exact_match": self.exact_match, "n": self.n}


def worst_stratum(breakdown: dict[str, dict[str, dict[str, float]]]) -> Worst | None:
    candidates = [
        Worst(group, label, float(cell["exact_match"]), int(cell["n"]))
        for group, cells in breakdown.items()
        for label, cell in cells.items()
        if cell["n"]
    ]
    return min(candidates, key=lambda w: (w.exact_match, -w.n), default=None)


# -- held-out sets that cover every cell ------------------------------------------------------
def cells(task: Task, batch: Batch) -> np.ndarray:
    """One key per example: its digits, terms, operators and depth strata together."""
    groups = strata(task, batch)
    keys = np.full(len(batch), "", dtype=str)
    for name in CELL_GROUPS:
        if name in groups:
            keys = np.strings.add(np.strings.add(keys, f"{name}="), np.strings.add(groups[name], ";"))
    return keys


def stratified_sets(task: Task, sizes: dict[str, int], seed: int) -> dict[str, Batch]:
    """Disjoint de-duplicated sets (e.g. ``{"val": 2000, "test": 5000}``) with every cell present.

    A pool is drawn with every digit count equally likely (and, for sums of two
    numbers, a tenth of long carry chains); each set then takes the
    same number of problems from every cell, at most 1/8 of a small cell's distinct
    problems (so 1-digit sums stay mostly for training), the rest from larger cells.
    Every set takes its shares before any set is filled up with the pool's other
    problems, so a cell of at least as many problems as sets is in every set.
    """
    # long carry chains (99..9+1) are rare in uniform draws: a tenth of them, or the task's own share
    chains = max(task.config.carry_chains, 0.1) if task.two_number_sums else 0.0
    # every number of terms is drawn alike whatever the task's term_weights: every stratum is in every set
    pool_task = cached_task(task.name, task.config.replace(numbers="by-digits", carry_chains=chains, term_weights=None))
    want = sum(sizes.values())
    drawn = pool_task.sample(max(8 * want, 20_000), np.random.default_rng([seed, 11]))
    _, first = np.unique(drawn.inputs, return_index=True)
    pool = drawn[np.sort(first)]
    _, inverse = np.unique(cells(task, pool), return_inverse=True)
    # how many problems each cell has at least: the choices of numbers with its digit counts
    floor = _number_choices(pool.numbers, *task.config.values)
    population = np.zeros(int(inverse.max(initial=-1)) + 1, dtype=object)
    np.maximum.at(population, inverse, floor)
    free = np.ones(len(pool), bool)
    chosen = {}
    # every set takes its share of every cell before any set takes more: a set asked for more than
    # the cells' shares (a small task) would otherwise empty a small cell (1+1) before the next set
    for name, size in sizes.items():
        chosen[name] = _allocate(inverse, population, free, size)
        free[chosen[name]] = False
    rank = np.empty(len(population), np.int64)  # cells from the largest: the small ones stay for training
    rank[np.argsort(population, kind="stable")[::-1]] = np.arange(len(population))
    for name, size in sizes.items():
        if len(chosen[name]) < size:  # a small task: more than its cells' shares were asked for
            rest = np.nonzero(free)[0]
            extra = rest[np.argsort(rank[inverse[rest]], kind="stable")][: size - len(chosen[name])]
            free[extra] = False
            chosen[name] = np.sort(np.concatenate([chosen[name], extra]))
    return {name: pool[rows] for name, rows in chosen.items()}


def _number_choices(numbers: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Per row: how many rows have numbers with the same digit counts (Python ints: they can be huge)."""
    widths = digit_counts(numbers)
    choices = np.ones(widths.shape, dtype=object)
    for d in np.unique(widths[widths > 0]).tolist():
        choices[widths == d] = max(0, min(hi, 10**d - 1) - max(lo, 0 if d == 1 else 10 ** (d - 1)) + 1)
    return choices.prod(axis=1) if choices.shape[1] else np.ones(len(numbers), dtype=object)


def _allocate(inverse: np.ndarray, population: np.ndarray, free: np.ndarray, size: int) -> np.ndarray:
    """Indices of ``size`` free pool rows spread evenly over the cells; a small cell gives at most 1/8 of itself."""
    available = [np.nonzero(free & (inverse == c))[0] for c in range(len(population))]
    caps = np.array([min(len(rows), max(1, population[c] // HELD_OUT_SHARE)) if len(rows) else 0 for c, rows in enumerate(available)])
    quota = np.zeros(len(population), np.int64)
    left = size
    open_cells = caps > 0
    while left > 0 and open_cells.any():
        share = max(1, left // int(open_cells.sum()))
        for c in np.nonzero(open_cells)[0]:
            take = min(share, caps[c] - quota[c], left)
            quota[c] += take
            left -= take
            if quota[c] >= caps[c]:
                open_cells[c] = False
            if left == 0:
                break
    chosen = [rows[: quota[c]] for c, rows in enumerate(available)]
    picked = np.concatenate(chosen) if chosen else np.zeros(0, np.int64)
    return np.sort(picked)  # fewer than ``size`` when the cells' shares hold fewer: the caller fills the rest
