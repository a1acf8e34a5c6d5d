"""Run folders as data: written aside and renamed into place when complete, checked by hash when read.

A run is trained in ``RUN.partial/`` next to where it will live. Every file is
written atomically (a temporary file, fsync, rename); ``manifest.json`` lists each
file's SHA-256 and whether the run finished. When training ends the partial folder
is renamed to ``RUN`` (an ``--overwrite``-n old run is replaced only then), so a
crash or ``kill -9`` never leaves a half-old, half-new run: ``RUN`` is the old run
or the new one, and ``RUN.partial`` holds what ``--resume`` needs to continue.

Python files a task names (``python = [...]``: custom operators) are copied into
``RUN/python/``; loading such a run runs them only with ``trust=True`` and only if
their hashes still match the manifest.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from pathlib import Path

from ..errors import ArithseqError, ConfigError
from ..files import atomic_bytes, atomic_text

MANIFEST = "manifest.json"
FORMAT = "arithseq.run"
PARTIAL = ".partial"
CHECKPOINT = "checkpoint"


class RunFolderError(ArithseqError):
    """A run folder is missing, unfinished, changed since it was written, or needs trust."""


def partial_path(run_dir: Path) -> Path:
    return run_dir.with_name(run_dir.name + PARTIAL)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def files_of(folder: Path) -> list[Path]:
    """Every file of a run (checkpoint data and the manifest itself left out), relative paths."""
    out = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_file() and relative.parts[0] != CHECKPOINT and path.name != MANIFEST and not path.name.startswith("."):
            out.append(relative)
    return out


def write_manifest(folder: Path, finished: bool, **extra) -> None:
    data = {
        "format": FORMAT,
        "version": 1,
        "finished": finished,
        "written": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "files": {str(p): sha256(folder / p) for p in files_of(folder)},
        **extra,
    }
    atomic_text(folder / MANIFEST, json.dumps(data, indent=2) + "\n")


def read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    if not path.is_file():
        raise RunFolderError(
            f"{folder}: no {MANIFEST}; this is not an arithseq run folder, or one written by an older version"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RunFolderError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("files"), dict):
        raise RunFolderError(f"{path}: field 'format' must be {FORMAT!r} with a 'files' table")
    return data


def verify(folder: Path, allow_unfinished: bool = False) -> dict:
    """The manifest, after checking the run finished and every listed file is there and unchanged."""
    if folder.exists() and not folder.is_dir():
        raise RunFolderError(f"{folder}: is a file, not a run folder (give the folder `arithseq train` wrote)")
    if not folder.is_dir():
        hint = f"; an unfinished run is in {partial_path(folder)} (--resume to continue it)" if partial_path(folder).is_dir() else ""
        raise RunFolderError(f"{folder}: no such run folder{hint}")
    manifest = read_manifest(folder)
    if not manifest.get("finished") and not allow_unfinished:
        raise RunFolderError(
            f"{folder}: the run did not finish (its manifest says so); continue it with "
            "`arithseq train --resume`, or pass --allow-unfinished to use its last checkpoint anyway"
        )
    for name, digest in manifest["files"].items():
        path = folder / name
        if not path.is_file():
            raise RunFolderError(f"{folder}: {name} is listed in the manifest but missing")
        if sha256(path) != digest:
            raise RunFolderError(
                f"{folder}: {name} changed since the run was written (its SHA-256 differs from the manifest's); "
                "the run's files no longer belong together"
            )
    return manifest


def prepare(run_dir: Path, overwrite: bool, resume: bool) -> Path:
    """The partial folder to train in, after checking what is at ``run_dir`` already."""
    partial = partial_path(run_dir)
    if run_dir.exists() and not run_dir.is_dir():
        raise ConfigError(f"--out {run_dir} is a file, not a folder")
    if resume:
        if not partial.is_dir():
            where = f"{run_dir} is a finished run" if run_dir.is_dir() else f"there is no {partial}"
            raise ConfigError(f"--resume {run_dir}: nothing to continue ({where})")
        return partial
    if run_dir.exists() and any(run_dir.iterdir()) and not overwrite:
        raise ConfigError(f"{run_dir} already holds files; choose another --out or pass --overwrite")
    if partial.exists():
        if not overwrite:
            raise ConfigError(
                f"an unfinished run is in {partial}: `arithseq train --resume {run_dir}` continues it, "
                "--overwrite starts again"
            )
        shutil.rmtree(partial)
    try:
        partial.mkdir(parents=True)
    except OSError as exc:
        raise ConfigError(f"--out {run_dir}: cannot create {partial}: {exc.strerror}") from None
    if not os.access(partial, os.W_OK):
        raise ConfigError(f"--out {run_dir}: {partial} is not writable")
    return partial


def finish(partial: Path, run_dir: Path) -> None:
    """Rename the complete run into place; an old run at ``run_dir`` goes only now."""
    shutil.rmtree(partial / CHECKPOINT, ignore_errors=True)
    write_manifest(partial, finished=True)
    old = None
    if run_dir.exists():
        old = run_dir.with_name(f".{run_dir.name}.old-{os.getpid()}")
        os.replace(run_dir, old)
    os.replace(partial, run_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def atomic_batch(batch, path: Path) -> None:
    """``batch.save`` through memory and an atomic write."""
    import io

    buffer = io.BytesIO()
    batch.save(buffer)
    atomic_bytes(path, buffer.getvalue())


def copy_python(files: tuple[str, ...], folder: Path) -> list[str]:
    """Copy a task's Python files into the run (``python/NAME``); their new relative paths."""
    out = []
    for i, name in enumerate(files):
        source = Path(name)
        if not source.is_file():
            raise ConfigError(f"option 'python': file {source} does not exist")
        target = folder / "python" / f"{i}-{source.name}"
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_text(target, source.read_text(encoding="utf-8"))
        out.append(str(target.relative_to(folder)))
    return out
