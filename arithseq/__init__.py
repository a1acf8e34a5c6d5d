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
from .train_config import TrainConfig
from .vm import vector_op

__version__ = "0.1.0"


def train(config=None, out=None, **kwargs):
    """Train a model and save a run directory; see :func:`arithseq.training.train`.

    (Imported lazily: TensorFlow loads only when you train or load a run.)
    """
    from .training import train as _train

    return _train(config, out, **kwargs)


def load_run(path):
    """Open a run directory; see :func:`arithseq.runs.load_run`."""
    from .runs import load_run as _load_run

    return _load_run(path)

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
    "TrainConfig",
    "get_task",
    "grammar_names",
    "list_tasks",
    "load_grammar",
    "load_run",
    "train",
    "load_task_file",
    "node",
    "register_task",
    "vector_op",
]
