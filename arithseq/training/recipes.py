"""Recommended training settings: what ``arithseq train TASK`` starts from.

A task carries its recipe (format, model, sampling mixture, schedule) in its
registry entry; anything the user sets still overrides it.
"""

from __future__ import annotations

import copy
from typing import Any

from ..config import TrainConfig
from ..options import fill_dataclass
from ..tasks import TASKS


def recommended(task: str = "addition", **changes: Any) -> TrainConfig:
    """``TrainConfig`` for ``task`` with its recommended settings (generic defaults if it has none)."""
    recipe = copy.deepcopy(TASKS.get(task).recipe) if task in TASKS else {}  # a caller may change its dicts
    config = TrainConfig(task=task).replace(**recipe)
    return fill_dataclass(TrainConfig, changes, "training options", base=config) if changes else config
