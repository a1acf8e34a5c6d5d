from fractions import Fraction

import pytest

import arithseq
from arithseq import EvaluationError, ExpressionError, Grammar, GrammarError

NUMBER = 'number: DIGITS\nDIGITS: /[0-9]+/\n%ignore " "\n'


@pytest.mark.parametrize(
    "expression, value",
    [
        ("-3 - -6", 3),
        ("(12/(-21))/((42952/588)/59)", Fraction(-12, 21) / (Fraction(42952, 588) / 59)),
        ("-46 - (-3 - (16 - 25))", -52),
        ("2*3+4*5", 26),
        ("10-4-3", 3),
        ("-(2+3)*2", -10),
        ("7/2/7", Fraction(1, 2)),
    ],
)
def test_brackets_grammar_parses_and_evaluates_exactly(expression, value):
    assert arithseq.load_grammar("brackets").evaluate(expression) == value


def test_values_are_ints_when_whole_and_fractions_otherwise():
    g = arithseq.load_grammar("brackets")
    assert type(g.evaluate("8/4")) is int
    assert g.evaluate("1/3") == Fraction(1, 3)


@pytest.mark.parametrize(
    "grammar, expression, column, expected",
    [
        ("brackets", "12+*5", 4, "a number"),
        ("brackets", "12+", 4, "a number"),
        ("brackets", "(1+2", 5, "')'"),
        ("addition", "1-2", 2, "'+'"),
        ("brackets", "1+x", 3, "a number"),
    ],
)
def test_parse_errors_name_the_column_and_what_was_expected(grammar, expression, column, expected):
    with pytest.raises(ExpressionError) as info:
        arithseq.load_grammar(grammar).parse(expression)
    assert info.value.column == column
    assert f"column {column}" in str(info.value)
    assert expected in str(info.value)
    assert isinstance(info.value, arithseq.ArithseqError)


def test_empty_expression_is_an_error():
    with pytest.raises(ExpressionError, match="empty"):
        arithseq.load_grammar("addition").parse("  ")


def test_division_by_zero_names_the_subexpression():
    with pytest.raises(EvaluationError) as info:
        arithseq.load_grammar("brackets").evaluate("1+4/(2-2)")
    assert "division by zero" in str(info.value)
    assert info.value.column == 3


def test_grammar_syntax_error_gives_file_line_and_column(tmp_path):
    path = tmp_path / "broken.lark"
    path.write_text("start: number\n" + NUMBER + "oops: %%%\n")
    with pytest.raises(GrammarError) as info:
        arithseq.load_grammar(path)
    assert f"{path}:5:" in str(info.value)


@pytest.mark.parametrize(
    "text, message, line",
    [
        ('start: value\nvalue: "1"\n', "no 'number' rule", None),
        ("?start: number\n  | start \"+\" foo\n" + NUMBER, "'foo' used but not defined", 2),
        ("?start: number | start \"^\" number -> power\n" + NUMBER, "node 'power' has no meaning", 1),
        ("?start: number | start PLUS number -> add\nPLUS: \"+\"\n" + NUMBER, "quoted literals", 1),
        ("?start: number (\"+\" number)*\n" + NUMBER, "recursive rule", None),
        ("?start: number | \"-\" start \"+\" number \"+\" number -> neg\n" + NUMBER, "takes 1 operand", 1),
    ],
)
def test_grammar_convention_errors_are_located(text, message, line):
    with pytest.raises(GrammarError, match=message) as info:
        Grammar(text, source="g.lark")
    if line:
        assert f"g.lark:{line}" in str(info.value)


def test_unbounded_grammar_is_rejected(tmp_path):
    path = tmp_path / "loop.lark"
    path.write_text('?start: sum\n?sum: number | "-" sum -> neg | sum "+" number -> add\n' + NUMBER)
    with pytest.raises(arithseq.GrammarError, match="unbounded"):
        arithseq.get_task("addition", grammar=str(path), negation=1)


def test_user_node_registered_in_python_extends_the_language(tmp_path):
    @arithseq.node("mod", symbol="%")
    def mod(a, b):
        if b == 0:
            raise ZeroDivisionError("modulo by zero")
        return a % b

    path = tmp_path / "modular.lark"
    path.write_text('?start: sum\n?sum: number | sum "+" number -> add | sum "%" number -> mod\n' + NUMBER)
    task = arithseq.get_task("addition", grammar=str(path), terms=(2, 3), values=(0, 50))
    assert task.evaluate("17%5+1") == 3
    batch = task.sample(300, seed=1)
    assert any("%" in s for s in batch.inputs)
    for example in batch:
        assert task.evaluate(example.input) == example.value
    with pytest.raises(EvaluationError, match="modulo by zero"):
        task.evaluate("3%0")
