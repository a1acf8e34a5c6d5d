"""Honest evaluation: whole-answer exact match first, then what else is worth knowing."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from .tasks import Task

_ANSWER = re.compile(r"-?\d+(/[1-9]\d*)?")
_NUMBER = re.compile(r"\d+")


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


def _value(text: str) -> Fraction | None:
    return Fraction(text) if _ANSWER.fullmatch(text) else None


def carries(numbers: list[int]) -> int:
    """How many column additions carry when adding ``numbers`` by hand."""
    count, carry, column = 0, 0, 0
    while any(n // 10**column for n in numbers) or carry:
        total = carry + sum(n // 10**column % 10 for n in numbers)
        carry = total // 10
        count += carry > 0
        column += 1
    return count


def evaluate_predictions(
    task: Task,
    inputs: np.ndarray,
    targets: np.ndarray,
    predictions: np.ndarray,
    predicted_ids: np.ndarray | None = None,
    target_ids: np.ndarray | None = None,
) -> Report:
    n = len(inputs)
    exact = predictions == targets
    char = None
    if predicted_ids is not None and target_ids is not None and n:
        char = float((predicted_ids == target_ids).mean())
    errors, invalid = [], 0
    for predicted, target in zip(predictions.tolist(), targets.tolist()):
        value = _value(predicted)
        if value is None:
            invalid += 1
        else:
            errors.append(float(value - Fraction(target)))
    err = np.array(errors, np.float64)
    rmse = math.sqrt(float((err**2).mean())) if err.size else None
    mae = float(np.abs(err).mean()) if err.size else None
    numbers = [[int(v) for v in _NUMBER.findall(s)] for s in inputs.tolist()]
    groups = {
        "digits": [max(len(str(v)) for v in ns) for ns in numbers],
        "terms": [len(ns) for ns in numbers],
    }
    if task.table.ops_used == ("add",):
        groups["carries"] = [carries(ns) for ns in numbers]
    breakdown = {}
    for key, labels in groups.items():
        labels = np.array(labels)
        breakdown[key] = {
            str(g): {"n": int((labels == g).sum()), "exact_match": float(exact[labels == g].mean())}
            for g in sorted(set(labels.tolist()))
        }
    examples = [(i, t, p, bool(e)) for i, t, p, e in zip(inputs.tolist(), targets.tolist(), predictions.tolist(), exact)]
    return Report(
        n=n,
        exact_match=float(exact.mean()) if n else 0.0,
        char_accuracy=char,
        rmse=rmse,
        mae=mae,
        invalid=invalid / n if n else 0.0,
        breakdown=breakdown,
        examples=examples[:50],
    )
