"""Evaluation: run directories (load a trained model, predict, evaluate) and honest metrics."""

from .metrics import Report, evaluate_predictions
from .runs import Run, load_run

__all__ = ["Report", "Run", "evaluate_predictions", "load_run"]
