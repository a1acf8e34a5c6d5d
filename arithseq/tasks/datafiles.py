"""Question/answer pairs from files someone else made: TSV, CSV, JSONL, or alternating lines.

    data.tsv     12+5<TAB>17              (a header "input<TAB>target" or "question<TAB>answer" is skipped)
    data.csv     12+5,17                  (the same, comma-separated, quoted as CSV allows)
    data.jsonl   {"input": "12+5", "target": "17"}   ("question"/"answer" too)
    data.txt     12+5                     (any other name: a question line, then its answer line,
                 17                        like the public synthetic maths data sets)

Every record is checked: a malformed one is an error naming the file and line.
The same question given twice with two different answers is an error too; given
twice with one answer it counts once.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from ..errors import ConfigError, shown

HEADERS = ({"input", "target"}, {"question", "answer"})
MAX_RECORDS = 50_000_000


def read_pairs(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """``(questions, answers)`` as string arrays, first occurrences only, in file order."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such data file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    suffix = path.suffix.lower()
    if suffix in (".tsv", ".csv"):
        records = _delimited(path, text, "\t" if suffix == ".tsv" else ",")
    elif suffix == ".jsonl":
        records = _jsonl(path, text)
    else:
        records = _alternating(path, text)
    if not records:
        raise ConfigError(f"{path}: no question/answer pairs in the file")
    seen: dict[str, tuple[str, int]] = {}
    for line, question, answer in records:
        where = f"{path}:{line}"
        if not question or not answer:
            raise ConfigError(f"{where}: empty {'question' if not question else 'answer'}")
        if question in seen and seen[question][0] != answer:
            raise ConfigError(
                f"{where}: question {shown(question)} was answered {shown(seen[question][0])} at line {seen[question][1]} "
                f"and {shown(answer)} here"
            )
        seen.setdefault(question, (answer, line))
    questions = np.array(list(seen), dtype=str)
    answers = np.array([seen[q][0] for q in seen], dtype=str)
    return questions, answers


def _delimited(path: Path, text: str, delimiter: str) -> list[tuple[int, str, str]]:
    out = []
    reader = csv.reader(text.splitlines(), delimiter=delimiter)
    for line, row in enumerate(reader, 1):
        if not row or all(not cell.strip() for cell in row):
            continue
        if line == 1 and {cell.strip().lower() for cell in row} in HEADERS:
            continue
        if len(row) != 2:
            name = "tab" if delimiter == "\t" else "comma"
            raise ConfigError(f"{path}:{line}: expected 2 {name}-separated fields (question, answer), got {len(row)}")
        out.append((line, row[0].strip(), row[1].strip()))
        _limit(path, len(out))
    return out


def _jsonl(path: Path, text: str) -> list[tuple[int, str, str]]:
    out = []
    for line, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path}:{line}: invalid JSON at column {exc.colno}: {exc.msg}") from None
        if not isinstance(record, dict):
            raise ConfigError(f"{path}:{line}: expected an object like {{\"input\": ..., \"target\": ...}}")
        keys = next((k for k in (("input", "target"), ("question", "answer")) if set(k) <= set(record)), None)
        if keys is None:
            raise ConfigError(f"{path}:{line}: the object needs fields 'input' and 'target' (or 'question' and 'answer')")
        question, answer = record[keys[0]], record[keys[1]]
        if not isinstance(question, (str, int)) or not isinstance(answer, (str, int)) or isinstance(answer, bool):
            raise ConfigError(f"{path}:{line}: fields {keys[0]!r} and {keys[1]!r} must be text or whole numbers")
        out.append((line, str(question).strip(), str(answer).strip()))
        _limit(path, len(out))
    return out


def _alternating(path: Path, text: str) -> list[tuple[int, str, str]]:
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    if len(lines) % 2:
        raise ConfigError(
            f"{path}:{len(lines)}: a question without an answer (the file alternates question and answer "
            f"lines, so it needs an even number of lines; it has {len(lines)})"
        )
    out = []
    for i in range(0, len(lines), 2):
        out.append((i + 1, lines[i].strip(), lines[i + 1].strip()))
        _limit(path, len(out))
    return out


def _limit(path: Path, count: int) -> None:
    if count > MAX_RECORDS:
        raise ConfigError(f"{path}: more than {MAX_RECORDS:,} records; split the file")
