"""arithseq: arithmetic as sequence-to-sequence learning.

Tasks are lark grammars plus options; a Tokenizer turns their strings into arrays;
registered Keras models learn them; runs are judged on every problem or a stratified
sample.

>>> import arithseq
>>> task = arithseq.get_task("addition")
>>> task.evaluate("12+50")
62

The package reads in data order: ``options`` -> ``tasks`` -> ``tokenizer`` ->
``models`` -> ``evaluation`` -> ``training`` -> ``cli``.
"""

from .config import TrainConfig
from .errors import (
    ArgumentError,
    ArithseqError,
    ConfigError,
    EvaluationError,
    ExpressionError,
    GrammarError,
    OutputError,
    SamplingError,
    TokenizerError,
    TrainingError,
)
from .tasks import (
    Batch,
    Bound,
    Example,
    Grammar,
    Task,
    TaskConfig,
    get_task,
    grammar_names,
    list_tasks,
    load_grammar,
    load_task_file,
    node,
    register_task,
    vector_op,
)
from .tokenizer import Tokenizer

__version__ = "0.1.0"


def train(config=None, out=None, **kwargs):
    """Train a model and save a run directory; see :func:`arithseq.training.train`.

    (Imported lazily: TensorFlow loads only when you train or load a run.)
    """
    from .training import train as train_run

    return train_run(config, out, **kwargs)


def load_run(path, *, trust=False, allow_unfinished=False):
    """Open a run folder; see :func:`arithseq.evaluation.load_run`."""
    from .evaluation import load_run as load

    return load(path, trust=trust, allow_unfinished=allow_unfinished)


__all__ = [
    "ArgumentError",
    "ArithseqError",
    "Batch",
    "Bound",
    "ConfigError",
    "EvaluationError",
    "Example",
    "ExpressionError",
    "Grammar",
    "GrammarError",
    "OutputError",
    "SamplingError",
    "Task",
    "TaskConfig",
    "Tokenizer",
    "TokenizerError",
    "TrainingError",
    "TrainConfig",
    "get_task",
    "grammar_names",
    "list_tasks",
    "load_grammar",
    "load_run",
    "load_task_file",
    "node",
    "register_task",
    "train",
    "vector_op",
]
