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
            axis.set_xlabel("digits of the sum (the carry passes through half of them to all but one)")
        axis.set_ylabel("exact match (%)")
        axis.set_ylim(-2, 102)
        axis.grid(alpha=0.3)
        axis.legend(loc="lower left")
        axis.set_title(f"{kind}")
    figure.suptitle(title)
    return save(figure, path)


# -- learning curves ---------------------------------------------------------------------------
# panels of a learning-curve figure: (title, y label, [(history column, legend), ...], shown as %)
CURVES = [
    ("loss", "loss", [("loss", "training"), ("val_loss", "validation")], False),
    ("exact match", "exact match (%)", [("val_exact_match", "validation"), ("val_worst_exact", "worst validation stratum"),
                                        ("val_steps_right", "validation steps right")], True),
    ("per-character accuracy", "per-character accuracy (%)", [("char_accuracy", "training"),
                                                              ("val_char_accuracy", "validation")], True),
]
X_AXES = {"seconds": "training time (s)", "examples_seen": "examples seen"}


def read_history(path: Path) -> dict[str, list[float]]:
    """``history.csv`` (keras CSVLogger) as columns of floats; blanks and non-numbers read as NaN."""
    import csv

    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    columns: dict[str, list[float]] = {}
    for row in rows:
        for key, text in row.items():
            if key is None:
                continue
            try:
                value = float(text)
            except (TypeError, ValueError):
                value = math.nan
            columns.setdefault(key.strip(), []).append(value)
    return columns


def _present(history: dict[str, list[float]], key: str) -> bool:
    return any(not math.isnan(v) for v in history.get(key, []))


def learning_curves(history: dict[str, list[float]], x: str, path: Path) -> Path | None:
    """Loss, exact match and per-character accuracy per epoch against ``x`` (``seconds`` or
    ``examples_seen``), one panel each; ``None`` when the history lacks ``x`` or every metric."""
    if not _present(history, x):
        return None
    panels = [(title, label, [(k, name) for k, name in series if _present(history, k)], pct)
              for title, label, series, pct in CURVES]
    panels = [p for p in panels if p[2]]
    if not panels:
        return None
    figure, axes = plt.subplots(1, len(panels), figsize=(4.6 * len(panels), 3.4), squeeze=False)
    xs = history[x]
    for axis, (title, label, series, pct) in zip(axes[0], panels):
        for key, name in series:
            ys = [100 * v if pct else v for v in history[key]]
            axis.plot(xs, ys, marker="o", ms=3, lw=1.5, label=name)
        if pct:
            axis.set_ylim(-2, 102)
        axis.set_title(title)
        axis.set_xlabel(X_AXES.get(x, x))
        axis.set_ylabel(label)
        axis.grid(alpha=0.3)
        axis.legend(loc="best", fontsize=8)
    figure.tight_layout()
    return save(figure, path)


# -- exact match by digit counts -----------------------------------------------------------------
def digit_grid(cells: dict[str, dict[str, float]]) -> tuple[list[int], list[int], list[list[tuple[float, int] | None]]] | str:
    """Exact match (and n) by digits of the first number x digits of the second, weighted by n over
    any further numbers; or the reason there is no such grid."""
    totals: dict[tuple[int, int], list[float]] = {}
    for label, cell in cells.items():
        if label.startswith("max"):
            return "the digits strata of this task count only the widest number (more than 3 numbers per expression)"
        parts = label.replace("+", ",").split(",")
        if len(parts) < 2 or not all(p.isdigit() for p in parts):
            continue
        key = (int(parts[0]), int(parts[1]))
        n = int(cell["n"])
        total = totals.setdefault(key, [0, 0.0])
        total[0] += n
        total[1] += n * float(cell["exact_match"])
    totals = {k: v for k, v in totals.items() if v[0]}
    if not totals:
        return "no expression of the evaluated problems has two numbers"
    rows = sorted({a for a, _ in totals})
    cols = sorted({b for _, b in totals})
    grid = [[(totals[a, b][1] / totals[a, b][0], int(totals[a, b][0])) if (a, b) in totals else None for b in cols]
            for a in rows]
    return rows, cols, grid


