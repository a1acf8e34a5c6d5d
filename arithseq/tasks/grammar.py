"""Loading lark grammars, checking they follow arithseq's node convention, parsing and exact evaluation.

One grammar file defines one language. The same object samples (through
:mod:`arithseq.tasks.sampler`), parses what users type and evaluates it exactly.
"""

from __future__ import annotations

import functools
import importlib.resources
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import lark

from ..errors import ArgumentError, EvaluationError, ExpressionError, GrammarError, shown
from ..options import got, text as text_argument
from .operators import LEAF, MAX_DIGITS, NODES, Value, normalise, too_big

GRAMMAR_SUFFIX = ".lark"


@dataclass(frozen=True)
class Alternative:
    """One right-hand side of a rule, as the sampler sees it."""

    origin: str
    items: tuple[tuple[str, str], ...]  # ("tok", literal text) or ("rule", rule name)
    label: str | None  # the tree node it makes; None when lark inlines it (a pass-through)

    @property
    def children(self) -> tuple[str, ...]:
        return tuple(name for kind, name in self.items if kind == "rule")

    @property
    def opens_bracket(self) -> bool:
        return any(kind == "tok" and "(" in text for kind, text in self.items)


def builtin_grammar_dir() -> Path:
    try:
        return Path(str(importlib.resources.files("arithseq.grammars")))
    except ModuleNotFoundError:
        # running from a source checkout without installing: grammars/ sits beside arithseq/
        return Path(__file__).resolve().parents[2] / "grammars"


def grammar_names() -> list[str]:
    """Names of the grammars shipped with arithseq (files in ``grammars/``)."""
    return sorted(p.stem for p in builtin_grammar_dir().glob(f"*{GRAMMAR_SUFFIX}"))


def resolve_grammar_path(name_or_path: str | Path) -> Path:
    """A built-in grammar's name, or the path of a ``.lark`` file."""
    if not isinstance(name_or_path, (str, Path)):
        raise ArgumentError(f"a grammar is a name or the path of a {GRAMMAR_SUFFIX} file, got {type(name_or_path).__name__} {got(name_or_path)}")
    text = str(name_or_path)
    if text.endswith(GRAMMAR_SUFFIX) or "/" in text or "\\" in text:
        path = Path(text).expanduser()
        if not path.is_file():
            raise GrammarError(f"grammar file {path} does not exist")
        return path.resolve()
    path = builtin_grammar_dir() / f"{text}{GRAMMAR_SUFFIX}"
    if not path.is_file():
        raise GrammarError(
            f"unknown grammar {text!r}; built-in grammars are {', '.join(grammar_names())}, "
            f"or give the path of a {GRAMMAR_SUFFIX} file"
        )
    return path


