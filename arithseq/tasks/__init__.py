"""Tasks: languages of arithmetic expressions defined by lark grammars plus options.

Read in data order: ``options`` (what a task can be told) -> ``grammar`` (the
language) and ``operators`` (what its nodes mean) -> ``sampler`` (random
derivations) -> ``exact`` (their values) -> ``rendering`` (their text) ->
``batch`` (the result) -> ``task`` (all of it together) -> ``registry`` (by name).
"""

from .batch import Batch, Example
from .grammar import Grammar, grammar_names, load_grammar
from .operators import Bound, node, vector_op
from .options import TaskConfig
from .registry import TASKS, get_task, list_tasks, load_task_file, register_task, resolve_task
from .reading import Reading
from .task import CHUNK, Task

__all__ = [
    "CHUNK",
    "TASKS",
    "Batch",
    "Bound",
    "Example",
    "Grammar",
    "Reading",
    "Task",
    "TaskConfig",
    "get_task",
    "grammar_names",
    "list_tasks",
    "load_grammar",
    "load_task_file",
    "node",
    "register_task",
    "resolve_task",
    "vector_op",
]
