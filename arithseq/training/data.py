"""Training examples: fresh random ones every epoch (the tutorial's way), or a fixed set.

Epoch ``e`` draws from its own generator (seeded with the run's seed and ``e``), so a
run resumed at epoch ``e`` sees exactly the examples an uninterrupted run would.
"""

from __future__ import annotations

import keras
import numpy as np

from ..config import TrainConfig
from ..errors import SamplingError
from ..models.framing import Framing
from ..tasks import Batch, Task
from .curriculum import Curriculum


def two_question_widths(widths: np.ndarray, full: int) -> np.ndarray | None:
    """Each batch's question width (the answer widths already differ between the first two batches),
    or None where the first two cannot be told apart: the first is left whole where both would be cut
    alike, since Keras fixes the question's width too from the first two batches."""
    widths = widths.copy()
    if widths[0] == widths[1]:
        widths[0] = full
    return widths if widths[0] != widths[1] else None


def first_two_widths(order: np.ndarray, widths: np.ndarray, batch_size: int, full: int) -> tuple[np.ndarray, np.ndarray]:
    """Batches of like length (``order`` of the examples, each batch's ``widths``) arranged for Keras,
    which fixes a fit()'s batch shapes from its first two batches, later epochs included: the first two
    get two widths where the epoch has two, else the second one the whole width ``full``. Where they
    still have one width (every target at the whole width, or one batch an epoch), a later epoch's
    other width would be refused: the caller stops cutting."""
    order, widths = order.copy(), widths.copy()
    other = np.nonzero(widths != widths[0])[0]
    if len(other) and other[0] != 1:
        swap = other[0]
        first, second = slice(batch_size, 2 * batch_size), slice(swap * batch_size, (swap + 1) * batch_size)
        order[first], order[second] = order[second].copy(), order[first].copy()
        widths[[1, swap]] = widths[[swap, 1]]
    elif not len(other) and len(widths) > 1:
        widths[1] = full
    return order, widths


class TrainingData(keras.utils.PyDataset):
    """Fresh random examples every epoch, never one of the held-out expressions."""

    def __init__(
        self,
        task: Task,
        framing: Framing,
        config: TrainConfig,
        held_out: np.ndarray,
        curriculum: Curriculum | None = None,
        epoch: int = 0,
    ) -> None:
        super().__init__()
        self.task, self.framing, self.config, self.held_out = task, framing, config, held_out
        self.curriculum = curriculum
        self.epoch = epoch
        self._fixed = None
        # False once an epoch could not give its first two batches two widths; the multi-worker loop feeds
        # whole epochs to tf.data as one array, of one width
        self._cutting = config.distribute != "multi-worker"
        self._questions = True  # False once an epoch's first two batches could not cut questions apart
        if config.train_size == 0:
            self._refill()

    def _rng(self, epoch: int) -> np.random.Generator:
        return np.random.default_rng([self.config.seed, 2, epoch])

    def _refill(self) -> None:
        n = self.config.steps_per_epoch * self.config.batch_size
        rng = self._rng(self.epoch)
        batch = self._draw(n, rng)
        # a loop trains on steps: problems until there are n of them (easy_steps and balance_steps
        # leave some out), drawn in one go at the rate of steps per problem seen so far
        while self.task.stepwise and batch.steps is not None and len(batch.steps) < n:
            if len(batch) > 200 * n + 10_000 or (not len(batch.steps) and len(batch) >= 10_000):
                raise SamplingError(
                    f"task {self.task.name!r}: {len(batch)} problems gave {len(batch.steps)} of the {n} steps an epoch "
                    "needs; the mixture (easy_steps, balance_steps) or the task (one term, no operation) leaves too few steps"
                )
            rate = len(batch.steps) / len(batch)
            want = min(1.1 * (n - len(batch.steps)) / rate if rate else 10 * len(batch), 50 * n + 10_000)
            batch = Batch.concat([batch, self._draw(max(int(want), n // 8, 1), rng)])
        self.x, self.y = self.framing.arrays(batch)
        self.widths = self.questions = None
        grouping = getattr(self.framing, "buckets", None) if self.config.buckets and self._cutting else None
        found = grouping(self.y, self.config.batch_size, np.random.default_rng([self.config.seed, 5, self.epoch]), self.x) if grouping else None
        if found is not None:
            order, self.widths = first_two_widths(*found, self.config.batch_size, self.y.shape[1])
            self.x = tuple(a[order] for a in self.x) if isinstance(self.x, tuple) else self.x[order]
            self.y = self.y[order]
            if len(self.widths) < 2 or self.widths[0] == self.widths[1]:
                self._cutting, self.widths = False, None
            elif self._questions and (found := self.framing.question_widths(self.x, self.config.batch_size)) is not None:
                # the questions of a decoder-only network too; once an epoch keeps them whole, so do later
                # ones (the first epoch's first two batches fix the question's width for Keras)
                self.questions = two_question_widths(found, self.x[0].shape[1])
                self._questions = self.questions is not None

    def _draw(self, n: int, rng: np.random.Generator) -> Batch:
        if self.curriculum is not None:
            return self.curriculum.sample(n, rng, self.held_out, self.task.stepwise)
        return self.task.sample(n, rng, exclude=self.held_out, steps=self.task.stepwise)

    def fixed_arrays(self):
        """A fixed training set of ``train_size`` distinct examples (instead of fresh ones)."""
        if self._fixed is None:
            rng = np.random.default_rng([self.config.seed, 3])
            batch = self.task.sample(
                self.config.train_size, rng, exclude=self.held_out, unique=True, steps=self.task.stepwise
            )
            self._fixed = self.framing.arrays(batch)
        return self._fixed

    def __len__(self) -> int:
        return self.config.steps_per_epoch

    def __getitem__(self, index: int):
        part = slice(index * self.config.batch_size, (index + 1) * self.config.batch_size)
        x = tuple(a[part] for a in self.x) if isinstance(self.x, tuple) else self.x[part]
        if self.widths is not None and index < len(self.widths):
            question = () if self.questions is None else (int(self.questions[index]),)
            return self.framing.cut(x, self.y[part], int(self.widths[index]), *question)
        return x, self.y[part]

    def on_epoch_end(self) -> None:
        self.epoch += 1
        self._refill()
