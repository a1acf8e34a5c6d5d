"""Curriculum learning, the two styles of Zaremba & Sutskever's "Learning to Execute".

Levels are digit counts (``digits``: numbers of at most L digits) or numbers of
terms (``terms``). *naive*: train on the current level only and step up when the
validation problems of that level reach the threshold; *mixed*: every batch mixes
the current level with easier ones (half of it drawn from a level chosen at random
up to the current one). Past the last level the task's own distribution is used.
"""

from __future__ import annotations

import keras
import numpy as np

from ..evaluation.strata import digit_counts
from ..models.framing import Framing
from ..tasks import Batch, Task
from ..tasks.registry import derived_task


class Curriculum:
    """Which examples to draw at each level, and which validation problems judge a level."""

    def __init__(self, task: Task, kind: str, style: str, threshold: float) -> None:
        self.task, self.kind, self.style, self.threshold = task, kind, style, threshold
        lo, hi = task.config.values
        if kind == "digits":
            self.levels = list(range(len(str(lo)), len(str(hi)) + 1))
        else:
            self.levels = list(range(task.config.terms[0], task.config.terms[1] + 1))
        self.position = 0

    @property
    def level(self) -> int | None:
        """The current level, or None once past the last one."""
        return self.levels[self.position] if self.position < len(self.levels) else None

    def task_at(self, level: int) -> Task:
        if self.kind == "digits":
            lo, hi = self.task.config.values
            return derived_task(self.task, {"values": (lo, min(hi, 10**level - 1))})
        # the curriculum sets the numbers of terms itself: weights given for the whole range do not apply
        return derived_task(self.task, {"terms": (self.task.config.terms[0], level), "term_weights": None})

    def sample(self, n: int, rng: np.random.Generator, exclude: np.ndarray, steps: bool) -> Batch:
        level = self.level
        if level is None:
            return self.task.sample(n, rng, exclude=exclude, steps=steps)
        if self.style == "naive" or self.position == 0:
            return self.task_at(level).sample(n, rng, exclude=exclude, steps=steps)
        easier = rng.integers(0, self.position + 1, n // 2)  # a level up to the current one, at random
        parts = [self.task_at(level).sample(n - len(easier), rng, exclude=exclude, steps=steps)]
        for k in np.unique(easier).tolist():
            parts.append(self.task_at(self.levels[k]).sample(int((easier == k).sum()), rng, exclude=exclude, steps=steps))
        return Batch.concat(parts)

    def judged_by(self, batch: Batch) -> np.ndarray:
        """The validation rows at the current level."""
        if self.kind == "digits":
            return digit_counts(batch.numbers).max(axis=1, initial=0) == self.level
        return batch.terms == self.level


class StepUp(keras.callbacks.Callback):
    """Moves the curriculum up a level when the validation problems of the level pass its threshold."""

    def __init__(self, curriculum: Curriculum, framing: Framing, batch: Batch, echo, state: dict | None = None) -> None:
        super().__init__()
        self.curriculum, self.framing, self.batch, self.echo = curriculum, framing, batch, echo
        self.state = state  # the checkpoint's: a resumed run starts at the level it reached

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        curriculum = self.curriculum
        if curriculum.level is None:
            return
        rows = np.nonzero(curriculum.judged_by(self.batch))[0]
        if rows.size:
            part = self.batch[rows]
            right = float(np.mean(self.framing.predict(self.model, part) == part.targets))
        else:
            right = 1.0
        if logs is not None:
            logs["curriculum_level"] = float(curriculum.level)
        if right >= curriculum.threshold:
            curriculum.position += 1
            if self.state is not None:
                self.state["curriculum"] = curriculum.position
            after = curriculum.level
            self.echo(f"curriculum: level {curriculum.levels[curriculum.position - 1]} passed ({right:.2%}); "
                      + (f"now level {after}" if after is not None else "now the whole task"))
