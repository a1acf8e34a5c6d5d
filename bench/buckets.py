"""How much faster a recipe trains when its batches are grouped by target length and cut.

    python bench/buckets.py [--task mixed] [--recipe single-pass] [--steps 60]
    python bench/buckets.py --task brackets --recipe loop --steps 200

A scratchpad's targets vary in length (mixed's partial products: 16 characters on
average, 47 at most), and so do a decoding loop's steps (brackets: 4 characters on
average in a question width of 27, answers of 2 in 10). With ``buckets`` (the default)
each epoch's examples are grouped into batches of like answer length and each batch is
cut to its own longest answer and, for the decoder-only ``gpt``, its longest question;
without it every batch keeps one width. This trains the
recipe's model on the same epoch of examples both ways (one warm-up epoch each, which
compiles a graph per width) and prints training examples per second and the ratio.
The examples are the same; only their grouping into batches differs. Run nothing else
meanwhile: the figures are wall-clock.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from arithseq.cli.app import quiet_tensorflow  # noqa: E402

quiet_tensorflow()  # TensorFlow's start-up chatter is not part of the figures

import keras  # noqa: E402
import numpy as np  # noqa: E402

from arithseq.models import get_model_spec  # noqa: E402
from arithseq.models.framing import framing_for  # noqa: E402
from arithseq.tasks import get_task  # noqa: E402
from arithseq.tokenizer import Tokenizer  # noqa: E402
from arithseq.training import recommended  # noqa: E402
from arithseq.training.data import TrainingData  # noqa: E402
from arithseq.training.loop import build  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", default="mixed")
    parser.add_argument("--recipe", default="single-pass")
    parser.add_argument("--steps", type=int, default=60, help="timed training steps per setting")
    parser.add_argument("--batch-size", type=int, default=None, help="examples per batch (default: the recipe's)")
    args = parser.parse_args()
    base = recommended(args.task, args.recipe).replace(steps_per_epoch=args.steps)
    if args.batch_size:
        base = base.replace(batch_size=args.batch_size)
    task = get_task(args.task, **{**base.task_options, **base.mixture})
    spec = get_model_spec(base.model)
    options = spec.make_options(base.model_options)
    framing = framing_for(spec, options, task, Tokenizer.for_task(task))
    print(f"{args.task} --recipe {args.recipe}: {base.model} {base.model_options}, batches of {base.batch_size}, "
          f"{args.steps} steps timed")
    rates = {}
    for buckets in (True, False):
        config = base.replace(buckets=buckets)
        keras.utils.set_random_seed(0)
        model = build(spec, options, framing, config)
        framing.trains(model)  # a decoder-only network's questions are cut too (buckets=true)
        data = TrainingData(task, framing, config, np.array([], dtype=str))
        widths = "one width" if data.widths is None else "answer widths " + ", ".join(
            f"{w}: {n}" for w, n in zip(*np.unique(data.widths, return_counts=True)))
        if data.questions is not None:
            widths += "; question widths " + ", ".join(f"{w}: {n}" for w, n in zip(*np.unique(data.questions, return_counts=True)))
        model.fit(data, epochs=1, verbose=0)  # compile every width; the same examples are drawn again below
        data.epoch = 0
        data._refill()
        start = time.perf_counter()
        model.fit(data, epochs=1, verbose=0)
        seconds = time.perf_counter() - start
        rates[buckets] = args.steps * config.batch_size / seconds
        print(f"buckets={buckets!s:<5}: {rates[buckets]:>8,.0f} examples/s  ({args.steps / seconds:.2f} steps/s; {widths})")
    print(f"speed-up from grouping by length: {rates[True] / rates[False]:.2f}x")


if __name__ == "__main__":
    main()
