"""Training configuration: CLI options or a TOML file -> one frozen dataclass -> the builders."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import read_toml
from .errors import ConfigError


@dataclass(frozen=True)
class TrainConfig:
    """Everything a run needs; ``config.toml`` in a run directory holds it, fully resolved."""

    task: str = "addition"
    # numbers zero-padded to one width and both sides reversed: digit i of every number and of the
    # answer sit in matching places, least significant first, so carries flow the way the decoder
    # writes and attention aligns at once (measured: 18 s to 99% exact instead of 58 s)
    task_options: dict[str, Any] = field(
        default_factory=lambda: {"reverse_input": True, "reverse_output": True, "pad_terms": True}
    )
    model: str = "attention"
    model_options: dict[str, Any] = field(default_factory=dict)
    epochs: int = 300
    steps_per_epoch: int = 50
    batch_size: int = 256
    learning_rate: float = 0.01
    lr_half_life: int = 1500
    clipnorm: float = 1.0
    train_size: int = 0
    # how training numbers are drawn: "task" (the task's own), "uniform", or "by-digits" (which makes
    # "1+1" as common as "123+456"); held-out sets always keep the task's own distribution
    train_numbers: str = "task"
    val_size: int = 2000
    test_size: int = 5000
    target: float = 0.995
    patience: int = 0
    max_minutes: float = 0.0
    seed: int = 0
    jit: bool = True
    distribute: str = "none"
    tensorboard: bool = False

    def __post_init__(self) -> None:
        positive = ("epochs", "steps_per_epoch", "batch_size", "val_size", "test_size")
        for name in positive:
            if getattr(self, name) < 1:
                raise ConfigError(f"training option {name!r} must be at least 1, got {getattr(self, name)}")
        for name in ("train_size", "patience", "lr_half_life"):
            if getattr(self, name) < 0:
                raise ConfigError(f"training option {name!r} must not be negative, got {getattr(self, name)}")
        if not 0 <= self.target <= 1:
            raise ConfigError(f"training option 'target' is an exact-match share in [0, 1], got {self.target}")
        if self.learning_rate <= 0:
            raise ConfigError(f"training option 'learning_rate' must be positive, got {self.learning_rate}")
        if self.train_numbers not in ("task", "uniform", "by-digits"):
            raise ConfigError(
                f"training option 'train_numbers' must be 'task', 'uniform' or 'by-digits', got {self.train_numbers!r}"
            )
        if self.distribute not in ("none", "mirrored"):
            raise ConfigError(f"training option 'distribute' must be 'none' or 'mirrored', got {self.distribute!r}")

    def replace(self, **changes: Any) -> TrainConfig:
        return dataclasses.replace(self, **changes)

    # -- TOML ---------------------------------------------------------------------
    def to_toml(self) -> str:
        scalars = {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if f.name not in ("task", "task_options", "model", "model_options")
        }
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
            ]
        )

    @classmethod
    def from_toml(cls, path: str | Path) -> TrainConfig:
        path = Path(path)
        data = read_toml(path)
        unknown = set(data) - {"task", "model", "train"}
        if unknown:
            raise ConfigError(f"{path}: unknown section(s) {', '.join(sorted(unknown))}; expected [task], [model], [train]")
        task = dict(data.get("task", {}))
        model = dict(data.get("model", {}))
        train = dict(data.get("train", {}))
        names = {f.name for f in dataclasses.fields(cls)} - {"task", "task_options", "model", "model_options"}
        for key in train:
            if key not in names:
                raise ConfigError(f"{path}: field 'train.{key}' is not a training option ({', '.join(sorted(names))})")
        defaults = cls()
        try:
            return cls(
                task=str(task.pop("name", defaults.task)),
                task_options=task,
                model=str(model.pop("name", defaults.model)),
                model_options=model,
                **{k: _typed(cls, k, v, path) for k, v in train.items()},
            )
        except ConfigError as exc:
            raise ConfigError(f"{path}: {exc}") from None


TRAIN_FIELDS = {f.name: f for f in dataclasses.fields(TrainConfig)}


def _typed(cls, key: str, value: Any, path: Path) -> Any:
    kind = TRAIN_FIELDS[key].type
    ok = {
        "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        "bool": lambda v: isinstance(v, bool),
        "str": lambda v: isinstance(v, str),
    }[kind]
    if not ok(value):
        raise ConfigError(f"{path}: field 'train.{key}' must be {kind}, got {value!r}")
    return float(value) if kind == "float" else value


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
