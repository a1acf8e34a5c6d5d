"""Answering what people type: every good line answered, every bad one explained, nothing out of range unsaid.

The network writes every digit; this module only decides what it is given:
expressions checked by the grammar in batches, sequences as long as the model can
read (longer than in training where the architecture allows it), and a warning for
every input outside what the model was trained on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import ArithseqError, cut
from ..tasks import Batch, Task
from ..tokenizer import Tokenizer
from .strata import bracket_depth, digit_counts


LONGEST = 4096  # characters of the longest expression a model is asked to answer (its decoding grows with it)


@dataclass
class Answers:
    """The outcome of answering a list of expressions; indices refer to that list."""

    answers: dict[int, str] = field(default_factory=dict)
    errors: list[tuple[int, ArithseqError]] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)


def fit_lengths(tok: Tokenizer, framing: str, batch: Batch) -> tuple[Tokenizer, np.ndarray]:
    """A tokenizer long enough for ``batch`` where a model of ``framing`` can read longer sequences
    than it was trained on, and the rows it cannot read (only fixed-length outputs refuse, and any
    expression longer than LONGEST: a batch is as long as its longest row)."""
    lengths = np.strings.str_len(batch.inputs) if len(batch) else np.zeros(0, np.int64)
    too_long = lengths > max(LONGEST, tok.input_length)
    if tok.input_format == "columns":
        # one column per digit of the widest number, and one more for the carry out
        need = int(digit_counts(batch.numbers[~too_long]).max(initial=0)) + 1 if len(batch) else 0
        return (tok.resized(need, need) if need > tok.input_length else tok), too_long
    need = int(lengths[~too_long].max(initial=0))
    if need <= tok.input_length:
        return tok, too_long
    if framing != "autoregressive":
        return tok, lengths > tok.input_length
    # + - * never write more digits than the expression has; a fraction at most twice as many
    return tok.resized(need, max(tok.output_length, 2 * need + 2)), too_long


def outside_training(task: Task, batch: Batch, shapes: np.ndarray) -> list[tuple[int, str]]:
    """(row, message) for each expression outside what the task's training data held."""
    lo, hi = task.config.values
    notes: dict[int, str] = {}
    numbers = batch.numbers
    if numbers.size:
        present = numbers != -1
        outside = present & ((numbers < lo) | (numbers > hi))
        for i in np.nonzero(outside.any(axis=1))[0].tolist():
            value = next(v for v, bad in zip(numbers[i].tolist(), outside[i].tolist()) if bad)
            notes[i] = f"{cut(str(value))} is outside the training range {lo}..{hi}"
    first, last = task.config.terms
    allowed = set("".join(task.table.literals_used))  # characters: a grammar's literal may be "max(" or "**"
    unique, inverse = np.unique(shapes, return_inverse=True)
    for k, shape in enumerate(unique.tolist()):
        terms = shape.count("0")
        foreign = sorted({ch for ch in shape if not ch.isdigit() and ch not in allowed})
        message = None
        if foreign:
            message = f"{' '.join(repr(ch) for ch in foreign)} never appeared in training"
        elif not first <= terms <= last:
            trained = str(first) if first == last else f"{first}-{last}"
            message = f"{terms} numbers; the model was trained on {trained}"
        elif task.config.depth < bracket_depth(shape):
            message = f"brackets {bracket_depth(shape)} deep; the model was trained on depth {task.config.depth} at most"
        if message:
            for i in np.nonzero(inverse == k)[0].tolist():
                notes.setdefault(i, message)
    return sorted(notes.items())
