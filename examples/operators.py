"""Extension 3, other operators: + - * on two numbers 0..99, with precedence, as plain text into the
attention model (no recipe). Multiplication and one-digit problems stay weak; `arithseq train mixed`
(one operation at a time, column format) is the recipe that gets them right.

Run: python examples/operators.py
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ start-up notes are not for readers

import arithseq

config = arithseq.TrainConfig(
    task="mixed",
    task_options={"reverse_output": True, "terms": 2, "values": "0-99"},
    model="attention",
    model_options={"units": 128},
    epochs=80,
    steps_per_epoch=50,
    target=0.99,
    seed=1,
)
run = arithseq.train(config, "runs/examples/operators", verbose=0, overwrite=True, echo=lambda *_: None)
report = run.evaluate()
print(f"mixed (+ - *, 2 numbers 0..99): exact match {report.exact_match:.1%}, "
      f"per-character {report.char_accuracy:.1%}, RMSE {report.rmse:.1f}")
print(report.format(examples=10))
