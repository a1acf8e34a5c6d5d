"""A new arithmetic task end to end: its own grammar, a new node, registered and trained.

The language: max(a,b) and min(a,b) nested, e.g. "max(3,min(7,2))". The grammar
is written to a .lark file, the two nodes get their meaning in Python, and the task
is registered under a name. Run: python examples/custom_task.py
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ start-up notes are not for readers

from pathlib import Path

import arithseq

GRAMMAR = """
?start: expr
?expr: number
     | "max(" expr "," expr ")" -> maximum
     | "min(" expr "," expr ")" -> minimum
number: DIGITS
DIGITS: /[0-9]+/
%ignore " "
"""


@arithseq.node("maximum")
def maximum(a, b):
    return max(a, b)


@arithseq.node("minimum")
def minimum(a, b):
    return min(a, b)


path = Path("runs/examples/maxmin.lark")
path.parent.mkdir(parents=True, exist_ok=True)
path.write_text(GRAMMAR)
arithseq.register_task("max-min", grammar=str(path), terms="2-3", values="0-99", depth=2)

task = arithseq.get_task("max-min")
print("samples:", [e.input + " = " + e.target for e in task.sample(3, seed=0)])
print("solve max(3,min(7,2)) =", task.evaluate("max(3,min(7,2))"))

config = arithseq.TrainConfig(task="max-min", task_options={}, model="attention", epochs=40, target=0.99, seed=1)
run = arithseq.train(config, "runs/examples/custom-task", verbose=0, overwrite=True, echo=lambda *_: None)
print(f"max-min: exact match {run.evaluate().exact_match:.1%}")
print("predict:", run.predict(["max(12,min(40,33))", "min(5,9)"]))
