"""Plots with matplotlib, written as PNG files (no display needed)."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no window, no display server

import matplotlib.pyplot as plt  # noqa: E402

from ..evaluation.study import StudyRow  # noqa: E402
from ..files import atomic_bytes  # noqa: E402

COLORS = {"digits": "#1f77b4", "terms": "#2ca02c", "carry chain": "#d62728"}


def save(figure, path: Path) -> Path:
    """Write ``figure`` as a PNG atomically and close it."""
    import io

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(figure)
    atomic_bytes(path, buffer.getvalue())
    return path


def length_plot(rows: list[StudyRow], title: str, path: Path) -> Path:
    """Exact match against length (digits, terms, carry chains), trained settings shaded."""
    kinds = [k for k in COLORS if any(r.kind == k for r in rows)]
    figure, axes = plt.subplots(1, len(kinds), figsize=(5.5 * len(kinds), 3.8), squeeze=False)
    for axis, kind in zip(axes[0], kinds):
        mine = [r for r in rows if r.kind == kind and not math.isnan(r.exact_match)]
        xs = [r.setting for r in mine]
        axis.plot(xs, [100 * r.exact_match for r in mine], marker="o", ms=3, color=COLORS[kind], label=kind)
        trained = [r.setting for r in rows if r.kind == kind and r.inside]
        if trained:
            axis.axvspan(min(trained) - 0.5, max(trained) + 0.5, color="#dddddd", label="trained on")
        axis.set_xlabel("digits per number" if kind != "terms" else "numbers in the expression")
        if kind == "carry chain":
            axis.set_xlabel("digits the carry runs through")
        axis.set_ylabel("exact match (%)")
        axis.set_ylim(-2, 102)
        axis.grid(alpha=0.3)
        axis.legend(loc="lower left")
        axis.set_title(f"{kind}")
    figure.suptitle(title)
    return save(figure, path)
