"""Scale out: ``distribute="mirrored"`` (local devices) and ``"multi-worker"`` (several processes or machines).

``mirrored`` builds the model under ``tf.distribute.MirroredStrategy`` over the local
GPUs (over the logical CPU devices where there is no GPU) and Keras' ``model.fit``
trains as usual. ``multi-worker`` uses ``tf.distribute.MultiWorkerMirroredStrategy``,
configured by the standard ``TF_CONFIG`` environment variable on every worker::

    TF_CONFIG='{"cluster": {"worker": ["host1:2222", "host2:2222"]}, "task": {"type": "worker", "index": 0}}'

Keras 3's ``model.fit`` fails under that strategy (keras-team/keras#20585), so
:func:`fit_multi_worker` trains with its own step: a per-example loss averaged over the
global batch (``tf.nn.compute_average_loss``), ``strategy.run`` inside a ``tf.function``
(no XLA: it has no kernel for the cross-worker gather of the embedding's sparse
gradients), and a dataset that every worker builds identically (same seeds) and shards
(``distribute_datasets_from_function``). The run's callbacks run on the chief only
(task 0), on a plain copy of the model (built outside the strategy, given the current
weights at every epoch end), so validation, the best model, history and checkpoints
need no collective ops; the chief's stop decision and curriculum level reach the other
workers through one small all-reduce per epoch (per step with a time limit), so every
worker takes part in the same steps and ends with the same weights.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

import keras
import numpy as np
import tensorflow as tf

from ..config import TrainConfig
from ..errors import ConfigError
from ..models.framing import Framing

EXAMPLE = '{"cluster": {"worker": ["host1:2222", "host2:2222"]}, "task": {"type": "worker", "index": 0}}'


def cluster_of(environ=os.environ) -> tuple[int, int]:
    """(workers, this worker's place) from ``TF_CONFIG``; a ConfigError for anything missing or malformed."""
    raw = environ.get("TF_CONFIG", "")
    if not raw.strip():
        raise ConfigError(
            "distribute='multi-worker' needs the TF_CONFIG environment variable on every worker, "
            f"naming the cluster and this worker, e.g. TF_CONFIG='{EXAMPLE}' (index 0 is the chief, "
            "which saves the run)"
        )
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"TF_CONFIG is not valid JSON ({exc}); expected e.g. {EXAMPLE}") from None
    cluster = data.get("cluster") if isinstance(data, dict) else None
    task = data.get("task") if isinstance(data, dict) else None
    if not isinstance(cluster, dict) or not isinstance(task, dict):
        raise ConfigError(f"TF_CONFIG needs a 'cluster' and a 'task' table, e.g. {EXAMPLE}")
    jobs = {name: cluster.get(name) for name in ("chief", "worker") if name in cluster}
    others = sorted(set(cluster) - {"chief", "worker"})
    if others:
        raise ConfigError(f"TF_CONFIG: multi-worker training uses 'chief' and 'worker' jobs only, got {', '.join(others)}")
    if not jobs or not all(isinstance(hosts, list) and hosts and all(isinstance(h, str) for h in hosts) for hosts in jobs.values()):
        raise ConfigError(f"TF_CONFIG: 'cluster' must list the workers' host:port addresses, e.g. {EXAMPLE}")
    kind, index = task.get("type"), task.get("index", 0)
    if kind not in jobs:
        raise ConfigError(f"TF_CONFIG: 'task.type' must be one of {', '.join(jobs)}, got {kind!r}")
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(jobs[kind]):
        raise ConfigError(f"TF_CONFIG: 'task.index' must be 0..{len(jobs[kind]) - 1} for job {kind!r}, got {index!r}")
    place = index + (len(jobs.get("chief", [])) if kind == "worker" else 0)
    return sum(len(hosts) for hosts in jobs.values()), place


def strategy_for(config: TrainConfig) -> tf.distribute.Strategy:
    """The strategy ``config.distribute`` names: the default one, MirroredStrategy over the local GPUs
    (or logical CPUs), or MultiWorkerMirroredStrategy after checking TF_CONFIG (a lone worker would
    wait for its peers in the constructor)."""
    if config.distribute == "mirrored":
        devices = tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("CPU")
        return tf.distribute.MirroredStrategy([device.name for device in devices])
    if config.distribute == "multi-worker":
        cluster_of()
        return tf.distribute.MultiWorkerMirroredStrategy()
    return tf.distribute.get_strategy()


