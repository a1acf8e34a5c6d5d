"""Every built-in task's recommended recipe, trained and judged: the README's learning table.

    python bench/learning.py [--tasks addition,long-addition,...] [--out DIR]

For each task: `arithseq train TASK` (its recipe), then the stratified held-out test
set with its worst stratum, every problem where the task (or its two-number part) is
small enough, and the settings beyond training that the task is about (longer numbers,
more terms). Prints one markdown table; every figure is measured in this run. About
25 minutes on a 2-core CPU. Run nothing else meanwhile: the times are wall-clock.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import arithseq  # noqa: E402
from arithseq.evaluation.strata import percent  # noqa: E402
from arithseq.training import recommended  # noqa: E402

TASKS = ["addition", "long-addition", "add-sub", "mixed", "brackets", "terms"]

# beyond the stratified test set: (label, evaluate() arguments)
EXTRA = {
    "addition": [("all 998,001 problems", {"exhaustive": True})],
    "long-addition": [
        ("10 digits", {"values": (10**9, 10**10 - 1), "n": 2000}),
        ("20 digits", {"values": (10**19, 10**20 - 1), "n": 2000}),
        ("20-digit carry chains", {"values": (10**19, 10**20 - 1), "carry_chains": 1.0, "chain_length": 20, "n": 1000}),
        ("100 digits", {"values": (10**99, 10**100 - 1), "n": 1000}),
    ],
    "mixed": [("all 30,000 two-number problems", {"exhaustive": True, "terms": 2})],
    "terms": [("6 terms", {"terms": 6, "n": 2000}), ("8 terms", {"terms": 8, "n": 2000})],
}


def describe(config: arithseq.TrainConfig) -> tuple[str, str]:
    options = config.task_options
    parts = [options.get("target", "answer"), options.get("input_format", "text")]
    if options.get("reverse_output"):
        parts.append("reversed")
    model = config.model + "".join(f" {k}={v}" for k, v in sorted(config.model_options.items()) if k in ("units", "layers"))
    return ", ".join(parts), model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", default=",".join(TASKS))
    parser.add_argument("--out", type=Path, default=None, help="keep the runs here (default: a temporary folder)")
    args = parser.parse_args()
    root = args.out or Path(tempfile.mkdtemp(prefix="arithseq-learning-"))
    rows = []
    for name in args.tasks.split(","):
        config = recommended(name)
        run = arithseq.train(config, root / name, verbose=0, echo=lambda *_: None)
        metrics = json.loads((root / name / "metrics.json").read_text())
        fmt, model = describe(run.config)
        extras = []
        for label, kwargs in EXTRA.get(name, []):
            report = run.evaluate(**kwargs)
            extras.append(f"{label}: {percent(report.exact_match)} (worst {report.worst.describe()})")
        worst = metrics["worst"]
        row = (
            f"| `{name}` | {fmt} | {model} | {metrics['train_seconds']:.0f} s | {metrics['examples_seen']:,} | "
            f"{percent(metrics['exact_match'])} | {worst['group']} {worst['stratum']}: {percent(worst['exact_match'])} "
            f"(n={worst['n']:,}) | {'; '.join(extras) or '-'} |"
        )
        rows.append(row)
        print(row, flush=True)
    print()
    print("| task | format | model | training | examples seen | held-out exact | worst stratum | beyond |")
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(row)
    print(f"\nruns kept in {root}; each row: `arithseq train TASK`, then `arithseq evaluate RUN ...`")


if __name__ == "__main__":
    main()
