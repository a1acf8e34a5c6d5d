import math
import re
from fractions import Fraction

import numpy as np
import pytest

import arithseq
from arithseq import ConfigError, SamplingError


def test_builtin_tasks_are_listed():
    assert {"addition", "add-sub", "mixed", "brackets"} <= set(arithseq.list_tasks())


def test_evaluate_the_tutorials_example():
    assert arithseq.get_task("addition").evaluate("12+50") == 62


@pytest.mark.parametrize("n_numbers, largest", [(2, 10), (2, 100), (2, 999), (3, 50), (4, 200), (1, 7)])
def test_lengths_match_the_tutorials_formulas(n_numbers, largest):
    task = arithseq.get_task("addition", n_numbers=n_numbers, largest=largest)
    assert task.max_input_length == n_numbers * math.ceil(math.log10(largest + 1)) + n_numbers - 1
    # the tutorial's output formula can overestimate by one; ours is the exact width of n*largest
    assert task.max_output_length == len(str(n_numbers * largest))
    assert task.max_output_length <= math.ceil(math.log10(n_numbers * (largest + 1)))


def test_addition_defaults_are_the_tutorials_shape():
    task = arithseq.get_task("addition")
    assert task.config.terms == (2, 2) and task.config.values == (1, 999)
    assert task.alphabet == "0123456789+"
    batch = task.sample(2000, seed=0)
    values = np.array([[int(x) for x in s.split("+")] for s in batch.inputs])
    assert values.min() >= 1 and values.max() <= 999 and values.shape[1] == 2


def test_same_seed_same_data_and_other_seed_other_data():
    task = arithseq.get_task("brackets")
    a, b, c = task.sample(500, seed=7), task.sample(500, seed=7), task.sample(500, seed=8)
    assert list(a.inputs) == list(b.inputs) and list(a.targets) == list(b.targets)
    assert list(a.inputs) != list(c.inputs)


def test_chunked_batches_equal_one_sample():
    task = arithseq.get_task("mixed")
    whole = task.sample(1000, seed=3)
    parts = arithseq.Batch.concat(list(task.batches(1000, seed=3)))
    assert list(whole.inputs) == list(parts.inputs)


def test_variable_number_of_terms_covers_the_range():
    task = arithseq.get_task("addition", terms="2-5", largest=9)
    counts = {s.count("+") + 1 for s in task.sample(500, seed=1).inputs}
    assert counts == {2, 3, 4, 5}
    assert task.max_input_length == 5 + 4


def test_operators_option_restricts_and_weights():
    task = arithseq.get_task("mixed", operators={"+": 1, "*": 3})
    text = "".join(task.sample(2000, seed=2).inputs)
    assert "-" not in text and text.count("*") > text.count("+")
    assert task.alphabet == "0123456789+*"


def test_exact_division_gives_integers_only():
    task = arithseq.get_task("mixed", operators="+-*/", values=(1, 999))
    batch = task.sample(3000, seed=4)
    assert any("/" in s for s in batch.inputs)
    assert all(isinstance(v, int) for v in batch.values)
    for example in batch[:300]:
        assert task.evaluate(example.input) == example.value
    assert all("/" not in t for t in batch.targets)


def test_rational_answers_are_in_lowest_terms():
    task = arithseq.get_task("brackets")
    batch = task.sample(2000, seed=5)
    fractions = [t for t in batch.targets if "/" in t]
    assert fractions
    for text in fractions:
        p, q = (int(x) for x in text.split("/"))
        assert q > 1 and math.gcd(p, q) == 1
        assert Fraction(p, q) == Fraction(text)


def test_negative_results_can_be_excluded():
    task = arithseq.get_task("add-sub", negative_results=False)
    assert all(v >= 0 for v in task.sample(1000, seed=0).values)
    assert "-" in task.alphabet  # the operator is still in the input alphabet


def test_every_construct_of_brackets_is_reachable_and_depth_is_bounded():
    task = arithseq.get_task("brackets", depth=3)
    inputs = task.sample(5000, seed=11).inputs
    text = "".join(inputs)
    for ch in "+-*/()":
        assert ch in text
    assert any(re.search(r"(^|[-+*/(])-", s) for s in inputs)  # unary minus
    depths = [_depth(s) for s in inputs]
    assert max(depths) == 3
    assert max(len(s) for s in inputs) <= task.max_input_length


