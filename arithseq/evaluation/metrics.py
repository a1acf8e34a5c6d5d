"""Honest evaluation: whole-answer exact match first, then what else is worth knowing."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..tasks import Batch, Task
from ..tasks.batch import ABSENT


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

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "exact_match": self.exact_match,
            "char_accuracy": self.char_accuracy,
            "rmse": self.rmse,
            "mae": self.mae,
            "invalid": self.invalid,
            "breakdown": self.breakdown,
        }

    def format(self, examples: int = 20) -> str:
        lines = [
            f"held-out exact match: {self.exact_match:.2%}  "
            f"({round(self.exact_match * self.n)}/{self.n} answers entirely right)",
        ]
        if self.char_accuracy is not None:
            lines.append(f"per-character accuracy: {self.char_accuracy:.2%}  (what Keras reports as accuracy)")
        if self.rmse is not None:
            lines.append(f"RMSE {self.rmse:.4g}  MAE {self.mae:.4g}  (of the decoded numbers, in original units)")
        lines.append(f"not a valid number: {self.invalid:.2%}")
        for key, groups in self.breakdown.items():
            parts = [f"{g}: {v['exact_match']:.1%} (n={int(v['n'])})" for g, v in groups.items()]
            lines.append(f"by {key}: " + ", ".join(parts))
        shown = self.examples[:examples]
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


def carries(numbers: np.ndarray) -> np.ndarray:
    """How many column additions carry when each row's numbers are added by hand."""
    if numbers.dtype == object:
        return np.array([_carries_of([int(v) for v in row if v != ABSENT]) for row in numbers], np.int64)
    values = np.where(numbers == ABSENT, 0, numbers).astype(np.int64)
    count = np.zeros(len(values), np.int64)
    carry = np.zeros(len(values), np.int64)
    while values.any() or carry.any():
        total = carry + (values % 10).sum(axis=1)
        carry = total // 10
        count += carry > 0
        values //= 10
    return count


def _carries_of(numbers: list[int]) -> int:
    count, carry = 0, 0
    while any(numbers) or carry:
        total = carry + sum(n % 10 for n in numbers)
        carry = total // 10
        count += carry > 0
        numbers = [n // 10 for n in numbers]
    return count


def digit_counts(numbers: np.ndarray) -> np.ndarray:
    """Decimal digits of each number (0 where absent)."""
    present = numbers != ABSENT
    if numbers.dtype == object:
        widths = np.vectorize(lambda v: len(str(v)), otypes=[np.int64])(numbers)
        return np.where(present, widths, 0)
    widths = np.ones(numbers.shape, np.int64)
    for k in range(1, 19):
        widths += numbers >= 10**k
    return np.where(present, widths, 0)


def evaluate_predictions(
    task: Task,
    batch: Batch,
    predictions: np.ndarray,
    predicted_ids: np.ndarray | None = None,
    target_ids: np.ndarray | None = None,
) -> Report:
    n = len(batch)
    exact = predictions == batch.targets
    char = None
    if predicted_ids is not None and target_ids is not None and n:
        char = float((predicted_ids == target_ids).mean())
    values, valid = answer_values(predictions)
    truth = batch.numerators.astype(np.float64) / batch.denominators.astype(np.float64)
    error = (values - truth)[valid]
    rmse = math.sqrt(float((error**2).mean())) if error.size else None
    mae = float(np.abs(error).mean()) if error.size else None
    groups = {"digits": digit_counts(batch.numbers).max(axis=1, initial=0), "terms": batch.terms}
    if task.table.ops_used == ("add",):
        groups["carries"] = carries(batch.numbers)
    breakdown = {}
    for key, labels in groups.items():
        breakdown[key] = {
            str(g): {"n": int((labels == g).sum()), "exact_match": float(exact[labels == g].mean())}
            for g in np.unique(labels).tolist()
        }
    shown = slice(0, 50)
    examples = list(
        zip(batch.inputs[shown].tolist(), batch.targets[shown].tolist(), predictions[shown].tolist(), exact[shown].tolist())
    )
    return Report(
        n=n,
        exact_match=float(exact.mean()) if n else 0.0,
        char_accuracy=char,
        rmse=rmse,
        mae=mae,
        invalid=float((~valid).mean()) if n else 0.0,
        breakdown=breakdown,
        examples=examples,
    )
