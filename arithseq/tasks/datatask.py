"""A task given by question/answer pairs instead of a grammar: data someone else made.

Its alphabet and lengths come from the data; questions are read as they are (no
grammar checks them, only the alphabet); answers are whatever the file says (no
exact evaluator computes them). It has no numbers to stratify by, so its strata
are the answers' lengths.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import ConfigError, ExpressionError
from .batch import Batch
from .options import TaskConfig, make_config
from .reading import Reading

DATA_FORMAT_OPTIONS = ("reverse_input", "reverse_output", "pad_side", "pad")


@dataclass(frozen=True)
class _NoTable:
    """What a grammar's derivation table would tell: no operators, no literals."""

    ops_used: tuple = ()
    literals_used: tuple = ()
    limits: None = None


class DataTask:
    """Question/answer pairs: sampled with replacement for training, read by their alphabet."""

    from_data = True
    stepwise = scratchpad = two_number_sums = column_readable = False
    negative_answers = rational_answers = False
    number_width = 0
    step_input_length = 0
    grammar = None
    table = _NoTable()

    def __init__(self, name: str, questions: np.ndarray, answers: np.ndarray, options: dict | None = None) -> None:
        self.name = name
        self.questions, self.answers = questions, answers
        unknown = set(options or {}) - set(DATA_FORMAT_OPTIONS)  # checked before the pad is chosen
        if unknown:
            raise ConfigError(
                f"a task from a data file takes only the format options {', '.join(DATA_FORMAT_OPTIONS)}; got {', '.join(sorted(unknown))}"
            )
        chars = set("".join(questions.tolist()) + "".join(answers.tolist()))
        options = dict(options or {})
        if "pad" not in options and " " in chars:  # questions in words: pad with a character they lack
            options["pad"] = next(ch for ch in ("\u2423", "\u00a4", "\u00b7", "\x00") if ch not in chars)
        self.config: TaskConfig = make_config(TaskConfig(grammar="data"), options)
        if self.config.pad in chars:
            raise ConfigError(f"the data uses the padding character {self.config.pad!r}; choose another with -s pad=")
        self.alphabet = "".join(sorted(chars))
        self.max_input_length = int(np.strings.str_len(questions).max())
        self.max_output_length = int(np.strings.str_len(answers).max())
        self.size = len(questions)

    @classmethod
    def from_batch(cls, name: str, batch: Batch, options: dict | None = None) -> DataTask:
        """The task of a run folder's ``data.npz``."""
        return cls(name, batch.inputs, batch.targets, options)

    def batch(self, rows: np.ndarray | None = None) -> Batch:
        rows = np.arange(len(self.questions)) if rows is None else rows
        return Batch(self.questions[rows], self.answers[rows], None, None)

    def sample(
        self,
        n: int,
        seed: int | np.random.Generator | None = None,
        *,
        exclude: Iterable[str] | np.ndarray | None = None,
        unique: bool = False,
        steps: bool = False,
    ) -> Batch:
        """``n`` pairs drawn from the data (with replacement unless ``unique``), none of ``exclude``."""
        rng = np.random.default_rng(seed)
        allowed = np.arange(len(self.questions))
        if exclude is not None and len(exclude):
            allowed = allowed[~np.isin(self.questions, np.asarray(exclude, dtype=str))]
        if not len(allowed) or (unique and n > len(allowed)):
            raise ConfigError(f"data {self.name!r}: only {len(allowed)} pairs to draw from, {n} wanted")
        rows = rng.choice(allowed, size=n, replace=not unique)
        return self.batch(rows)

    def read(self, expressions: Sequence[str] | np.ndarray, check: bool = True) -> Reading:
        """Questions as typed, spaces at the ends removed; a character outside the alphabet is an error."""
        texts = np.strings.strip(np.asarray(expressions, dtype=str)) if len(expressions) else np.array([], dtype=str)
        errors = []
        good = np.ones(len(texts), bool)
        known = set(self.alphabet)
        for i, text in enumerate(texts.tolist()):
            column = next((j for j, ch in enumerate(text) if ch not in known), None)
            if not text or column is not None:
                good[i] = False
                message = "empty question" if not text else (
                    f"character {text[column]!r} at column {column + 1} never appears in the training data"
                )
                errors.append((i, ExpressionError(message, text, None if column is None else column + 1)))
        rows = np.nonzero(good)[0]
        return Reading(Batch(texts[rows], None, None, None), texts[rows], rows, errors)

    def enumerate(self, chunk: int = 1 << 16, limit: int = 0):
        raise ConfigError(f"task {self.name!r} comes from a data file: it has no language to enumerate")

    def __repr__(self) -> str:
        return f"DataTask({self.name!r}, {len(self.questions):,} pairs, alphabet={self.alphabet!r})"
