"""Time to 99% exact match on held-out 3-digit addition: the Keras example's setup vs arithseq's default.

    python bench/time_to_accuracy.py [--max-minutes 30] [--target 0.99]

(a) keras-io examples/nlp/addition_rnn.py, expressed in arithseq: input reversed,
    one-hot characters, LSTM(128) -> RepeatVector -> LSTM(128) -> Dense softmax,
    50,000 fixed training examples, batch 32, Adam(0.001);
(b) arithseq's default (`arithseq train` with no arguments): attention GRU
    encoder-decoder, embeddings, zero-padded numbers, input and output reversed,
    fresh examples every epoch, batch 256, Adam(0.01) halving every 1500 steps, XLA.

Both train until the validation exact match (whole answers right, 2,000 held-out
expressions, the same for both) reaches the target, then report the test exact
match (5,000 more held-out expressions). Wall time is the fit time, including
the per-epoch validation decoding. Then batch inference throughput of (b):
strings in, answers out, 50,000 expressions.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

import arithseq  # noqa: E402
import arithseq.evaluation  # noqa: E402


def keras_example(target: float, minutes: float) -> arithseq.TrainConfig:
    return arithseq.TrainConfig(
        task="addition",
        task_options={"reverse_input": True, "reverse_output": False},
        train_numbers="by-digits",  # the keras-io example draws a digit count, then the digits
        model="seq2seq-lstm",
        model_options={"encoder_units": 128, "decoder_units": 128, "input_encoding": "one-hot"},
        train_size=50_000,
        batch_size=32,
        epochs=10_000,
        learning_rate=0.001,
        lr_half_life=0,
        clipnorm=0.0,
        target=target,
        max_minutes=minutes,
    )


def timed(name: str, config: arithseq.TrainConfig, root: Path) -> tuple[arithseq.evaluation.Run, dict]:
    run = arithseq.train(config, root / name, verbose=0, echo=lambda *_: None)
    metrics = json.loads((root / name / "metrics.json").read_text())
    history = (root / name / "history.csv").read_text().splitlines()
    best = max(float(row.split(",")[history[0].split(",").index("val_exact_match")]) for row in history[1:])
    metrics["best_val_exact"] = best
    print(
        f"{name:>14}: {metrics['train_seconds']:8.1f} s, {metrics['epochs']} epochs, "
        f"{metrics['examples_seen']:,} examples; best validation exact {best:.2%}, test exact {metrics['exact_match']:.2%}",
        flush=True,
    )
    return run, metrics


def _numbers(path: Path) -> list[list[int]]:
    """The held-out expressions as numbers (formats differ: arithseq's default zero-pads them)."""
    return arithseq.Batch.load(path).numbers.tolist()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", type=float, default=0.99)
    parser.add_argument("--max-minutes", type=float, default=30.0, help="cap on each training run")
    parser.add_argument("--out", type=Path, default=None, help="keep the runs here (default: a temporary folder)")
    args = parser.parse_args()
    root = args.out or Path(tempfile.mkdtemp(prefix="arithseq-bench-"))

    ours_config = arithseq.TrainConfig().replace(target=args.target, max_minutes=args.max_minutes)
    ours, ours_m = timed("arithseq", ours_config, root)
    _, keras_m = timed("keras-example", keras_example(args.target, args.max_minutes), root)
    same = _numbers(root / "arithseq" / "test.npz") == _numbers(root / "keras-example" / "test.npz")
    print(f"same held-out expressions for both: {same}")

    reached = keras_m["best_val_exact"] >= args.target
    ratio = keras_m["train_seconds"] / ours_m["train_seconds"]
    qualifier = "" if reached else f" (at least: the Keras setup stopped at the {args.max_minutes:g}-minute cap)"
    print(f"time to {args.target:.0%} exact: Keras example {keras_m['train_seconds']:.1f} s, "
          f"arithseq {ours_m['train_seconds']:.1f} s -> {ratio:.1f}x faster{qualifier} (target >= 5x)")

    batch = ours.task.sample(50_000, seed=99)
    expressions = batch.inputs.tolist()
    for check in (False, True):
        ours.predict(expressions, check=check)  # warm-up: graph tracing and XLA compilation per batch shape
        start = time.perf_counter()
        answers = ours.predict(expressions, check=check)
        seconds = time.perf_counter() - start
        right = np.mean(np.array(answers) == batch.targets)
        label = "each expression parsed by the grammar first" if check else "trusted input, no grammar parse"
        print(f"batch inference ({label}): {len(expressions) / seconds:,.0f} expressions/s on CPU, "
              f"{right:.2%} right (target >= 50,000)")
    print(f"runs kept in {root}")


if __name__ == "__main__":
    main()
