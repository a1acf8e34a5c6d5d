"""Named tasks: the built-in ones, yours (``register_task``), and task files (``.toml``)."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ArgumentError, ConfigError
from ..options import Registry, got, read_toml
from .options import TaskConfig, make_config
from .task import Task


@dataclass(frozen=True)
class TaskEntry:
    config: TaskConfig
    description: str
    # named recipes: recommended training settings (TrainConfig fields); the first is the default
    recipes: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def default_recipe(self) -> str:
        return next(iter(self.recipes), "")

    @property
    def recipe(self) -> dict[str, Any]:
        """The default recipe (empty where the task has none)."""
        return self.recipes.get(self.default_recipe, {})


TASKS: Registry[TaskEntry] = Registry("task")


def register_task(
    name: str,
    config: TaskConfig | None = None,
    *,
    description: str = "",
    recipe: dict[str, Any] | None = None,
    recipes: dict[str, dict[str, Any]] | None = None,
    replace: bool = False,
    **options: Any,
) -> TaskConfig:
    """Register the task ``name``: a base config plus option overrides (``replace=True`` to redefine one).

    ``recipes`` names recommended training settings (fields of ``TrainConfig``, such as
    ``task_options``, ``model``, ``mixture``, ``epochs``): ``arithseq train NAME`` starts from the
    first, ``arithseq train NAME --recipe R`` from ``R``. ``recipe`` alone is one recipe named
    ``default``.
    """
    config = make_config(config or TaskConfig(), options)
    named = dict(recipes or {})
    if recipe is not None:
        named = {"default": dict(recipe), **named}
    TASKS.register(name, TaskEntry(config, description, named), replace=replace)
    return config


def list_tasks() -> list[str]:
    return TASKS.names()


def get_task(name: str, **options: Any) -> Task:
    """The task ``name`` (a registered name or a ``.toml`` file), with options overridden."""
    if not isinstance(name, (str, Path)):
        raise ArgumentError(f"the task must be a name or the path of a .toml file, got {type(name).__name__} {got(name)}")
    if str(name).endswith(".toml"):
        name, config = load_task_file(name)
    else:
        config = TASKS.get(name).config
    return cached_task(name, make_config(config, options) if options else config)


def resolve_task(name: str, options: dict[str, Any]) -> Task:
    """A registered task or task file with overrides; a name registered elsewhere needs its full options."""
    if name in TASKS or str(name).endswith(".toml"):
        return get_task(name, **options)
    if "grammar" not in options:
        raise ConfigError(f"unknown task {name!r} and no grammar given to rebuild it")
    return cached_task(name, make_config(TaskConfig(), options))


def derived_task(task: Task, options: dict[str, Any]) -> Task:
    """``task`` with ``options`` changed, every other option as it is: a run's task judged with other
    terms, a training mixture, a curriculum level (a new ``terms`` keeps only the weights inside it)."""
    return cached_task(task.name, task.config.replace(**options))


@functools.lru_cache(maxsize=32)
def cached_task(name: str, config: TaskConfig) -> Task:
    return Task(name, config)


def load_task_file(path: str | Path) -> tuple[str, TaskConfig]:
    """Read a task from TOML: optional ``name``, ``base`` (a registered task) and any task option.

    Relative ``grammar`` and ``python`` paths are relative to the file.
    """
    path = Path(path)
    data = read_toml(path)
    name = str(data.pop("name", path.stem))
    base = data.pop("base", None)
    data.pop("description", None)
    if base is not None and base not in TASKS:
        raise ConfigError(f"{path}: field 'base': unknown task {base!r} (known: {', '.join(list_tasks())})")
    config = TASKS.get(base).config if base else TaskConfig()
    grammar = data.get("grammar")
    if isinstance(grammar, str) and grammar.endswith(".lark"):
        data["grammar"] = str((path.parent / grammar).resolve())
    if "python" in data:
        files = [data["python"]] if isinstance(data["python"], str) else list(data["python"])
        data["python"] = [str((path.parent / f).resolve()) for f in files]
    try:
        config = make_config(config, data)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    return name, config


# one token per column of digits, least significant first, answers zero-padded: addition by hand
COLUMNS = {"input_format": "columns", "reverse_input": True, "reverse_output": True, "pad_answer": True}
# a GRU writes one answer digit per column, carrying in its state. Every digit count equally likely in
# training (1+1 is as common as 123+456) and a tenth of sums that carry in every column (999+1); nothing
# in the network depends on the number of columns, so it adds numbers longer than it ever saw
COLUMN_SUMS = dict(
    task_options=COLUMNS,
    model="column-gru",
    mixture={"numbers": "by-digits", "carry_runs": 0.1},
    learning_rate=0.01,
    lr_half_life=500,
    target=1.0,
)
# the network reads column i, column i-1 and the digit it wrote for column i-1: the carry follows from
# those, so no memory has to hold it and a carry travels through any number of columns that sum to 9
FEEDBACK_SUMS = dict(
    task_options=COLUMNS,
    model="column-feedback",
    mixture={"numbers": "by-digits", "carry_chains": 0.1},
    learning_rate=0.005,
    lr_half_life=1000,
    target=1.0,
)

# a small encoder-decoder Transformer writing a whole scratchpad in one decode (single-pass recipes)
SCRATCHPAD_TRANSFORMER = dict(
    model="transformer",
    model_options={"dim": 128, "heads": 4, "layers": 2, "ff": 256},
    learning_rate=0.002,
    lr_half_life=3000,
    steps_per_epoch=100,
    val_size=1000,
    target=1.0,
    epochs=400,
)

# a decoder-only Transformer (arithseq.models.gpt) writing the sum least significant digit first; the
# position scheme is the variable (position coupling, Cho et al. 2024). Trained on 1-10-digit numbers
# (every digit count equally likely, a tenth pure carry chains): five columns are too few for a small
# decoder to learn sharp alignments. Every scheme gets the same data, budget and seed
GPT_SUMS = dict(
    task_options={"values": [0, 9_999_999_999], "reverse_output": True, "align_terms": True},
    model="gpt",
    model_options={"dim": 128, "heads": 4, "layers": 1, "ff": 512, "max_position": 256},
    mixture={"numbers": "by-digits", "carry_chains": 0.1},
    batch_size=128,
    learning_rate=0.001,
    lr_half_life=4000,
    steps_per_epoch=200,
    val_size=1000,
    target=1.0,
    min_epochs=70,  # the held-out set is right long before longer numbers are: train the whole budget
    epochs=70,
    max_minutes=9,
)
# coupled ids as attention biases by difference of places, a digit attending only to digits within two
# places of its own: what it learns is the same at every length (1-10-digit sums learned in about two
# minutes, then right at 100 digits), so it stops once every validation stratum is right
GPT_RELATIVE = {
    **GPT_SUMS,
    "model_options": {**GPT_SUMS["model_options"], "positions": "coupled-relative", "window": 2},
    "min_epochs": 10,
    "max_minutes": 5,
}
GPT_SCHEMES = ("coupled", "coupled-rope", "abacus", "absolute", "sinusoidal", "rope", "randomized", "none")


def gpt_recipes(base: dict, schemes=GPT_SCHEMES, **changes) -> dict[str, dict]:
    """One recipe per position scheme, ``gpt-SCHEME`` (``none`` is named ``gpt-nope``)."""
    recipes = {}
    for scheme in schemes:
        options = {**base["model_options"], "positions": scheme}
        recipes[f"gpt-{'nope' if scheme == 'none' else scheme}"] = {**base, "model_options": options, **changes}
    return recipes


register_task(
    "addition",
    description="two numbers 1..999 added, the tutorial's task (n_numbers/largest change it)",
    grammar="addition",
    terms=2,
    values=(1, 999),
    recipes={
        "single-pass": {**COLUMN_SUMS, "min_epochs": 24, "epochs": 60},
        # the decoder-only Transformer with coupled positions, on the tutorial's own task
        "gpt-coupled": {
            **GPT_SUMS,
            "task_options": {"reverse_output": True, "align_terms": True},
            "model_options": {**GPT_SUMS["model_options"], "positions": "coupled", "max_position": 64},
            "min_epochs": 20,
            "epochs": 60,
            "max_minutes": 6,
        },
    },
)
register_task(
    "long-addition",
    description="two numbers of 1-5 digits added; judged on longer ones (arithseq study length)",
    grammar="addition",
    terms=2,
    values=(0, 99_999),
    recipes={
        "single-pass": {**FEEDBACK_SUMS, "min_epochs": 20, "epochs": 60, "max_minutes": 2},
        # the GRU carries in its state: right on uniform long sums, loses a carry after ~9 columns of 9s
        "column-gru": {**COLUMN_SUMS, "min_epochs": 30, "epochs": 80},
        **gpt_recipes(GPT_SUMS),
        "gpt-coupled-relative": GPT_RELATIVE,
    },
)
register_task(
    "terms",
    description="2-4 numbers 1..99 added; judged on more terms than trained (arithseq study length --terms)",
    grammar="addition",
    terms=(2, 4),
    values=(1, 99),
    recipes={
        # one operation at a time: the network adds two numbers column by column (running sums), a
        # decoding loop feeds each sum back in; its figures are reported apart from single-pass models
        "loop": dict(
            task_options={**COLUMNS, "target": "steps"},
            model="column-gru",
            mixture={"numbers": "by-digits"},
            learning_rate=0.01,
            lr_half_life=500,
            target=1.0,
            min_epochs=30,
            epochs=80,
        ),
        # every number's digit of a column in one token (four numbers: 10,000 ids); the digit written
        # before tells the carry (up to 3) into the next column
        "single-pass": {**FEEDBACK_SUMS, "mixture": {"numbers": "by-digits"}, "min_epochs": 30, "epochs": 120, "max_minutes": 10},
        # three numbers of 1-10 digits, coupled positions: every place has one digit of each number
        "gpt-coupled-3": {
            **GPT_SUMS,
            "task_options": {**GPT_SUMS["task_options"], "terms": 3},
            "model_options": {**GPT_SUMS["model_options"], "positions": "coupled"},
            "mixture": {"numbers": "by-digits"},
        },
        "gpt-coupled-relative-3": {**GPT_RELATIVE, "task_options": {**GPT_SUMS["task_options"], "terms": 3}, "mixture": {"numbers": "by-digits"}},
    },
)
register_task(
    "add-sub",
    description="2-3 numbers 0..999 with + and -",
    grammar="arithmetic",
    terms=(2, 3),
    values=(0, 999),
    operators="+-",
    recipes={
        # one token per column holds the digits of all three numbers and both operators; a
        # bidirectional GRU reads the columns both ways (the sign of a difference depends on its top
        # digits), a GRU then writes the magnitude least significant digit first and the sign last
        "single-pass": dict(
            task_options=COLUMNS,
            model="column-gru",
            model_options={"units": 96, "embedding_dim": 48, "layers": 2, "bidirectional": True},
            mixture={"numbers": "by-digits"},
            learning_rate=0.005,
            lr_half_life=1500,
            steps_per_epoch=100,
            target=1.0,
            min_epochs=80,
            epochs=200,
            max_minutes=9,
        ),
    },
)
register_task(
    "mixed",
    description="2-3 numbers 0..99 with + - * (add operators='+-*/' for exact division)",
    grammar="arithmetic",
    terms=(2, 3),
    values=(0, 99),
    operators="+-*",
    recipes={
        # one operation at a time, in the order of precedence; each step is read column by column:
        # digit i of both numbers for + and -, digit i of the left factor and the whole right one
        # (below 100) for *. Training leans on products (their carries are the hard part)
        "loop": dict(
            task_options={**COLUMNS, "target": "steps"},
            model="column-gru",
            model_options={"units": 128, "embedding_dim": 48, "layers": 2, "bidirectional": True},
            mixture={"numbers": "uniform", "operators": "+=1,-=1,*=6"},
            learning_rate=0.005,
            lr_half_life=2500,
            steps_per_epoch=100,
            val_size=1000,
            target=1.0,
            min_epochs=200,
            epochs=400,
            max_minutes=9.5,
        ),
        # the whole reduction written in one decode: every step "a op b=r" with a product's partial
        # products first, then the answer, every number least significant digit first (so each sum is
        # written in the order its carries flow). A decoder-only Transformer writes it, each digit also
        # told its place in its number (places): digits of one place line up across the question and
        # the scratchpad. A signed sum is written as its ten's complement first (complements): its sign
        # comes out of the borrows instead of a comparison made before the first digit. Half the
        # training numbers are drawn by digit count, half uniformly: all by digit count, products of
        # two two-digit numbers were seen too rarely (all 10,000 products: 95.3% right against 99.5%).
        # Every product by a digit comes after its carries (carries): held-out products (`*`) 97.94%
        # against 94.54% without (max_position: above the loose bound of 375 characters on such a
        # scratchpad). 300 steps an epoch: validating 1,000 problems after every 100 steps (1.6 s
        # against 3.7 s for the steps) took 30% of the time; now 13%, 26% more steps in 9.5 minutes.
        # Every complement comes after its borrows (borrows): the missed borrows of signed
        # three-number sums were what was left (held-out 3 terms 98.88% against 94.19% without)
        "single-pass": dict(
            SCRATCHPAD_TRANSFORMER,
            model="gpt",
            model_options={"dim": 128, "heads": 4, "layers": 2, "ff": 512, "positions": "absolute", "max_position": 512, "places": True},
            learning_rate=0.002,
            steps_per_epoch=300,
            batch_size=32,  # more, smaller steps: two-number problems 99.58-99.91% over 3 seeds, 98.85-99.70% with 64
            task_options={"target": "products", "reverse_output": True, "complements": True, "carries": True, "borrows": True},
            mixture={"numbers": "by-digits:0.5", "operators": "+=1,-=1,*=2"},
            max_minutes=9.5,
        ),
    },
)
register_task(
    "brackets",
    description="2-4 one-digit numbers, + - * /, brackets to depth 2, unary minus, rational answers",
    grammar="brackets",
    terms=(2, 4),
    values=(0, 9),
    depth=2,
    division="rational",
    recipes={
        # one operation at a time, a decoder-only Transformer writing each step's result least
        # significant digit first, each digit told its place. A step on a fraction is rewritten by the
        # rules of fractions into whole-number steps (fraction_rules: held-out 95.18% against 86.72% with
        # steps on fractions given whole, same budget). Steps come in very unequal numbers (four in five
        # are unary minus or on two one-digit numbers, a two-digit sum one in 500): each kind is kept up
        # to a share of the steps drawn (balance_steps), so the rare ones get several times the examples
        # (98.02% against 96.18% with a fifth of the easy steps kept, easy_steps=0.2; seeds 1 and 2 97.82%
        # and 97.16%). 300 steps an epoch: validating 1,000 problems through the loop takes 4 s, 43% of
        # an epoch of 100 steps (96.18% against 95.18%). A reduction is split prime by prime
        # (prime_reductions: two-digit reductions 87-93% right teacher forced against 50%; seeds 0/1/2
        # 97.50/98.22/97.94% against 98.02/97.82/97.16%). Training cuts each batch to its longest step
        # (4 characters on average in a width of 27): 35-40 epochs in 9 minutes instead of 24-25, seeds
        # 0/1/2 98.84/98.64/98.60%. A product by a digit is asked digit by digit (digit_products) and a
        # sum with a negative number without signs (unsigned_sums): the rare three-digit products and
        # two-digit sums become common kinds, seeds 0/1/2 99.46/99.24/99.24% (4 terms 98.85/98.38/98.38%); see the README
        "loop": dict(
            task_options={"target": "steps", "reverse_output": True, "fraction_rules": True, "prime_reductions": True,
                          "digit_products": True, "unsigned_sums": True},
            model="gpt",
            model_options={"dim": 128, "heads": 4, "layers": 2, "ff": 512, "positions": "absolute", "max_position": 64, "places": True},
            mixture={"balance_steps": 0.002},
            batch_size=64,
            learning_rate=0.001,
            lr_half_life=3000,
            steps_per_epoch=300,
            val_size=1000,
            target=1.0,
            epochs=400,
            max_minutes=9,
        ),
        # the whole reduction in one decode: every step "a op b=r" (fractions in brackets) then the
        # answer, written by a small encoder-decoder Transformer
        "single-pass": dict(SCRATCHPAD_TRANSFORMER, task_options={"target": "trace"}, max_minutes=9),
    },
)
