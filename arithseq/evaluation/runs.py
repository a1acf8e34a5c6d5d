"""Run directories: everything needed to reuse or repeat a trained model.

    RUN/config.toml      the fully resolved configuration (``arithseq train --config``)
    RUN/model.keras      the best model so far (by validation exact match)
    RUN/tokenizer.json   alphabet, lengths, padding, reversal
    RUN/history.csv      per-epoch metrics
    RUN/val.npz          the held-out validation set
    RUN/test.npz         the held-out test set (expressions, answers, their numbers)
    RUN/metrics.json     the final held-out evaluation
    RUN/manifest.json    every file's SHA-256, and whether the run finished
    RUN/python/          the Python files of a task with custom operators (run only with trust)
"""

from __future__ import annotations

import warnings
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..config import HELD_OUT_LIMIT, TrainConfig
from ..errors import ArithseqError, ConfigError, ExpressionError, TokenizerError, shown
from ..models import get_model_spec
from ..models.framing import Framing, check_weights, framing_for
from ..options import check_seed, texts, whole
from ..tasks import Batch, Task, resolve_task
from ..tasks.registry import derived_task
from ..tasks.datatask import DataTask
from ..tasks.enumeration import LIMIT
from ..tasks.options import FORMAT_OPTIONS
from ..tokenizer import Tokenizer
from .metrics import Report, Tally
from .folders import MANIFEST, RunFolderError, partial_path, verify
from .prediction import LONGEST, Answers, length_groups, outside_training
from .strata import stratified_sets


class OutsideTrainingWarning(UserWarning):
    """An expression lies outside what the model was trained on; its answer is less trustworthy."""

