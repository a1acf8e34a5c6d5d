"""Honest evaluation: whole-answer exact match first, its worst stratum next to it, then the rest.

A :class:`Tally` adds up batch after batch (an exhaustive evaluation streams a
million problems through it in bounded memory) and gives a :class:`Report`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..tasks import Batch, Task
from ..tasks.steps import SEPARATOR, final_answers
from .strata import Worst, percent, strata, worst_stratum

EXAMPLES_KEPT = 50


@dataclass
class Report:
    n: int
    exact_match: float
    char_accuracy: float | None
    rmse: float | None
    mae: float | None
    invalid: float
    breakdown: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    examples: list[tuple[str, str, str, bool]] = field(default_factory=list)
    worst_examples: list[tuple[str, str, str, bool]] = field(default_factory=list)
    source: str = "held-out test set"
    steps_right: float | None = None  # share of scratchpad or stepwise steps written right

    @property
    def worst(self) -> Worst | None:
        return worst_stratum(self.breakdown)

    def to_dict(self) -> dict[str, Any]:
        worst = self.worst
        return {
            "n": self.n,
            "exact_match": self.exact_match,
            "worst": worst.to_dict() if worst else None,
            "char_accuracy": self.char_accuracy,
            "rmse": self.rmse,
            "mae": self.mae,
            "invalid": self.invalid,
            "steps_right": self.steps_right,
            "source": self.source,
            "breakdown": self.breakdown,
            "wrong_examples": [
                {"input": i, "expected": t, "predicted": p} for i, t, p, _ in self.worst_examples[:20]
            ],
        }

    def _repr_html_(self) -> str:  # Jupyter shows a report as its headline, worst stratum and digit heat map
        from .notebook import report_html

        return report_html(self.to_dict())

    def format(self, examples: int = 20) -> str:
        right = round(self.exact_match * self.n)
        lines = [f"exact match: {percent(self.exact_match)}  ({right:,}/{self.n:,} answers entirely right; {self.source})"]
        worst = self.worst
        if worst is not None:
            lines.append(f"worst stratum: {worst.describe()}")
        if self.steps_right is not None:
            lines.append(f"steps right: {percent(self.steps_right)}  (each intermediate step, judged on its own)")
        if self.char_accuracy is not None:
            lines.append(f"per-character accuracy: {self.char_accuracy:.2%}  (what Keras reports as accuracy)")
        if self.rmse is not None:
            lines.append(f"RMSE {self.rmse:.4g}  MAE {self.mae:.4g}  (of the decoded numbers, in original units)")
        lines.append(f"not a valid number: {self.invalid:.2%}")
        for key, groups in self.breakdown.items():
            parts = [f"{g}: {percent(v['exact_match'])} (n={int(v['n']):,})" for g, v in groups.items()]
            lines.append(f"by {key}: " + ", ".join(parts))
        shown = (self.worst_examples[: examples // 2] + self.examples)[:examples] if self.worst_examples else self.examples[:examples]
        if shown:
            width = max(len(e[0]) for e in shown)
            lines.append("")
            lines.append(f"{'expression':>{width}}  {'expected':>10}  {'predicted':>10}  ok")
            for expression, expected, predicted, ok in shown:
                lines.append(f"{expression:>{width}}  {expected:>10}  {predicted:>10}  {'yes' if ok else 'NO'}")
        return "\n".join(lines)


def answer_values(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Model outputs read as numbers (``62``, ``-7``, ``-3/4``): float values and which ones are valid."""
    texts = np.asarray(texts, dtype=str)
    negative = np.strings.startswith(texts, "-")
    body = np.where(negative, np.strings.slice(texts, 1, None), texts)
    head, slash, tail = np.strings.partition(body, "/")
    fraction = slash == "/"
    valid = np.strings.isdigit(head) & (~fraction | (np.strings.isdigit(tail) & ~np.strings.startswith(tail, "0")))
    top = np.where(valid, head, "0").astype(np.float64)
    bottom = np.where(valid & fraction, tail, "1").astype(np.float64)
    return np.where(negative, -1.0, 1.0) * top / bottom, valid


