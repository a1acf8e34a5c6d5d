"""Position schemes side by side: which ones let a decoder-only Transformer add numbers longer than it saw.

    python bench/positions.py [--schemes coupled,abacus,...] [--minutes 9] [--short-minutes 3]
                              [--digits 10,20,30,50,100] [-n 500] [--out DIR] [--plot docs/positions.png]

Every scheme trains `arithseq train long-addition --recipe gpt-SCHEME` (the same data,
budget and seed: 1-10-digit numbers, `--minutes` of training each), then `arithseq study
length RUN --digits ... --carry-chains` judges it at each digit count on uniform sums and
on pure carry chains (a carry passing through half to all but one of the columns, each
summing to exactly 9). A second row per scheme trains on 1-5-digit numbers only
(`--short-minutes`; 0 leaves it out). Prints one markdown table and draws exact match
against digits per scheme. Every figure is measured in this run; run nothing else
meanwhile (the times are wall-clock).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from arithseq.cli.app import quiet_tensorflow  # noqa: E402

quiet_tensorflow()  # TensorFlow's start-up chatter is not part of the figures

import arithseq  # noqa: E402
from arithseq.evaluation.study import length_study, parse_settings  # noqa: E402
from arithseq.models.gpt import SCHEMES  # noqa: E402
from arithseq.training import recommended  # noqa: E402


def recipe(scheme: str) -> str:
    return f"gpt-{'nope' if scheme == 'none' else scheme}"


def cell(rows, kind: str, digits: int) -> str:
    row = next((r for r in rows if r.kind == kind and r.setting == digits), None)
    if row is None or math.isnan(row.exact_match):
        return "-"
    return f"{100 * row.exact_match:.1f}"


def plot(results: list[tuple[str, list]], digits: list[int], path: Path) -> None:
    from arithseq.report.plots import plt, save

    figure, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    colors = {}
    for axis, kind, title in ((axes[0], "digits", "uniform sums"), (axes[1], "carry chain", "pure carry chains")):
        for label, rows in results:
            scheme = label.split(" ")[0]
            color = colors.setdefault(scheme, f"C{len(colors) % 10}")
            mine = [r for r in rows if r.kind == kind and not math.isnan(r.exact_match)]
            style = "--" if "1-5" in label else "-"
            axis.plot([r.setting for r in mine], [100 * r.exact_match for r in mine], style, color=color, marker="o",
                      ms=3, label=label)
        axis.axvspan(0, 10, color="#e5e5e5")
        axis.set_xlim(0, max(digits) + 2)
        axis.set_xticks(digits, [str(d) for d in digits])
        axis.set_xlabel("digits per number (grey: 1-10, trained on by the solid lines)")
        axis.set_title(title)
        axis.grid(alpha=0.3)
    axes[0].set_ylabel("exact match (%)")
    axes[0].set_ylim(-2, 102)
    axes[1].legend(loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize=8)
    figure.suptitle("gpt on long addition: position schemes (arithseq bench/positions.py); dashed: trained on 1-5 digits")
    save(figure, path)


def replot(source: Path, digits: list[int], path: Path) -> None:
    """Draw the figure again from a finished run's positions.json (no training)."""
    from arithseq.evaluation.study import StudyRow

    data = json.loads(source.read_text())
    plot([(label, [StudyRow(**row) for row in rows]) for label, rows in data.items()], digits, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--schemes", default=",".join(SCHEMES), help="comma-separated position schemes")
    parser.add_argument("--minutes", type=float, default=9.0, help="training minutes per scheme (1-10 digits)")
    parser.add_argument("--short-minutes", type=float, default=3.0, help="training minutes of the 1-5-digit row (0: none)")
    parser.add_argument("--digits", default="10,20,30,50,100", help="digit counts to judge")
    parser.add_argument("-n", type=int, default=500, help="problems per digit count and per chain length")
    parser.add_argument("--out", type=Path, default=None, help="keep the runs here (default: a temporary folder)")
    parser.add_argument("--plot", type=Path, default=None, help="draw the figure here (PNG)")
    parser.add_argument("--replot", type=Path, default=None, help="only draw --plot again from this positions.json")
    args = parser.parse_args()
    if args.replot:
        replot(args.replot, parse_settings(args.digits, "digits", 1, 1000), args.plot or Path("positions.png"))
        return
    schemes = [s for s in args.schemes.split(",") if s]
    unknown = [s for s in schemes if s not in SCHEMES]
    if unknown:
        parser.error(f"unknown scheme(s) {', '.join(unknown)}; schemes: {', '.join(SCHEMES)}")
    digits = parse_settings(args.digits, "digits", 1, 1000)
    root = args.out or Path(tempfile.mkdtemp(prefix="arithseq-positions-"))
    plan = [(s, "1-10", args.minutes, {}) for s in schemes]
    if args.short_minutes:
        plan += [(s, "1-5", args.short_minutes, {"values": [0, 99_999]}) for s in schemes]
    header = " | ".join(f"{d} | {d} chain" for d in digits)
    print(f"| scheme | trained on | training | steps | parameters | {header} |")
    print("|---|---|---|---|---|" + "---|---|" * len(digits))
    results, lines = [], []
    for scheme, trained, minutes, task_changes in plan:
        config = recommended("long-addition", recipe(scheme), max_minutes=minutes)
        config = config.replace(task_options={**config.task_options, **task_changes})
        folder = root / f"{scheme}-{trained}"
        run = arithseq.train(config, folder, verbose=0, echo=lambda *_: None, overwrite=True)
        metrics = json.loads((folder / "metrics.json").read_text())
        rows = length_study(run, digits=digits, carry_chains=True, n=args.n)
        results.append((f"{scheme} ({trained} digits)", rows))
        steps = metrics["examples_seen"] // config.batch_size
        cells = " | ".join(f"{cell(rows, 'digits', d)} | {cell(rows, 'carry chain', d)}" for d in digits)
        line = (f"| {scheme} | {trained} digits | {metrics['train_seconds']:.0f} s | {steps:,} | "
                f"{run.model.count_params():,} | {cells} |")
        lines.append(line)
        print(line, flush=True)
        (root / "positions.json").write_text(json.dumps(
            {label: [r.to_dict() for r in rows] for label, rows in results}, indent=1))
    if args.plot:
        plot(results, digits, args.plot)
        print(f"\nplot: {args.plot}")
    print(f"\nexact match (%) of {args.n} problems per cell; 'D chain': D-digit sums whose carry passes through "
          f"{{D/2..D-1}} columns that sum to exactly 9. Runs kept in {root}")


if __name__ == "__main__":
    main()
