"""Option plumbing shared by tasks, models and training.

One way in for every ``KEY=VALUE`` override (CLI ``--set``/``--param``/``--train``,
TOML files, keyword arguments): :func:`parse_assignments` splits the pairs and
:func:`fill_dataclass` turns them into a frozen dataclass, converting by field type
with errors that name the option. :class:`Registry` is the one registry behind
tasks, operators and models.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import math
import re
import tomllib
import types
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Generic, TypeVar

import numpy as np

from .errors import ArgumentError, ConfigError, cut

T = TypeVar("T")


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'units'?"`` for the closest choice, or ``""``."""
    close = difflib.get_close_matches(name, sorted(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


class Registry(Generic[T]):
    """Named entries a user can type: register, get (with did-you-mean) and names.

    A second registration under a taken name is refused unless ``replace=True``,
    so two plug-ins cannot silently shadow each other.
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, T] = {}
        self._replacing = False

    @contextlib.contextmanager
    def replacing(self) -> Iterator[None]:
        """Within: registrations may replace entries (a plug-in file run again, from a run folder)."""
        self._replacing = True
        try:
            yield
        finally:
            self._replacing = False

    def register(self, name: str, entry: T, *, replace: bool = False) -> T:
        if not isinstance(name, str) or not name or any(ch.isspace() for ch in name):
            raise ConfigError(f"{self.kind} names must be non-empty strings without spaces, got {got(name)}")
        if name in self._entries and not (replace or self._replacing):
            raise ConfigError(f"{self.kind} {name!r} is already registered; pass replace=True to replace it")
        self._entries[name] = entry
        return entry

    def get(self, name: str) -> T:
        if name not in self._entries:
            raise ConfigError(
                f"unknown {self.kind} {got(name)}{did_you_mean(str(name), self._entries)} "
                f"(known: {', '.join(self.names())})"
            )
        return self._entries[name]

    def names(self) -> list[str]:
        return sorted(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries


# -- typed values -----------------------------------------------------------------------------
SEEDS = 2**32  # seeds are 0..2^32-1, as keras.utils.set_random_seed and numpy's legacy seeding take them


def got(value: Any) -> str:
    """``repr(value)`` for a message, cut to about 60 characters (a long value is not echoed in full)."""
    return cut(repr(value))


def whole(name: str, value: Any, low: int = 0, high: int | None = None) -> int:
    """A library argument that must be a whole number in ``low..high``: ArgumentError for another type
    (``"ten"``, ``2.5``, ``True``), ConfigError for one out of range."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ArgumentError(f"{name} must be a whole number, got {type(value).__name__} {got(value)}")
    value = int(value)
    if value < low or (high is not None and value > high):
        bound = f"at least {low:,}" if high is None else f"between {low:,} and {high:,}"
        raise ConfigError(f"{name} must be {bound}, got {value:,}")
    return value


def check_seed(seed: Any, name: str = "seed") -> None:
    """A seed for numpy: None, a Generator or SeedSequence, or whole numbers in 0..2^32-1 (one or a list)."""
    if seed is None or isinstance(seed, (np.random.Generator, np.random.SeedSequence)):
        return
    for part in seed if isinstance(seed, (list, tuple)) else [seed]:
        if isinstance(part, bool) or not isinstance(part, (int, np.integer)):
            raise ArgumentError(f"{name} must be a whole number, got {type(part).__name__} {got(part)}")
        if not 0 <= part < SEEDS:
            raise ConfigError(f"{name} must be in 0..{SEEDS - 1}, got {part}")


def text(name: str, value: Any) -> str:
    """A library argument that must be a string."""
    if not isinstance(value, str):
        raise ArgumentError(f"{name} must be a string, got {type(value).__name__} {got(value)}")
    return value


def texts(name: str, values: Any) -> np.ndarray:
    """A library argument that must be a sequence of strings, as a numpy string array.

    numpy would silently turn ``["1+2", 3]`` into ``["1+2", "3"]``: every item is checked."""
    if isinstance(values, np.ndarray) and values.dtype.kind == "U":
        if values.ndim != 1:
            raise ArgumentError(f"{name} must be a 1-D sequence of strings, got an array of shape {values.shape}")
        return values
    if isinstance(values, (str, bytes)) or (isinstance(values, np.ndarray) and values.dtype.kind not in "OU"):
        raise ArgumentError(f"{name} must be a sequence of strings, got {type(values).__name__} {got(values)}")
    try:
        items = list(values)
    except TypeError:
        raise ArgumentError(f"{name} must be a sequence of strings, got {type(values).__name__} {got(values)}") from None
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise ArgumentError(f"{name} must hold strings only; item {i + 1} is {type(item).__name__} {got(item)}")
    return np.array(items, dtype=str) if items else np.array([], dtype=str)


def parse_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"option {name!r} must be true or false, got {got(value)}")


def parse_int(name: str, value: Any) -> int:
    """A whole number; ``"3"`` and ``3.0`` are accepted, ``3.5``, ``True`` and ``"x"`` are not."""
    try:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError
        return int(value)
    except (TypeError, ValueError, OverflowError):
        raise ConfigError(f"option {name!r} must be a whole number, got {got(value)}") from None


def parse_float(name: str, value: Any) -> float:
    """A finite number (NaN and infinity are refused: they would pass every comparison silently)."""
    try:
        if isinstance(value, bool):
            raise ValueError
        number = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"option {name!r} must be a number, got {got(value)}") from None
    if not math.isfinite(number):
        raise ConfigError(f"option {name!r} must be a finite number, got {got(value)}")
    return number