def digits_heatmap(cells: dict[str, dict[str, float]], title: str, path: Path) -> Path | str:
    """A heat map of exact match by digits of operand 1 x operand 2, n in each cell; or why there is none."""
    import numpy as np

    grid = digit_grid(cells)
    if isinstance(grid, str):
        return grid
    rows, cols, values = grid
    share = np.array([[math.nan if v is None else 100 * v[0] for v in row] for row in values])
    figure, axis = plt.subplots(figsize=(max(4.2, 1.5 + 1.05 * len(cols)), max(3.2, 1.2 + 0.8 * len(rows))))
    cmap = plt.get_cmap("RdYlGn").with_extremes(bad="#eeeeee")
    image = axis.imshow(np.ma.masked_invalid(share), cmap=cmap, vmin=0, vmax=100, aspect="auto")
    for i, row in enumerate(values):
        for j, value in enumerate(row):
            if value is None:
                axis.text(j, i, "none", ha="center", va="center", fontsize=8, color="#777777")
                continue
            dark = value[0] < 0.2 or value[0] > 0.85
            axis.text(j, i, f"{100 * value[0]:.1f}%\nn={value[1]:,}", ha="center", va="center", fontsize=8,
                      color="white" if dark else "black")
    axis.set_xticks(range(len(cols)), [str(c) for c in cols])
    axis.set_yticks(range(len(rows)), [str(r) for r in rows])
    axis.set_xlabel("digits of the second number")
    axis.set_ylabel("digits of the first number")
    axis.set_title(title, fontsize=10)
    figure.colorbar(image, ax=axis, label="exact match (%)", shrink=0.85)
    return save(figure, path)


# -- exact match by stratum ----------------------------------------------------------------------
def strata_plot(group: str, cells: dict[str, dict[str, float]], path: Path) -> Path:
    """Horizontal bars: exact match of each stratum of ``group``, with its n, worst in red."""
    labels = list(cells)
    shares = [100 * float(cells[k]["exact_match"]) for k in labels]
    counts = [int(cells[k]["n"]) for k in labels]
    figure, axis = plt.subplots(figsize=(5.6, 0.9 + 0.3 * len(labels)))
    colors = plt.get_cmap("RdYlGn")([s / 100 for s in shares])
    axis.barh(range(len(labels)), shares, color=colors, edgecolor="#555555", linewidth=0.5)
    for i, (share, n) in enumerate(zip(shares, counts)):
        axis.text(share + 1.5, i, f"{share:.1f}%  n={n:,}", va="center", fontsize=8)
    axis.set_yticks(range(len(labels)), labels)
    axis.invert_yaxis()
    axis.set_xlim(0, 135)
    axis.set_xticks([0, 25, 50, 75, 100])
    axis.set_xlabel("exact match (%)")
    axis.set_title(f"by {group}")
    axis.grid(axis="x", alpha=0.3)
    return save(figure, path)


# -- comparisons -----------------------------------------------------------------------------------
def compare_plot(curves: list[tuple[str, list[float], list[float]]], path: Path) -> Path:
    """Validation exact match against training time, one line per run: ``(label, seconds, shares)``."""
    figure, axis = plt.subplots(figsize=(7.5, 4.5))
    for label, xs, ys in curves:
        axis.plot(xs, [100 * y for y in ys], marker="o", ms=3, lw=1.5, label=label)
    axis.set_xlabel("training time (s)")
    axis.set_ylabel("validation exact match (%)")
    axis.set_ylim(-2, 102)
    axis.grid(alpha=0.3)
    axis.legend(loc="best", fontsize=8)
    axis.set_title("validation exact match against wall time")
    return save(figure, path)


def seeds_plot(study, title: str, path: Path) -> Path:
    """Each figure's value for every seed (dots) and its median (a bar): how far one seed's figure is the recipe's."""
    figures = study.figures
    figure, axis = plt.subplots(figsize=(max(5.0, 1.3 * len(figures) + 2), 3.8))
    for x, name in enumerate(figures):
        values = [100 * row.figures[name] for row in study.rows]
        axis.scatter([x] * len(values), values, color="#1f77b4", zorder=3, s=22)
        axis.hlines(100 * study.spread(name)[1], x - 0.3, x + 0.3, color="#d62728", lw=2, label="median" if x == 0 else None)
    axis.set_xticks(range(len(figures)), figures, rotation=25, ha="right")
    axis.set_ylabel("exact match (%)")
    axis.set_ylim(-2, 102)
    axis.grid(alpha=0.3, axis="y")
    axis.legend(loc="lower left")
    axis.set_title(f"{title} ({len(study.rows)} seeds)")
    figure.tight_layout()
    return save(figure, path)
