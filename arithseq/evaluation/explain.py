"""Everything a person asks about one answer: what the network wrote, how sure it was, and whether it is right.

``explain`` is what ``arithseq serve`` shows and returns as JSON. The network's
answers come from :meth:`Run.answer` (the same batches, lengths, warnings and errors
as ``predict``); the probability of each character it wrote comes from one more pass
that feeds its own answer back; the exact value comes from the grammar and is only
compared with, never shown to, the network.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ArithseqError, TokenizerError
from ..tasks.steps import SEPARATOR, final_answers
from .runs import Run

UNSURE = 0.9  # a character written with less probability than this is marked unsure


def explain(run: Run, expressions: Sequence[str], strict: bool = False) -> list[dict[str, Any]]:
    """One JSON-ready dict per expression, in order: ``expression``, and either ``error`` (``message``,
    ``column``) or ``written`` (the network's whole output: a scratchpad too), ``answer`` (its final
    answer), ``exact``, ``correct``, ``chars`` (``[character, probability]`` in the order written),
    ``steps`` (a scratchpad's or the decoding loop's) and ``warnings``."""
    typed = [str(text) for text in expressions]
    result = run.answer(typed, strict=strict)
    canonical = result.inputs
    errors = {index: error for index, error in result.errors}
    warnings: dict[int, list[str]] = {}
    for index, message in result.warnings:
        warnings.setdefault(index, []).append(message)
    answered = sorted(result.answers)
    inputs = np.array([canonical[i] for i in answered], dtype=str)
    written = np.array([result.answers[i] for i in answered], dtype=str)
    stepwise = hasattr(run.framing, "trace")
    maps = [None] * len(answered)
    if stepwise:
        chars = [None] * len(answered)
        steps = [_loop_steps(run, result.steps[i]) for i in answered]
    else:
        chars = _characters(run, run.framing, inputs, written)
        steps = [_scratchpad_steps(run, text) for text in written.tolist()]
        maps = _attention(run, inputs, written)
    out = []
    for i, text in enumerate(typed):
        entry: dict[str, Any] = {"expression": text, "warnings": warnings.get(i, [])}
        if i in errors:
            error = errors[i]
            message = (error.args[0] if error.args else str(error)).split("\n")[0]  # the caret lines are for terminals
            entry["error"] = {"message": message, "column": getattr(error, "column", None)}
        out.append(entry)
    for k, i in enumerate(answered):
        entry = out[i]
        entry["written"] = str(written[k])
        entry["answer"] = _final(run, str(written[k])) if not stepwise else str(written[k])
        entry["exact"] = _exact(run, canonical[i])
        entry["correct"] = None if entry["exact"] is None else entry["answer"] == entry["exact"]
        entry["chars"] = chars[k]
        entry["steps"] = steps[k]
        if maps[k] is not None:
            entry["attention"] = maps[k]
        entry["mode"] = "decoding loop" if stepwise else "single pass"
    return out


def _final(run: Run, written: str) -> str:
    if not run.task.scratchpad:
        return written
    config = run.task.config
    return str(final_answers(np.array([written]), config.target, config.reverse_output)[0])


def _exact(run: Run, expression: str) -> str | None:
    if run.task.from_data:
        return None  # a task read from question/answer files has no grammar to compute with
    try:
        return run.task.answer(expression)
    except ArithseqError:
        return None


def _characters(run: Run, framing, inputs: np.ndarray, written: np.ndarray) -> list[list | None]:
    """Per row, ``[character, probability]`` for each character written, pads left out; None for rows
    (or a framing) the run's own lengths cannot feed back."""
    if not len(inputs):
        return []
    try:
        found = framing.char_probabilities(run.model, inputs, written)
    except (TokenizerError, ValueError):
        found = None
    if found is None:
        return [None] * len(inputs)
    ids, probs = found
    vocabulary = framing.tokenizer.vocabulary
    pad = framing.tokenizer.pad_id
    rows = []
    for row_ids, row_probs in zip(ids.tolist(), probs.tolist()):
        rows.append([[vocabulary[i], round(float(p), 4)] for i, p in zip(row_ids, row_probs) if i != pad and i < len(vocabulary)])
    return rows


def _attention(run: Run, inputs: np.ndarray, written: np.ndarray) -> list[dict[str, Any] | None]:
    """Per row, ``input`` and ``output`` characters (as the model read and wrote them, pads left out) and
    ``weights[output][input]``; None for models without attention weights."""
    if not len(inputs) or not hasattr(run.framing, "attention_map"):
        return [None] * len(inputs)
    try:
        found = run.framing.attention_map(run.model, inputs, written)
    except (TokenizerError, ValueError):
        found = None
    if found is None:
        return [None] * len(inputs)
    question, answer, weights = found
    tok = run.tokenizer
    rows = []
    for q, a, w in zip(question, answer, weights):
        keep_in = np.arange(len(q))  # attention paid to padding is shown too: it is part of what the model did
        keep_out = np.nonzero(a != tok.pad_id)[0]
        rows.append({
            "input": ["\u2423" if i == tok.pad_id else tok.vocabulary[i] for i in q.tolist()],
            "output": [tok.vocabulary[i] for i in a[keep_out].tolist()],
            "weights": np.round(w[np.ix_(keep_out, keep_in)].astype(np.float64), 3).tolist(),
        })
    return rows


def _scratchpad_steps(run: Run, written: str) -> list[dict[str, Any]]:
    if not run.task.scratchpad:
        return []
    return [{"step": part, "written": part} for part in written.split(SEPARATOR) if part]


def _loop_steps(run: Run, trace: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """The decoding loop's steps: what the network was given, what it wrote, and how sure it was."""
    if not trace:
        return []
    given = np.array([step for step, _ in trace], dtype=str)
    wrote = np.array([out for _, out in trace], dtype=str)
    chars = _characters(run, run.framing.inner, given, wrote)
    return [{"step": step, "written": out, "chars": c} for (step, out), c in zip(trace, chars)]


def summary(run: Run) -> dict[str, Any]:
    """The run's saved headline figures (nothing is evaluated): exact match, worst stratum and the worst
    examples of its report, with what it is and how it answers."""
    config = run.config
    info: dict[str, Any] = {
        "path": str(run.path),
        "task": run.task.name,
        "recipe": config.recipe or "",
        "model": config.model,
        "mode": "decoding loop" if hasattr(run.framing, "trace") else "single pass",
        "alphabet": run.tokenizer.alphabet,
        "reversed": bool(run.task.config.reverse_output),
    }
    path = Path(run.path) / "metrics.json"
    try:
        metrics = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        metrics = {}
    for key in ("n", "exact_match", "worst", "source"):
        if key in metrics:
            info[key] = metrics[key]
    info["wrong_examples"] = list(metrics.get("wrong_examples", []))[:12]
    return info
