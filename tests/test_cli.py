import json
import subprocess
import sys

from typer.testing import CliRunner

import arithseq
from arithseq.cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(args))


HELP = {
    (): ["tasks", "generate", "solve", "models", "train", "evaluate", "predict"],
    ("tasks",): [],
    ("generate",): ["task", "--count", "--seed", "--format", "--out", "--unique", "--set"],
    ("solve",): ["task", "expression", "--set"],
}


def test_help_names_every_command_and_option():
    for command, names in HELP.items():
        result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        for name in names:
            assert name in result.output, (command, name)


def test_python_dash_m_arithseq_is_the_arithseq_command():
    done = subprocess.run([sys.executable, "-m", "arithseq", "tasks"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "mixed" in done.stdout and "brackets" in done.stdout


def test_tasks_lists_tasks_and_options():
    result = run("tasks")
    assert result.exit_code == 0
    for name in ("addition", "add-sub", "mixed", "brackets", "negative_results", "largest"):
        assert name in result.output


def test_generate_table_csv_and_jsonl():
    result = run("generate", "addition", "-n", "4", "--seed", "1")
    expected = arithseq.get_task("addition").sample(4, 1)
    lines = result.output.splitlines()
    assert result.exit_code == 0 and len(lines) == 4
    for line, example in zip(lines, expected):
        assert line.split() == [example.input, "=", example.target]
    csv = run("generate", "addition", "-n", "3", "--seed", "1", "-f", "csv", "-s", "largest=10")
    lines = csv.output.strip().splitlines()
    assert lines[0] == "input,target" and len(lines) == 4
    for line in lines[1:]:
        expression, target = line.split(",")
        a, b = expression.split("+")
        assert int(a) + int(b) == int(target) and int(a) <= 10
    jl = run("generate", "brackets", "-n", "5", "--seed", "2", "-f", "jsonl")
    records = [json.loads(line) for line in jl.output.splitlines()]
    brackets = arithseq.get_task("brackets")
    assert len(records) == 5
    for record, example in zip(records, brackets.sample(5, 2)):
        assert record["input"] == example.input and record["target"] == example.target
        assert brackets.answer(record["input"]) == record["target"]


def test_generate_to_file_is_reproducible(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    assert run("generate", "mixed", "-n", "200", "--seed", "5", "-o", str(a)).exit_code == 0
    assert run("generate", "mixed", "-n", "200", "--seed", "5", "-o", str(b)).exit_code == 0
    assert a.read_text() == b.read_text() and len(a.read_text().splitlines()) == 201


def test_failed_generate_leaves_an_existing_file_alone(tmp_path):
    out = tmp_path / "data.csv"
    out.write_text("precious\n")
    result = run("generate", "addition", "-n", "30", "--unique", "-s", "largest=3", "-o", str(out))
    assert result.exit_code == 2 and "error:" in result.output
    assert out.read_text() == "precious\n"
    assert [p.name for p in tmp_path.iterdir()] == ["data.csv"]


def test_solve_prints_exact_answers():
    assert run("solve", "addition", "12+50").output.strip() == "62"
    assert run("solve", "brackets", "-3 - -6").output.strip() == "3"
    assert run("solve", "brackets", "(12/(-21))/((42952/588)/59)").output.strip() == "-6/13"


def test_errors_exit_nonzero_without_traceback():
    for args, message in [
        (["solve", "brackets", "12+*5"], "column 4"),
        (["solve", "brackets", "4/(2-2)"], "division by zero"),
        (["solve", "nosuch", "1"], "unknown task"),
        (["generate", "addition", "-s", "terms"], "KEY=VALUE"),
        (["generate", "addition", "-s", "bogus=1"], "unknown task option 'bogus'"),
    ]:
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output and "Traceback" not in result.output


def test_square_brackets_in_help_texts_are_shown_not_read_as_markup():
    """Rich reads "[task]" as a style tag and drops it: `train --help` once said "any file with , , "."""
    import re

    import typer

    def commands(group, path=()):
        for name, command in getattr(group, "commands", {}).items():
            yield (*path, name), command
            yield from commands(command, (*path, name))

    checked = 0
    for path, command in commands(typer.main.get_command(app)):
        bracketed = [p for p in command.params if "[" in (getattr(p, "help", None) or "")]
        if not bracketed:
            continue
        shown = " ".join(runner.invoke(app, [*path, "--help"], env={"COLUMNS": "300"}).output.split())
        for option in bracketed:
            for word in re.findall(r"\[[^\]\s]+\]", option.help.replace("\\", "")):
                assert word in shown, (path, option.name, word)
                checked += 1
    assert checked >= 3  # train's --config names [task], [model] and [train]
