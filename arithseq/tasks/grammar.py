"""Loading lark grammars, checking they follow arithseq's node convention, parsing and exact evaluation.

One grammar file defines one language. The same object samples (through
:mod:`arithseq.tasks.sampler`), parses what users type and evaluates it exactly.
"""

from __future__ import annotations

import functools
import importlib.resources
import re
from dataclasses import dataclass
from pathlib import Path

import lark

from ..errors import EvaluationError, ExpressionError, GrammarError
from .operators import LEAF, NODES, Value, normalise

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
        return Path(__file__).resolve().parent.parent / "grammars"


def grammar_names() -> list[str]:
    """Names of the grammars shipped with arithseq (files in ``grammars/``)."""
    return sorted(p.stem for p in builtin_grammar_dir().glob(f"*{GRAMMAR_SUFFIX}"))


def resolve_grammar_path(name_or_path: str | Path) -> Path:
    """A built-in grammar's name, or the path of a ``.lark`` file."""
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
    return Grammar(path.read_text(encoding="utf-8"), name=path.stem, source=str(path))


class Grammar:
    """A lark grammar whose tree nodes carry arithseq's shared names."""

    def __init__(self, text: str, name: str = "grammar", source: str = "<string>") -> None:
        self.name = name
        self.source = source
        self.text = text
        try:
            self.parser = lark.Lark(
                text, parser="lalr", propagate_positions=True, maybe_placeholders=False
            )
        except lark.exceptions.UnexpectedInput as exc:
            raise GrammarError(f"{source}:{exc.line}:{exc.column}: {_first_line(exc)}") from None
        except lark.exceptions.LarkError as exc:
            raise GrammarError(self._locate(str(exc))) from None
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
        tree = self.parse(expression)
        return _Evaluator(expression).transform(tree)


class _Evaluator(lark.Transformer):
    """Computes a parse tree's value with the node registry; never uses floats."""

    def __init__(self, expression: str) -> None:
        super().__init__()
        self.expression = expression

    def __default__(self, data, children, meta):
        if data == LEAF:
            return int(str(children[0]).strip())
        if str(data) not in NODES:
            return children[0]
        try:
            return normalise(NODES.get(str(data)).fn(*children))
        except (ArithmeticError, ValueError) as exc:
            column = getattr(meta, "column", None)
            end = getattr(meta, "end_column", None)
            span = self.expression[column - 1 : end - 1] if column and end else self.expression
            raise EvaluationError(
                f"{exc} in {span!r} (columns {column}-{(end or 1) - 1})", self.expression, column
            ) from None


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]
