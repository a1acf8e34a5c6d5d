"""Run directories: everything needed to reuse or repeat a trained model.

    RUN/config.toml      the fully resolved configuration (``arithseq train --config``)
    RUN/model.keras      the best model so far (by validation exact match)
    RUN/tokenizer.json   alphabet, lengths, padding, reversal
    RUN/history.csv      per-epoch metrics
    RUN/test.txt         the held-out test expressions
    RUN/metrics.json     the final held-out evaluation
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .config import TaskConfig, make_config
from .errors import ArithseqError, ConfigError, ExpressionError
from .framing import Framing, framing_for
from .metrics import Report, evaluate_predictions
from .models import get_model_spec
from .tasks import TASKS, Task, _task, get_task
from .tokenizer import Tokenizer
from .train_config import TrainConfig

FILES = ("config.toml", "model.keras", "tokenizer.json")


def resolve_task(name: str, options: dict[str, Any]) -> Task:
    """A registered task or task file with overrides; or, for a name registered elsewhere, the full options."""
    if name in TASKS or name.endswith(".toml"):
        return get_task(name, **options)
    if "grammar" not in options:
        raise ConfigError(f"unknown task {name!r} and no grammar given to rebuild it")
    return _task(name, make_config(TaskConfig(), options))


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

    @property
    def metrics(self) -> dict[str, Any]:
        path = self.path / "metrics.json"
        return json.loads(path.read_text()) if path.exists() else {}

    def canonical(self, expression: str, check: bool = True) -> str:
        """The task's own spelling of ``expression`` (checked by the grammar first, unless ``check`` is off)."""
        return str(self._canonical([expression], check)[0])

    def _canonical(self, expressions: Sequence[str], check: bool) -> np.ndarray:
        if check:
            for expression in expressions:
                self.task.grammar.parse(expression)
        # all expressions as one text: the regular expressions below run once, in C
        text = re.sub(r"[ \t\r]+", "", "\n".join(expressions))
        if self.task.config.pad_terms:
            width = len(str(self.task.config.values[1]))
            for digits in range(width - 1, 0, -1):
                text = re.sub(rf"(?<!\d)(\d{{{digits}}})(?!\d)", "0" * (width - digits) + r"\1", text)
        canon = np.array(text.split("\n") if expressions else [], dtype=str)
        limit = self.tokenizer.input_length
        too_long = np.nonzero(np.strings.str_len(canon) > limit)[0]
        if too_long.size:
            bad = str(canon[too_long[0]])
            raise ExpressionError(
                f"expression is {len(bad)} characters long; this model reads at most {limit}", bad, limit + 1
            )
        return canon

    def predict(self, expressions: Sequence[str] | str, check: bool = True) -> list[str]:
        """The model's answers; bad input raises an ExpressionError naming the column.

        ``check=False`` skips parsing each expression with the grammar (about 40 µs
        each): for trusted input such as sampled batches. Unknown characters and
        over-long expressions are still refused.
        """
        single = isinstance(expressions, str)
        items = [expressions] if single else list(expressions)
        canon = self._canonical(items, check)
        answers = self.framing.predict(self.model, canon).tolist() if items else []
        return answers[0] if single else answers

    def evaluate(self, n: int | None = None, seed: int | None = None, **task_options: Any) -> Report:
        """Exact match and more on held-out data.

        With no arguments: the run's own held-out test set. With task options (for
        example longer numbers or more terms, to measure length generalisation) or
        ``n``: ``n`` fresh examples of the changed task.
        """
        saved = self.path / "test.txt"
        if not task_options and n is None and saved.exists():
            inputs = np.array(saved.read_text().split(), dtype=str)
            task = self.task
            targets = np.array([task.answer(e) for e in inputs.tolist()], dtype=str)
        else:
            options = {**self.task.config.as_dict(), **task_options}
            task = resolve_task(self.task.name, options)
            batch = task.sample(n or self.config.test_size, self.config.seed + 7 if seed is None else seed)
            inputs, targets = batch.inputs, batch.targets
        tokenizer = self._tokenizer_for(task)
        framing = framing_for(self.spec, self.options, task, tokenizer)
        ids = framing.predict_ids(self.model, inputs, tokenizer)
        if ids is None:
            predictions = framing.predict(self.model, inputs, tokenizer)
            return evaluate_predictions(task, inputs, targets, predictions)
        predictions = tokenizer.decode(ids, "output")
        return evaluate_predictions(task, inputs, targets, predictions, ids, tokenizer.encode(targets, "output"))

    def _tokenizer_for(self, task: Task) -> Tokenizer:
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
        data = tok.to_dict()
        data["input_length"] = max(tok.input_length, task.max_input_length)
        data["output_length"] = max(tok.output_length, task.max_output_length)
        return Tokenizer.from_dict(data)


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


def read_lines(lines: Iterable[str]) -> list[str]:
    return [line.strip() for line in lines if line.strip()]