def is_chief(strategy: tf.distribute.Strategy) -> bool:
    """The Keras/TF convention: the 'chief' task, or worker 0 where the cluster has no chief job."""
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not resolver.task_type:
        return True
    if resolver.task_type == "chief":
        return True
    return resolver.task_type == "worker" and resolver.task_id == 0 and "chief" not in resolver.cluster_spec().as_dict()


def describe(strategy: tf.distribute.Strategy, distribute: str) -> str:
    """One line: how many replicas train, on which devices or workers."""
    replicas = strategy.num_replicas_in_sync
    if distribute == "multi-worker":
        workers, place = cluster_of()
        role = "the chief: it saves the run" if is_chief(strategy) else "not the chief: the chief saves the run"
        return f"distribute: multi-worker, {replicas} replicas on {workers} workers; this is worker {place} ({role})"
    devices = ", ".join(d.rsplit("/", 1)[-1].removeprefix("device:") for d in strategy.extended.worker_devices)
    return f"distribute: {distribute}, {replicas} replicas ({devices})"


@dataclass
class Outcome:
    """What :func:`fit_multi_worker` leaves: this worker's role, a plain (non-distributed) model with the
    final weights, and the epoch logs (like ``keras.callbacks.History``: every worker has them)."""

    chief: bool
    model: keras.Model
    history: dict[str, list] = field(default_factory=dict)
    epoch: list[int] = field(default_factory=list)


def fit_multi_worker(
    model: keras.Model,
    data,
    config: TrainConfig,
    framing: Framing,
    callbacks: list,
    plain: keras.Model,
    *,
    initial_epoch: int = 0,
    verbose: int = 0,
) -> Outcome:
    """Train ``model`` (built and compiled in a MultiWorkerMirroredStrategy scope) like ``model.fit``
    would; ``plain`` is the same network built outside any strategy: the callbacks see it.

    ``data`` is the run's :class:`~arithseq.training.data.TrainingData`: fresh examples every epoch
    (the ones Keras' fit would train on in one process, its batches taken in order where fit shuffles
    their order), or its fixed set (``train_size``), shuffled each epoch by a generator every worker
    seeds alike (full batches only: the last ``train_size % batch_size`` examples are left out).
    ``clipnorm`` clips each replica's share of the gradient, as Keras' fit does under any strategy."""
    strategy = model.distribute_strategy
    chief, replicas, batch = is_chief(strategy), strategy.num_replicas_in_sync, config.batch_size
    if batch % replicas:
        raise ConfigError(f"batch_size {batch} must be a multiple of the {replicas} replicas training together")
    steps = config.train_size // batch if config.train_size else config.steps_per_epoch
    if steps < 1:
        raise ConfigError(f"train_size {config.train_size} is less than one batch ({batch}) of multi-worker training")
    optimizer = model.optimizer
    with strategy.scope():
        optimizer.build(model.trainable_variables)
        metrics = framing.metrics()
    step, agree = _train_step(model, optimizer, framing, metrics, batch), _agreement(strategy)
    history = keras.callbacks.History()
    hooks = keras.callbacks.CallbackList(
        [*(callbacks if chief else []), history], add_progbar=chief and verbose != 0,
        verbose=verbose, epochs=config.epochs, steps=steps, model=plain,
    )
    curriculum = getattr(data, "curriculum", None)
    if not config.train_size:
        data.on_epoch_end()  # Keras' fit draws an epoch before it starts: the same examples as one process
    plain.stop_training = False
    plain.optimizer.build(plain.trainable_variables)
    _copy(model, plain)
    hooks.on_train_begin()
    logs: dict = {}
    for epoch in range(initial_epoch, config.epochs):
        for metric in metrics:
            metric.reset_state()
        hooks.on_epoch_begin(epoch)
        x, y = _epoch_arrays(data, config, epoch, steps * batch)
        dataset = strategy.distribute_datasets_from_function(lambda ctx: _shard(ctx, x, y, batch))
        total, done = 0.0, 0
        for done, inputs in enumerate(dataset, 1):
            hooks.on_train_batch_begin(done - 1)
            total += float(step(inputs))
            hooks.on_train_batch_end(done - 1, {"loss": total / done})
            if config.max_minutes and agree([plain.stop_training])[0]:  # StopAt's time limit, mid-epoch
                plain.stop_training = True
                break
        if not config.train_size:
            data.on_epoch_end()  # the next epoch's examples, where Keras' fit draws them
        logs = {"loss": total / max(done, 1), **{m.name: float(m.result()) for m in metrics}}
        _copy(model, plain)
        hooks.on_epoch_end(epoch, logs)
        level = curriculum.position if curriculum is not None else 0
        stop, level = agree([plain.stop_training, level])
        if curriculum is not None:
            curriculum.position = int(round(level))
        if stop:
            break
    _copy(model, plain)
    hooks.on_train_end(logs)
    return Outcome(chief, plain, history.history, history.epoch)


