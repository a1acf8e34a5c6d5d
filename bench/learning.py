"""Every built-in task's recipes, trained and judged: the README's learning table.

    python bench/learning.py [--tasks addition,long-addition:single-pass,mixed:loop,...] [--out DIR]

For each task and recipe (TASK alone: every recipe of the task; TASK:RECIPE: that one):
`arithseq train TASK --recipe RECIPE`, then the stratified held-out test set with its
worst stratum, every problem where the task (or its two-number part) is small enough,
and the settings beyond training that the task is about (longer numbers, carry chains,
more terms). The mode column says whether the network wrote the whole answer in one
decode (single pass) or one operation per call of a decoding loop (loop). Prints one
markdown table; every figure is measured in this run. About an hour on a 2-core CPU
for everything. Run nothing else meanwhile: the times are wall-clock.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from arithseq.cli.app import quiet_tensorflow  # noqa: E402

quiet_tensorflow()  # TensorFlow's start-up chatter is not part of the figures

import arithseq  # noqa: E402
from arithseq.evaluation.strata import percent  # noqa: E402
from arithseq.training import recommended  # noqa: E402
from arithseq.training.recipes import recipe_names  # noqa: E402

TASKS = ["addition", "long-addition", "add-sub", "mixed", "brackets", "terms"]


def chains(digits: int, low: int, high: int, n: int = 1000) -> tuple[str, dict]:
    """D-digit sums whose carry passes through low..high columns that sum to exactly 9."""
    values = (10 ** (digits - 1), 10**digits - 1)
    return (f"{digits} digits, carry through {low}-{high} columns",
            {"values": values, "carry_chains": 1.0, "carry_runs": 0.0, "chain_length": (low, high), "n": n})


# beyond the stratified test set: (label, evaluate() arguments)
EXTRA = {
    "addition": [("all 998,001 problems", {"exhaustive": True})],
    "long-addition": [
        chains(12, 6, 9),
        chains(20, 10, 18),
        chains(100, 50, 98),
        ("20 digits", {"values": (10**19, 10**20 - 1), "n": 2000}),
        ("100 digits", {"values": (10**99, 10**100 - 1), "n": 1000}),
    ],
    "mixed": [("all 30,000 two-number problems", {"exhaustive": True, "terms": 2}),
              ("three numbers", {"terms": 3, "n": 2000})],
    "brackets": [(f"{k} terms", {"terms": k, "n": 1000}) for k in (2, 3, 4)],
    "terms": [("2-4 terms", {"n": 5000}), ("6 terms", {"terms": 6, "n": 2000}), ("8 terms", {"terms": 8, "n": 2000})],
}


def describe(config: arithseq.TrainConfig) -> tuple[str, str]:
    options = config.task_options
    parts = [options.get("target", "answer"), options.get("input_format", "text")]
    labels = {"reverse_output": "reversed", "complements": "complements", "magnitudes": "magnitudes", "carries": "carries",
              "borrows": "borrows", "fraction_rules": "fraction rules", "forward_quotients": "forward quotients",
              "prime_reductions": "prime reductions", "digit_products": "digit products", "unsigned_sums": "unsigned sums"}
    parts += [label for name, label in labels.items() if options.get(name)]
    for name in ("easy_steps", "balance_steps"):
        if float(config.mixture.get(name, 1)) < 1:
            parts.append(f"{name.replace('_', ' ')} {float(config.mixture[name]):g}")
    if int(config.mixture.get("practice_steps", 0)):
        parts.append(f"practice steps {int(config.mixture['practice_steps'])}")
    model = config.model + "".join(f" {k}={v}" for k, v in sorted(config.model_options.items()) if k in ("units", "layers", "dim", "positions", "places"))
    return ", ".join(parts), model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", default=",".join(TASKS), help="TASK (every recipe) or TASK:RECIPE, comma-separated")
    parser.add_argument("--out", type=Path, default=None, help="keep the runs here (default: a temporary folder)")
    args = parser.parse_args()
    root = args.out or Path(tempfile.mkdtemp(prefix="arithseq-learning-"))
    rows = []
    plan = []
    for item in args.tasks.split(","):
        name, _, recipe = item.partition(":")
        plan += [(name, r) for r in ([recipe] if recipe else recipe_names(name))]
    for name, recipe in plan:
        config = recommended(name, recipe)
        folder = root / f"{name}-{recipe}"
        run = arithseq.train(config, folder, verbose=0, echo=lambda *_: None)
        metrics = json.loads((folder / "metrics.json").read_text())
        mode = "loop" if config.task_options.get("target") == "steps" else "single pass"
        fmt, model = describe(run.config)
        extras = []
        for label, kwargs in EXTRA.get(name, []):
            try:
                report = run.evaluate(**kwargs)
            except arithseq.ArithseqError as exc:  # a format that cannot read the setting: say so in the row
                extras.append(f"{label}: not measurable ({str(exc).split(';')[0]})")
                continue
            extras.append(f"{label}: {percent(report.exact_match)} (worst {report.worst.describe()})")
        worst = metrics["worst"]
        row = (
            f"| `{name}` | `{recipe}` | {mode} | {fmt} | {model} | {metrics['train_seconds']:.0f} s | {metrics['examples_seen']:,} | "
            f"{percent(metrics['exact_match'])} | {worst['group']} {worst['stratum']}: {percent(worst['exact_match'])} "
            f"(n={worst['n']:,}) | {'; '.join(extras) or '-'} |"
        )
        rows.append(row)
        print(row, flush=True)
    print()
    print("| task | recipe | mode | format | model | training | examples seen | held-out exact | worst stratum | beyond |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(row)
    print(f"\nruns kept in {root}; each row: `arithseq train TASK --recipe RECIPE`, then `arithseq evaluate RUN ...`")


if __name__ == "__main__":
    main()
