"""A catalogue of bad inputs: each gets a clear error naming the problem and where it is.

CLI cases: exit status 2, no traceback, the message's telling phrase, and every file that
existed before byte-identical afterwards. Library cases: the specific arithseq error.
"""

import json
import math
import os
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import arithseq
from arithseq import (
    ArgumentError,
    ConfigError,
    EvaluationError,
    ExpressionError,
    GrammarError,
    Tokenizer,
    TokenizerError,
    TrainConfig,
    get_task,
    register_task,
)
from arithseq.cli import app
from arithseq.evaluation.folders import write_manifest
from arithseq.tasks.grammar import load_grammar
from arithseq.tasks.operators import NODES

runner = CliRunner()

TINY = [
    "--no-recipe", "-s", "largest=99", "-m", "attention", "-p", "units=8", "-p", "embedding_dim=4",
    "--epochs", "1", "--steps", "3", "--batch-size", "16", "--val-size", "16", "--test-size", "16",
    "--target", "0", "--no-jit", "--quiet", "--no-report",
]


def snapshot(folder: Path | None) -> dict:
    """Every entry under ``folder``: a file's bytes, a link's target, a folder or special file's kind."""
    if folder is None or not folder.exists():
        return {}
    out = {}
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        if path.is_symlink():
            out[key] = ("link", os.readlink(path))
        elif path.is_file():
            out[key] = path.read_bytes()
        else:
            out[key] = ("dir" if path.is_dir() else "special",)
    return out


