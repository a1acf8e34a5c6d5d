"""Extension 4, brackets: + - * / with parentheses and unary minus, rational answers.

Small numbers (0..9), 2-3 terms, nesting depth up to 2, so a laptop run shows
real learning in minutes. Run: python examples/brackets.py
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ start-up notes are not for readers

import arithseq

config = arithseq.TrainConfig(
    task="brackets",
    task_options={"digits": 1, "terms": "2-3", "depth": 2, "reverse_output": True},
    model="attention",
    model_options={"units": 128},
    epochs=100,
    steps_per_epoch=50,
    target=0.99,
    max_minutes=5,
    seed=1,
)
run = arithseq.train(config, "runs/examples/brackets", verbose=0, overwrite=True, echo=lambda *_: None)
report = run.evaluate()
print(f"brackets (0..9, 2-3 terms, depth <= 2): exact match {report.exact_match:.1%}, "
      f"invalid outputs {report.invalid:.1%}")
print(report.format(examples=10))