def parse_weight(name: str, value: Any) -> float:
    number = parse_float(name, value)
    if number < 0:
        raise ConfigError(f"option {name!r} must not be negative, got {got(value)}")
    return number


def parse_int_range(name: str, value: Any) -> tuple[int, int]:
    """``3`` -> (3, 3); ``"2-4"``, ``"2..4"``, ``[2, 4]`` -> (2, 4)."""
    try:
        if isinstance(value, bool):
            raise TypeError
        if isinstance(value, int):
            lo = hi = value
        elif isinstance(value, str):
            text = value.strip()
            parts = text.replace("..", "-").split("-") if "-" in text[1:] or ".." in text else [text]
            if len(parts) > 2:
                raise ValueError
            lo, hi = int(parts[0]), int(parts[-1])
        else:
            lo, hi = (parse_int(name, v) for v in value)
    except (TypeError, ValueError, ConfigError):
        raise ConfigError(f"option {name!r} must be a whole number or a range like 2-4, got {got(value)}") from None
    if lo > hi:
        raise ConfigError(f"option {name!r}: range {lo}-{hi} is empty")
    return lo, hi


def parse_assignments(pairs: Iterable[str], flag: str = "--set") -> dict[str, str]:
    """``["terms=3", "largest=100"]`` (from a repeatable CLI flag) as a dict."""
    out: dict[str, str] = {}
    for pair in pairs:
        if "=" not in pair:
            raise ConfigError(f"{flag} expects KEY=VALUE, got {got(pair)}")
        key, value = pair.split("=", 1)
        if not key.strip():
            raise ConfigError(f"{flag} expects KEY=VALUE, got {got(pair)} (no key)")
        out[key.strip()] = value.strip()
    return out


def read_toml(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder, not a TOML file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML{_toml_place(path, str(exc))}: {str(exc).split(' (at ')[0]}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a text file") from None


def _toml_place(path: Path, message: str) -> str:
    """`` at line 2, column 5`` of a TOML syntax error (tomllib writes "(at line 2, column 5)" or "(at end of document)")."""
    found = re.search(r"\(at line (\d+), column (\d+)\)", message)
    if found:
        return f" at line {found[1]}, column {found[2]}"
    if "end of document" in message:
        with contextlib.suppress(OSError, UnicodeDecodeError):
            return f" at line {max(1, len(path.read_text(encoding='utf-8').splitlines()))} (the end of the file)"
    return ""


# -- dataclasses from KEY=VALUE -----------------------------------------------------------
def _converter(name: str, kind: Any) -> Callable[[Any], Any]:
    origin = typing.get_origin(kind)
    if kind is bool:
        return lambda v: parse_bool(name, v)
    if kind is int:
        return lambda v: parse_int(name, v)
    if kind is float:
        return lambda v: parse_float(name, v)
    if kind is str:
        return lambda v: _text(name, v)
    if origin is tuple:
        item = _converter(name, typing.get_args(kind)[0])
        return lambda v: tuple(item(x) for x in (v.replace(",", " ").split() if isinstance(v, str) else v))
    if origin in (types.UnionType, typing.Union):  # "X | None"
        inner = [a for a in typing.get_args(kind) if a is not type(None)]
        convert = _converter(name, inner[0])
        return lambda v: None if v is None or (isinstance(v, str) and v.strip().lower() == "none") else convert(v)
    return lambda v: v


def _text(name: str, value: Any) -> str:
    if isinstance(value, (dict, list, tuple)):
        raise ConfigError(f"option {name!r} must be text, got {got(value)}")
    return str(value)


def fill_dataclass(cls: type[T], values: Mapping[str, Any], where: str, base: T | None = None) -> T:
    """``base`` (or ``cls()``) with ``values`` applied, converted by field type; ``check()`` runs last.

    Unknown keys get a did-you-mean; every message starts with ``where``.
    """
    fields = {f.name for f in dataclasses.fields(cls)}
    types_ = typing.get_type_hints(cls)
    changes: dict[str, Any] = {}
    for key, value in values.items():
        key = str(key).replace("-", "_")
        if key not in fields:
            raise ConfigError(
                f"{where}: unknown option {key!r}{did_you_mean(key, fields)} (options: {', '.join(sorted(fields))})"
            )
        try:
            changes[key] = _converter(key, types_[key])(value)
        except ConfigError as exc:
            raise ConfigError(f"{where}: {exc}") from None
    try:
        result = dataclasses.replace(base, **changes) if base is not None else cls(**changes)
        check = getattr(result, "check", None)
        if check is not None:
            check()
    except ConfigError as exc:  # a check that already names its kind of option ("training option 'epochs'") is not prefixed again
        message = str(exc)
        raise type(exc)(message if message.startswith(where.rstrip("s")) else f"{where}: {message}") from None
    return result


def dataclass_dict(instance: Any) -> dict[str, Any]:
    """A frozen dataclass as plain TOML/JSON values (tuples become lists, None is left out)."""
    out = {}
    for f in dataclasses.fields(instance):
        value = getattr(instance, f.name)
        if value is not None:
            out[f.name] = list(value) if isinstance(value, tuple) else value
    return out