TEST_SET = "test.npz"
VALIDATION_SET = "val.npz"
DATA_SET = "data.npz"  # a task from question/answer files: every pair, as read


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
        self.unfinished = False  # a run opened with allow_unfinished before it finished

    def _repr_html_(self) -> str:
        """Jupyter shows a run as its configuration and its saved held-out figures (nothing is evaluated)."""
        import html
        import json

        from .notebook import report_html

        title = f"{self.task.name}, recipe {self.config.recipe or '-'}, model {self.config.model} ({self.path})"
        metrics = Path(self.path) / "metrics.json"
        if not metrics.exists():
            return f"<b>{html.escape(title)}</b><br>no metrics.json: call run.evaluate()"
        return report_html(json.loads(metrics.read_text()), title)

    def answer(self, expressions: Sequence[str] | np.ndarray, check: bool = True, strict: bool = False) -> Answers:
        """Answers to ``expressions`` by index, an error for each bad one (typed text, column) and a
        warning for each one outside the training range (an error instead with ``strict``)."""
        typed = texts("expressions", expressions)
        check_weights(self.model)
        reading = self.task.read(typed, check)
        out = Answers(errors=list(reading.errors))
        batch, rows = reading.batch, reading.rows
        keep = np.ones(len(batch), bool)
        notes = [] if self.task.from_data else outside_training(self.task, batch, reading.shapes)
        for i, message in notes:
            if strict:
                out.errors.append((int(rows[i]), ArithseqError(f"{message} (strict mode)")))
                keep[i] = False
            else:
                out.warnings.append((int(rows[i]), message))
        if hasattr(self.framing, "trace"):
            # a decoding loop reads steps, not expressions: it lengthens its tokenizer for a longer step itself
            too_long = np.strings.str_len(batch.inputs) > LONGEST if len(batch) else np.zeros(0, bool)
            groups = [(self.tokenizer, np.nonzero(~too_long)[0])]
        else:
            groups, too_long = length_groups(self.tokenizer, self.spec.framing, batch)
        for i in np.nonzero(too_long & keep)[0].tolist():
            length = len(str(batch.inputs[i]))
            limit = f"arithseq predicts at most {LONGEST:,}" if length > LONGEST else (
                f"model {self.spec.name!r} reads at most {self.tokenizer.input_length}")
            out.errors.append((int(rows[i]), ExpressionError(
                f"expression {shown(str(typed[rows[i]]))} is {length:,} characters long in the task's spelling; {limit}"
            )))
        for tokenizer, members in groups:
            self._answer_rows(batch, members[keep[members]], rows, tokenizer, out)
        refused = {index for index, _ in out.errors}  # a warning about a line that got no answer says nothing more
        out.warnings = [(index, message) for index, message in out.warnings if index not in refused]
        out.errors.sort(key=lambda item: item[0])
        return out

    def _answer_rows(self, batch: Batch, members: np.ndarray, rows: np.ndarray, tokenizer: Tokenizer, out: Answers) -> None:
        """Answers for the rows ``members`` of ``batch``, read by ``tokenizer``; a row the encoding cannot
        read (three numbers for a two-number column encoding) is an error in its place and the others are
        answered: a refused group is halved until each refused row stands alone."""
        if not len(members):
            return
        traced = hasattr(self.framing, "trace")
        try:
            if traced:
                answers, steps = self.framing.trace(self.model, batch[members], tokenizer)
            else:
                answers = self.framing.predict(self.model, batch[members], tokenizer)
        except TokenizerError as exc:
            if len(members) == 1:
                out.errors.append((int(rows[members[0]]), exc))
                return
            half = len(members) // 2
            self._answer_rows(batch, members[:half], rows, tokenizer, out)
            self._answer_rows(batch, members[half:], rows, tokenizer, out)
            return
        out.answers.update(zip(rows[members].tolist(), answers.tolist()))
        out.inputs.update(zip(rows[members].tolist(), batch.inputs[members].tolist()))
        if traced:
            out.steps.update(zip(rows[members].tolist(), steps))

    def predict(self, expressions: Sequence[str] | str, check: bool = True, strict: bool = False) -> list[str] | str:
        """The model's answers; the first bad expression raises an error naming it and the column.

        Expressions outside the training range are answered with a warning
        (:class:`OutsideTrainingWarning`), or refused with ``strict``. ``check=False``
        trusts the input (for example sampled batches) and skips the grammar check.
        """
        single = isinstance(expressions, str)
        items = texts("predict: the expressions", [expressions] if single else expressions).tolist()
        broken = next((i for i, item in enumerate(items) if "\n" in item or "\r" in item), None)
        if broken is not None:
            item = items[broken]
            column = min(item.index(ch) + 1 for ch in "\r\n" if ch in item)
            raise ExpressionError(
                f"expression {broken + 1} {shown(item, column)} holds a line break at column {column}; "
                "pass one expression per string"
            )
        result = self.answer(items, check, strict)
        if result.errors:
            index, error = result.errors[0]
            raise type(error)(f"expression {index + 1}: {error.args[0]}") if len(items) > 1 else error
        for index, message in result.warnings:
            warnings.warn(f"expression {index + 1}: {message}", OutsideTrainingWarning, stacklevel=2)
        answers = [result.answers[i] for i in range(len(items))]
        return answers[0] if single else answers

    def evaluate(
        self,
        n: int | None = None,
        seed: int | None = None,
        *,
        exhaustive: bool = False,
        progress: Callable[[int, int], None] | None = None,
        **task_options: Any,
    ) -> Report:
        """Exact match, its worst stratum and more.

        With no arguments: the run's own held-out test set (stratified). With
        ``exhaustive``: every problem of the task, streamed in chunks (tasks of at
        most a few million problems; larger ones fall back to a stratified sample, and
        the report says so). With task options (longer numbers, more terms: length
        generalisation) or ``n``: ``n`` fresh problems of the changed task, stratified.
        ``progress(done, total)`` is called after every chunk.
        """
        if n is not None:
            whole("the number of problems to evaluate", n, 1, HELD_OUT_LIMIT)
        check_seed(seed, "the seed")
        check_weights(self.model)
        task = self.task
        saved = self.path / TEST_SET
        if task.from_data:
            if task_options or n is not None:
                raise ConfigError(f"run {self.path} learned from a data file: it is judged on its own test set only")
            exhaustive = False
        elif task_options:
            task = derived_task(self.task, task_options)
            self._check_format(task)
        seed = self.config.seed + 7 if seed is None else seed
        if exhaustive and task.size <= LIMIT:
            batches, total, source = task.enumerate(), task.size, f"all {task.size:,} problems of the task"
        elif exhaustive or task_options or n is not None or not saved.exists():
            size = n or self.config.test_size
            source = f"stratified sample of {size:,} problems"
            if exhaustive:
                source += f" (the task has {task.size:,} problems, more than the {LIMIT:,} enumerated)"
            batches, total = [stratified_sets(task, {"test": size}, seed)["test"]], size
        else:
            source = "held-out test data" if task.from_data else "held-out test set, stratified"
            batches, total = [Batch.load(saved)], None
        tokenizer = self.tokenizer_for(task)
        framing = framing_for(self.spec, self.options, task, tokenizer)
        tally = Tally(task, source)
        for batch in batches:
            if task is not self.task:  # spelled as the model read in training (zero-padded numbers: 01+02)
                batch.inputs = self.task.read(batch.inputs, check=False).batch.inputs
            ids = framing.predict_ids(self.model, batch, tokenizer)
            if ids is None:
                tally.add(batch, framing.predict(self.model, batch, tokenizer))
            else:
                tally.add(batch, tokenizer.decode(ids, "output"), ids, tokenizer.encode(batch.targets, "output"))
            if hasattr(framing, "step_accuracy"):
                tally.add_steps(*framing.step_accuracy(self.model, batch))
            if progress is not None:
                progress(tally.n, total or tally.n)
        if tally.n == 0:
            raise ArithseqError(f"nothing to evaluate: {source} holds no problems")
        return tally.report()

    def _check_format(self, task: Task) -> None:
        """Refuse task options that would change how problems are written: the model learned one format."""
        changed = [name for name in FORMAT_OPTIONS if getattr(task.config, name) != getattr(self.task.config, name)]
        if changed:
            trained = ", ".join(f"{name}={getattr(self.task.config, name)}" for name in changed)
            raise ConfigError(
                f"option(s) {', '.join(changed)} set how problems and answers are written, and belong to the model: "
                f"run {self.path} was trained with {trained}; evaluate may change only which problems are asked "
                "(values, digits, terms, operators, depth, ...)"
            )

    def tokenizer_for(self, task: Task) -> Tokenizer:
        """The run's tokenizer, lengthened when a task needs longer sequences and the model allows it."""
        tok = self.tokenizer
        missing = set(task.alphabet) - set(tok.alphabet)
        if missing:
            raise ConfigError(
                f"the evaluation task uses characters the model never saw: {''.join(sorted(missing))!r}"
            )
        if tok.input_format == "columns":  # one column per answer digit: both lengths grow together
            need = task.max_output_length
            return tok.resized(need, need) if need > tok.output_length else tok
        # a decoding loop reads one step at a time: its inputs are steps, not whole expressions (padding a
        # step to an expression's length moves every position a decoder-only model learned)
        need_in = task.step_input_length if task.stepwise else task.max_input_length
        if need_in <= tok.input_length and task.max_output_length <= tok.output_length:
            return tok
        if self.spec.framing == "sequence" and task.max_output_length > tok.output_length:
            raise ConfigError(
                f"model {self.spec.name!r} always writes {tok.output_length} output characters, but the "
                f"evaluation task needs {task.max_output_length}; use an autoregressive model "
                "(attention, transformer) to measure longer answers"
            )
        return tok.resized(max(tok.input_length, need_in), max(tok.output_length, task.max_output_length))


