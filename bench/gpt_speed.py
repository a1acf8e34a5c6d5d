"""How fast `gpt` trains and answers on 20-digit sums: XLA against plain graphs, the key/value cache against
recomputing the whole sequence for every character.

    python bench/gpt_speed.py [--digits 20] [--steps 60] [--batch 128] [-n 1024] [--positions coupled]

Training: tokens per second (question, separator and answer tokens of each example) of
Keras' compiled train step with jit_compile=True (XLA) and with jit_compile=False (a
tf.function graph), after one warm-up epoch each. Prediction: expressions per second of
greedy decoding with the cache and with full recomputation (both one XLA graph per
answer length, compiled before timing), and whether their answers agree. Run nothing
else meanwhile: the figures are wall-clock.
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
from arithseq.models.gpt_decoding import gpt_decoder  # noqa: E402
from arithseq.tasks import get_task  # noqa: E402
from arithseq.tokenizer import Tokenizer  # noqa: E402
from arithseq.training import recommended  # noqa: E402
from arithseq.training.loop import build  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--digits", type=int, default=20)
    parser.add_argument("--steps", type=int, default=60, help="timed training steps per setting")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("-n", type=int, default=1024, help="expressions decoded per setting")
    parser.add_argument("--positions", default="coupled")
    args = parser.parse_args()
    recipe = "gpt-nope" if args.positions == "none" else f"gpt-{args.positions}"
    config = recommended("long-addition", recipe)
    d = args.digits
    task = get_task("long-addition", **{**config.task_options, "values": (10 ** (d - 1), 10**d - 1)})
    spec = get_model_spec("gpt")
    options = spec.make_options(config.model_options)
    tokenizer = Tokenizer.for_task(task)
    framing = framing_for(spec, options, task, tokenizer)
    batch = task.sample(args.batch * args.steps, np.random.default_rng(0))
    x, y = framing.arrays(batch)
    tokens = args.batch * args.steps * (x[0].shape[1] + x[2].shape[1])
    print(f"gpt {options.positions}, dim {options.dim}, {options.layers} layer(s), {d}-digit sums: "
          f"{x[0].shape[1]} question + {x[2].shape[1]} answer tokens per example, batches of {args.batch}")
    rates = {}
    for jit in (True, False):
        keras.utils.set_random_seed(0)
        model = build(spec, options, framing, config.replace(jit=jit))
        model.fit(x, y, batch_size=args.batch, epochs=1, verbose=0)  # compile / trace
        start = time.perf_counter()
        model.fit(x, y, batch_size=args.batch, epochs=1, verbose=0)
        seconds = time.perf_counter() - start
        rates[jit] = tokens / seconds
        print(f"training, jit_compile={jit!s:<5}: {rates[jit]:>10,.0f} tokens/s  ({args.steps / seconds:.1f} steps/s)")
    print(f"XLA speed-up of the training step: {rates[True] / rates[False]:.2f}x")

    questions = task.sample(args.n, np.random.default_rng(1)).inputs
    ids = tokenizer.encode(questions, "input")
    places = tokenizer.significance(ids)
    length = tokenizer.output_length
    answers, speeds = {}, {}
    for cache in (True, False):
        decode = gpt_decoder(model, framing.shapes().start_id, cache=cache)
        decode(ids[:8], places[:8], length)  # compile for this length
        decode(ids, places, length)  # and this batch shape
        start = time.perf_counter()
        answers[cache] = decode(ids, places, length)
        seconds = time.perf_counter() - start
        speeds[cache] = args.n / seconds
        print(f"prediction, cache={cache!s:<5}: {speeds[cache]:>10,.0f} expressions/s ({length} characters each)")
    same = np.array_equal(answers[True], answers[False])
    print(f"cache speed-up: {speeds[True] / speeds[False]:.2f}x; answers identical: {same}")


if __name__ == "__main__":
    main()