def _depth(s):
    d = best = 0
    for ch in s:
        d += ch == "("
        d -= ch == ")"
        best = max(best, d)
    return best


def test_no_division_by_zero_is_ever_produced():
    task = arithseq.get_task("brackets", values=(0, 2))
    for example in task.sample(2000, seed=9):
        assert task.evaluate(example.input) == example.value


def test_pad_terms_zero_pads_each_number():
    task = arithseq.get_task("addition", largest=100, pad_terms=True)
    batch = task.sample(50, seed=0)
    assert all(re.fullmatch(r"\d{3}\+\d{3}", s) for s in batch.inputs)
    assert all(task.evaluate(e.input) == e.value for e in batch)


def test_huge_numbers_stay_exact():
    task = arithseq.get_task("mixed", digits=12, operators="*", terms=3)
    batch = task.sample(200, seed=1)
    for example in batch[:50]:
        a, b, c = (int(x) for x in example.input.split("*"))
        assert example.value == a * b * c
    assert max(len(t) for t in batch.targets) <= task.max_output_length


def test_split_is_disjoint_and_exclude_is_respected():
    task = arithseq.get_task("addition", largest=30)
    sets = task.split({"train": 300, "val": 100, "test": 100}, seed=0)
    seen = [set(b.inputs) for b in sets.values()]
    assert all(len(s) == n for s, n in zip(seen, (300, 100, 100)))
    assert not (seen[0] & seen[1]) and not (seen[0] & seen[2]) and not (seen[1] & seen[2])
    fresh = task.sample(2000, seed=1, exclude=sets["test"].inputs)
    assert not set(fresh.inputs) & seen[2]


def test_unique_sampling_fails_clearly_when_the_language_is_too_small():
    task = arithseq.get_task("addition", largest=5)
    assert len(task.sample(25, seed=0, unique=True)) == 25
    with pytest.raises(SamplingError, match="too few distinct"):
        task.sample(26, seed=0, unique=True)


@pytest.mark.parametrize(
    "options, message",
    [
        ({"term": 3}, "did you mean 'terms'"),
        ({"terms": "x"}, "'terms' must be"),
        ({"terms": "4-2"}, "empty"),
        ({"values": (-5, 5)}, "must not be negative"),
        ({"division": "float"}, "'exact' or 'rational'"),
        ({"pad_side": "middle"}, "'left' or 'right'"),
        ({"operators": "^"}, "'^' is not an operator of grammar 'arithmetic'"),
        ({"operators": {"+": -1}}, "must not be negative"),
        ({"grammar": "nosuch"}, "unknown grammar 'nosuch'"),
        ({"negative_results": "maybe"}, "true or false"),
        ({"terms": 0}, "at least 1"),
    ],
)
def test_bad_options_raise_config_errors_naming_the_option(options, message):
    with pytest.raises(arithseq.ArithseqError, match=re.escape(message)):
        arithseq.get_task("mixed", **options)


def test_unknown_task_lists_the_known_ones():
    with pytest.raises(ConfigError, match=r"unknown task 'nosuch' \(known: add-sub, addition, brackets"):
        arithseq.get_task("nosuch")


def test_register_task_in_python():
    arithseq.register_task("tiny-sums", grammar="addition", terms=(2, 3), largest=9, description="small")
    task = arithseq.get_task("tiny-sums")
    assert task.max_input_length == 5 and "tiny-sums" in arithseq.list_tasks()


def test_toml_task_file_with_custom_grammar_and_python(tmp_path):
    (tmp_path / "ops.py").write_text(
        "import arithseq\n"
        "@arithseq.node('maximum')\n"
        "def maximum(a, b):\n    return max(a, b)\n"
    )
    (tmp_path / "maxes.lark").write_text(
        '?start: expr\n?expr: number | "max(" expr "," expr ")" -> maximum\n'
        'number: DIGITS\nDIGITS: /[0-9]+/\n%ignore " "\n'
    )
    (tmp_path / "maxes.toml").write_text(
        'name = "maxes"\ngrammar = "maxes.lark"\npython = "ops.py"\nterms = [2, 3]\nvalues = [0, 9]\ndepth = 2\n'
    )
    name, config = arithseq.load_task_file(tmp_path / "maxes.toml")
    task = arithseq.get_task(str(tmp_path / "maxes.toml"))
    assert name == "maxes" and task.evaluate("max(3,max(7,2))") == 7
    for example in task.sample(200, seed=0):
        assert task.evaluate(example.input) == example.value


