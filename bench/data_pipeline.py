"""Data-pipeline benchmark: arithseq's generate+encode against the tutorial's list-based code.

    python bench/data_pipeline.py [--n 200000] [--baseline-n 20000]

Prints, for one core:
1. the tutorial's task shape (2 terms, values 1..999, one-hot inputs and outputs):
   examples/s of a faithful re-implementation of the tutorial's ``generate_data``
   and of arithseq, and their ratio (target >= 30x);
2. the ``brackets`` task (1-digit numbers, 2-4 terms, depth <= 2, rational answers): sampling + exact evaluation +
   encoding, examples/s (target >= 100k/s with integer ids; one-hot shown too).
"""

from __future__ import annotations

import argparse
import os
import random
import time
from math import ceil, log10

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

import numpy as np  # noqa: E402

import arithseq  # noqa: E402


# -- the tutorial's pipeline, step by step as it is written there (lists, per-character loops) --
def random_sum_pairs(n_examples: int, n_numbers: int, largest: int):
    X, y = [], []
    for _ in range(n_examples):
        in_pattern = [random.randint(1, largest) for _ in range(n_numbers)]
        X.append(in_pattern)
        y.append(sum(in_pattern))
    return X, y


def to_string(X, y, n_numbers: int, largest: int):
    max_length = n_numbers * ceil(log10(largest + 1)) + n_numbers - 1
    Xstr = []
    for pattern in X:
        strp = "+".join([str(n) for n in pattern])
        strp = "".join([" " for _ in range(max_length - len(strp))]) + strp
        Xstr.append(strp)
    max_length = ceil(log10(n_numbers * (largest + 1)))
    ystr = []
    for pattern in y:
        strp = str(pattern)
        strp = "".join([" " for _ in range(max_length - len(strp))]) + strp
        ystr.append(strp)
    return Xstr, ystr


def integer_encode(X, y, alphabet):
    char_to_int = {c: i for i, c in enumerate(alphabet)}
    Xenc = [[char_to_int[char] for char in pattern] for pattern in X]
    yenc = [[char_to_int[char] for char in pattern] for pattern in y]
    return Xenc, yenc


def one_hot_encode(X, y, max_int: int):
    def encode(seqs):
        out = []
        for seq in seqs:
            pattern = []
            for index in seq:
                vector = [0 for _ in range(max_int)]
                vector[index] = 1
                pattern.append(vector)
            out.append(pattern)
        return out

    return encode(X), encode(y)


def tutorial_generate_data(n_samples: int, n_numbers: int, largest: int, alphabet: list[str]):
    X, y = random_sum_pairs(n_samples, n_numbers, largest)
    X, y = to_string(X, y, n_numbers, largest)
    X, y = integer_encode(X, y, alphabet)
    X, y = one_hot_encode(X, y, len(alphabet))
    return np.array(X), np.array(y)


def rate(fn, n: int, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn(n)
        best = min(best, time.perf_counter() - start)
    return n / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=200_000, help="examples per arithseq run")
    parser.add_argument("--baseline-n", type=int, default=20_000, help="examples per tutorial run")
    args = parser.parse_args()

    addition = arithseq.get_task("addition")
    tok = arithseq.Tokenizer.for_task(addition)
    alphabet = list(tok.vocabulary)
    random.seed(1)

    def ours(n: int) -> None:
        batch = addition.sample(n, seed=1)
        tok.encode(batch.inputs, one_hot=True)
        tok.encode(batch.targets, "output", one_hot=True)

    x, y = tutorial_generate_data(3, 2, 999, alphabet)
    assert x.shape[1:] == (tok.input_length, tok.size) and y.shape[1:] == (tok.output_length, tok.size)
    baseline = rate(lambda n: tutorial_generate_data(n, 2, 999, alphabet), args.baseline_n)
    arith = rate(ours, args.n)
    print("task shape: 2 terms, values 1..999, one-hot in and out, one core")
    print(f"  tutorial generate_data : {baseline:>12,.0f} examples/s")
    print(f"  arithseq sample+encode : {arith:>12,.0f} examples/s")
    print(f"  speed-up               : {arith / baseline:>12.1f}x   (target >= 30x)")

    brackets = arithseq.get_task("brackets")
    btok = arithseq.Tokenizer.for_task(brackets)

    def bracket_ids(n: int) -> None:
        batch = brackets.sample(n, seed=2)
        btok.encode(batch.inputs)
        btok.encode(batch.targets, "output")

    def bracket_one_hot(n: int) -> None:
        batch = brackets.sample(n, seed=2)
        btok.encode(batch.inputs, one_hot=True)
        btok.encode(batch.targets, "output", one_hot=True)

    ids_rate = rate(bracket_ids, args.n)
    hot_rate = rate(bracket_one_hot, args.n // 4, repeats=2)
    c = brackets.config
    print(f"brackets task: {c.terms[0]}-{c.terms[1]} numbers {c.values[0]}..{c.values[1]}, depth <= {c.depth}, "
          f"+ - * / with rational answers, one core")
    print(f"  sample+evaluate+encode (ids)     : {ids_rate:>10,.0f} examples/s   (target >= 100,000)")
    print(f"  sample+evaluate+encode (one-hot) : {hot_rate:>10,.0f} examples/s")


if __name__ == "__main__":
    main()
