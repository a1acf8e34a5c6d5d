"""arithseq: arithmetic as sequence-to-sequence learning.

Tasks are lark grammars plus options; a Tokenizer turns their strings into arrays.

>>> import arithseq
>>> task = arithseq.get_task("addition")
>>> task.evaluate("12+50")
62
"""

from .batch import Batch, Example
from .config import TaskConfig
from .errors import (
    ArithseqError,
    ConfigError,
    EvaluationError,
    ExpressionError,
    GrammarError,
    SamplingError,
    TokenizerError,
)
from .grammar import Grammar, grammar_names, load_grammar
from .semantics import Bound, node
from .tasks import Task, get_task, list_tasks, load_task_file, register_task
from .tokenizer import Tokenizer
from .vm import vector_op

__version__ = "0.1.0"

__all__ = [
    "ArithseqError",
    "Batch",
    "Bound",
    "ConfigError",
    "EvaluationError",
    "Example",
    "ExpressionError",
    "Grammar",
    "GrammarError",
    "SamplingError",
    "Task",
    "TaskConfig",
    "Tokenizer",
    "TokenizerError",
    "get_task",
    "grammar_names",
    "list_tasks",
    "load_grammar",
    "load_task_file",
    "node",
    "register_task",
    "vector_op",
]
