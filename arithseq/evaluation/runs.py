"""Run directories: everything needed to reuse or repeat a trained model.

    RUN/config.toml      the fully resolved configuration (``arithseq train --config``)
    RUN/model.keras      the best model so far (by validation exact match)
    RUN/tokenizer.json   alphabet, lengths, padding, reversal
    RUN/history.csv      per-epoch metrics
    RUN/test.npz         the held-out test set (expressions, answers, their numbers)
    RUN/metrics.json     the final held-out evaluation
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..config import TrainConfig
from ..errors import ArithseqError, ConfigError, ExpressionError
from ..models import get_model_spec
from ..models.framing import Framing, framing_for
from ..tasks import Batch, Task, resolve_task
from ..tokenizer import Tokenizer
from .metrics import Report, evaluate_predictions

FILES = ("config.toml", "model.keras", "tokenizer.json")
TEST_SET = "test.npz"


class Run:
    """A trained model with its task, tokenizer and configuration."""

    def __init__(self, path: Path, config: TrainConfig, task: Task, tokenizer: Tokenizer, model) -> None:
        self.path = path
        self.config = config
        self.task = task
        self.tokenizer = tokenizer
        self.model = model
        self.spec = get_model_spec(config.model)
        self.options = self.spec.make_options(config.model_options)
        self.framing: Framing = framing_for(self.spec, self.options, task, tokenizer)

    def read(self, expressions: Sequence[str], check: bool = True) -> Batch:
        """Expressions in the task's spelling, ready for the model; the first bad one raises."""
        reading = self.task.read(expressions, check)
        reading.raise_first()
        self._check_lengths(reading.batch.inputs)
        return reading.batch

    def _check_lengths(self, canonical: np.ndarray) -> None:
        limit = self.tokenizer.input_length
        too_long = np.nonzero(np.strings.str_len(canonical) > limit)[0]
        if too_long.size:
            bad = str(canonical[too_long[0]])
            raise ExpressionError(
                f"expression is {len(bad)} characters long; this model reads at most {limit}", bad, limit + 1
            )

    def predict(self, expressions: Sequence[str] | str, check: bool = True) -> list[str] | str:
        """The model's answers; bad input raises an ExpressionError naming the column.

        ``check=False`` trusts the input (for example sampled batches): it skips the
        grammar check. Unknown characters and over-long expressions are still refused.
        """
        single = isinstance(expressions, str)
        items = [expressions] if single else list(expressions)
        batch = self.read(items, check)
        answers = self.framing.predict(self.model, batch).tolist() if items else []
        return answers[0] if single else answers

    def evaluate(self, n: int | None = None, seed: int | None = None, **task_options: Any) -> Report:
        """Exact match and more on held-out data.

        With no arguments: the run's own held-out test set. With task options (for
        example longer numbers or more terms, to measure length generalisation) or
        ``n``: ``n`` fresh examples of the changed task.
        """
        saved = self.path / TEST_SET
        if not task_options and n is None and saved.exists():
            task, batch = self.task, Batch.load(saved)
        else:
            options = {**self.task.config.as_dict(), **task_options}
            task = resolve_task(self.task.name, options)
            batch = task.sample(n or self.config.test_size, self.config.seed + 7 if seed is None else seed)
        tokenizer = self.tokenizer_for(task)
        framing = framing_for(self.spec, self.options, task, tokenizer)
        ids = framing.predict_ids(self.model, batch, tokenizer)
        if ids is None:
            return evaluate_predictions(task, batch, framing.predict(self.model, batch, tokenizer))
        predictions = tokenizer.decode(ids, "output")
        return evaluate_predictions(task, batch, predictions, ids, tokenizer.encode(batch.targets, "output"))

    def tokenizer_for(self, task: Task) -> Tokenizer:
        """The run's tokenizer, lengthened when a task needs longer sequences and the model allows it."""
        tok = self.tokenizer
        missing = set(task.alphabet) - set(tok.alphabet)
        if missing:
            raise ConfigError(
                f"the evaluation task uses characters the model never saw: {''.join(sorted(missing))!r}"
            )
        if task.max_input_length <= tok.input_length and task.max_output_length <= tok.output_length:
            return tok
        if self.spec.framing == "sequence" and task.max_output_length > tok.output_length:
            raise ConfigError(
                f"model {self.spec.name!r} always writes {tok.output_length} output characters, but the "
                f"evaluation task needs {task.max_output_length}; use an autoregressive model "
                "(attention, transformer) to measure longer answers"
            )
        return tok.resized(max(tok.input_length, task.max_input_length), max(tok.output_length, task.max_output_length))


def load_run(path: str | Path) -> Run:
    """Open a run directory written by :func:`arithseq.train`."""
    import keras

    path = Path(path)
    if not path.is_dir():
        raise ArithseqError(f"{path}: no such run directory")
    for name in FILES:
        if not (path / name).exists():
            raise ArithseqError(f"{path}: missing {name}; is this a finished arithseq run directory?")
    config = TrainConfig.from_toml(path / "config.toml")
    get_model_spec(config.model)  # registers the built-in layers before loading
    task = resolve_task(config.task, config.task_options)
    tokenizer = Tokenizer.load(path / "tokenizer.json")
    try:
        model = keras.saving.load_model(path / "model.keras")
    except Exception as exc:  # keras raises many types for a damaged file
        raise ArithseqError(f"{path / 'model.keras'}: cannot load the model: {exc}") from None
    return Run(path, config, task, tokenizer, model)