def load_grammar(name_or_path: str | Path) -> Grammar:
    path = resolve_grammar_path(name_or_path)
    return _load(path, path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _load(path: Path, _mtime: int) -> Grammar:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise GrammarError(f"{path}:{line}: not a text grammar (byte {exc.start + 1} is not UTF-8)") from None
    return Grammar(text, name=path.stem, source=str(path))


class Grammar:
    """A lark grammar whose tree nodes carry arithseq's shared names."""

    def __init__(self, text: str, name: str = "grammar", source: str = "<string>") -> None:
        self.name = name
        self.source = source
        self.text = text_argument("the grammar text", text)
        if not re.sub(r"//[^\n]*", "", text).strip():
            raise GrammarError(f"{source}: the grammar is empty; arithseq grammars define 'start', 'number' and operators")
        # relative %import paths are relative to the grammar file
        where = {} if source == "<string>" else {"source_path": source}
        try:
            self.parser = lark.Lark(
                text, parser="lalr", propagate_positions=True, maybe_placeholders=False, **where
            )
        except lark.exceptions.UnexpectedInput as exc:
            raise GrammarError(f"{source}:{exc.line}:{exc.column}: {_first_line(exc)}") from None
        except lark.exceptions.LarkError as exc:
            if "NonTerminal('start')" in str(exc):
                raise GrammarError(f"{source}: no 'start' rule; the language begins at 'start: ...'") from None
            raise GrammarError(self._locate(str(exc))) from None
        except OSError as exc:  # an %import of a grammar file that is not there
            raise GrammarError(self._missing_import(exc)) from None
        self._terminals = {t.name: t for t in self.parser.terminals}
        if not any(rule.origin.name == LEAF for rule in self.parser.rules):
            raise GrammarError(
                f"{source}: no '{LEAF}' rule; arithseq grammars write literal numbers as "
                f"'{LEAF}: DIGITS' so the sampler knows where numbers go"
            )
        self.rules: dict[str, list[Alternative]] = {}
        for rule in self.parser.rules:
            alt = self._alternative(rule)
            self.rules.setdefault(alt.origin, []).append(alt)
        self.start = "start"
        self.literals: tuple[str, ...] = tuple(
            dict.fromkeys(
                text
                for alts in self.rules.values()
                for alt in alts
                for kind, text in alt.items
                if kind == "tok"
            )
        )
        self.labels: frozenset[str] = frozenset(
            alt.label for alts in self.rules.values() for alt in alts if alt.label
        )

    # -- construction helpers -------------------------------------------------
    def line_of(self, name: str) -> int:
        """Line where rule ``name`` is defined (or, failing that, first mentioned)."""
        definition = re.compile(rf"^\s*[?!]?{re.escape(name)}\s*(\.\d+)?\s*:", re.M)
        match = definition.search(self.text) or re.search(rf"\b{re.escape(name)}\b", self.text)
        return self.text.count("\n", 0, match.start()) + 1 if match else 0

    def _locate(self, message: str) -> str:
        where = re.search(r"line (\d+),? column (\d+)", message)
        if where:
            return f"{self.source}:{where[1]}:{where[2]}: {message.splitlines()[0]}"
        named = re.search(r"'([A-Za-z_][A-Za-z_0-9]*)'", message)
        line = self.line_of(named[1]) if named else 0
        return f"{self.source}:{line}: {message.splitlines()[0]}" if line else f"{self.source}: {message}"

    def _missing_import(self, exc: OSError) -> str:
        missing = Path(exc.filename or "").stem
        for number, line in enumerate(self.text.splitlines(), 1):
            statement = re.match(r"\s*%import\s+(\.*)([\w.]+)", line)
            if statement and missing in statement[2].split("."):
                return f"{self.source}:{number}: %import {statement[1]}{statement[2]}: no grammar {missing}.lark to import it from"
        return f"{self.source}: an %import names a grammar that is not there ({exc.filename})"

    def _alternative(self, rule: lark.grammar.Rule) -> Alternative:
        origin = str(rule.origin.name)
        line = self.line_of(origin)
        if rule.alias:
            alias_line = re.search(rf"->\s*{re.escape(rule.alias)}\b", self.text)
            line = self.text.count("\n", 0, alias_line.start()) + 1 if alias_line else line
        where = f"{self.source}:{line}"
        if origin.startswith("_") or any(not s.is_term and s.name.startswith("_") for s in rule.expansion):
            raise GrammarError(
                f"{where}: rule {origin!r} is inlined (a '_' name, or a repetition with * or +); "
                "write it as a recursive rule so every node has a fixed number of operands"
            )
        items: list[tuple[str, str]] = []
        for symbol in rule.expansion:
            if not symbol.is_term:
                items.append(("rule", str(symbol.name)))
            elif origin == LEAF:
                items.append(("leaf", symbol.name))
            else:
                pattern = self._terminals[symbol.name].pattern
                if not symbol.filter_out or pattern.type != "str":
                    raise GrammarError(
                        f"{where}: terminal {symbol.name} would appear in the tree; operators and "
                        f"brackets must be quoted literals (\"+\"), and only the '{LEAF}' rule holds patterns"
                    )
                items.append(("tok", pattern.value))
        n_children = sum(kind == "rule" for kind, _ in items)
        expand1 = bool(rule.options and rule.options.expand1)
        label = str(rule.alias) if rule.alias else (None if expand1 and n_children == 1 else origin)
        if origin == LEAF:
            label = LEAF
        elif label is not None and label not in NODES:
            if n_children != 1:
                raise GrammarError(
                    f"{where}: node {label!r} has no meaning; register one with "
                    f"@arithseq.node({label!r}) or use a known node ({', '.join(NODES.names())})"
                )
            label = None
        elif label is not None and NODES.get(label).arity != n_children:
            raise GrammarError(
                f"{where}: node {label!r} takes {NODES.get(label).arity} operand(s) but this "
                f"alternative gives it {n_children}"
            )
        return Alternative(origin, tuple(items), label)

    # -- using the language ---------------------------------------------------
    def parse(self, expression: str) -> lark.Tree:
        """Parse ``expression``; an :class:`ExpressionError` names the column and what was expected."""
        text_argument("the expression", expression)
        if not expression.strip():
            raise ExpressionError("empty expression", expression, None)
        try:
            return self.parser.parse(expression)
        except lark.exceptions.UnexpectedCharacters as exc:
            found = repr(expression[exc.pos_in_stream])
            raise ExpressionError(
                f"unexpected character {found} at column {exc.column}; expected "
                f"{self._describe(exc.allowed)}",
                expression,
                exc.column,
            ) from None
        except lark.exceptions.UnexpectedToken as exc:
            at_end = exc.token.type == "$END"
            column = len(expression) + 1 if at_end else exc.column
            found = "end of expression" if at_end else repr(str(exc.token))
            raise ExpressionError(
                f"unexpected {found} at column {column}; expected {self._describe(exc.expected)}",
                expression,
                column,
            ) from None
        except lark.exceptions.UnexpectedEOF as exc:
            column = len(expression) + 1
            raise ExpressionError(
                f"expression ends too early at column {column}; expected {self._describe(exc.expected)}",
                expression,
                column,
            ) from None

    def _describe(self, terminal_names) -> str:
        names = []
        leaf_terms = {name for alt in self.rules[LEAF] for kind, name in alt.items if kind == "leaf"}
        for name in sorted(terminal_names or ()):
            if name in leaf_terms:
                names.append("a number")
            elif name == "$END":
                names.append("end of expression")
            elif name in self._terminals and self._terminals[name].pattern.type == "str":
                names.append(repr(self._terminals[name].pattern.value))
            else:
                names.append(name)
        return " or ".join(dict.fromkeys(names)) or "nothing more"

    def evaluate(self, expression: str) -> Value:
        """The exact value (int or Fraction) of ``expression``."""
        return self.reduce(expression)[0]

    def reduce(self, expression: str) -> tuple[Value, list[tuple[str, list[Value], Value]]]:
        """The exact value of ``expression`` and every operation on the way, operands first:
        ``(node name, operand values, its value)``. Computed without recursion (a sum of thousands
        of terms is a tree thousands of levels deep)."""
        stack: list[Value] = []
        done: list[tuple[str, list[Value], Value]] = []
        for node, arity in postfix(self.parse(expression)):
            if arity == 0:
                stack.append(leaf_value(node, expression))
                continue
            args = stack[len(stack) - arity :]
            del stack[len(stack) - arity :]
            value = _apply(node, args, expression)
            done.append((str(node.data), args, value))
            stack.append(value)
        return stack[0], done


def postfix(tree: lark.Tree) -> Iterator[tuple[lark.Tree, int]]:
    """The nodes of a parse tree that mean something, operands first: ``(number node, 0)`` for each
    literal and ``(node, arity)`` for each operator; pass-through rules are skipped. Iterative."""
    pending: list[tuple[lark.Tree, bool]] = [(tree, False)]
    while pending:
        node, visited = pending.pop()
        name = str(node.data)
        if name == LEAF:
            yield node, 0
            continue
        children = [c for c in node.children if isinstance(c, lark.Tree)]
        if name not in NODES:  # a pass-through rule
            pending.extend((c, False) for c in reversed(children))
        elif visited:
            yield node, len(children)
        else:
            pending.append((node, True))
            pending.extend((c, False) for c in reversed(children))


def leaf_value(node: lark.Tree, expression: str) -> int:
    """The whole number a ``number`` node holds: digits 0-9 only, at most MAX_DIGITS of them."""
    written = "".join(str(token) for token in node.children).strip()
    column = getattr(node.meta, "column", None)
    if not (written.isascii() and written.isdigit()):
        raise EvaluationError(
            f"number {shown(written)} at column {column} is not a whole number written with the digits 0-9 "
            "(the grammar's number terminal allows more)",
            expression,
            column,
        )
    if len(written) > MAX_DIGITS:
        raise EvaluationError(
            f"number at column {column} has {len(written):,} digits; arithseq reads numbers of at most {MAX_DIGITS:,}",
            expression,
            column,
        )
    return int(written)


def _apply(node: lark.Tree, args: list[Value], expression: str) -> Value:
    column = getattr(node.meta, "column", None)
    end = getattr(node.meta, "end_column", None)
    span = expression[column - 1 : end - 1] if column and end else expression
    try:
        value = normalise(NODES.get(str(node.data)).fn(*args))
    except (ArithmeticError, ValueError) as exc:
        raise EvaluationError(
            f"{exc} in {shown(span)} (columns {column}-{(end or 1) - 1})", expression, column
        ) from None
    if too_big(value):
        raise EvaluationError(
            f"the value of {shown(span)} (columns {column}-{(end or 1) - 1}) has more than {MAX_DIGITS:,} digits",
            expression,
            column,
        )
    return value


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]
