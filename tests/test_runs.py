"""Run folders: written aside and renamed when complete, checked by hash, resumable after kill -9, never running code."""

import csv
import json
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

import arithseq
from arithseq.evaluation.folders import RunFolderError, write_manifest

TINY = [
    "--no-recipe", "-s", "largest=99", "-m", "attention", "-p", "units=16", "-p", "embedding_dim=8",
    "--epochs", "6", "--steps", "40", "--batch-size", "64", "--val-size", "200", "--test-size", "200",
    "--target", "0", "--no-jit", "--quiet",
]


def cli(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "arithseq.cli", *args], capture_output=True, text=True, timeout=timeout)


def history(run: Path) -> list[dict]:
    with (run / "history.csv").open() as fh:
        return list(csv.DictReader(fh))


def test_a_run_killed_mid_training_resumes_and_ends_like_an_uninterrupted_one(tmp_path):
    straight, killed = tmp_path / "straight", tmp_path / "killed"
    assert cli("train", *TINY, "--out", str(straight)).returncode == 0
    process = subprocess.Popen(
        [sys.executable, "-m", "arithseq.cli", "train", *TINY, "--out", str(killed)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    state = killed.with_name("killed.partial") / "checkpoint" / "state.json"
    deadline = time.time() + 240
    try:
        while time.time() < deadline:
            if state.is_file() and json.loads(state.read_text())["epoch"] >= 2:
                break
            time.sleep(0.2)
        else:
            pytest.fail("no checkpoint appeared")
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    assert not killed.exists() and killed.with_name("killed.partial").is_dir()
    # the unfinished run is refused with a way forward, and the same --out is not silently reused
    refused = cli("predict", str(killed), "1+2")
    assert refused.returncode == 2 and "--resume" in refused.stderr
    again = cli("train", *TINY, "--out", str(killed))
    assert again.returncode == 2 and f"arithseq train --resume {killed}" in again.stderr
    resumed = cli("train", "--resume", str(killed), "--quiet")
    assert resumed.returncode == 0, resumed.stderr
    rows, reference = history(killed), history(straight)
    assert [r["epoch"] for r in rows] == [str(e) for e in range(6)]
    for row, same in zip(rows[:2], reference[:2]):  # the same seed: the same data and weights up to the kill
        assert {k: v for k, v in row.items() if k != "seconds"} == {k: v for k, v in same.items() if k != "seconds"}
    assert float(rows[-1]["loss"]) == pytest.approx(float(reference[-1]["loss"]), rel=0.1)
    manifest = json.loads((killed / "manifest.json").read_text())
    assert manifest["finished"] and not killed.with_name("killed.partial").exists()
    assert cli("predict", str(killed), "12+50").returncode == 0


def tiny_config(**changes):
    return arithseq.TrainConfig(
        task="addition", task_options={"largest": 20}, model="attention",
        model_options={"units": 8, "embedding_dim": 4}, epochs=1, steps_per_epoch=2, batch_size=8,
        val_size=8, test_size=8, jit=False, target=0,
    ).replace(**changes)


def quiet_train(config, out, **kwargs):
    return arithseq.train(config, out, verbose=0, echo=lambda *_: None, **kwargs)


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "run"
    quiet_train(tiny_config(), out)
    return out


def copy(run: Path, to: Path) -> Path:
    import shutil

    shutil.copytree(run, to)
    return to


def test_a_changed_file_is_refused_by_name(finished, tmp_path):
    run = copy(finished, tmp_path / "run")
    (run / "metrics.json").write_text("{}")
    with pytest.raises(RunFolderError, match="metrics.json changed since the run was written"):
        arithseq.load_run(run)
    run = copy(finished, tmp_path / "again")
    (run / "test.npz").unlink()
    with pytest.raises(RunFolderError, match="test.npz is listed in the manifest but missing"):
        arithseq.load_run(run)


def test_a_tokenizer_that_disagrees_with_the_config_is_refused(finished, tmp_path):
    run = copy(finished, tmp_path / "run")
    data = json.loads((run / "tokenizer.json").read_text())
    (run / "tokenizer.json").write_text(json.dumps({**data, "reverse_input": not data["reverse_input"]}))
    write_manifest(run, finished=True)  # even with a manifest that matches the files
    with pytest.raises(RunFolderError, match="tokenizer.json and config.toml disagree"):
        arithseq.load_run(run)


def test_an_unfinished_run_is_refused_unless_allowed(finished, tmp_path):
    run = copy(finished, tmp_path / "run")
    write_manifest(run, finished=False)
    with pytest.raises(RunFolderError, match="did not finish"):
        arithseq.load_run(run)
    opened = arithseq.load_run(run, allow_unfinished=True)
    assert opened.unfinished and isinstance(opened.predict("1+2"), str)


def test_overwrite_replaces_the_old_run_only_when_the_new_one_is_complete(finished, tmp_path):
    run = copy(finished, tmp_path / "run")
    before = (run / "metrics.json").read_text()

    class Boom(Exception):
        pass

    def explode(line):
        raise Boom

    with pytest.raises(Exception):
        arithseq.train(tiny_config(seed=3, epochs=2), run, verbose=2, echo=explode, overwrite=True)
    assert (run / "metrics.json").read_text() == before  # the old run is whole
    arithseq.load_run(run)
    quiet_train(tiny_config(seed=3), run, overwrite=True)
    assert (run / "metrics.json").read_text() != before


OPS = """
import arithseq

@arithseq.node("maximum")
def maximum(a, b):
    return max(a, b)
"""


def test_a_run_that_carries_python_needs_trust_and_the_same_hash(tmp_path):
    (tmp_path / "ops.py").write_text(OPS)
    (tmp_path / "maxes.lark").write_text(
        '?start: expr\n?expr: number\n    | "max(" expr "," expr ")" -> maximum\nnumber: DIGITS\nDIGITS: /[0-9]+/\n'
    )
    (tmp_path / "maxes.toml").write_text('grammar = "maxes.lark"\npython = "ops.py"\nterms = 2\nvalues = [0, 9]\ndepth = 1\n')
    run = tmp_path / "run"
    quiet_train(tiny_config(task=str(tmp_path / "maxes.toml"), task_options={}), run)
    assert (run / "python" / "0-ops.py").read_text() == OPS
    assert 'python = ["python/0-ops.py"]' in (run / "config.toml").read_text()
    with pytest.raises(RunFolderError, match="runs Python code it carries .*--trust"):
        arithseq.load_run(run)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the grammar's own "max(" is not outside training
        assert isinstance(arithseq.load_run(run, trust=True).predict("max(3,4)"), str)
    for command in (["predict", str(run), "max(3,4)"], ["serve", str(run), "--port", "1"]):
        refused = cli(*command)  # serve refuses before it listens
        assert refused.returncode == 2 and "--trust" in refused.stderr and "Traceback" not in refused.stderr
    (run / "python" / "0-ops.py").write_text(OPS + "\nprint('sneaky')\n")
    with pytest.raises(RunFolderError, match="0-ops.py changed"):
        arithseq.load_run(run, trust=True)
