"""Recommended training settings: what ``arithseq train TASK`` starts from.

A task carries named recipes (format, model, sampling mixture, schedule) in its
registry entry, the default first; anything the user sets still overrides them.
"""

from __future__ import annotations

import copy
from typing import Any

from ..config import TrainConfig
from ..errors import ConfigError
from ..options import did_you_mean, fill_dataclass
from ..tasks import TASKS


def recipe_names(task: str) -> list[str]:
    """The task's recipes, the default first (none for a task file or an unknown name)."""
    return list(TASKS.get(task).recipes) if task in TASKS else []


def recommended(task: str = "addition", recipe: str | None = None, **changes: Any) -> TrainConfig:
    """``TrainConfig`` for ``task`` with its recipe ``recipe`` (default: the task's default recipe;
    generic defaults if it has none)."""
    names = recipe_names(task)
    if recipe is not None and recipe not in names:
        known = f"its recipes: {', '.join(names)}" if names else "it has no recipes"
        raise ConfigError(f"task {task!r} has no recipe {recipe!r}{did_you_mean(recipe, names)} ({known})")
    name = recipe or (names[0] if names else "")
    settings = copy.deepcopy(TASKS.get(task).recipes[name]) if name else {}  # a caller may change its dicts
    config = TrainConfig(task=task, recipe=name).replace(**settings)
    return fill_dataclass(TrainConfig, changes, "training options", base=config) if changes else config
