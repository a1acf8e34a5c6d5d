"""The beginner's mistake: addition as a mapping from term values to their sum.

Two numbers 1..100, normalised by largest * terms; an LSTM(10) and an MLP
(Dense 4 -> 2 -> 1) each regress the normalised sum, with 100 fresh examples per
epoch like the tutorial (batch 1 for the LSTM, 2 for the MLP). Both reach a small
RMSE in original units, and the MLP does it without any sequence model at all:
the framing threw the sequence away. Run: python examples/beginners_mistake.py
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ start-up notes are not for readers

import arithseq

for model, batch, epochs in (("mapping-lstm", 1, 100), ("mlp", 2, 50)):
    config = arithseq.TrainConfig(
        task="addition",
        task_options={"n_numbers": 2, "largest": 100},
        model=model,
        epochs=epochs,
        steps_per_epoch=100 // batch,
        batch_size=batch,
        learning_rate=0.001,
        lr_half_life=0,
        clipnorm=0.0,
        val_size=100,
        test_size=100,
        target=0.0,
        seed=1,
    )
    run = arithseq.train(config, f"runs/examples/beginners-{model}", verbose=0, overwrite=True, echo=lambda *_: None)
    report = run.evaluate()
    print(f"{model}: RMSE {report.rmse:.3f} in original units, exact match {report.exact_match:.0%} "
          f"on {report.n} held-out sums")
    for expression, expected, predicted, _ in report.examples[:20]:
        print(f"  Expected={expected}, Predicted={predicted} (err={int(expected) - int(predicted)})  [{expression}]")
