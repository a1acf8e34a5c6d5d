"""Does the format matter? The same task, seed and time budget, three ways of writing it for a network.

2-digit addition (two numbers 1..99: 9,801 problems), each run capped at 1.5 minutes of training,
each judged on every one of the 9,801 problems:

(a) the tutorial's format: "12+50" left-padded, answer not reversed, numbers not padded, one-hot
    characters, the tutorial's seq2seq LSTM;
(b) arithseq's default for addition (``arithseq.training.recommended("addition")``): one token per
    column of digits, least significant first, and a GRU writing one answer digit per column;
(c) integer encoding (the tutorial's extension 1): (a) with character ids through a learned embedding.

Run: python examples/formats.py   (a few minutes on 2 CPU cores; runs go to runs/examples/formats-*)
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ start-up notes are not for readers

import json

import arithseq
from arithseq.training import recommended

TASK = {"largest": 99}
BUDGET = {"max_minutes": 1.5, "seed": 1, "val_size": 500, "test_size": 500}


def tutorial(encoding: str) -> arithseq.TrainConfig:
    return arithseq.TrainConfig(
        task="addition",
        task_options={**TASK, "input_format": "text", "reverse_input": False, "reverse_output": False, "pad_terms": False},
        model="seq2seq-lstm",
        model_options={"input_encoding": encoding},
        target=1.0,
    ).override(train=BUDGET)


FORMATS = [
    ("(a) tutorial: text, one-hot", tutorial("one-hot")),
    ("(b) arithseq default: columns, reversed", recommended("addition").override(task_options=TASK, train=BUDGET)),
    ("(c) integer encoding: text, embedding", tutorial("embedding")),
]

rows = []
for name, config in FORMATS:
    folder = "runs/examples/formats-" + name[1]
    print(f"training {name} ({config.model}) ...", flush=True)
    run = arithseq.train(config, folder, verbose=0, overwrite=True, echo=lambda *_: None)
    seconds = json.loads((run.path / "metrics.json").read_text())["train_seconds"]
    report = run.evaluate(exhaustive=True)  # every one of the 9,801 problems
    worst = report.worst.describe() if report.worst else "-"
    rows.append(f"| {name} | {config.model} | {seconds:.0f} | {report.exact_match:.2%} ({report.n:,}) | {worst} |")

print()
print("| format | model | training seconds | exact match on all problems | worst stratum |")
print("|---|---|---:|---:|---|")
print("\n".join(rows))
print("\nCompare the runs: arithseq compare runs/examples/formats-a runs/examples/formats-b runs/examples/formats-c")
