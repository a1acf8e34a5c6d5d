"""Adding a model is one decorated function: here a bidirectional-GRU encoder for the seq2seq framing.

Run: python examples/custom_model.py
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ start-up notes are not for readers

from dataclasses import dataclass

import keras
from keras import layers

import arithseq
from arithseq.models import Shapes, register_model


@dataclass(frozen=True)
class BiGRUOptions:
    units: int = 96


@register_model("bigru-seq2seq", framing="sequence", options=BiGRUOptions)
def bigru_seq2seq(shapes: Shapes, options: BiGRUOptions) -> keras.Model:
    """Embedding -> Bidirectional GRU -> RepeatVector -> GRU -> softmax per character."""
    inputs = keras.Input((None,), dtype="int32")
    x = layers.Embedding(shapes.vocab, 32)(inputs)
    x = layers.Bidirectional(layers.GRU(options.units))(x)
    x = layers.RepeatVector(shapes.output_length)(x)
    x = layers.GRU(options.units, return_sequences=True)(x)
    return keras.Model(inputs, layers.Dense(shapes.vocab, activation="softmax")(x))


print("models:", arithseq.models.list_models())
config = arithseq.TrainConfig(
    task="addition", task_options={"largest": 99, "reverse_output": True}, model="bigru-seq2seq", epochs=40, seed=1
)
run = arithseq.train(config, "runs/examples/custom-model", verbose=0, overwrite=True, echo=lambda *_: None)
print(f"bigru-seq2seq on 2-digit addition: exact match {run.evaluate().exact_match:.1%}")
