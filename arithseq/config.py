"""A run's configuration: task, model and training options in one frozen dataclass.

Configuration flows one way: CLI options or a TOML file -> :class:`TrainConfig` ->
the builders. ``RUN/config.toml`` holds it fully resolved, so
``arithseq train --config RUN/config.toml`` repeats a run.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .options import check_seed, fill_dataclass, got, read_toml

SECTIONS = ("task", "model", "train", "mixture")
HELD_OUT_LIMIT = 1_000_000  # problems of a stratified set: its pool of 8 times as many is drawn at once
TRAIN_LIMIT = 10_000_000  # examples of a fixed training set, or of one batch


class ConfigTypeError(ConfigError, TypeError):
    """A training option of the wrong type (``epochs="3"`` in a library call)."""

# task options that change only how training examples are drawn, never the task's language
MIXTURE_OPTIONS = ("numbers", "term_weights", "carry_chains", "chain_length", "carry_runs", "operators", "brackets", "negation", "easy_steps", "balance_steps", "practice_steps")


@dataclass(frozen=True)
class TrainConfig:
    """Everything a run needs; ``config.toml`` in a run directory holds it, fully resolved.

    The defaults are generic (any task, the attention model); a task's recommended
    settings (``arithseq.training.recommended``, what ``arithseq train TASK`` uses)
    are overrides of these.
    """

    task: str = "addition"
    recipe: str = ""  # the task's recipe these settings started from ("" for none)
    task_options: dict[str, Any] = field(default_factory=dict)
    model: str = "attention"
    model_options: dict[str, Any] = field(default_factory=dict)
    data: str = ""  # question/answer files instead of a grammar's task (TSV, CSV, JSONL, alternating lines)
    val_data: str = ""
    test_data: str = ""
    epochs: int = 300
    steps_per_epoch: int = 50
    batch_size: int = 256
    learning_rate: float = 0.01
    lr_half_life: int = 1500
    clipnorm: float = 1.0
    train_size: int = 0
    mixture: dict[str, Any] = field(default_factory=dict)
    val_size: int = 2000
    test_size: int = 5000
    target: float = 0.995
    stop_on: str = "worst"
    min_epochs: int = 0
    curriculum: str = "none"
    curriculum_style: str = "mixed"
    curriculum_threshold: float = 0.95
    patience: int = 0
    max_minutes: float = 0.0
    seed: int = 0
    checkpoint_every: int = 1
    jit: bool = True
    # batches grouped by answer length and each cut to its own longest answer (where answers end in
    # pads) and, for a decoder-only network, its longest question: the same examples, fewer positions
    buckets: bool = True
    distribute: str = "none"
    tensorboard: bool = False

    def __post_init__(self) -> None:
        self.check()

    def check(self) -> None:
        self._check_types()
        for name in ("epochs", "steps_per_epoch", "batch_size", "val_size", "test_size", "checkpoint_every"):
            if getattr(self, name) < 1:
                raise ConfigError(f"training option {name!r} must be at least 1, got {getattr(self, name)}")
        for name in ("train_size", "patience", "lr_half_life", "clipnorm", "max_minutes", "min_epochs"):
            if getattr(self, name) < 0:
                raise ConfigError(f"training option {name!r} must not be negative, got {getattr(self, name)}")
        if not 0 <= self.target <= 1:
            raise ConfigError(f"training option 'target' is an exact-match share in [0, 1], got {self.target}")
        if not (math.isfinite(self.learning_rate) and self.learning_rate > 0):
            raise ConfigError(f"training option 'learning_rate' must be a positive number, got {self.learning_rate}")
        check_seed(self.seed, "training option 'seed'")
        for name, limit in (("val_size", HELD_OUT_LIMIT), ("test_size", HELD_OUT_LIMIT), ("train_size", TRAIN_LIMIT), ("batch_size", TRAIN_LIMIT)):
            if getattr(self, name) > limit:
                raise ConfigError(f"training option {name!r} must be at most {limit:,} (examples held in memory at once), got {getattr(self, name):,}")
        if self.data and (self.curriculum != "none" or self.mixture):
            raise ConfigError("a task from a data file has no curriculum or mixture: its examples are the file's")
        if (self.val_data or self.test_data) and not self.data:
            raise ConfigError("training options 'val_data' and 'test_data' go with 'data' (the training file)")
        unknown = set(self.mixture) - set(MIXTURE_OPTIONS)
        if unknown:
            raise ConfigError(
                f"training option 'mixture' sets how training examples are drawn, with the task options "
                f"{', '.join(MIXTURE_OPTIONS)}; got {', '.join(sorted(unknown))}"
            )
        if self.curriculum not in ("none", "digits", "terms"):
            raise ConfigError(f"training option 'curriculum' must be 'none', 'digits' or 'terms', got {self.curriculum!r}")
        if self.curriculum_style not in ("naive", "mixed"):
            raise ConfigError(f"training option 'curriculum_style' must be 'naive' or 'mixed', got {self.curriculum_style!r}")
        if not 0 < self.curriculum_threshold <= 1:
            raise ConfigError(f"training option 'curriculum_threshold' must be in (0, 1], got {self.curriculum_threshold}")
        if self.stop_on not in ("worst", "mean"):
            raise ConfigError(f"training option 'stop_on' must be 'worst' (stratum) or 'mean', got {self.stop_on!r}")
        if self.distribute not in ("none", "mirrored", "multi-worker"):
            raise ConfigError(
                f"training option 'distribute' must be 'none', 'mirrored' or 'multi-worker', got {self.distribute!r}"
            )

    def _check_types(self) -> None:
        """Each field of its own type (a library call may pass anything): whole numbers, finite numbers, text, tables."""
        for f in dataclasses.fields(self):
            value, kind = getattr(self, f.name), str(f.type)
            if kind == "int":
                ok = isinstance(value, int) and not isinstance(value, bool)
            elif kind == "float":
                ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
            elif kind == "bool":
                ok = isinstance(value, bool)
            elif kind == "str":
                ok = isinstance(value, str)
            else:
                ok = isinstance(value, dict)
            if not ok:
                want = {"int": "a whole number", "float": "a finite number", "bool": "true or false", "str": "text"}.get(kind, "a table of options")
                raise ConfigTypeError(f"training option {f.name!r} must be {want}, got {type(value).__name__} {got(value)}")

    def replace(self, **changes: Any) -> TrainConfig:
        return dataclasses.replace(self, **changes)

    def override(
        self,
        *,
        task: str | None = None,
        model: str | None = None,
        task_options: dict[str, Any] | None = None,
        model_options: dict[str, Any] | None = None,
        mixture: dict[str, Any] | None = None,
        train: dict[str, Any] | None = None,
    ) -> TrainConfig:
        """This configuration with ``KEY=VALUE`` overrides, the path every CLI option and TOML file takes.

        A new task or model starts from its own defaults; option overrides apply after.
        Training values are converted by field type (``"5"`` -> 5) and checked.
        """
        config = fill_dataclass(TrainConfig, train or {}, "training options", base=self)
        changes: dict[str, Any] = {}
        if task is not None and task != config.task:
            changes.update(task=task, task_options=dict(TrainConfig().task_options))
        if model is not None and model != config.model:
            changes.update(model=model, model_options={})
        if task_options:
            changes["task_options"] = {**changes.get("task_options", config.task_options), **task_options}
        if model_options:
            changes["model_options"] = {**changes.get("model_options", config.model_options), **model_options}
        if mixture:
            changes["mixture"] = {**config.mixture, **mixture}
        return config.replace(**changes)

    # -- TOML ---------------------------------------------------------------------
    def to_toml(self) -> str:
        scalars = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name in TRAIN_FIELDS}
        return "\n".join(
            [
                "# arithseq run configuration: `arithseq train --config THIS_FILE` repeats the run",
                "[task]",
                _line("name", self.task),
                *(_line(k, v) for k, v in sorted(self.task_options.items())),
                "",
                "[model]",
                _line("name", self.model),
                *(_line(k, v) for k, v in sorted(self.model_options.items())),
                "",
                "[train]",
                *(_line(k, v) for k, v in scalars.items()),
                "",
                "[mixture]  # how training examples are drawn (task sampling options, training stream only)",
                *(_line(k, v) for k, v in sorted(self.mixture.items())),
                "",
            ]
        )

    @classmethod
    def from_toml(cls, path: str | Path) -> TrainConfig:
        path = Path(path)
        data = read_toml(path)
        unknown = set(data) - set(SECTIONS)
        if unknown:
            raise ConfigError(
                f"{path}: unknown section(s) {', '.join(sorted(unknown))}; expected [task], [model], [train], [mixture]"
            )
        for section in SECTIONS:
            if not isinstance(data.get(section, {}), dict):
                raise ConfigError(f"{path}: field {section!r} must be a [{section}] table")
        task = dict(data.get("task", {}))
        model = dict(data.get("model", {}))
        train = dict(data.get("train", {}))
        for key in train:
            if key not in TRAIN_FIELDS:
                raise ConfigError(
                    f"{path}: field 'train.{key}' is not a training option ({', '.join(sorted(TRAIN_FIELDS))})"
                )
        defaults = cls()
        try:
            base = cls(
                task=str(task.pop("name", defaults.task)),
                task_options=task,
                model=str(model.pop("name", defaults.model)),
                model_options=model,
                mixture=dict(data.get("mixture", {})),
            )
            return fill_dataclass(cls, train, "[train]", base=base)
        except ConfigError as exc:
            raise ConfigError(f"{path}: {exc}") from None


TRAIN_FIELDS = tuple(
    f.name
    for f in dataclasses.fields(TrainConfig)
    if f.name not in ("task", "task_options", "model", "model_options", "mixture")
)


def _line(key: str, value: Any) -> str:
    return f"{key} = {_toml_value(value)}"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(str(k))} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise ConfigError(f"cannot write {value!r} to TOML")
