"""Every error arithseq raises on purpose derives from :class:`ArithseqError`.

Each message names the problem and where it is (a column in an expression, a line
in a grammar, a file and field in a bundle), so the CLI can print it as is.
"""

from __future__ import annotations


class ArithseqError(Exception):
    """Base class of all arithseq errors."""


class GrammarError(ArithseqError):
    """A grammar file is malformed or uses a construct arithseq cannot sample or evaluate."""


class ConfigError(ArithseqError, ValueError):
    """A task, model or training option is unknown or has an invalid value."""


class ExpressionError(ArithseqError, ValueError):
    """An expression does not parse with the task's grammar.

    ``column`` is 1-based; ``expression`` is the text that was parsed.
    """

    def __init__(self, message: str, expression: str = "", column: int | None = None) -> None:
        self.expression = expression
        self.column = column
        super().__init__(message + _caret(expression, column))


class EvaluationError(ExpressionError):
    """An expression parses but its value is undefined (for example a division by zero)."""


class TokenizerError(ArithseqError, ValueError):
    """A string cannot be encoded (unknown character, too long) or a tokenizer file is invalid."""


class SamplingError(ArithseqError):
    """A task cannot produce the requested examples (for example too few distinct expressions)."""


class ArgumentError(ArithseqError, TypeError):
    """A library call got an argument of the wrong type (a number where text belongs, or the reverse)."""


class TrainingError(ArithseqError):
    """Training cannot go on: the loss became NaN or infinite (the model diverged)."""


class OutputError(ArithseqError):
    """A file cannot be written where asked: it exists, is special (a device, a FIFO, a link), or the disk refuses."""


SHOWN = 60  # characters of a long input shown in a message


def cut(text: str, around: int | None = None) -> str:
    """``text`` cut to about 60 characters (around a 1-based column, if given), marked with ``...``."""
    return _window(text, around)[0]


def shown(text: str, around: int | None = None) -> str:
    """``text`` quoted and cut to about 60 characters, for messages."""
    return repr(cut(text, around))


def _window(text: str, column: int | None) -> tuple[str, int | None]:
    """At most SHOWN characters of ``text`` around ``column``, marked with ``...``; the column moves with it."""
    if len(text) <= SHOWN:
        return text, column
    start = max(0, min((column or 1) - 1 - SHOWN // 2, len(text) - SHOWN))
    head = "..." if start else ""
    tail = "..." if start + SHOWN < len(text) else ""
    piece = head + text[start : start + SHOWN] + tail
    return piece, None if column is None else column - start + len(head)


_VISIBLE = {**{code: 0x2400 + code for code in range(32)}, 127: 0x2421}  # control characters -> control pictures


def _caret(expression: str, column: int | None) -> str:
    if not expression or column is None:
        return ""
    # a line break or NUL would tear the caret line: each control character shows as one visible sign
    piece, column = _window(expression.translate(_VISIBLE), column)
    return f"\n  {piece}\n  {' ' * (column - 1)}^"
