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


def _caret(expression: str, column: int | None) -> str:
    if not expression or column is None:
        return ""
    return f"\n  {expression}\n  {' ' * (column - 1)}^"
