"""Every problem of a task, once each: the whole language, when it is small enough to judge a model on all of it.

A task's size is known without enumerating: the number of derivation shapes with
``n`` numbers (``N+N``, ``N-N*N``, ``(N)+N`` ...) times ``V**n`` for ``V`` values per
number. Enumeration walks the shapes and, for each, every combination of numbers in
order, in chunks: memory stays bounded whatever the size.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from ..errors import SamplingError
from . import exact
from .batch import Batch
from .options import TaskConfig
from .rendering import ExpressionRenderer, format_answers
from .sampler import DerivationTable
from .steps import record

LIMIT = 5_000_000
"""The most problems an exhaustive evaluation enumerates (a few seconds of work per million)."""


def problem_count(table: DerivationTable, values: tuple[int, int]) -> int:
    """Expressions the grammar and options can write: shapes times number choices (undefined ones included)."""
    span = values[1] - values[0] + 1
    return sum(derivation_count(table, int(state)) * span**n for n, state in zip(table.terms, table.start_states))


def derivation_count(table: DerivationTable, state: int) -> int:
    """How many complete derivations ``state`` of ``table`` has (exactly, however many)."""
    memo: dict[int, int] = {}

    def count(s: int) -> int:
        if s not in memo:
            memo[s] = sum(
                math.prod(count(code - table.state_base) for code in items if code >= table.state_base)
                for _, items in table._outcomes[s]
            )
        return memo[s]

    return count(state)


def enumerate_problems(
    name: str, table: DerivationTable, config: TaskConfig, renderer: ExpressionRenderer, chunk: int, limit: int,
    steps: bool = False,
) -> Iterator[Batch]:
    """Every defined problem of task ``name``, shape by shape, numbers in increasing order, ``chunk`` at a time;
    with ``steps``, each batch carries its reduction steps (recorded as they are computed, not re-parsed)."""
    size = problem_count(table, config.values)
    if size > limit:
        raise SamplingError(
            f"task {name!r} has {size:,} problems, more than the {limit:,} an exhaustive evaluation "
            "enumerates; evaluate on a stratified sample instead (leave out --exhaustive)"
        )
    lo, hi = config.values
    span = hi - lo + 1
    divider = exact.ExactDivider(lo, hi, None) if config.division == "exact" else None
    for state in dict.fromkeys(table.start_states.tolist()):
        infix, postfix = table.shapes(int(state), size)
        for k in range(len(infix)):
            n = int((postfix[k] == table.leaf_code).sum())
            total = span**n
            for start in range(0, total, chunk):
                index = np.arange(start, min(start + chunk, total), dtype=np.int64)
                # mixed radix: the first number changes slowest, so problems come in reading order
                leaves = lo + (index[:, None] // span ** np.arange(n - 1, -1, -1, dtype=np.int64)) % span
                recorder = [] if steps else None
                num, den, defined = exact.run_templates(
                    postfix[k : k + 1], np.zeros(len(index), np.int64), leaves,
                    table.ops, table.leaf_code, table.op_base, divider, recorder,
                )
                if not config.negative_results:
                    defined &= num >= 0
                rows = np.nonzero(defined)[0]
                leaves = leaves[rows]
                text = renderer.render(np.broadcast_to(infix[k], (len(rows), infix.shape[1])), leaves, None)
                trace = None if recorder is None else record(recorder, len(index)).take(rows)
                yield Batch(text, format_answers(num[rows], den[rows]), num[rows], den[rows], leaves, trace)
