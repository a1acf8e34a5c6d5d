import json

from typer.testing import CliRunner

from arithseq.cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(args))


def test_help_everywhere():
    for command in ([], ["tasks"], ["generate"], ["solve"]):
        result = run(*command, "--help")
        assert result.exit_code == 0 and "Usage" in result.output


def test_tasks_lists_tasks_and_options():
    result = run("tasks")
    assert result.exit_code == 0
    for name in ("addition", "add-sub", "mixed", "brackets", "negative_results", "largest"):
        assert name in result.output


def test_generate_table_csv_and_jsonl():
    result = run("generate", "addition", "-n", "4", "--seed", "1")
    assert result.exit_code == 0 and len(result.output.strip().splitlines()) == 4 and " = " in result.output
    csv = run("generate", "addition", "-n", "3", "--seed", "1", "-f", "csv", "-s", "largest=10")
    lines = csv.output.strip().splitlines()
    assert lines[0] == "input,target" and len(lines) == 4
    for line in lines[1:]:
        expression, target = line.split(",")
        a, b = expression.split("+")
        assert int(a) + int(b) == int(target) and int(a) <= 10
    jl = run("generate", "brackets", "-n", "5", "--seed", "2", "-f", "jsonl")
    records = [json.loads(line) for line in jl.output.strip().splitlines()]
    assert len(records) == 5 and all({"input", "target", "value"} <= set(r) for r in records)


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
