"""Random derivations drawn straight from a grammar, for a whole batch at once.

The grammar is compiled into a table of *states* ``(rule, numbers, depth)``: a rule
that must derive exactly ``numbers`` literal numbers using at most ``depth`` nested
brackets. Each state has a list of *outcomes* (the rule's alternatives, with the
numbers split among the children) with probabilities set by the task's weights.
Pass-through alternatives (``?sum: product``) are folded into their parent, so a
walk only visits states that emit something.

A batch walks all its derivations in lock step with numpy: every row keeps a stack
of pending codes, and each step pops one code per row. Popping a token writes it to
the infix stream (the expression text); a number writes to both streams; an
operator code, pushed after its operands, writes to the postfix stream (what
:mod:`arithseq.tasks.exact` evaluates); a state is replaced by one of its outcomes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np

from ..errors import ConfigError, GrammarError
from .grammar import Alternative, Grammar
from .operators import LEAF, NODES, Bound

EMPTY = -1
CLOSED_LIMIT = 4096  # start states with at most this many complete derivations are sampled in one step


@dataclass(frozen=True)
class Limits:
    """Largest sizes any derivation of the table can reach."""

    input_length: int
    output_bound: Bound
    infix_items: int
    postfix_items: int
    steps: int
    value_bound: Bound  # of every value along the way: numbers, intermediate results, the answer


class DerivationTable:
    """A grammar compiled for sampling with given weights, term counts and bracket depth."""

    def __init__(
        self,
        grammar: Grammar,
        weight: Callable[[Alternative], float],
        terms: tuple[int, int],
        depth: int,
        leaf_width: int,
        leaf_bound: Bound,
        term_weights: Mapping[int, float] | None = None,
    ) -> None:
        self.grammar = grammar
        self.tokens: tuple[str, ...] = grammar.literals
        self.ops: tuple[str, ...] = tuple(sorted(grammar.labels - {LEAF}))
        self.leaf_code = len(self.tokens)
        self.op_base = self.leaf_code + 1
        self.state_base = self.op_base + len(self.ops)
        self._weight = {id(a): weight(a) for alts in grammar.rules.values() for a in alts}
        self._alts = grammar.rules
        self._feasible = self._feasibility(terms[1], depth)
        self.terms = [n for n in range(terms[0], terms[1] + 1) if (grammar.start, n, depth) in self._feasible]
        if not self.terms:
            raise ConfigError(
                f"grammar {grammar.name!r} cannot make an expression with {terms[0]}..{terms[1]} "
                f"numbers and bracket depth <= {depth} using the enabled operators"
            )
        self._states: dict[tuple[str, int, int], int] = {}
        self._outcomes: list[list[tuple[float, tuple[int, ...]]]] = []
        self._visiting: set[tuple[str, int, int]] = set()
        self.start_states = np.array([self._state(grammar.start, n, depth) for n in self.terms])
        self._term_p = None
        if term_weights is not None:
            weights = np.array([term_weights.get(n, 0.0) for n in self.terms], float)
            weights = weights / max(weights.max(), 1e-300)  # huge weights must not overflow their sum
            if not weights.sum() > 0:
                raise ConfigError(f"option 'term_weights' gives no weight to a number of terms the grammar can make ({self.terms})")
            self._term_p = weights / weights.sum()
        for state in set(self.start_states.tolist()):
            closed = self._closure(state, CLOSED_LIMIT)
            if closed is not None:
                self._outcomes[state] = closed
        self._tables()
        self.limits = self._limits(leaf_width, leaf_bound)

    # -- compilation ------------------------------------------------------------
    def _splits(self, children: tuple[str, ...], n: int, depth: int, feasible) -> Iterator[tuple[int, ...]]:
        if not children:
            if n == 0:
                yield ()
            return
        head, rest = children[0], children[1:]
        for k in range(n + 1):
            if (head, k, depth) in feasible:
                for tail in self._splits(rest, n - k, depth, feasible):
                    yield (k, *tail)

    def _choices(self, rule: str, n: int, depth: int, feasible) -> Iterator[tuple[Alternative, int, tuple[int, ...]]]:
        for alt in self._alts[rule]:
            if self._weight[id(alt)] <= 0:
                continue
            inner = depth - 1 if alt.opens_bracket else depth
            if inner < 0:
                continue
            if rule == LEAF:
                if n == 1:
                    yield alt, inner, ()
                continue
            for split in self._splits(alt.children, n, inner, feasible):
                yield alt, inner, split

    def _feasibility(self, max_terms: int, depth: int) -> set[tuple[str, int, int]]:
        feasible: set[tuple[str, int, int]] = set()
        grew = True
        while grew:
            grew = False
            for rule in self._alts:
                for n in range(max_terms + 1):
                    for d in range(depth + 1):
                        key = (rule, n, d)
                        if key not in feasible and next(self._choices(rule, n, d, feasible), None):
                            feasible.add(key)
                            grew = True
        return feasible

    def _state(self, rule: str, n: int, depth: int) -> int:
        key = (rule, n, depth)
        if key in self._states:
            return self._states[key]
        if key in self._visiting:
            raise GrammarError(
                f"{self.grammar.source}:{self.grammar.line_of(rule)}: rule {rule!r} can derive itself "
                "without adding a number or a bracket level, so expressions would be unbounded"
            )
        self._visiting.add(key)
        outcomes = self._expand(rule, n, depth)
        self._visiting.discard(key)
        self._states[key] = len(self._outcomes)
        self._outcomes.append(outcomes)
        return self._states[key]

    def _expand(self, rule: str, n: int, depth: int) -> list[tuple[float, tuple[int, ...]]]:
        """The state's outcomes with unnormalised weights.

        A pass-through alternative (``?sum: product``) is transparent: it contributes
        its child's outcomes with their own weights, so ``+``, ``*`` and a bracket
        compete by their weights whatever rule level the grammar puts them on.
        """
        choices = list(self._choices(rule, n, depth, self._feasible))
        per_alt: dict[int, int] = {}
        for alt, _, _ in choices:
            per_alt[id(alt)] = per_alt.get(id(alt), 0) + 1
        outcomes: list[tuple[float, tuple[int, ...]]] = []
        for alt, inner, split in choices:
            p = self._weight[id(alt)] / per_alt[id(alt)]
            if alt.label == LEAF:
                outcomes.append((p, (self.leaf_code,)))
                continue
            child_states = iter(self._state(c, k, inner) for c, k in zip(alt.children, split))
            is_pass = alt.label is None and len(alt.items) == 1
            if is_pass:
                folded = self._outcomes[next(child_states)]
                outcomes.extend((p * q, items) for q, items in folded)
                continue
            items: list[int] = []
            for kind, text in alt.items:
                if kind == "tok":
                    items.append(self.tokens.index(text))
                    continue
                child = next(child_states)
                # a child with one possible outcome is spliced in: fewer steps when walking
                only = self._outcomes[child]
                items.extend(only[0][1] if len(only) == 1 else (self.state_base + child,))
            if alt.label is not None:
                items.append(self.op_base + self.ops.index(alt.label))
            outcomes.append((p, tuple(items)))
        return outcomes

    def _closure(self, state: int, limit: int) -> list[tuple[float, tuple[int, ...]]] | None:
        """Every complete derivation of ``state`` with its probability, or None if more than ``limit``."""
        done: list[tuple[float, tuple[int, ...]]] = []
        total = sum(p for p, _ in self._outcomes[state])
        for weight, items in self._outcomes[state]:
            p = weight / total
            partial: list[tuple[float, tuple[int, ...]]] = [(p, ())]
            for code in items:
                if code < self.state_base:
                    partial = [(q, seq + (code,)) for q, seq in partial]
                    continue
                sub = self._closure(code - self.state_base, limit)
                if sub is None or len(partial) * len(sub) > limit:
                    return None
                partial = [(q * r, seq + more) for q, seq in partial for r, more in sub]
            done.extend(partial)
            if len(done) > limit:
                return None
        return done

    def shapes(self, state: int, limit: int) -> tuple[np.ndarray, np.ndarray]:
        """Infix and postfix streams of every complete derivation of ``state`` (at most ``limit``)."""
        derivations = [items for _, items in self._closure(state, limit) or []]
        width = max((len(d) for d in derivations), default=1)
        codes = np.array([list(d) + [EMPTY] * (width - len(d)) for d in derivations], np.int64).reshape(-1, width)
        return self._split_streams(codes)

    def _split_streams(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        infix = np.where(codes < self.op_base, codes, EMPTY)
        postfix = np.where(codes >= self.leaf_code, codes, EMPTY)
        # left-align each stream: drop the other stream's codes, keep the order
        infix = np.take_along_axis(infix, np.argsort(infix == EMPTY, axis=1, kind="stable"), axis=1)
        postfix = np.take_along_axis(postfix, np.argsort(postfix == EMPTY, axis=1, kind="stable"), axis=1)
        return (
            infix[:, : self.limits.infix_items].astype(np.int32),
            postfix[:, : self.limits.postfix_items].astype(np.int32),
        )

    def _tables(self) -> None:
        n_states = len(self._outcomes)
        widest = max(len(o) for o in self._outcomes)
        longest = max(len(items) for o in self._outcomes for _, items in o)
        # cumulative outcome probabilities per state (2.0 past the last outcome: never chosen)
        self.cumulative = np.full((n_states, widest), 2.0)
        self.first = np.zeros(n_states, np.int64)
        backward, forward, lengths, leads = [], [], [], []
        for s, outcomes in enumerate(self._outcomes):
            probs = np.array([p for p, _ in outcomes])
            self.cumulative[s, : len(outcomes)] = np.cumsum(probs / probs.sum())
            self.cumulative[s, len(outcomes) - 1] = 1.0
            self.first[s] = len(backward)
            for _, items in outcomes:
                padding = [EMPTY] * (longest - len(items))
                backward.append(list(reversed(items)) + padding)  # the order a stack pushes them
                forward.append(list(items) + padding)
                lengths.append(len(items))
                states = [i for i, code in enumerate(items) if code >= self.state_base]
                leads.append(states[0] if states else len(items))
        self.backward = np.array(backward, np.int32)
        self.forward = np.array(forward, np.int32)
        starts = set(self.start_states.tolist())
        self.closed = all(
            leads[o] == lengths[o]
            for s in starts
            for o in range(self.first[s], self.first[s] + len(self._outcomes[s]))
        )
        self.outcome_length = np.array(lengths, np.int64)
        self.lead = np.array(leads, np.int64)

    def _limits(self, leaf_width: int, leaf_bound: Bound) -> Limits:
        memo: dict[int, tuple[int, Bound, int, int, int]] = {}
        used: set[str] = set()

        def walk(state: int) -> tuple[int, Bound, int, int, int, Bound]:
            if state in memo:
                return memo[state]
            best = None
            for _, items in self._outcomes[state]:
                length = infix = postfix = 0
                steps = 1
                seen = leaf_bound
                stack: list[Bound] = []  # the outcome's items read as a postfix program of bounds
                for code in items:
                    if code >= self.state_base:
                        sub = walk(code - self.state_base)
                        length += sub[0]
                        stack.append(sub[1])
                        infix += sub[2]
                        postfix += sub[3]
                        steps += sub[4]
                        seen = _wider(seen, sub[5])
                        continue
                    steps += 1
                    if code == self.leaf_code:
                        length += leaf_width
                        stack.append(leaf_bound)
                        infix += 1
                        postfix += 1
                    elif code >= self.op_base:
                        op = self.ops[code - self.op_base]
                        used.add(op)
                        arity = NODES.get(op).arity
                        args = stack[len(stack) - arity :]
                        del stack[len(stack) - arity :]
                        stack.append(NODES.get(op).bound(args))
                        seen = _wider(seen, stack[-1])
                        postfix += 1
                    else:
                        length += len(self.tokens[code])
                        infix += 1
                        used.add(self.tokens[code])
                candidate = (length, stack[-1], infix, postfix, steps, seen)
                best = candidate if best is None else _widest(best, candidate)
            memo[state] = best
            return best

        tops = [walk(int(s)) for s in self.start_states]
        self.literals_used = tuple(t for t in self.tokens if t in used)
        self.ops_used = tuple(op for op in self.ops if op in used)
        top = tops[0]
        for t in tops[1:]:
            top = _widest(top, t)
        return Limits(top[0], top[1], top[2], top[3], top[4], top[5])

    # -- sampling -----------------------------------------------------------------
    def walk(self, m: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Draw ``m`` derivations: (infix codes, postfix codes, template ids or None), padded with EMPTY.

        When every derivation is one of a few precomputed templates (see CLOSED_LIMIT),
        the template ids let :mod:`arithseq.tasks.exact` evaluate each template as straight-line code.
        """
        lim = self.limits
        if self.closed:
            return self._walk_closed(m, rng)
        stack = np.zeros((m, lim.steps + 1), np.int32)
        stack[:, 0] = self.state_base + self._starts(m, rng)
        sp = np.ones(m, np.int64)
        infix = np.full((m, lim.infix_items), EMPTY, np.int32)
        postfix = np.full((m, lim.postfix_items), EMPTY, np.int32)
        n_in = np.zeros(m, np.int64)
        n_post = np.zeros(m, np.int64)
        active = np.arange(m)
        while active.size:
            sp[active] -= 1
            top = stack[active, sp[active]]
            expands = top >= self.state_base
            plain = ~expands
            self._emit(active[plain], top[plain], infix, n_in, postfix, n_post)
            if expands.any():
                rows = active[expands]
                states = top[expands] - self.state_base
                choice = self._choose(states, rng)
                lead = self.lead[choice]
                # items before the outcome's first state are emitted now, the rest pushed
                for j in range(int(lead.max(initial=0))):
                    now = np.nonzero(j < lead)[0]
                    self._emit(rows[now], self.forward[choice[now], j], infix, n_in, postfix, n_post)
                items = self.backward[choice]
                size = self.outcome_length[choice] - lead
                for j in range(int(size.max(initial=0))):
                    put = j < size
                    stack[rows[put], sp[rows[put]] + j] = items[put, j]
                sp[rows] += size
            active = active[sp[active] > 0]
        return infix, postfix, None

    def _starts(self, m: int, rng: np.random.Generator) -> np.ndarray:
        """The start state of ``m`` derivations: their numbers of terms, equally likely unless weighted."""
        if self._term_p is None:
            return self.start_states[rng.integers(0, len(self.terms), m)]
        return self.start_states[rng.choice(len(self.terms), m, p=self._term_p)]

    def _choose(self, states: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """One outcome index (into the outcome tables) per state, drawn by the outcome probabilities."""
        u = rng.random(len(states))
        # one binary search in all states' rows laid end to end (row s shifted by 3s, so the whole is
        # sorted): O(log) per draw where comparing with a whole row is O(outcomes), thousands for brackets
        width = self.cumulative.shape[1]
        below = np.searchsorted(self._sorted_cumulative, u + 3.0 * states, side="right") - states * width
        return self.first[states] + below

    @functools.cached_property
    def _sorted_cumulative(self) -> np.ndarray:
        shift = 3.0 * np.arange(len(self.cumulative))[:, None]
        return (self.cumulative + shift).ravel()

    def _walk_closed(self, m: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every derivation is one precomputed outcome: pick one per row and copy its streams."""
        choice = self._choose(self._starts(m, rng), rng)
        infix, postfix = self.templates
        return infix[choice], postfix[choice], choice

    @functools.cached_property
    def templates(self) -> tuple[np.ndarray, np.ndarray]:
        """Infix codes (literals and numbers) and postfix program of each precomputed template
        (rows indexed by walk's template ids)."""
        return self._split_streams(self.forward)

    def _emit(self, rows, codes, infix, n_in, postfix, n_post) -> None:
        """Append terminal ``codes`` (one per row) to the infix and/or postfix streams."""
        to_infix = codes < self.op_base
        r = rows[to_infix]
        infix[r, n_in[r]] = codes[to_infix]
        n_in[r] += 1
        to_post = codes >= self.leaf_code
        r = rows[to_post]
        postfix[r, n_post[r]] = codes[to_post]
        n_post[r] += 1


def _wider(a: Bound, b: Bound) -> Bound:
    return Bound(max(a.num, b.num), max(a.den, b.den), a.negative or b.negative)


def _widest(a, b):
    return (max(a[0], b[0]), _wider(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]), max(a[4], b[4]), _wider(a[5], b[5]))
