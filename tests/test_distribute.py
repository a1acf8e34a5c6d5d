"""Scale out: ``distribute="mirrored"`` over two logical CPU devices, and ``"multi-worker"`` with two
worker processes on 127.0.0.1 (TF_CONFIG), each in its own subprocess.

TensorFlow fixes its devices and collective ops when its runtime starts, so every training here
runs in a fresh Python process with a timeout, and worker processes are ended by PID. The worker
script records the final weights (``fit_multi_worker``'s plain model) by wrapping the loop's
``fit_multi_worker``: no hook in the package itself.
"""

import csv
import json
import os
import shutil
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import arithseq
from arithseq.errors import ConfigError
from arithseq.evaluation.folders import CHECKPOINT
from arithseq.training.checkpoints import STATE
from arithseq.training.distributed import cluster_of

TIMEOUT = 300
TINY = dict(
    task="addition", task_options={"largest": 20}, model="attention", model_options={"units": 8, "embedding_dim": 4},
    epochs=2, steps_per_epoch=4, batch_size=16, val_size=16, test_size=16, jit=False, target=0,
)
# one batch an epoch and no clipping (Keras clips each replica's share of the gradient): two workers
# then train exactly as one process does, up to float rounding
SAME_AS_ONE = dict(TINY, epochs=3, steps_per_epoch=1, clipnorm=0.0)


def configured(**fields) -> str:
    return f"import arithseq\nconfig = arithseq.TrainConfig(**{fields!r})\n"


MIRRORED = configured(**TINY, distribute="mirrored") + textwrap.dedent(
    """
    import json, sys
    lines = []
    run = arithseq.train(config, sys.argv[1], verbose=0, echo=lines.append)
    print(json.dumps({"lines": lines}))
    """
)
# the split must come before anything starts TensorFlow's runtime
SPLIT_CPU = textwrap.dedent(
    """
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    """
)

WORKER = configured(**SAME_AS_ONE, distribute="multi-worker") + textwrap.dedent(
    """
    import json, sys
    import numpy as np
    import arithseq.training.loop as loop

    fit = loop.fit_multi_worker

    def recording(*args, **kwargs):  # the final weights of this worker, for the test to compare
        outcome = fit(*args, **kwargs)
        np.savez(sys.argv[2], *outcome.model.get_weights())
        return outcome

    loop.fit_multi_worker = recording
    lines = []
    run = arithseq.train(config, sys.argv[1], verbose=0, echo=lines.append)
    print("RESULT " + json.dumps({"lines": lines, "path": str(run.path)}))
    """
)


