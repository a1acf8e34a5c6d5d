"""Extension 1, integer encoding: ids through a learned embedding instead of one-hot vectors.

Same task (two numbers 1..100), same seq2seq network and budget; only the input
encoding differs. Run: python examples/integer_encoding.py
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ start-up notes are not for readers

import arithseq

for encoding in ("one-hot", "embedding"):
    config = arithseq.TrainConfig(
        task="addition",
        task_options={"largest": 100, "reverse_output": True},
        model="seq2seq-lstm",
        model_options={"input_encoding": encoding, "encoder_units": 100, "decoder_units": 50},
        epochs=40,
        steps_per_epoch=50,
        batch_size=64,
        learning_rate=0.005,
        lr_half_life=1000,
        target=0.0,
        seed=1,
    )
    run = arithseq.train(config, f"runs/examples/encoding-{encoding}", verbose=0, overwrite=True, echo=lambda *_: None)
    report = run.evaluate()
    print(f"{encoding:>9}: exact match {report.exact_match:.1%}, per-character {report.char_accuracy:.1%} "
          f"({report.n} held-out sums)")
