"""Training on someone else's question/answer data (``--data FILE``): the task, and held-out sets.

Held-out sets come from ``--val-data``/``--test-data`` files, or are carved out of
the training file. Either way a question is in one set only: repeated questions
count once (the file reader keeps the first), and a question that appears in a
held-out file is never trained on.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..config import TrainConfig
from ..errors import ConfigError
from ..tasks import Batch
from ..tasks.datafiles import read_pairs
from ..tasks.datatask import DataTask

HELD_OUT_SHARE = 10  # at most a tenth of the training file for each carved-out set


def data_task(config: TrainConfig) -> tuple[DataTask, dict[str, Batch]]:
    """The task of ``config.data`` with every file's pairs, and the validation and test sets."""
    questions, answers = read_pairs(config.data)
    given = {role: read_pairs(path) for role, path in (("val", config.val_data), ("test", config.test_data)) if path}
    held_questions = np.concatenate([q for q, _ in given.values()]) if given else np.array([], dtype=str)
    keep = ~np.isin(questions, held_questions)
    questions, answers = questions[keep], answers[keep]
    rng = np.random.default_rng([config.seed, 5])
    order = rng.permutation(len(questions))
    sets: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    start = 0
    for role, size in (("val", config.val_size), ("test", config.test_size)):
        if role in given:
            sets[role] = given[role]
            continue
        take = min(size, len(questions) // HELD_OUT_SHARE)
        if take < 1:
            raise ConfigError(
                f"{config.data}: {len(questions)} pairs are too few to hold out a {role} set; give --{role}-data"
            )
        rows = order[start : start + take]
        sets[role] = (questions[rows], answers[rows])
        start += take
    if len(questions) - start < 1:
        raise ConfigError(f"{config.data}: no pairs left to train on once the held-out sets are taken")
    every = [(questions, answers), *given.values()]
    task = DataTask(
        Path(config.data).stem,
        np.concatenate([q for q, _ in every]),
        np.concatenate([a for _, a in every]),
        config.task_options,
    )
    batches = {role: Batch(q, a, None, None) for role, (q, a) in sets.items()}
    return task, batches