def python(script: str, *args: str, env: dict | None = None) -> subprocess.Popen:
    environ = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", **(env or {})}
    return subprocess.Popen(
        [sys.executable, "-c", script, *args], env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def finish(process: subprocess.Popen, deadline: float) -> tuple[str, str]:
    try:
        out, err = process.communicate(timeout=max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        pytest.fail(f"process {process.pid} did not finish in {TIMEOUT} s:\n{err[-3000:]}")
    assert process.returncode == 0, err[-3000:]
    return out, err


def losses(history: Path) -> list[float]:
    with history.open(newline="") as fh:
        return [float(row["loss"]) for row in csv.DictReader(fh)]


def free_ports(n: int) -> list[int]:
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def test_mirrored_trains_on_two_logical_cpus(tmp_path):
    out = tmp_path / "run"
    process = python(SPLIT_CPU + MIRRORED, str(out))
    stdout, _ = finish(process, time.monotonic() + TIMEOUT)
    lines = json.loads(stdout.strip().splitlines()[-1])["lines"]
    assert any(line.startswith("distribute: mirrored, 2 replicas (CPU:0, CPU:1)") for line in lines), lines
    run = arithseq.load_run(out)
    assert len(run.predict(["1+2", "20+20"])) == 2
    history = (out / "history.csv").read_text().splitlines()
    assert len(history) == 3 and "loss" in history[0] and "val_exact_match" in history[0]


def test_two_workers_train_together_and_end_with_the_same_weights(tmp_path):
    ports = free_ports(2)
    workers = [f"127.0.0.1:{port}" for port in ports]
    processes = []
    deadline = time.monotonic() + TIMEOUT
    try:
        for index in range(2):
            tf_config = {"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}}
            processes.append(python(
                WORKER, str(tmp_path / f"worker{index}"), str(tmp_path / f"weights{index}.npz"),
                env={"TF_CONFIG": json.dumps(tf_config)},
            ))
        results = [finish(process, deadline)[0] for process in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    chief, other = (json.loads(r.split("RESULT ", 1)[1]) for r in results)
    assert "distribute: multi-worker, 2 replicas on 2 workers; this is worker 0 (the chief" in chief["lines"][0]
    assert "this is worker 1 (not the chief" in other["lines"][0]
    # only the chief writes the run: a finished folder that a plain process loads and predicts with
    run = arithseq.load_run(tmp_path / "worker0")
    assert len(run.predict(["1+2", "20+20"])) == 2
    history = (tmp_path / "worker0" / "history.csv").read_text().splitlines()
    assert len(history) == 4 and "char_accuracy" in history[0] and "val_worst_exact" in history[0]
    unfinished = tmp_path / "worker1.partial"
    assert not (tmp_path / "worker1").exists() and not (unfinished / "model.keras").exists()
    assert not (unfinished / "history.csv").exists()
    # the two workers end bit-identical
    a, b = np.load(tmp_path / "weights0.npz"), np.load(tmp_path / "weights1.npz")
    assert a.files == b.files and len(a.files) > 0
    for name in a.files:
        np.testing.assert_array_equal(a[name], b[name])
    # and they trained on what one process trains on: the same losses, epoch by epoch
    arithseq.train(arithseq.TrainConfig(**SAME_AS_ONE), tmp_path / "one", verbose=0, echo=lambda line: None)
    together, alone = (losses(tmp_path / name / "history.csv") for name in ("worker0", "one"))
    assert len(together) == len(alone) == 3 and together[0] != together[2]
    np.testing.assert_allclose(together, alone, rtol=1e-4)

    # a multi-worker run cannot be resumed: an unfinished one with a checkpoint is refused, clearly
    partial = tmp_path / "again.partial"
    shutil.copytree(tmp_path / "one", partial)
    (partial / CHECKPOINT).mkdir()
    shutil.copy(partial / "model.keras", partial / CHECKPOINT / "model.keras")
    (partial / CHECKPOINT / STATE).write_text(json.dumps({"epoch": 1}))
    toml = (partial / "config.toml").read_text()
    (partial / "config.toml").write_text(toml.replace('distribute = "none"', 'distribute = "multi-worker"'))
    with pytest.raises(ConfigError, match="a multi-worker run cannot be resumed"):
        arithseq.train(None, tmp_path / "again", resume=True, verbose=0, echo=lambda line: None)


def test_an_unknown_strategy_names_the_choices():
    with pytest.raises(ConfigError, match="'none', 'mirrored' or 'multi-worker', got 'ring'"):
        arithseq.TrainConfig(distribute="ring")


def test_multi_worker_needs_tf_config(tmp_path, monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    config = arithseq.TrainConfig(
        task_options={"largest": 9}, model_options={"units": 4, "embedding_dim": 2}, epochs=1,
        steps_per_epoch=1, batch_size=8, val_size=8, test_size=8, distribute="multi-worker",
    )
    with pytest.raises(ConfigError, match="needs the TF_CONFIG environment variable"):
        arithseq.train(config, tmp_path / "run", verbose=0, echo=lambda line: None)


@pytest.mark.parametrize(
    "value, message",
    [
        ("{not json", "not valid JSON"),
        ('{"task": {"type": "worker", "index": 0}}', "needs a 'cluster' and a 'task'"),
        ('{"cluster": {"worker": ["a:1"]}, "task": {"type": "worker", "index": 1}}', "must be 0..0"),
        ('{"cluster": {"worker": ["a:1"], "ps": ["b:2"]}, "task": {"type": "worker", "index": 0}}', "got ps"),
    ],
)
def test_a_malformed_tf_config_is_named(value, message):
    with pytest.raises(ConfigError, match=message):
        cluster_of({"TF_CONFIG": value})


def test_tf_config_places_this_worker():
    cluster = {"chief": ["a:1"], "worker": ["b:1", "c:1"]}
    assert cluster_of({"TF_CONFIG": json.dumps({"cluster": cluster, "task": {"type": "worker", "index": 1}})}) == (3, 2)
    assert cluster_of({"TF_CONFIG": json.dumps({"cluster": cluster, "task": {"type": "chief", "index": 0}})}) == (3, 0)
