"""3-digit addition: time to accuracy and every problem right, the Keras example's setup vs arithseq's default.

    python bench/time_to_accuracy.py [--max-minutes 10] [--skip-keras]

(a) keras-io examples/nlp/addition_rnn.py, expressed in arithseq: input reversed,
    one-hot characters, LSTM(128) -> RepeatVector -> LSTM(128) -> Dense softmax,
    50,000 fixed training examples drawn digit count first, batch 32, Adam(0.001),
    trained until 99% of the validation set is right (the example's own criterion);
(b) arithseq's default (`arithseq train` with no arguments): column-pair input, a
    GRU writing one answer digit per column, every digit count equally likely and a
    tenth of long carry chains, trained until every validation stratum is right.

Both are judged on all 998,001 problems (1 <= a, b <= 999), with the worst stratum
next to the mean. Then the throughput of (b): expressions in, answers out, every
expression checked by the grammar, in the library and through `arithseq predict`.
All figures come from this run, on this machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from arithseq.cli.app import quiet_tensorflow  # noqa: E402

quiet_tensorflow()  # TensorFlow's start-up chatter is not part of the figures

import numpy as np  # noqa: E402

import arithseq  # noqa: E402
from arithseq.training import recommended  # noqa: E402


def keras_example(minutes: float) -> arithseq.TrainConfig:
    return arithseq.TrainConfig(
        task="addition",
        task_options={"reverse_input": True},
        mixture={"numbers": "by-digits"},  # the keras-io example draws a digit count, then the digits
        model="seq2seq-lstm",
        model_options={"encoder_units": 128, "decoder_units": 128, "input_encoding": "one-hot"},
        train_size=50_000,
        batch_size=32,
        epochs=10_000,
        learning_rate=0.001,
        lr_half_life=0,
        clipnorm=0.0,
        target=0.99,
        stop_on="mean",
        max_minutes=minutes,
    )


def judged(name: str, config: arithseq.TrainConfig, root: Path) -> arithseq.evaluation.Run:
    run = arithseq.train(config, root / name, verbose=0, echo=lambda *_: None)
    metrics = json.loads((root / name / "metrics.json").read_text())
    start = time.perf_counter()
    report = run.evaluate(exhaustive=True)
    seconds = time.perf_counter() - start
    wrong = report.n - round(report.exact_match * report.n)
    print(
        f"{name:>14}: trained {metrics['train_seconds']:6.1f} s ({metrics['epochs']} epochs, "
        f"{metrics['examples_seen']:,} examples); all {report.n:,} problems: {report.exact_match:.4%} "
        f"({wrong:,} wrong); worst stratum {report.worst.describe()}  [judged in {seconds:.1f} s]",
        flush=True,
    )
    by_digits = report.breakdown["digits"]
    print(" " * 16 + "by digits: " + ", ".join(f"{k} {v['exact_match']:.2%}" for k, v in by_digits.items()))
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max-minutes", type=float, default=10.0, help="cap on the Keras example's training")
    parser.add_argument("--skip-keras", action="store_true", help="only arithseq's default")
    parser.add_argument("--out", type=Path, default=None, help="keep the runs here (default: a temporary folder)")
    args = parser.parse_args()
    root = args.out or Path(tempfile.mkdtemp(prefix="arithseq-bench-"))

    ours = judged("arithseq", recommended("addition"), root)
    if not args.skip_keras:
        judged("keras-example", keras_example(args.max_minutes), root)
        ours_seconds = json.loads((root / "arithseq" / "metrics.json").read_text())["train_seconds"]
        theirs = json.loads((root / "keras-example" / "metrics.json").read_text())["train_seconds"]
        print(f"training time: arithseq {ours_seconds:.1f} s vs Keras example {theirs:.1f} s -> {theirs / ours_seconds:.1f}x")

    batch = arithseq.get_task("addition").sample(200_000, seed=99)
    lines = batch.inputs.tolist()
    ours.predict(lines[:70_000])  # warm-up: graph tracing and XLA compilation per batch shape
    start = time.perf_counter()
    answers = ours.predict(lines)
    seconds = time.perf_counter() - start
    right = np.mean(np.array(answers) == batch.targets)
    print(f"library predict, every expression checked: {len(lines) / seconds:,.0f} expressions/s "
          f"({right:.2%} right; target >= 100,000)")

    text = "\n".join(lines) + "\n"
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "arithseq.cli", "predict", str(root / "arithseq")],
        input=text, capture_output=True, text=True, check=True,
    )
    seconds = time.perf_counter() - start
    right = np.mean(np.array(done.stdout.split("\n")[:-1]) == batch.targets)
    print(f"arithseq predict < 200,000 lines: {seconds:.1f} s in all, start-up included "
          f"({len(lines) / seconds:,.0f} expressions/s; {right:.2%} right)")
    print(f"runs kept in {root}")


if __name__ == "__main__":
    main()
