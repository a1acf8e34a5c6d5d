"""Extension 2, a variable number of terms: 2 to 4 numbers 1..99, with padding doing the rest.

Then length generalisation: the same model on 5 terms it never saw.
Run: python examples/variable_terms.py
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ start-up notes are not for readers

import arithseq

config = arithseq.TrainConfig(
    task="addition",
    task_options={"terms": "2-4", "largest": 99, "reverse_output": True},
    model="attention",
    epochs=60,
    steps_per_epoch=50,
    target=0.99,
    seed=1,
)
run = arithseq.train(config, "runs/examples/variable-terms", verbose=0, overwrite=True, echo=lambda *_: None)
report = run.evaluate()
print(f"2-4 terms: exact match {report.exact_match:.1%}")
for terms, row in report.breakdown["terms"].items():
    print(f"  {terms} terms: {row['exact_match']:.1%} (n={row['n']})")
longer = run.evaluate(n=1000, terms=5)
print(f"5 terms (never trained on): exact match {longer.exact_match:.1%}")
