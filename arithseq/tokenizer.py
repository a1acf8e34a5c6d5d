"""Characters to integer ids and one-hot vectors, and back, for whole batches at once.

The vocabulary is the task's alphabet followed by the padding character (space by
default, like the tutorial: ``0-9``, ``+``, then ``' '``). Every encoded sequence has
the same length: inputs ``input_length``, outputs ``output_length``. A string is
padded first (on ``pad_side``) and the padded row is then reversed when the role
is reversed, so a reversed answer is written least significant digit first and its
pads come last.

A worked example: ``arithseq train``'s format for 3-digit addition (two numbers
1..999, ``input_format=columns``, reversed, ``pad_answer``)::

    typed        12+5
    columns      (2,5) (1,0) (0,0) (0,0)   one token per column of digits, units
                                           first: the encoder reads the first column
                                           to add first; 4 columns for the widest
                                           answer, 999+999 = 1998
    input ids    25 10 0 0                 column (a, b) is token 10*a + b
    answer       17
    output       "7100"                    zero-padded to 4 digits and reversed: the
                                           network writes the units digit first and
                                           a carry flows into the next digit it
                                           writes, as in addition by hand

With ``input_format=text`` and ``pad_terms`` the same problem is ``012+005``, read
reversed as ``500+210``; with the tutorial's format (no zero-padding, no reversal,
left padding) it is ``"   12+5"`` in and ``"  17"`` out.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from . import columns
from .errors import ArgumentError, TokenizerError, shown
from .files import atomic_text
from .options import text, whole
from .options import texts as strings

if TYPE_CHECKING:
    from .tasks import Task

ROLES = ("input", "output")


class EncodeArgumentError(ArgumentError, TokenizerError):
    """``encode`` got something other than strings (both an ArgumentError and a TokenizerError)."""

DIGITS = "0123456789"
FORMAT = "arithseq.tokenizer"


class Tokenizer:
    """Owns the alphabet, padding, reversal, integer/one-hot encoding and decoding."""

    def __init__(
        self,
        alphabet: str,
        input_length: int,
        output_length: int,
        *,
        pad: str = " ",
        pad_side: str = "left",
        reverse_input: bool = False,
        reverse_output: bool = False,
        input_format: str = "text",
        pad_answer: bool = False,
        column_terms: int = 2,
        column_operators: str = "+",
        output_pad_side: str = "",
        column_signed: bool = False,
    ) -> None:
        for name, value in (("alphabet", alphabet), ("pad", pad), ("pad_side", pad_side), ("input_format", input_format)):
            text(f"Tokenizer: {name}", value)
        input_length = whole("Tokenizer: input_length", input_length)
        output_length = whole("Tokenizer: output_length", output_length)
        if len(pad) != 1:
            raise TokenizerError(f"pad must be one character, got {pad!r}")
        if pad in alphabet:
            raise TokenizerError(f"pad {pad!r} is also in the alphabet {alphabet!r}")
        if len(set(alphabet)) != len(alphabet) or not alphabet:
            raise TokenizerError(f"alphabet must be non-empty without repeated characters, got {alphabet!r}")
        if pad_side not in ("left", "right") or output_pad_side not in ("", "left", "right"):
            raise TokenizerError(f"pad sides must be 'left' or 'right', got {pad_side!r} and {output_pad_side!r}")
        if input_length < 1 or output_length < 1:
            raise TokenizerError(f"lengths must be positive, got {input_length} and {output_length}")
        if input_format not in ("text", "columns"):
            raise TokenizerError(f"input_format must be 'text' or 'columns', got {input_format!r}")
        if pad_answer and not set(alphabet) >= set(DIGITS):
            raise TokenizerError("pad_answer zero-pads answers, so the alphabet must hold the digits")
        self.alphabet = alphabet
        self.pad = pad
        self.pad_side = pad_side
        self.output_pad_side = output_pad_side  # "": the same as pad_side
        self.input_length = int(input_length)
        self.output_length = int(output_length)
        self.reverse_input = bool(reverse_input)
        self.reverse_output = bool(reverse_output)
        self.input_format = input_format
        self.pad_answer = bool(pad_answer)
        # zero-padded answers that can be negative carry a sign in front: "+0017", "-0017"
        self.signed_answers = self.pad_answer and "-" in alphabet and "+" in alphabet
        self.column_terms = int(column_terms)
        self.column_operators = column_operators
        self.column_signed = bool(column_signed)
        most = 4 if column_operators == "+" else 3  # 10**terms ids per block of operators
        if input_format == "columns" and (not 1 <= self.column_terms <= most or not column_operators or set(column_operators) - set("+-*")):
            raise TokenizerError(
                f"column encoding reads 1 to 3 numbers joined by + - * (4 joined by +), got {column_terms} joined by "
                f"{column_operators!r}"
            )
        self.vocabulary = alphabet + pad
        self.pad_id = len(alphabet)
        self._codes = np.array([ord(c) for c in self.vocabulary], np.uint32)
        # one small table indexed by code point; everything past it is unknown
        self._lookup = np.full(max(int(self._codes.max()) + 2, 128), -1, np.int16)
        self._lookup[self._codes] = np.arange(len(self.vocabulary), dtype=np.int16)

    @classmethod
    def for_task(cls, task: Task) -> Tokenizer:
        c = task.config
        # column encoding reads one token per column of the answer: every column of the sum is seen
        columns = c.input_format == "columns"
        # a scratchpad's numbers are reversed one by one by the task; its pads must come last
        from .tasks.steps import worked_steps  # tasks import this module

        scratchpad = task.scratchpad or worked_steps(c)
        # one step at a time (target=steps): the network reads a single operation; in columns, one more
        # than the widest value, so a sum of two full-width numbers always has a column for its carry
        text_length = task.step_input_length if task.stepwise else task.max_input_length
        spare = task.stepwise and not task.table.limits.value_bound.negative  # a signed width has its sign column
        width = task.max_output_length + spare
        return cls(
            task.alphabet,
            width if columns else text_length,
            width if columns else task.max_output_length,
            pad=c.pad,
            pad_side=c.pad_side,
            reverse_input=c.reverse_input,
            reverse_output=c.reverse_output and not scratchpad,
            input_format=c.input_format,
            pad_answer=c.pad_answer,
            column_terms=(2 if task.stepwise else c.terms[1]) if columns else 2,
            column_operators="".join(op for op in "+-*" if op in task.table.literals_used) if columns else "+",
            output_pad_side="right" if scratchpad else "",
            column_signed=columns and task.stepwise and task.table.limits.value_bound.negative,
        )

    def resized(self, input_length: int, output_length: int) -> Tokenizer:
        """The same tokenizer with other sequence lengths (to read longer inputs than training had)."""
        if self.input_format == "columns":
            input_length = output_length = max(input_length, output_length)
        return Tokenizer.from_dict({**self.to_dict(), "input_length": input_length, "output_length": output_length})

    @property
    def size(self) -> int:
        """Number of output classes: the alphabet plus the pad (also the input classes of text input)."""
        return len(self.vocabulary)

    def vocab_size(self, role: str) -> int:
        """Number of classes of ``role``: column-pair inputs have 100, everything else ``size``."""
        if _role(role) == "input" and self.input_format == "columns":
            return columns.vocabulary_size(self.column_terms, self.column_operators, self.column_signed)
        return self.size

    def length(self, role: str = "input") -> int:
        return self.input_length if _role(role) == "input" else self.output_length

    def _pad_side(self, role: str) -> str:
        return (self.output_pad_side or self.pad_side) if role == "output" else self.pad_side

    def _reversed(self, role: str) -> bool:
        return self.reverse_input if role == "input" else self.reverse_output

    # -- encoding -----------------------------------------------------------------
    def encode(self, texts: str | Sequence[str] | np.ndarray, role: str = "input", *, one_hot: bool = False) -> np.ndarray:
        """Integer ids ``(n, length)`` (or ``(length,)`` for one string); one-hot adds a vocabulary axis."""
        role = _role(role)
        single = isinstance(texts, str)
        try:
            arr = strings("encode: the texts", [texts] if single else texts)
        except ArgumentError as exc:
            raise EncodeArgumentError(f"{exc} (one string, or a 1-D sequence of strings)") from None
        if role == "input" and self.input_format == "columns":
            ids = columns.encode_columns(
                arr, self.input_length, self.reverse_input, self.column_terms, self.column_operators, self.column_signed
            )
        else:
            ids = self._encode(arr, role)
        out = self.one_hot(ids, self.vocab_size(role)) if one_hot else ids
        return out[0] if single else out

    def _encode(self, arr: np.ndarray, role: str) -> np.ndarray:
        n, length = len(arr), self.length(role)
        if n == 0:
            return np.full((0, length), self.pad_id, np.int32)
        lengths = np.strings.str_len(arr)
        too_long = np.nonzero(lengths > length)[0]
        if too_long.size:
            i = too_long[0]
            raise TokenizerError(
                f"{role} {shown(str(arr[i]))} has {lengths[i]} characters; this tokenizer fits at most {length}"
            )
        if role == "output" and self.signed_answers:
            negative = np.strings.startswith(arr, "-")
            magnitude = np.where(negative, np.strings.slice(arr, 1, None), arr)
            arr = np.strings.add(np.where(negative, "-", "+"), np.strings.rjust(magnitude, length - 1, "0"))
        # numpy's own justification ufuncs pad; a reversed role then reverses the padded row
        zeros = role == "output" and self.pad_answer
        justify = np.strings.rjust if self._pad_side(role) == "left" or zeros else np.strings.ljust
        placed = justify(arr, length, "0" if zeros else self.pad).astype(f"<U{length}", copy=False)
        grid = np.ascontiguousarray(placed).view(np.uint32).reshape(n, length)
        if self._reversed(role):
            grid = grid[:, ::-1]
        out = self._lookup[np.minimum(grid, len(self._lookup) - 1)].astype(np.int32)
        if out.min(initial=0) < 0:
            text = str(arr[np.nonzero((out < 0).any(axis=1))[0][0]])
            j = next(j for j, ch in enumerate(text) if ch not in self.vocabulary)
            raise TokenizerError(
                f"unknown character {text[j]!r} at column {j + 1} of {role} {shown(text, j + 1)}; "
                f"the alphabet is {self.alphabet!r}"
            )
        width = max(arr.dtype.itemsize // 4, 1)
        codes = np.ascontiguousarray(arr).view(np.uint32).reshape(n, width)
        pad = ord(self.pad)
        last = codes[np.arange(n), np.maximum(lengths - 1, 0)]
        edge = (lengths > 0) & ((codes[:, 0] == pad) | (last == pad))
        if edge.any():
            text = str(arr[np.nonzero(edge)[0][0]])
            # a pad at the ends would merge with the padding and be lost on decoding
            raise TokenizerError(
                f"{role} {shown(text)} starts or ends with the padding character {self.pad!r}; strip it first"
            )
        return out

    def one_hot(self, ids: np.ndarray, classes: int | None = None) -> np.ndarray:
        """float32 one-hot vectors over ``classes`` (default: ``size``); every row sums to 1."""
        ids = np.asarray(ids)
        classes = classes or self.size
        self._check_ids(ids, classes)
        out = np.zeros(ids.size * classes, np.float32)
        out[np.arange(ids.size) * classes + ids.ravel()] = 1.0
        return out.reshape(*ids.shape, classes)

    def significance(self, ids: np.ndarray) -> np.ndarray:
        """Each input token's place value (1 units, 2 tens, ...; 0 for non-digits; a column token: its
        column's), from input ids ``(n, length)``: ``gpt``'s coupled and abacus ids come from here."""
        ids = np.asarray(ids)
        if ids.ndim != 2:
            raise TokenizerError(f"significance expects 2-D input ids, got shape {ids.shape}")
        if self.input_format == "columns":
            return columns.column_places(ids.shape, self.reverse_input)
        return columns.digit_places(np.isin(ids, self.digit_ids), self.reverse_input)

    @property
    def digit_ids(self) -> tuple[int, ...]:
        """The ids of the digits the alphabet holds."""
        return tuple(self.vocabulary.index(d) for d in DIGITS if d in self.alphabet)

    # -- decoding -----------------------------------------------------------------
    def decode(self, array: np.ndarray | Sequence, role: str = "output") -> np.ndarray | str:
        """Strings from ids ``(n, L)``, or from one-hot/probabilities ``(n, L, vocab)`` (argmax).

        Reversal is undone, then pads are removed from the padded side only. One
        sequence (``(L,)`` ids or ``(L, vocab)`` floats) gives one string.
        """
        role = _role(role)
        arr = np.asarray(array)
        classes = self.vocab_size(role)
        if arr.dtype.kind == "f":
            if not np.isfinite(arr).all():
                raise TokenizerError(
                    "decode: the scores contain NaN or infinity (a diverged or damaged model?); no answer can be read"
                )
            if arr.shape[-1:] != (classes,):
                raise TokenizerError(
                    f"decode: last axis has {arr.shape[-1:] or 'no'} classes but the vocabulary has {classes}"
                )
            arr = arr.argmax(axis=-1)
        if arr.dtype.kind not in "iu":
            raise TokenizerError(f"decode expects integer ids or float scores, got dtype {arr.dtype}")
        single = arr.ndim == 1
        ids = arr[None, :] if single else arr
        if ids.ndim != 2:
            raise TokenizerError(f"decode expects 1-D or 2-D ids, got shape {arr.shape}")
        self._check_ids(ids, classes)
        if role == "input" and self.input_format == "columns":
            strings = columns.decode_columns(
                ids, self.reverse_input, self.column_terms, self.column_operators, self.column_signed
            )
            return str(strings[0]) if single else strings
        if self._reversed(role):
            ids = ids[:, ::-1]
        n, length = ids.shape
        chars = self._codes[ids]
        is_pad = ids == self.pad_id
        if self._pad_side(role) == "left":
            start = np.where(is_pad.all(axis=1), length, (~is_pad).argmax(axis=1))
            size = length - start
        else:
            start = np.zeros(n, np.int64)
            size = length - np.where(is_pad.all(axis=1), length, (~is_pad[:, ::-1]).argmax(axis=1))
        out = np.zeros((n, max(length, 1)), np.uint32)
        rows, cols = np.nonzero(np.arange(length) < size[:, None])
        out[rows, cols] = chars[rows, start[rows] + cols]
        strings = out.view(f"<U{out.shape[1]}").ravel()
        if role == "output" and self.pad_answer:
            sign = np.where(np.strings.startswith(strings, "-"), "-", "") if self.signed_answers else ""
            if self.signed_answers:
                signed = np.strings.startswith(strings, "+") | np.strings.startswith(strings, "-")
                strings = np.where(signed, np.strings.slice(strings, 1, None), strings)
            stripped = np.strings.lstrip(strings, "0")
            strings = np.strings.add(sign, np.where((stripped == "") & (strings != ""), "0", stripped))
        return str(strings[0]) if single else strings

    def _check_ids(self, ids: np.ndarray, classes: int) -> None:
        if ids.size and (ids.min() < 0 or ids.max() >= classes):
            raise TokenizerError(f"ids must lie in 0..{classes - 1}, got {ids.min()}..{ids.max()}")

    # -- persistence ----------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": 2,
            "alphabet": self.alphabet,
            "pad": self.pad,
            "pad_side": self.pad_side,
            "input_length": self.input_length,
            "output_length": self.output_length,
            "reverse_input": self.reverse_input,
            "reverse_output": self.reverse_output,
            "input_format": self.input_format,
            "pad_answer": self.pad_answer,
            "column_terms": self.column_terms,
            "column_operators": self.column_operators,
            "output_pad_side": self.output_pad_side,
            "column_signed": self.column_signed,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "tokenizer") -> Tokenizer:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise TokenizerError(f"{source}: not an arithseq tokenizer (field 'format' must be {FORMAT!r})")
        fields = {"alphabet": str, "pad": str, "pad_side": str, "input_length": int, "output_length": int,
                  "reverse_input": bool, "reverse_output": bool, "input_format": str, "pad_answer": bool,
                  "column_terms": int, "column_operators": str, "output_pad_side": str, "column_signed": bool}
        # fields newer than version 1
        newer = {"input_format": "text", "pad_answer": False, "column_terms": 2, "column_operators": "+", "output_pad_side": "",
                 "column_signed": False}
        data = {**newer, **data}
        for name, kind in fields.items():
            if name not in data:
                raise TokenizerError(f"{source}: field {name!r} is missing")
            if not isinstance(data[name], kind) or (kind is int and isinstance(data[name], bool)):
                raise TokenizerError(f"{source}: field {name!r} must be {kind.__name__}, got {data[name]!r}")
        try:
            return cls(
                data["alphabet"],
                data["input_length"],
                data["output_length"],
                **{name: data[name] for name in fields if name not in ("alphabet", "input_length", "output_length")},
            )
        except TokenizerError as exc:
            raise TokenizerError(f"{source}: {exc}") from None

    def save(self, path: str | Path) -> None:
        atomic_text(path, json.dumps(self.to_dict(), indent=2) + "\n")

    @classmethod
    def load(cls, path: str | Path) -> Tokenizer:
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise TokenizerError(f"{path}: file not found") from None
        except json.JSONDecodeError as exc:
            raise TokenizerError(f"{path}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
        return cls.from_dict(data, str(path))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Tokenizer) and self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        return (
            f"Tokenizer(alphabet={self.alphabet!r}, pad={self.pad!r}, input_length={self.input_length}, "
            f"output_length={self.output_length}, pad_side={self.pad_side!r}, "
            f"reverse_input={self.reverse_input}, reverse_output={self.reverse_output}, "
            f"input_format={self.input_format!r}, pad_answer={self.pad_answer})"
        )


def _role(role: str) -> str:
    if role not in ROLES:
        raise TokenizerError(f"role must be 'input' or 'output', got {role!r}")
    return role
