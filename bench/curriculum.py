"""Curriculum or not, on the same budget: the README's curriculum table.

    python bench/curriculum.py [--task long-addition] [--minutes 3] [--out DIR]

Trains the same network on the same task three times for the same wall-clock budget:
without a curriculum, with ``--curriculum digits --curriculum-style naive`` and with
``--curriculum-style mixed`` (Zaremba & Sutskever, "Learning to Execute"), then judges
each on the run's stratified held-out test set (worst stratum next to the mean) and on
2,000 fresh problems with the longest numbers. The network is the keras-io example's
(input reversed, LSTM(128) -> RepeatVector -> LSTM(128)) on the task's text format, not
the column recipe, which learns 5-digit sums in seconds without any curriculum: there must
be something left for a curriculum to help with. About 10 minutes on a 2-core CPU with
the default 3-minute budget; run nothing else meanwhile.
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

STYLES = [("none", "mixed"), ("digits", "naive"), ("digits", "mixed")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", default="long-addition")
    parser.add_argument("--minutes", type=float, default=3.0, help="training budget of each run")
    parser.add_argument("--out", type=Path, default=None, help="keep the runs here (default: a temporary folder)")
    args = parser.parse_args()
    root = args.out or Path(tempfile.mkdtemp(prefix="arithseq-curriculum-"))
    task = arithseq.get_task(args.task)
    top = task.config.values[1]
    longest = {"values": (10 ** (len(str(top)) - 1), top), "n": 2000}
    rows = []
    for kind, style in STYLES:
        config = arithseq.TrainConfig(
            task=args.task, task_options={"reverse_input": True}, model="seq2seq-lstm",
            model_options={"encoder_units": 128, "decoder_units": 128}, epochs=10_000,
            max_minutes=args.minutes, target=1.0, curriculum=kind, curriculum_style=style,
        )
        name = "none" if kind == "none" else f"{kind}-{style}"
        run = arithseq.train(config, root / name, verbose=0, echo=lambda *_: None)
        metrics = json.loads((root / name / "metrics.json").read_text())
        far = run.evaluate(**longest)
        worst = metrics["worst"]
        label = "no curriculum" if kind == "none" else f"`--curriculum {kind} --curriculum-style {style}`"
        row = (
            f"| {label} | {metrics['train_seconds']:.0f} s | {metrics['examples_seen']:,} | "
            f"{percent(metrics['exact_match'])} | {worst['group']} {worst['stratum']}: {percent(worst['exact_match'])} | "
            f"{percent(far.exact_match)} |"
        )
        rows.append(row)
        print(row, flush=True)
    print(f"\n{args.task}, seq2seq-lstm (input reversed), text format, {args.minutes:g} minutes each:\n")
    print(f"| training | time | examples seen | held-out exact | worst stratum | {len(str(top))}-digit numbers |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        print(row)
    print(f"\nruns kept in {root}")


if __name__ == "__main__":
    main()