def _copy(model: keras.Model, plain: keras.Model) -> None:
    """The trained weights and the optimiser's state (step count, moments) into the plain model, so
    what the callbacks save is what a single-process run would save. Reading mirrored variables
    takes no collective op."""
    plain.set_weights(model.get_weights())
    for mine, theirs in zip(plain.optimizer.variables, model.optimizer.variables, strict=True):
        mine.assign(theirs.numpy())


def _epoch_arrays(data, config: TrainConfig, epoch: int, rows: int):
    if config.train_size:
        x, y = data.fixed_arrays()
        order = np.random.default_rng([config.seed, 4, epoch]).permutation(len(y))[:rows]
    else:
        x, y, order = data.x, data.y, slice(0, rows)
    x = tuple(a[order] for a in x) if isinstance(x, tuple) else x[order]
    return x, y[order]


def _shard(ctx: tf.distribute.InputContext, x, y, batch: int) -> tf.data.Dataset:
    """Every worker holds the same epoch; worker i takes examples i, i+W, ...: step k of all workers
    together trains on examples k*batch .. (k+1)*batch-1, as one process would."""
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).shard(ctx.num_input_pipelines, ctx.input_pipeline_id)
    return dataset.batch(ctx.get_per_replica_batch_size(batch), drop_remainder=True).prefetch(2)


def _train_step(model: keras.Model, optimizer, framing: Framing, metrics: list, batch: int):
    loss_of = keras.losses.get(framing.loss)  # per example, reduced over the last axis only
    strategy = model.distribute_strategy

    def replica_step(x, y):
        with tf.GradientTape() as tape:
            scores = model(x, training=True)
            target = y
            if len(y.shape) == len(scores.shape) - 1 and scores.shape[-1] == 1:
                target = tf.expand_dims(y, -1)  # a regression's (n,) answers against (n, 1) outputs
            per_example = tf.cast(loss_of(target, scores), tf.float32)
            if len(per_example.shape) > 1:  # one loss per output character: their mean, as Keras takes it
                per_example = tf.reduce_mean(per_example, axis=list(range(1, len(per_example.shape))))
            loss = tf.nn.compute_average_loss(per_example, global_batch_size=batch)
            if model.losses:
                loss += tf.nn.scale_regularization_loss(tf.add_n(model.losses))
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        for metric in metrics:
            metric.update_state(y, scores)
        return loss

    @tf.function(jit_compile=False)
    def step(inputs):
        return strategy.reduce(tf.distribute.ReduceOp.SUM, strategy.run(replica_step, args=inputs), axis=None)

    return step


def _agreement(strategy: tf.distribute.Strategy):
    """``agree(values)``: the chief's values on every worker (global replica 0 lives on the chief)."""

    @tf.function(jit_compile=False)
    def reduce(values):
        def replica_values():
            first = tf.equal(tf.distribute.get_replica_context().replica_id_in_sync_group, 0)
            return tf.where(first, values, tf.zeros_like(values))

        return strategy.reduce(tf.distribute.ReduceOp.SUM, strategy.run(replica_values), axis=None)

    def agree(values) -> list[float]:
        return [float(v) for v in np.asarray(reduce(tf.constant(values, tf.float32)))]

    return agree
