"""The model registry: Keras 3 networks by stable name.

A model is one decorated builder function::

    @register_model("my-gru", framing="sequence", options=MyOptions)
    def my_gru(shapes: Shapes, options: MyOptions) -> keras.Model:
        ...

``framing`` says how examples become arrays and predictions become strings (see
:mod:`arithseq.framing`): ``sequence`` (one pass, fixed output length),
``autoregressive`` (teacher forcing, greedy decoding) or ``regression`` (the
tutorial's mapping framing). ``options`` is a frozen dataclass of hyperparameters.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..config import parse_bool
from ..errors import ConfigError

FRAMINGS = ("sequence", "autoregressive", "regression")


@dataclass(frozen=True)
class Shapes:
    """What a builder needs to know about the data."""

    vocab: int  # tokenizer classes (alphabet + pad)
    input_length: int
    output_length: int
    terms: int = 0  # numbers per expression (regression framing)

    @property
    def start_id(self) -> int:
        """The decoder's start token: one id past the vocabulary."""
        return self.vocab


@dataclass(frozen=True)
class ModelSpec:
    name: str
    framing: str
    options: type
    build: Callable[..., Any]
    summary: str
    decoder: Callable[..., Any] | None = None

    def make_options(self, values: Mapping[str, Any] | None = None) -> Any:
        return make_options(self.options, values or {}, f"model {self.name!r}")


MODELS: dict[str, ModelSpec] = {}


def register_model(
    name: str, *, framing: str, options: type, summary: str = "", decoder: Callable[..., Any] | None = None
) -> Callable:
    """Register a builder ``(shapes, options) -> keras.Model`` under ``name`` (decorator).

    Autoregressive models may pass ``decoder(model, start_id) -> decode(ids, length)``
    for a faster greedy decoder than the generic one (a full pass per character).
    """
    if framing not in FRAMINGS:
        raise ConfigError(f"framing must be one of {', '.join(FRAMINGS)}, got {framing!r}")

    def register(build: Callable[..., Any]) -> Callable[..., Any]:
        doc = summary or (build.__doc__ or "").strip().splitlines()[0]
        MODELS[name] = ModelSpec(name, framing, options, build, doc, decoder)
        return build

    return register


def get_model_spec(name: str) -> ModelSpec:
    _load_builtins()
    if name not in MODELS:
        close = difflib.get_close_matches(name, sorted(MODELS), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ConfigError(f"unknown model {name!r}{hint} (models: {', '.join(sorted(MODELS))})")
    return MODELS[name]


def list_models() -> list[str]:
    _load_builtins()
    return sorted(MODELS)


def _load_builtins() -> None:
    from . import attention, mapping, seq2seq, transformer  # noqa: F401  (their decorators register them)


def make_options(cls: type, values: Mapping[str, Any], where: str) -> Any:
    """``cls`` filled from ``values`` (strings from the CLI are converted by field type)."""
    fields = {f.name: f for f in dataclasses.fields(cls)}
    out: dict[str, Any] = {}
    for key, value in values.items():
        key = key.replace("-", "_")
        if key not in fields:
            close = difflib.get_close_matches(key, sorted(fields), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ConfigError(f"{where}: unknown option {key!r}{hint} (options: {', '.join(sorted(fields))})")
        out[key] = _convert(fields[key], value, where)
    options = cls(**out)
    check = getattr(options, "check", None)
    if check:
        try:
            check()
        except ConfigError as exc:
            raise ConfigError(f"{where}: {exc}") from None
    return options


def _convert(field: dataclasses.Field, value: Any, where: str) -> Any:
    kind = field.type if isinstance(field.type, str) else getattr(field.type, "__name__", str(field.type))
    try:
        if kind.startswith("tuple"):
            if isinstance(value, str):
                value = [v for v in value.replace(",", " ").split()]
            return tuple(int(v) for v in value)
        if kind == "bool":
            return parse_bool(field.name, value)
        if kind == "int":
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError
            return int(value)
        if kind == "float":
            return float(value)
        return str(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{where}: option {field.name!r} must be {kind}, got {value!r}") from None


def options_dict(options: Any) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(options).items()}