class Tally:
    """Sums of everything a Report needs, added batch by batch."""

    def __init__(self, task: Task, source: str = "held-out test set") -> None:
        self.task, self.source = task, source
        self.n = self.right = self.invalid = 0
        self.chars = self.char_total = 0
        self.squared = self.absolute = 0.0
        self.valid = 0
        self.cells: dict[str, dict[str, list[int]]] = {}
        self.examples: list[tuple[str, str, str, bool]] = []
        self.wrong: list[tuple[str, str, str, bool]] = []
        self.steps = self.steps_total = 0

    def add(
        self,
        batch: Batch,
        predictions: np.ndarray,
        predicted_ids: np.ndarray | None = None,
        target_ids: np.ndarray | None = None,
    ) -> np.ndarray:
        """Count one batch; returns which answers were entirely right (a scratchpad's final answer)."""
        if self.task.scratchpad:
            config = self.task.config
            right, total = steps_matched(predictions, batch.targets)
            self.add_steps(right, total)
            targets = final_answers(batch.targets, config.target, config.reverse_output)
            predictions = final_answers(predictions, config.target, config.reverse_output)
            batch = Batch(batch.inputs, targets, batch.numerators, batch.denominators, batch.numbers)
        exact = predictions == batch.targets
        self.n += len(batch)
        self.right += int(exact.sum())
        if predicted_ids is not None and target_ids is not None:
            self.chars += int((predicted_ids == target_ids).sum())
            self.char_total += predicted_ids.size
        values, valid = answer_values(predictions)
        self.invalid += int((~valid).sum())
        if batch.numerators is not None:
            truth = batch.numerators.astype(np.float64) / batch.denominators.astype(np.float64)
            error = (values - truth)[valid]
            self.squared += float((error**2).sum())
            self.absolute += float(np.abs(error).sum())
            self.valid += int(valid.sum())
        for group, labels in strata(self.task, batch).items():
            cells = self.cells.setdefault(group, {})
            unique, inverse = np.unique(labels, return_inverse=True)
            totals = np.bincount(inverse, minlength=len(unique))
            hits = np.bincount(inverse, weights=exact, minlength=len(unique))
            for label, total, hit in zip(unique.tolist(), totals.tolist(), hits.tolist()):
                cell = cells.setdefault(label, [0, 0])
                cell[0] += total
                cell[1] += int(hit)
        if len(self.examples) < EXAMPLES_KEPT:
            self.examples += _rows(batch, predictions, exact, np.arange(min(len(batch), EXAMPLES_KEPT - len(self.examples))))
        if len(self.wrong) < EXAMPLES_KEPT:
            missed = np.nonzero(~exact)[0][: EXAMPLES_KEPT - len(self.wrong)]
            self.wrong += _rows(batch, predictions, exact, missed)
        return exact

    def add_steps(self, right: int, total: int) -> None:
        self.steps += right
        self.steps_total += total

    def report(self) -> Report:
        breakdown = {
            group: {label: {"n": total, "exact_match": hit / total} for label, (total, hit) in sorted(cells.items(), key=_order)}
            for group, cells in self.cells.items()
        }
        return Report(
            n=self.n,
            exact_match=self.right / self.n if self.n else 0.0,
            char_accuracy=self.chars / self.char_total if self.char_total else None,
            rmse=math.sqrt(self.squared / self.valid) if self.valid else None,
            mae=self.absolute / self.valid if self.valid else None,
            invalid=self.invalid / self.n if self.n else 0.0,
            breakdown=breakdown,
            examples=self.examples,
            worst_examples=self.wrong,
            source=self.source,
            steps_right=self.steps / self.steps_total if self.steps_total else None,
        )


def steps_matched(predictions: np.ndarray, targets: np.ndarray) -> tuple[int, int]:
    """Scratchpad steps (``;``-separated) written right, position by position, and how many there are."""
    right = total = 0
    for predicted, target in zip(predictions.tolist(), targets.tolist()):
        steps = target.split(SEPARATOR)
        total += len(steps)
        right += sum(p == t for p, t in zip(predicted.split(SEPARATOR), steps))
    return right, total


def _rows(batch: Batch, predictions: np.ndarray, exact: np.ndarray, index: np.ndarray):
    return list(
        zip(batch.inputs[index].tolist(), batch.targets[index].tolist(), predictions[index].tolist(), exact[index].tolist())
    )


def _order(item: tuple[str, list[int]]):
    """Strata in natural order: 2 before 10, 1+2 before 1+10."""
    label = item[0]
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in label.replace("+", " ").replace(",", " ").split()]


def evaluate_predictions(
    task: Task,
    batch: Batch,
    predictions: np.ndarray,
    predicted_ids: np.ndarray | None = None,
    target_ids: np.ndarray | None = None,
    source: str = "held-out test set",
) -> Report:
    tally = Tally(task, source)
    tally.add(batch, predictions, predicted_ids, target_ids)
    return tally.report()