def refused(args, phrase, folder=None, input=None, code=2):
    """Run the CLI; it must exit with ``code``, print ``phrase`` without a traceback, change nothing in ``folder``."""
    before = snapshot(folder)
    result = runner.invoke(app, [str(a) for a in args], input=input)
    assert result.exit_code == code, result.output[-2000:]
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert phrase in result.output, result.output[-2000:]
    assert snapshot(folder) == before
    return result


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "tiny"
    result = runner.invoke(app, ["train", *TINY, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def run(run_dir):
    return arithseq.load_run(run_dir)


@pytest.fixture
def damaged(run_dir, tmp_path):
    """A copy of the tiny run, damaged by ``fn``; ``rehash`` writes its manifest again (damage at writing)."""

    def make(fn, rehash=True):
        copy = tmp_path / "copy"
        shutil.copytree(run_dir, copy)
        fn(copy)
        if rehash:
            write_manifest(copy, finished=True)
        return copy

    return make


# -- 1. expressions -----------------------------------------------------------------------------
EXPRESSIONS = [
    ("addition", "", "empty expression"),
    ("addition", "   ", "empty expression"),
    ("addition", "abc", "unexpected character 'a' at column 1"),
    ("addition", "1*2", "unexpected character '*' at column 2; expected '+'"),
    ("addition", "(1+2", "unexpected character '(' at column 1"),
    ("addition", "1+", "unexpected end of expression at column 3"),
    ("addition", "1" * 5000 + "+1", "has 5,000 digits; arithseq reads numbers of at most 4,000"),
    ("addition", "١٢+3", "unexpected character '١' at column 1"),
    ("addition", "2²", "unexpected character '²' at column 2"),
    ("addition", "1+\n2", r"unexpected character '\n' at column 3"),
    ("addition", "1+\x002", r"unexpected character '\x00' at column 3"),
    ("addition", "1+" * 50_000, "unexpected end of expression at column 100001"),
    ("brackets", "((1)", "unexpected end of expression at column 5"),
    ("brackets", "1+)", "unexpected ')' at column 3; expected a number or '('"),
    ("brackets", "1/0", "division by zero in '1/0' (columns 1-3)"),
    ("mixed", "*".join(["99"] * 5000), "has more than 4,000 digits"),
]


@pytest.mark.parametrize("task, expression, phrase", EXPRESSIONS, ids=lambda v: v[:12] if isinstance(v, str) else None)
def test_solve_refuses_a_bad_expression(task, expression, phrase, tmp_path):
    result = refused(["solve", task, expression], phrase, tmp_path)
    assert len(result.output) < 1000  # a long input is shown cut, never echoed whole


@pytest.mark.parametrize("task, expression, phrase", EXPRESSIONS[:12], ids=lambda v: v[:12] if isinstance(v, str) else None)
def test_task_answer_refuses_a_bad_expression(task, expression, phrase):
    with pytest.raises(ExpressionError, match=re.escape(phrase)):
        get_task(task).answer(expression)


def test_a_long_expression_is_shown_cut_with_its_column():
    with pytest.raises(ExpressionError) as caught:
        get_task("addition").answer("1+" * 50_000)
    shown = str(caught.value).splitlines()
    assert shown[1].strip().startswith("...") and len(shown[1]) < 80
    assert shown[2].index("^") == len(shown[1])  # the caret sits just past the cut text's end


def test_control_characters_do_not_tear_the_caret_line():
    result = refused(["solve", "addition", "1+\n2"], "column 3")
    lines = result.output.splitlines()
    assert lines[1] == "  1+\u240a2" and lines[2] == "    ^"


def test_evaluate_with_a_division_by_zero_names_the_columns():
    with pytest.raises(EvaluationError, match=r"division by zero in '1/\(2-2\)' \(columns 1-7\)"):
        get_task("brackets").evaluate("1/(2-2)")


# -- 2. grammars --------------------------------------------------------------------------------
GRAMMARS = [
    ("syntax", 'start: sum\nsum: number\n    | sum "+" number -> add\nnumber: DIGITS\nDIGITS: /[0-9]+/ (\n', "syntax.lark:5:19"),
    ("nonumber", '?start: sum\n?sum: value\n    | sum "+" value -> add\nvalue: DIGITS\nDIGITS: /[0-9]+/\n', "nonumber.lark: no 'number' rule"),
    ("badimport", '%import .nothere.DIGITS\n?start: sum\n?sum: number\n    | sum "+" number -> add\nnumber: DIGITS\n',
     "badimport.lark:1: %import .nothere.DIGITS: no grammar nothere.lark"),
    ("unknownnode", '?start: sum\n?sum: number\n    | sum "+" number -> plus\nnumber: DIGITS\nDIGITS: /[0-9]+/\n',
     "unknownnode.lark:3: node 'plus' has no meaning"),
    ("undefined", '?start: sum\n?sum: number\n    | sum "+" thing -> add\nnumber: DIGITS\nDIGITS: /[0-9]+/\n',
     "undefined.lark:3: Rule 'thing' used but not defined"),
    ("nostart", '?sum: number\n    | sum "+" number -> add\nnumber: DIGITS\nDIGITS: /[0-9]+/\n', "nostart.lark: no 'start' rule"),
    ("terminal", '?start: sum\n?sum: number\n    | sum PLUS number -> add\nnumber: DIGITS\nPLUS: "+"\nDIGITS: /[0-9]+/\n',
     "terminal.lark:3: terminal PLUS would appear in the tree"),
    ("empty", "// nothing here\n\n", "empty.lark: the grammar is empty"),
    ("binary", bytes(range(256)) * 4, "binary.lark:2: not a text grammar"),
]


@pytest.mark.parametrize("name, text, phrase", GRAMMARS, ids=[g[0] for g in GRAMMARS])
def test_a_bad_grammar_is_named_by_file_and_line(name, text, phrase, tmp_path):
    grammar = tmp_path / f"{name}.lark"
    grammar.write_bytes(text if isinstance(text, bytes) else text.encode())
    (tmp_path / "task.toml").write_text(f'grammar = "{name}.lark"\n')
    refused(["solve", tmp_path / "task.toml", "1+2"], phrase, tmp_path)
    with pytest.raises(GrammarError, match=re.escape(phrase)):
        load_grammar(grammar)


def test_a_number_terminal_that_allows_letters_refuses_them_by_column(tmp_path):
    (tmp_path / "letters.lark").write_text('?start: sum\n?sum: number\n    | sum "+" number -> add\nnumber: DIGITS\nDIGITS: /[0-9a-z]+/\n')
    (tmp_path / "task.toml").write_text('grammar = "letters.lark"\n')
    refused(["solve", tmp_path / "task.toml", "1+12a"], "number '12a' at column 3 is not a whole number", tmp_path)


def test_a_missing_grammar_file_is_named(tmp_path):
    (tmp_path / "task.toml").write_text('grammar = "nowhere.lark"\n')
    refused(["solve", tmp_path / "task.toml", "1+2"], "nowhere.lark does not exist", tmp_path)


@pytest.mark.parametrize("value", [5, None, ["addition"]])
def test_grammar_of_the_wrong_type_is_an_argument_error(value):
    with pytest.raises(ArgumentError, match="got"):
        load_grammar(value)


def test_grammar_text_of_the_wrong_type_is_an_argument_error():
    with pytest.raises(ArgumentError, match="the grammar text must be a string, got int 5"):
        arithseq.Grammar(5)


# -- 3. task options and task files ---------------------------------------------------------------
TASK_OPTIONS = [
    ("addition", "termz=3", "unknown task option 'termz'; did you mean 'terms'?"),
    ("addition", "terms=x", "option 'terms' must be a whole number or a range like 2-4, got 'x'"),
    ("addition", "terms=-1", "option 'terms' must be at least 1, got -1"),
    ("addition", "terms=4-2", "option 'terms': range 4-2 is empty"),
    ("addition", "terms=100", "option 'terms' allows at most 64 numbers"),
    ("addition", "values=9-1", "option 'values': range 9-1 is empty"),
    ("addition", "largest=10**9999", "option 'largest' must be a whole number"),
    ("addition", "largest=0", "option 'largest' must be at least 1"),
    ("addition", "digits=100000", "option 'digits' must be between 1 and 1000"),
    ("addition", "pad_terms=maybe", "option 'pad_terms' must be true or false, got 'maybe'"),
    ("addition", "brackets=-1", "option 'brackets' must not be negative"),
    ("addition", "brackets=nan", "option 'brackets' must be a finite number"),
    ("mixed", "operators=+=-1", "option 'operators[+]' must not be negative"),
    ("mixed", "operators=^", "option 'operators': '^' is not an operator of grammar 'arithmetic'"),
    ("addition", "division=floor", "option 'division' must be 'exact' or 'rational', got 'floor'"),
    ("addition", "target=bogus", "option 'target' must be one of"),
    ("addition", "pad=7", "option 'pad' must be one non-digit character"),
    ("addition", "depth=99", "option 'depth' must be between 0 and 16"),
    ("addition", "carry_chains=2", "option 'carry_chains' is a share in [0, 1]"),
    ("addition", "noequals", "--set expects KEY=VALUE, got 'noequals'"),
]


@pytest.mark.parametrize("task, pair, phrase", TASK_OPTIONS, ids=[p for _, p, _ in TASK_OPTIONS])
def test_generate_refuses_a_bad_task_option(task, pair, phrase, tmp_path):
    refused(["generate", task, "-s", pair], phrase, tmp_path)


TASK_FILES = [
    ("terms = 2\nvalues = [1, \n", "invalid TOML at line 2"),
    ("[task\nterms = 2\n", "invalid TOML at line 1, column 6"),
    ("termz = 3\n", "unknown task option 'termz'; did you mean 'terms'?"),
    ("[extra]\nx = 1\n", "unknown task option 'extra'"),
    ('terms = "two"\n', "option 'terms' must be a whole number or a range like 2-4, got 'two'"),
    ("reverse_input = 3.5\n", "option 'reverse_input' must be true or false, got 3.5"),
    ("grammar = 5\n", "option 'grammar' must be text, got int 5"),
    ('base = "additoin"\n', "field 'base': unknown task 'additoin'"),
]


@pytest.mark.parametrize("text, phrase", TASK_FILES, ids=[t[:12] for t, _ in TASK_FILES])
def test_a_bad_task_file_is_named_with_its_problem(text, phrase, tmp_path):
    (tmp_path / "task.toml").write_text(text)
    refused(["generate", tmp_path / "task.toml"], f"task.toml: {phrase}" if "TOML" not in phrase else phrase, tmp_path)


def test_a_missing_task_file_is_named(tmp_path):
    refused(["generate", tmp_path / "nothere.toml"], "nothere.toml: file not found", tmp_path)


# -- 4. CLI options and outputs -------------------------------------------------------------------
@pytest.mark.parametrize(
    "args, phrase",
    [
        (["-n", str(10**13)], "a table holds every example in memory (at most 20,000,000)"),
        (["-s", "largest=5", "--unique", "-n", "100"], "too few distinct expressions"),
        (["--seed", "-1"], "--seed must be in 0..4294967295, got -1"),
        (["--seed", str(2**32)], "--seed must be in 0..4294967295, got 4294967296"),
        (["--format", "xml"], "'xml' is not one of"),
        (["-n", "-3"], "Invalid value for '-n'"),
        (["addtion"], "unknown task 'addtion'; did you mean 'addition'?"),
    ],
    ids=["huge-n", "unique", "seed-neg", "seed-big", "format", "n-neg", "task"],
)
def test_generate_refuses_bad_options(args, phrase, tmp_path):
    refused(["generate", *args], phrase, tmp_path)


def _special(tmp_path: Path, kind: str) -> Path:
    (tmp_path / "old.csv").write_text("input,target\nkeep,me\n")
    if kind == "existing":
        return tmp_path / "old.csv"
    if kind == "directory":
        (tmp_path / "dir").mkdir()
        return tmp_path / "dir"
    if kind == "symlink":
        (tmp_path / "link.csv").symlink_to(tmp_path / "old.csv")
        return tmp_path / "link.csv"
    if kind == "fifo":
        os.mkfifo(tmp_path / "fifo")
        return tmp_path / "fifo"
    if kind == "parent-is-file":
        return tmp_path / "old.csv" / "new.csv"
    if kind == "device":
        return Path(os.devnull)
    (tmp_path / "ro").mkdir()
    os.chmod(tmp_path / "ro", 0o555)
    return tmp_path / "ro" / "new.csv"


OUTPUTS = [
    ("existing", "already exists; pass --force to replace it"),
    ("directory", "is a directory; give a file name"),
    ("symlink", "is a symbolic link"),
    ("fifo", "is not a regular file (a device, FIFO or socket)"),
    ("parent-is-file", "old.csv is a file, not a directory"),
    ("device", "is not a regular file"),
    pytest.param("read-only", "is not writable", marks=pytest.mark.skipif(
        hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores permissions")),
]


@pytest.mark.parametrize("kind, phrase", OUTPUTS)
def test_generate_out_refuses_a_bad_place(kind, phrase, tmp_path):
    target = _special(tmp_path, kind)
    refused(["generate", "-n", "3", "-f", "csv", "-o", target], phrase, tmp_path)
    assert (tmp_path / "old.csv").read_text() == "input,target\nkeep,me\n"


def test_train_refuses_a_bad_model_parameter_or_option(tmp_path):
    """Several refusals in one: none of them creates a run folder."""
    cases = [
        (["-m", "atention"], "unknown model 'atention'; did you mean 'attention'?"),
        (["-p", "unitz=3"], "unknown option 'unitz'; did you mean 'units'?"),
        (["-p", "units=abc"], "option 'units' must be a whole number, got 'abc'"),
        (["-p", "units=-3"], "units and embedding_dim must be positive"),
        (["--epochs", "0"], "'epochs' must be at least 1, got 0"),
        (["--seed", str(2**32)], "'seed' must be in 0..4294967295, got 4294967296"),
        (["--seed", "-1"], "'seed' must be in 0..4294967295, got -1"),
        (["--lr", "nan"], "'learning_rate' must be a finite number"),
        (["-t", "clipnorm=x"], "option 'clipnorm' must be a number, got 'x'"),
        (["-t", "epoch=3"], "unknown option 'epoch'; did you mean 'epochs'?"),
        (["-s", "terms=2-3", "--mix", "term_weights=2=1,4=1"], "option 'term_weights' weighs 4 terms, outside 'terms' 2-3"),
    ]
    for args, phrase in cases:
        refused(["train", *TINY, *args, "--out", tmp_path / "new"], phrase, tmp_path)
        assert not (tmp_path / "new").exists() and not (tmp_path / "new.partial").exists()


TRAIN_CONFIGS = [
    ('[train]\nepochs = "many"\n', "[train]: option 'epochs' must be a whole number, got 'many'"),
    ("[train\nepochs = 3\n", "invalid TOML at line 1, column 7"),
    ("[trian]\nepochs = 3\n", "unknown section(s) trian"),
    ("[train]\nepoch = 3\n", "field 'train.epoch' is not a training option"),
    ("train = 3\n", "field 'train' must be a [train] table"),
]


@pytest.mark.parametrize("text, phrase", TRAIN_CONFIGS, ids=["type", "syntax", "section", "field", "table"])
def test_train_refuses_a_bad_config_file(text, phrase, tmp_path):
    (tmp_path / "config.toml").write_text(text)
    refused(["train", "--config", tmp_path / "config.toml", "--out", tmp_path / "new"], f"config.toml: {phrase}", tmp_path)


def test_train_out_onto_a_file_or_a_finished_run_is_refused(run_dir, tmp_path):
    (tmp_path / "file").write_text("mine")
    refused(["train", *TINY, "--out", tmp_path / "file"], "is a file, not a folder", tmp_path)
    refused(["train", *TINY, "--out", run_dir], "already holds files; choose another --out or pass --overwrite", run_dir)


EVALUATE = [
    ("missing", [], "no such run folder"),
    ("file", [], "is a file, not a run folder"),
    ("run", ["-n", "0"], "Invalid value for '-n'"),
    ("run", ["-n", str(10**12)], "must be between 1 and 1,000,000, got 1,000,000,000,000"),
    ("run", ["-s", "reverse_output=true"], "option(s) reverse_output set how problems and answers are written"),
    ("run", ["-s", "termz=3"], "unknown task option 'termz'; did you mean 'terms'?"),
    ("run", ["--seed", "-4"], "the seed must be in 0..4294967295, got -4"),
]


@pytest.mark.parametrize("which, args, phrase", EVALUATE, ids=["missing", "file", "n0", "nhuge", "format", "option", "seed"])
def test_evaluate_refuses(which, args, phrase, run_dir, tmp_path):
    (tmp_path / "file").write_text("x")
    path = {"missing": tmp_path / "missing", "file": tmp_path / "file", "run": run_dir}[which]
    refused(["evaluate", path, *args], phrase, run_dir)


def test_predict_reports_bad_lines_by_number_and_keeps_their_place(run_dir):
    lines = ["1+2", "abc", "", "3+4", "1*2", "1" * 5000 + "+1"]
    result = refused(["predict", run_dir], "error: line 2: unexpected character 'a' at column 1", run_dir, input="\n".join(lines) + "\n")
    assert "error: line 5: unexpected character '*' at column 2" in result.output
    assert "error: line 6: the number at column 1 has 5,000 digits" in result.output
    assert "error: 3 of 6 lines could not be answered" in result.output
    answers = result.stdout.split("\n")[:6]
    assert [bool(a) for a in answers] == [True, False, False, True, False, False]


def test_predict_strict_refuses_numbers_outside_the_training_range(run_dir):
    refused(["predict", run_dir, "--strict", "1+2", "500+600"], "expression 2: 500 is outside the training range 1..99 (strict mode)", run_dir)


def test_predict_without_expressions_says_so(run_dir):
    refused(["predict", run_dir], "no expressions given", run_dir, input="")


def _edit(name, old, new):
    def fn(folder):
        path = folder / name
        path.write_text(path.read_text().replace(old, new, 1))
    return fn


DAMAGE = [
    ("manifest-not-json", lambda p: (p / "manifest.json").write_text("{not json"), False, "manifest.json: not valid JSON"),
    ("manifest-format", lambda p: (p / "manifest.json").write_text("[]"), False, "manifest.json: field 'format' must be 'arithseq.run'"),
    ("no-manifest", lambda p: (p / "manifest.json").unlink(), False, "no manifest.json"),
    ("changed-file", lambda p: (p / "history.csv").write_text("changed\n"), False, "history.csv changed since the run was written (its SHA-256"),
    ("config-missing", lambda p: (p / "config.toml").unlink(), False, "config.toml is listed in the manifest but missing"),
    ("config-gone", lambda p: (p / "config.toml").unlink(), True, "config.toml: file not found"),
    ("config-train-type", _edit("config.toml", "epochs = 1", 'epochs = "one"'), True, "config.toml: [train]: option 'epochs' must be a whole number"),
    ("config-model-type", _edit("config.toml", "units = 8", 'units = "eight"'), True, "config.toml: [model]: model 'attention': option 'units'"),
    ("config-task-type", _edit("config.toml", "values = [1, 99]", 'values = "many"'), True, "config.toml: [task]: option 'values'"),
    ("config-not-toml", lambda p: (p / "config.toml").write_text("this is [not toml"), True, "config.toml: invalid TOML at line 1"),
    ("tokenizer-not-json", lambda p: (p / "tokenizer.json").write_text("{not json"), True, "tokenizer.json: invalid JSON at line 1 column 2"),
    ("tokenizer-field", _edit("tokenizer.json", '"input_length": 5', '"input_length": "x"'), True, "tokenizer.json: field 'input_length'"),
    ("model-not-keras", lambda p: (p / "model.keras").write_bytes(b"garbage"), True, "model.keras: not a Keras model file"),
    ("unfinished", lambda p: write_manifest(p, finished=False), False, "the run did not finish"),
]


@pytest.mark.parametrize("name, fn, rehash, phrase", DAMAGE, ids=[d[0] for d in DAMAGE])
def test_predict_names_the_damaged_file_of_a_run(name, fn, rehash, phrase, damaged):
    folder = damaged(fn, rehash)
    refused(["predict", folder, "1+2"], phrase, folder)


# -- 5. library calls with wrong types -------------------------------------------------------------
LIBRARY = [
    ("get_task(3)", lambda: get_task(3), ArgumentError, "the task must be a name or the path of a .toml file, got int 3"),
    ("get_task(additoin)", lambda: get_task("additoin"), ConfigError, "did you mean 'addition'?"),
    ("get_task(termz)", lambda: get_task("addition", termz=3), ConfigError, "did you mean 'terms'?"),
    ("get_task(terms=True)", lambda: get_task("addition", terms=True), ConfigError, "option 'terms' must be a whole number"),
    ("get_task(grammar=5)", lambda: get_task("addition", grammar=5), ConfigError, "option 'grammar' must be text, got int 5"),
    ("sample(ten)", lambda: get_task("addition").sample("ten"), ArgumentError, "the number of examples must be a whole number, got str 'ten'"),
    ("sample(2.5)", lambda: get_task("addition").sample(2.5), ArgumentError, "must be a whole number, got float 2.5"),
    ("sample(-1)", lambda: get_task("addition").sample(-1), ConfigError, "the number of examples must be at least 0, got -1"),
    ("sample(seed=-5)", lambda: get_task("addition").sample(10, seed=-5), ConfigError, "seed must be in 0..4294967295, got -5"),
    ("sample(seed=a)", lambda: get_task("addition").sample(10, seed="a"), ArgumentError, "seed must be a whole number, got str 'a'"),
    ("batches(x)", lambda: next(iter(get_task("addition").batches("x"))), ArgumentError, "must be a whole number, got str 'x'"),
    ("split(list)", lambda: get_task("addition").split([1]), ArgumentError, "split expects a dict of set names and sizes"),
    ("read(str)", lambda: get_task("addition").read("1+2"), ArgumentError, "expressions must be a sequence of strings, got str"),
    ("evaluate(None)", lambda: get_task("addition").evaluate(None), ArgumentError, "the expression must be a string, got NoneType None"),
    ("answer(None)", lambda: get_task("addition").answer(None), ArgumentError, "the expression must be a string, got NoneType None"),
    ("answer(12)", lambda: get_task("addition").answer(12), ArgumentError, "the expression must be a string, got int 12"),
    ("answer(bytes)", lambda: get_task("addition").answer(b"1+2"), ArgumentError, "got bytes"),
    ("Tokenizer(123)", lambda: Tokenizer(123, 5, 2), ArgumentError, "alphabet must be a string, got int 123"),
    ("Tokenizer(len str)", lambda: Tokenizer("0123", "5", 2), ArgumentError, "input_length must be a whole number, got str '5'"),
    ("Tokenizer(len -5)", lambda: Tokenizer("0123", -5, 2), ConfigError, "input_length must be at least 0, got -5"),
    ("encode(mixed)", lambda: Tokenizer("0123+", 5, 2).encode(["1+2", 3]), ArgumentError, "item 2 is int 3"),
    ("encode(char)", lambda: Tokenizer("0123+", 5, 2).encode(["1*2"]), TokenizerError, "unknown character '*' at column 2"),
    ("encode(long)", lambda: Tokenizer("0123+", 5, 2).encode(["1+2222"]), TokenizerError, "has 6 characters; this tokenizer fits at most 5"),
    ("TrainConfig(epochs=3)", lambda: TrainConfig(epochs="3"), TypeError, "training option 'epochs' must be a whole number, got str '3'"),
    ("TrainConfig(lr=inf)", lambda: TrainConfig(learning_rate=math.inf), ConfigError, "'learning_rate' must be a finite number"),
    ("TrainConfig(task_options)", lambda: TrainConfig(task_options=[1]), ConfigError, "'task_options' must be a table of options"),
    ("register dup", lambda: register_task("addition", terms=3), ConfigError, "task 'addition' is already registered; pass replace=True"),
    ("register spaces", lambda: register_task("a b"), ConfigError, "task names must be non-empty strings without spaces"),
    ("node dup", lambda: NODES.register("add", None), ConfigError, "operator 'add' is already registered"),
]


@pytest.mark.parametrize("label, call, error, phrase", LIBRARY, ids=[c[0] for c in LIBRARY])
def test_library_calls_refuse_wrong_arguments(label, call, error, phrase):
    with pytest.raises(error, match=re.escape(phrase)) as caught:
        call()
    assert isinstance(caught.value, arithseq.ArithseqError)


RUN_CALLS = [
    ("predict(12)", lambda run: run.predict(12), ArgumentError, "must be a sequence of strings, got int 12"),
    ("predict(None)", lambda run: run.predict(["1+2", None]), ArgumentError, "item 2 is NoneType None"),
    ("predict(line break)", lambda run: run.predict(["1+2", "3+\n4"]), ExpressionError, "expression 2 '3+\\n4' holds a line break at column 3"),
    ("predict(100k)", lambda run: run.predict("1+" * 50_000 + "1"), ExpressionError, "is 100,001 characters long in the task's spelling; arithseq predicts at most 4,096"),
    ("predict(bad)", lambda run: run.predict(["1+2", "1+x"]), ExpressionError, "expression 2: unexpected character 'x' at column 3"),
    ("evaluate(n=5)", lambda run: run.evaluate(n="5"), ArgumentError, "must be a whole number, got str '5'"),
    ("evaluate(seed)", lambda run: run.evaluate(seed=2**40), ConfigError, "the seed must be in 0..4294967295"),
    ("evaluate(option)", lambda run: run.evaluate(termz=3), ConfigError, "did you mean 'terms'?"),
    ("evaluate(format)", lambda run: run.evaluate(reverse_input=True), ConfigError, "option(s) reverse_input set how problems"),
    ("answer(5)", lambda run: run.answer(5), ArgumentError, "must be a sequence of strings, got int 5"),
]


@pytest.mark.parametrize("label, call, error, phrase", RUN_CALLS, ids=[c[0] for c in RUN_CALLS])
def test_run_calls_refuse_wrong_arguments(label, call, error, phrase, run):
    with pytest.raises(error, match=re.escape(phrase)):
        call(run)


# -- 6. deep and huge expressions -------------------------------------------------------------------
@pytest.mark.parametrize("terms", [500, 5000])
def test_long_sums_are_evaluated_without_recursion(terms):
    expression = "+".join(["1"] * terms)
    assert get_task("terms").evaluate(expression) == terms
    assert get_task("addition").grammar.evaluate(expression) == terms
    assert runner.invoke(app, ["solve", "terms", expression]).output.strip() == str(terms)


def test_deep_brackets_are_evaluated_without_recursion():
    assert get_task("brackets").evaluate("(" * 3000 + "7" + ")" * 3000) == 7
    assert get_task("brackets").evaluate("-(" * 3001 + "7" + ")" * 3001) == -7


# -- 7. a diverging training run ------------------------------------------------------------------------
DIVERGE = ["--lr", "1e38", "-t", "clipnorm=0", "-t", "lr_half_life=0", "--epochs", "2", "--steps", "5"]


def test_a_diverging_run_stops_with_a_clear_error_and_no_finished_run(tmp_path):
    out = tmp_path / "nan"
    refused(["train", *TINY, *DIVERGE, "--out", out], "training diverged: the loss became nan in epoch 1", None)
    assert not out.exists()  # nothing claims to be a finished run
    assert not json.loads((tmp_path / "nan.partial" / "manifest.json").read_text())["finished"]


def test_a_diverging_run_leaves_the_run_it_would_overwrite(run_dir, tmp_path):
    old = tmp_path / "old"
    shutil.copytree(run_dir, old)
    refused(["train", *TINY, *DIVERGE, "--overwrite", "--out", old], "lower the learning rate (--lr)", old)
    assert arithseq.load_run(old).predict("1+2")
