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
    # each answered expression in the task's spelling, and (decoding loop only) its steps:
    # (the step the network was given, what it wrote), so a caller never reads or runs a row twice
    inputs: dict[int, str] = field(default_factory=dict)
    steps: dict[int, list[tuple[str, str]]] = field(default_factory=dict)


def length_groups(tok: Tokenizer, framing: str, batch: Batch) -> tuple[list[tuple[Tokenizer, np.ndarray]], np.ndarray]:
    """The rows of ``batch`` grouped by the tokenizer that reads them, and the rows none can read.

    A row's answer must not depend on the rows beside it: every row that fits the trained
    lengths is padded exactly as in training; a longer one, where a model of ``framing`` reads
    longer sequences than it was trained on, is read at its own length, with the rows of that
    same length. Only fixed-length outputs refuse longer rows, and any expression longer than
    LONGEST."""
    n = len(batch)
    lengths = np.strings.str_len(batch.inputs) if n else np.zeros(0, np.int64)
    too_long = lengths > max(LONGEST, tok.input_length)
    if tok.input_format == "columns":
        # one column per digit of the widest number, and one more for the carry out
        need = digit_counts(batch.numbers).max(axis=1, initial=0) + 1 if n else np.zeros(0, np.int64)
    else:
        need = lengths
        if framing not in ("autoregressive", "decoder-only"):
            too_long = too_long | (need > tok.input_length)
    fits = ~too_long & (need <= tok.input_length)
    groups = [(tok, np.nonzero(fits)[0])] if fits.any() else []
    longer = ~too_long & ~fits
    for width in np.unique(need[longer]).tolist():
        groups.append((_lengthened(tok, width), np.nonzero(longer & (need == width))[0]))
    return groups, too_long


def _lengthened(tok: Tokenizer, width: int) -> Tokenizer:
    if tok.input_format == "columns":  # one answer digit per column: both lengths grow together
        return tok.resized(width, width)
    # + - * never write more digits than the expression has (a sign included); a fraction at most twice
    # as many (a scratchpad: its steps too). A tight bound matters: a decoder writes up to it, and
    # position ids must reach it
    plain = "/" not in tok.alphabet and tok.output_pad_side != "right"
    return tok.resized(width, max(tok.output_length, width + 1 if plain else 2 * width + 2))


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