def test_toml_errors_name_file_and_field(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('terms = "lots"\n')
    with pytest.raises(ConfigError, match=r"bad.toml: option 'terms'"):
        arithseq.get_task(str(bad))
    broken = tmp_path / "broken.toml"
    broken.write_text("terms = [2,\n")
    with pytest.raises(ConfigError, match="broken.toml: invalid TOML"):
        arithseq.get_task(str(broken))
    base = tmp_path / "base.toml"
    base.write_text('base = "nosuch"\n')
    with pytest.raises(ConfigError, match="field 'base'"):
        arithseq.get_task(str(base))


def test_numbers_by_digits_balances_digit_counts():
    task = arithseq.get_task("addition", numbers="by-digits")
    numbers = [int(v) for s in task.sample(6000, seed=0).inputs for v in s.split("+")]
    counts = np.bincount([len(str(v)) for v in numbers])[1:]
    assert counts.min() > 0.3 * len(numbers) and min(numbers) >= 1 and max(numbers) <= 999
    with pytest.raises(ConfigError, match="'numbers' must be"):
        arithseq.get_task("addition", numbers="gaussian")


@pytest.mark.parametrize("values", [(0, 99), (0, 10**30 - 1)])  # int64 draws and Python-int draws
def test_numbers_by_digits_share_blends_the_two_ways_of_drawing(values):
    """by-digits:0.5 on 0..99: half the numbers by digit count (half of them one digit), half uniform
    (a tenth one digit), so 30% have one digit; on 30 digits a 30th of the by-digit half has one."""
    digits = len(str(values[1]))
    task = arithseq.get_task("addition", values=values, numbers="by-digits:0.5")
    numbers = [int(v) for s in task.sample(8000, seed=1).inputs for v in s.split("+")]
    one_digit = np.mean([v < 10 for v in numbers])
    expected = 0.5 / digits + 0.5 * 10 / 10**digits
    assert abs(one_digit - expected) < 0.15 * expected and values[0] <= min(numbers) and max(numbers) <= values[1]
    for bad in ("by-digits:0", "by-digits:1.5", "by-digits:half", "uniform:0.5"):
        with pytest.raises(ConfigError, match=r"'numbers' must be .*by-digits:SHARE"):
            arithseq.get_task("addition", numbers=bad)


@pytest.mark.parametrize("name", ["mixed", "brackets"])  # precomputed templates, and a walk of the grammar
def test_term_weights_set_how_often_each_number_of_terms_is_drawn(name):
    from arithseq.evaluation.strata import stratified_sets

    task = arithseq.get_task(name, term_weights="2=1,3=3")
    terms = task.sample(8000, seed=2).terms
    assert abs(np.mean(terms == 3) - 0.75) < 0.03 and set(terms.tolist()) == {2, 3}
    assert arithseq.get_task(name, term_weights={"3": 1}).sample(500, seed=0).terms.tolist() == [3] * 500
    # held-out sets hold every number of terms the task allows, whatever the weights
    held_out = stratified_sets(arithseq.get_task(name, term_weights="3=1"), {"test": 600}, seed=0)["test"]
    assert set(held_out.terms.tolist()) == set(range(task.config.terms[0], task.config.terms[1] + 1))
    # its own stored form, and other numbers of terms (evaluate -s terms=6) keep only the weights inside them
    assert task.config.replace(term_weights=task.config.term_weights) == task.config
    assert task.config.replace(terms=2).term_weights == ((2, 1.0),) and task.config.replace(terms=6).term_weights is None
    from arithseq.tasks.registry import derived_task  # how a run's task is judged with other terms

    assert derived_task(task, {"terms": 4}).config.term_weights is None
    for bad, message in [("5=1", "weighs 5 terms, outside 'terms' 2-"), ("2=0", "weight above 0"),
                         ("two=1", "'two' is not a number of terms"), ("2=1,3", "'3' is not a COUNT=WEIGHT pair"),
                         ("2=-1", "must not be negative"), ("2=1,2=3", "weighs 2 terms twice"), ("2=inf", "finite")]:
        with pytest.raises(ConfigError, match=message):
            arithseq.get_task(name, term_weights=bad)


def test_term_weights_leave_the_default_draws_as_they_were_and_travel_through_a_runs_config(tmp_path):
    from arithseq.training.curriculum import Curriculum

    # the same seed draws the same problems as before the option existed
    assert arithseq.get_task("mixed").sample(4, seed=0).inputs.tolist() == ["50*60*97", "72*63*54", "55-93*27", "81-67"]
    assert arithseq.get_task("brackets").sample(3, seed=0).inputs.tolist() == ["-((2)+2-6*7)", "-(-3+4*9)", "9-3/-6"]
    config = arithseq.TrainConfig(task="mixed", mixture={"term_weights": "2=1,3=3"},
                                  task_options={"term_weights": {"2": 1, "3": 3}})
    path = tmp_path / "config.toml"
    path.write_text(config.to_toml())
    again = arithseq.TrainConfig.from_toml(path)
    assert arithseq.get_task("mixed", **again.task_options).config.term_weights == ((2, 1.0), (3, 3.0))
    assert again.mixture == config.mixture
    # the terms curriculum sets the numbers of terms itself
    curriculum = Curriculum(arithseq.get_task("mixed", term_weights="3=1"), "terms", "mixed", 0.95)
    assert curriculum.task_at(2).config.terms == (2, 2)


@pytest.mark.parametrize("digits", [2, 5, 12, 20, 100])
def test_every_study_carry_chain_passes_its_carry_through_columns_that_sum_to_exactly_9(digits):
    from arithseq.evaluation.strata import carries
    from arithseq.evaluation.study import chain_lengths

    low, high = chain_lengths(digits)
    task = arithseq.get_task(
        "addition", values=(10 ** (digits - 1), 10**digits - 1), carry_chains=1.0, chain_length=(low, high)
    )
    batch = task.sample(300, np.random.default_rng(digits))
    longest = carries(batch.numbers)[1]
    for (a, b), run in zip(batch.numbers.tolist(), longest.tolist()):
        assert len(str(a)) == len(str(b)) == digits
        sums = [int(x) + int(y) for x, y in zip(str(a)[::-1], str(b)[::-1])]
        # the chain: one column that makes a carry, then `run` columns of exactly 9, then one that is not 9
        starts = [s for s in range(digits - run) if sums[s] >= 10 and all(v == 9 for v in sums[s + 1 : s + 1 + run])]
        assert starts, (a, b, run)
        assert low <= run <= high
        s = starts[0]
        assert s + run + 1 == digits or sums[s + run + 1] != 9
        assert str(a + b) == str(int(str(a)) + int(str(b)))


def test_carry_runs_keep_the_old_mixture_every_column_summing_to_at_least_9():
    task = arithseq.get_task("long-addition", carry_runs=1.0)
    batch = task.sample(500, np.random.default_rng(1))
    for a, b in batch.numbers.tolist():
        width = max(len(str(a)), len(str(b)))
        sums = [int(x) + int(y) for x, y in zip(str(a).zfill(width)[::-1], str(b).zfill(width)[::-1])]
        assert sums[0] >= 10 and all(v >= 9 for v in sums)


def test_chain_lengths_outside_the_numbers_are_refused():
    with pytest.raises(arithseq.ConfigError, match="option 'chain_length' must lie between 0 and one less"):
        arithseq.get_task("addition", carry_chains=1.0, chain_length="2-3")
    with pytest.raises(arithseq.ConfigError, match="option carry_runs needs sums of exactly two numbers"):
        arithseq.get_task("terms", carry_runs=0.5)


def test_every_problem_of_a_scratchpad_task_carries_its_scratchpad():
    """--exhaustive judges a scratchpad run on what it was taught to write, not the bare answer."""
    from arithseq.tasks import get_task

    task = get_task("mixed", target="products", reverse_output=True, terms=2, values=(0, 12))
    batch = next(task.enumerate())
    picks = [0, len(batch) // 2, len(batch) - 1]
    assert [str(batch.targets[i]) for i in picks] == [task.target(str(batch.inputs[i])) for i in picks]