def load_run(path: str | Path, *, trust: bool = False, allow_unfinished: bool = False) -> Run:
    """Open a run folder written by :func:`arithseq.train`; it is read as data.

    The manifest must say the run finished and every file must match its hash.
    A run that names Python files (custom operators) loads only with ``trust=True``.
    ``allow_unfinished`` opens an interrupted run (``RUN`` or ``RUN.partial``) from its
    best model so far, or its last checkpoint; ``run.unfinished`` is then True.
    """
    import keras

    path = Path(path)
    folder = path
    if allow_unfinished and not (path / MANIFEST).is_file() and partial_path(path).is_dir():
        folder = partial_path(path)
    manifest = verify(folder, allow_unfinished)
    config = TrainConfig.from_toml(folder / "config.toml")
    python = list(config.task_options.get("python", []))
    if python:
        if not trust:
            raise RunFolderError(
                f"{path}: loading this run runs Python code it carries ({', '.join(python)}: custom operators); "
                "pass --trust (load_run(..., trust=True)) only if you trust whoever made the run"
            )
        for name in python:
            if name not in manifest["files"]:
                raise RunFolderError(f"{path}: {name} is not one of the run's own files (not in its manifest)")
        config = config.replace(task_options={**config.task_options, "python": [str((folder / p).resolve()) for p in python]})
    where = folder / "config.toml"
    try:
        get_model_spec(config.model).make_options(config.model_options)  # registers the built-in layers too
    except ConfigError as exc:
        raise RunFolderError(f"{where}: [model]: {exc}") from None
    try:
        if config.data:
            task = DataTask.from_batch(config.task, Batch.load(folder / DATA_SET), config.task_options)
        else:
            task = resolve_task(config.task, config.task_options)
    except ConfigError as exc:
        raise RunFolderError(f"{where}: [task]: {exc}") from None
    tokenizer = Tokenizer.load(folder / "tokenizer.json")
    if tokenizer != Tokenizer.for_task(task):
        raise RunFolderError(
            f"{path}: tokenizer.json and config.toml disagree (the task's options give another alphabet, "
            "lengths or format); the files do not belong to one run"
        )
    model_path = folder / "model.keras"
    if not model_path.is_file() and allow_unfinished:
        model_path = folder / "checkpoint" / "model.keras"
    if not model_path.is_file():
        raise RunFolderError(f"{path}: no model saved yet")
    if not zipfile.is_zipfile(model_path):
        raise RunFolderError(f"{model_path}: not a Keras model file (a .keras file is a zip archive)")
    try:
        model = keras.saving.load_model(model_path, safe_mode=True)
    except Exception as exc:  # keras raises many types for a damaged file
        raise RunFolderError(f"{model_path}: cannot load the model: {exc}") from None
    run = Run(path, config, task, tokenizer, model)
    run.unfinished = not manifest.get("finished")
    return run
