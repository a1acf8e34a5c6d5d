"""Target formats (scratchpads), reduction steps, column encodings, one-step-at-a-time decoding, curriculum."""

import re

import numpy as np
import pytest

import arithseq
from arithseq import Tokenizer, TokenizerError
from arithseq.columns import decode_columns, encode_columns, vocabulary_size
from arithseq.tasks.programs import exact_steps, postfix_program
from arithseq.tasks.steps import final_answers, reverse_numbers
from arithseq.training.curriculum import Curriculum


@pytest.mark.parametrize(
    "target, reverse, expected",
    [
        ("answer", False, "1916"),
        ("trace", False, "34*56=1904;12+1904=1916"),
        ("sums", False, "1904;1916"),
        ("products", False, "34*56=204+1700=1904;12+1904=1916"),
        ("products", True, "43*65=402+0071=4091;21+4091=6191"),
    ],
)
def test_targets_of_one_expression(target, reverse, expected):
    task = arithseq.get_task("mixed", target=target, reverse_output=reverse)
    assert task.target("12+34*56") == expected
    assert final_answers(np.array([expected]), target, reverse).tolist() == ["1916"]


@pytest.mark.parametrize(
    "expression, expected",
    [
        ("12-34", "12-34=-(34-12)=-22"),  # the comparison first, then a difference with no sign to settle
        ("34-12", "34-12=22"),  # written as computed already: nothing added
        ("12+34", "12+34=46"),
        ("2-91-17", "2-91=-(91-2)=-89;(-89)-17=-(89+17)=-106"),
        ("5-9*3+40", "9*3=27;5-27=-(27-5)=-22;(-22)+40=40-22=18"),
        ("3-9+1", "3-9=-(9-3)=-6;(-6)+1=-(6-1)=-5"),
        ("0-5", "0-5=-(5-0)=-5"),
    ],
)
def test_magnitudes_work_a_signed_sum_on_the_magnitudes_that_give_it(expression, expected):
    task = arithseq.get_task("mixed", target="trace", magnitudes=True)
    assert task.target(expression) == expected
    reversed_ = arithseq.get_task("mixed", target="products", reverse_output=True, magnitudes=True)
    assert reversed_.target("12-34") == "21-43=-(43-21)=-22"
    assert reversed_.target("12*34-999") == "21*43=84+063=804;804-999=-(999-804)=-195"


def _scratchpads_end_with_the_answer_within_bounds(**options):
    """Products scratchpads with ``options``, either way round: each ends with the plain task's answer,
    fits the task's output length and alphabet."""
    for reverse in (False, True):
        task = arithseq.get_task("mixed", target="products", reverse_output=reverse, **options)
        batch = task.sample(2000, seed=4)
        assert final_answers(batch.targets, "products", reverse).tolist() == arithseq.get_task("mixed").sample(2000, seed=4).targets.tolist()
        assert int(np.strings.str_len(batch.targets).max()) <= task.max_output_length
        assert set("".join(batch.targets.tolist())) <= set(task.alphabet)


def test_magnitudes_scratchpads_end_with_the_answer_and_each_worked_step_gives_its_result():
    _scratchpads_end_with_the_answer_within_bounds(magnitudes=True)
    task = arithseq.get_task("mixed", target="trace", magnitudes=True)
    worked = 0
    for text in task.sample(2000, seed=5).targets.tolist():
        for step in text.split(";"):
            parts = step.split("=")
            if len(parts) == 3:  # "a-b=-(b-a)=r": the magnitudes' operation is the result
                worked += 1
                assert set(step) <= set("0123456789+-*=()")  # plain integer arithmetic: Python reads it
                assert eval(parts[0]) == eval(parts[1]) == int(parts[2])
    assert worked > 100
    with pytest.raises(arithseq.ConfigError, match="magnitudes.*target=trace, products or steps"):
        arithseq.get_task("mixed", magnitudes=True)


@pytest.mark.parametrize(
    "expression, expected",
    [
        ("52-58", "52-58=994=-6"),  # a borrow out of the top column: the complement's top digit is 9
        ("58-52", "58-52=006=6"),  # no borrow out: 0 on top, the digits are the answer's
        ("88-89", "88-89=999=-1"),  # a borrow passed through every column
        ("45-45", "45-45=000=0"),
        ("0-99", "0-99=901=-99"),
        ("7-97+3", "7-97=910=-90;(-90)+3=913=-87"),  # a negative operand plus a positive one: signs differ
        ("5+7-3", "5+7=12;12-3=009=9"),  # a sum of non-negative numbers is written as computed
        ("63-64*32", "64*32=2048;63-2048=98015=-1985"),
    ],
)
def test_complements_write_a_signed_sum_as_its_tens_complement_before_its_result(expression, expected):
    task = arithseq.get_task("mixed", target="trace", complements=True)
    assert task.target(expression) == expected
    reversed_ = arithseq.get_task("mixed", target="products", reverse_output=True, complements=True)
    # least significant digit first: the borrow flows in writing order, the sign digit comes last
    assert reversed_.target("52-58") == "25-85=499=-6"
    assert reversed_.target("10-4") == "01-4=600=6"


def test_every_complement_gives_its_steps_result_and_its_top_digit_the_sign():
    _scratchpads_end_with_the_answer_within_bounds(complements=True)
    task = arithseq.get_task("mixed", target="trace", complements=True, terms=3)
    worked = negative = 0
    for text in task.sample(2000, seed=5).targets.tolist():
        for step in text.split(";"):
            parts = step.split("=")
            if len(parts) == 3:  # "a-b=C=r"
                worked += 1
                expression, complement, result = parts
                width = max(len(n) for n in expression.replace("(", " ").replace(")", " ").replace("-", " ").replace("+", " ").split())
                assert len(complement) == width + 1 and complement[0] in "09"
                assert (int(result) < 0) == (complement[0] == "9")
                assert int(complement) == eval(expression) % 10 ** len(complement) == int(result) % 10 ** len(complement)
                negative += int(result) < 0
    assert worked > 300 and negative > 100
    with pytest.raises(arithseq.ConfigError, match="complements.*target=trace, products or steps"):
        arithseq.get_task("mixed", complements=True)
    with pytest.raises(arithseq.ConfigError, match="'magnitudes' and 'complements'.*set one"):
        arithseq.get_task("mixed", target="trace", complements=True, magnitudes=True)


@pytest.mark.parametrize(
    "expression, expected",
    [
        ("34*56", "34*56=22:204+12:1700=1904"),  # 4*6=24 carries 2, 3*6+2=20 carries 2; 4*5=20 c2, 3*5+2=17 c1
        ("12+34*56", "34*56=22:204+12:1700=1904;12+1904=1916"),
        ("3*11", "3*11=3+30=33"),  # a one-digit number times a digit: nothing carried through columns
        ("99*9", "99*9=88:891"),  # a product by a digit writes its carries too
        ("10*0", "10*0=00:0"),
        ("99*99*99", "99*99=88:891+88:8910=9801;9801*99=8700:88209+8700:882090=970299"),
    ],
)
def test_carries_come_before_every_product_of_a_number_by_a_digit(expression, expected):
    task = arithseq.get_task("mixed", target="products", carries=True, terms=(2, 3))
    assert task.target(expression) == expected
    assert final_answers(np.array([expected]), "products", False).tolist() == [task.answer(expression)]
    reversed_ = arithseq.get_task("mixed", target="products", carries=True, reverse_output=True, complements=True)
    # least significant digit first, each carry stands at the place of the digit that made it
    assert reversed_.target("34*56") == "43*65=22:402+21:0071=4091"
    assert reversed_.target("52-58") == "25-85=499=-6"  # sums are as without carries


def test_every_carry_is_its_columns_and_the_products_digits_follow_from_them():
    _scratchpads_end_with_the_answer_within_bounds(carries=True, complements=True)
    task = arithseq.get_task("mixed", target="products", carries=True, terms=3)
    columns = 0
    for text in task.sample(2000, seed=6).targets.tolist():
        for step in text.split(";"):
            if "*" not in step or ":" not in step:
                continue
            factors, *worked, _ = step.split("=")
            left, right = (abs(int(f.strip("()"))) for f in factors.split("*"))
            products = worked[0].split("+") if worked else [step.split("=")[-1]]
            assert len(products) == len(str(right))  # one per digit of the right factor
            for shift, (product, digit) in enumerate(zip(products, str(right)[::-1])):
                carries, written = product.split(":")
                assert len(carries) == len(str(left)) and int(written) == left * int(digit) * 10**shift
                carry, out = 0, written[::-1][shift:]
                # least significant column first: (digit of left * multiplier + carry in) gives the digit and the carry out
                for place, (a, c) in enumerate(zip(str(left)[::-1], carries[::-1])):
                    total = int(a) * int(digit) + carry
                    assert (int(c), int(out[place]) if place < len(out) else 0) == (total // 10, total % 10), (step, place)
                    carry = int(c)
                    columns += 1
    assert columns > 5000
    with pytest.raises(arithseq.ConfigError, match="carries.*needs target=products"):
        arithseq.get_task("mixed", target="trace", carries=True)
    with pytest.raises(arithseq.ConfigError, match="carries"):
        arithseq.get_task("mixed", target="products", carries="maybe")


@pytest.mark.parametrize(
    "expression, expected",
    [
        ("52-58", "52-58=111:994=-6"),  # 2-8 borrows, 5-5-1 borrows, and the borrow out of the top column
        ("58-52", "58-52=000:006=6"),
        ("88-89", "88-89=111:999=-1"),
        ("7-97+3", "7-97=110:910=-90;(-90)+3=110:913=-87"),
        ("5+7-3", "5+7=12;12-3=001:009=9"),  # only complements get borrows
    ],
)
def test_borrows_come_before_every_complement(expression, expected):
    task = arithseq.get_task("mixed", target="trace", complements=True, borrows=True)
    assert task.target(expression) == expected
    assert final_answers(np.array([expected]), "trace", False).tolist() == [task.answer(expression)]
    with pytest.raises(arithseq.ConfigError, match="borrows.*needs complements=true"):
        arithseq.get_task("mixed", target="products", borrows=True)


def test_every_borrow_is_its_columns_and_the_complements_digits_follow_from_them():
    _scratchpads_end_with_the_answer_within_bounds(carries=True, complements=True, borrows=True)
    task = arithseq.get_task("mixed", target="products", complements=True, borrows=True, terms=3, operators="+-")
    columns = 0
    for text in task.sample(2000, seed=7).targets.tolist():
        for step in text.split(";"):
            parts = step.split("=")
            if len(parts) != 3 or ":" not in parts[1]:
                continue
            expression, worked, result = parts
            borrows, complement = worked.split(":")
            a, b = (int(n.strip("()")) for n in re.split(r"(?<=[\d)])[+-]", expression))
            b = -b if re.search(r"(?<=[\d)])-", expression) else b
            top, bottom = (str(abs(v)).zfill(len(complement))[::-1] for v in ((a, -b) if a >= 0 else (b, -a)))
            borrow = 0
            # least significant column first: (top - bottom - borrow in) gives the digit and the borrow out
            for x, y, d, out in zip(top, bottom, complement[::-1], borrows[::-1]):
                total = int(x) - int(y) - borrow
                assert (int(d), int(out)) == (total % 10, int(total < 0)), (step, columns)
                borrow = int(out)
                columns += 1
            assert int(complement) == (a + b) % 10 ** len(complement) and (borrow == 1) == (int(result) < 0)
    assert columns > 3000


@pytest.mark.parametrize(
    "step, options, expected",
    [
        ("52-58", {"complements": True, "borrows": True}, "111:994=-6"),  # as in a scratchpad, without the step
        ("12+(-8)", {"complements": True}, "004=4"),
        ("9-(-16)", {"complements": True}, "25"),  # both effectively positive: a plain sum
        ("34*6", {"carries": True}, "22:204"),
        ("34*56", {"carries": True, "partial_products": True}, "22:204+12:1700=1904"),
        ("34*56", {"carries": True}, "1904"),  # no partial products asked for: a product by a digit only
        ("(9/8)-7", {"complements": True, "fractions": True}, "7*8=56;9-56=-47;-47/8"),
        ("52-58", {"complements": True, "borrows": True, "reverse_output": True}, "111:499=-6"),
    ],
)
def test_a_step_of_the_loop_is_worked_as_the_scratchpads_work_it(step, options, expected):
    from arithseq.tasks.steps import step_targets

    task = arithseq.get_task("brackets", target="steps", **options)
    steps = exact_steps(task.grammar, [step])
    assert step_targets(steps, task.config)[-1] == expected
    assert set(expected) <= set(task.alphabet)


def test_every_worked_step_ends_with_its_result_within_the_steps_bounds():
    from arithseq.tasks.steps import step_targets

    options = {"complements": True, "borrows": True, "carries": True, "partial_products": True, "fractions": True}
    for reverse in (False, True):
        task = arithseq.get_task("brackets", target="steps", reverse_output=reverse, **options)
        steps = task.sample(5000, seed=8, steps=True).steps
        worked = step_targets(steps, task.config)
        assert final_answers(worked, "products", reverse).tolist() == steps.results().tolist()
        assert int(np.strings.str_len(worked).max()) <= task.max_output_length
        assert set("".join(worked.tolist())) <= set(task.alphabet)
        assert (np.strings.find(worked, ":") >= 0).sum() > 100  # carries and borrows were written
    with pytest.raises(arithseq.ConfigError, match="carries.*needs target=products or steps"):
        arithseq.get_task("brackets", target="trace", carries=True)


def test_easy_steps_leaves_out_easy_steps_only_and_training_still_gets_full_batches():
    task = arithseq.get_task("brackets", target="steps")
    lean = arithseq.get_task("brackets", target="steps", easy_steps=0.2)
    every, kept = task.sample(4000, seed=9, steps=True).steps, lean.sample(4000, seed=9, steps=True).steps
    def easy(s):
        small = lambda p: (p[1] == 1) & (np.abs(p[0]) < 10)  # noqa: E731
        return s.unary | (small(s.left) & small(s.right))
    assert 0.1 < easy(kept).sum() / easy(every).sum() < 0.3  # a fifth of the easy steps
    assert 0.8 < (~easy(kept)).sum() / (~easy(every)).sum() < 1.25  # every hard one (other draws, as many)
    with pytest.raises(arithseq.ConfigError, match="easy_steps.*needs target=steps"):
        arithseq.get_task("brackets", easy_steps=0.2)
    with pytest.raises(arithseq.ConfigError, match="easy_steps.*share in \\[0, 1\\]"):
        arithseq.get_task("brackets", target="steps", easy_steps=2)


def test_negative_and_fraction_operands_are_bracketed():
    task = arithseq.get_task("brackets", target="trace")
    assert task.target("(1-3)/(4*5)") == "1-3=-2;4*5=20;(-2)/20=-1/10"
    assert task.target("-(2/3)") == "2/3=2/3;-(2/3)=-2/3"


@pytest.mark.parametrize("name, options", [("mixed", {}), ("brackets", {"values": (0, 9)}), ("add-sub", {})])
def test_the_samplers_steps_are_the_parsers_steps(name, options):
    task = arithseq.get_task(name, **options)
    batch = task.sample(300, seed=2, steps=True)
    parsed = exact_steps(task.grammar, batch.inputs.tolist())
    assert batch.steps.row.tolist() == parsed.row.tolist()
    assert batch.steps.expressions().tolist() == parsed.expressions().tolist()
    assert batch.steps.results().tolist() == parsed.results().tolist()
    # the last step of every expression with steps is its answer
    position, counts = batch.steps.row_starts(len(batch))
    last = position == counts[batch.steps.row] - 1
    assert batch.steps.results()[last].tolist() == batch.targets[counts > 0].tolist()


@pytest.mark.parametrize("target", ["trace", "sums", "products"])
@pytest.mark.parametrize("reverse", [False, True])
def test_every_scratchpad_ends_with_the_answer_and_fits_the_bounds(target, reverse):
    task = arithseq.get_task("mixed", target=target, reverse_output=reverse)
    batch = task.sample(500, seed=3)
    plain = arithseq.get_task("mixed").sample(500, seed=3)
    assert final_answers(batch.targets, target, reverse).tolist() == plain.targets.tolist()
    assert int(np.strings.str_len(batch.targets).max()) <= task.max_output_length
    assert set("".join(batch.targets.tolist())) <= set(task.alphabet)
    tok = Tokenizer.for_task(task)
    assert tok.decode(tok.encode(batch.targets, "output")).tolist() == batch.targets.tolist()


def test_reverse_numbers_reverses_each_number_in_place():
    texts = np.array(["34*56=1904;12+1904=1916", "-3/14", "7", ""])
    assert reverse_numbers(texts).tolist() == ["43*65=4091;21+4091=6191", "-3/41", "7", ""]
    assert reverse_numbers(reverse_numbers(texts)).tolist() == texts.tolist()


def test_postfix_programs_follow_precedence_and_brackets():
    grammar = arithseq.load_grammar("brackets")
    assert postfix_program(grammar, "12+34*56") == ["12", "34", "56", ("mul", 2), ("add", 2)]
    assert postfix_program(grammar, "-(1-2)") == ["1", "2", ("sub", 2), ("neg", 1)]


@pytest.mark.parametrize(
    "texts, terms, operators, signed, decoded",
    [
        (["12+345", "7+8", "0+0"], 2, "+", False, None),
        (["12+345-6", "7-8", "999+999+999"], 3, "+-", False, ["12+345-6", "7-8+0", "999+999+999"]),
        (["(-12)-345", "34*56", "(-9801)+99", "0*0", "2560*54"], 2, "+-*", True, None),
    ],
)
def test_column_encoding_round_trips(texts, terms, operators, signed, decoded):
    for reverse in (False, True):
        ids = encode_columns(np.array(texts), 7, reverse, terms, operators, signed)
        assert ids.min() >= 0 and ids.max() < vocabulary_size(terms, operators, signed)
        # a missing third number reads +0
        assert decode_columns(ids, reverse, terms, operators, signed).tolist() == (decoded or texts)


def test_column_encoding_puts_the_digits_of_a_column_together():
    ids = encode_columns(np.array(["12+345"]), 4, reverse=True)
    assert ids.tolist() == [[25, 14, 3, 0]]  # (2,5) (1,4) (0,3) (0,0): units first


@pytest.mark.parametrize(
    "text, message",
    [("12+", "joined by"), ("1++2", "joined by"), ("a+1", "joined by"), ("3*100", "below 100"), ("12345+1", "7 columns")],
)
def test_column_encoding_errors_name_the_input(text, message):
    with pytest.raises(TokenizerError, match=message):
        encode_columns(np.array([text if "12345" not in text else "12345678+1"]), 7, True, 2, "+-*", True)


def test_signed_zero_padded_answers():
    task = arithseq.get_task("add-sub", input_format="columns", reverse_input=True, reverse_output=True, pad_answer=True)
    tok = Tokenizer.for_task(task)
    ids = tok.encode(["-249", "58"], "output")
    assert ["".join(tok.vocabulary[i] for i in row) for row in ids] == ["9420-", "8500+"]
    assert tok.decode(ids).tolist() == ["-249", "58"]


def test_column_encoding_refuses_what_it_cannot_read():
    with pytest.raises(arithseq.ConfigError, match="reads up to 3 numbers joined by"):
        arithseq.get_task("mixed", input_format="columns")
    with pytest.raises(arithseq.ConfigError, match="steps of \\+ - \\* on whole numbers"):
        arithseq.get_task("brackets", target="steps", input_format="columns")


def test_one_step_at_a_time_learns_sums_of_more_terms_than_trained(tmp_path):
    config = arithseq.training.recommended("terms").override(
        train={"epochs": 12, "min_epochs": 12, "steps_per_epoch": 30, "val_size": 300, "test_size": 300}
    )
    run = arithseq.train(config, tmp_path / "run", verbose=0, echo=lambda *_: None)
    report = run.evaluate()
    assert report.steps_right is not None and report.steps_right >= 0.99, report.format()
    assert report.exact_match >= 0.98
    # the loop feeds each of the network's sums back: six numbers, never seen in training
    assert run.evaluate(n=200, terms=6).exact_match >= 0.95
    with pytest.warns(arithseq.evaluation.runs.OutsideTrainingWarning, match="6 numbers"):
        assert run.predict("10+20+30+40+50+60") == "210"


def test_curriculum_levels_and_sampling():
    task = arithseq.get_task("long-addition")
    curriculum = Curriculum(task, "digits", "naive", 0.9)
    assert curriculum.levels == [1, 2, 3, 4, 5] and curriculum.level == 1
    batch = curriculum.sample(500, np.random.default_rng(0), np.array([], dtype=str), False)
    assert int(batch.numbers.max()) <= 9
    curriculum.position = 2
    mixed = Curriculum(task, "digits", "mixed", 0.9)
    mixed.position = 2
    drawn = mixed.sample(2000, np.random.default_rng(1), np.array([], dtype=str), False)
    widest = arithseq.evaluation.strata.digit_counts(drawn.numbers).max(axis=1)
    assert widest.max() == 3 and (widest == 1).any()  # the current level and easier ones
    terms = Curriculum(arithseq.get_task("terms"), "terms", "naive", 0.9)
    assert terms.levels == [2, 3, 4]
    assert set(terms.sample(200, np.random.default_rng(2), np.array([], dtype=str), False).terms.tolist()) == {2}


def test_four_numbers_joined_by_plus_read_as_columns_and_decode_back():
    task = arithseq.get_task("terms", input_format="columns", reverse_input=True, reverse_output=True, pad_answer=True)
    tok = Tokenizer.for_task(task)
    texts = ["12+34+56+78", "1+2", "99+99+99+99", "5+60+7"]
    ids = tok.encode(texts, "input")
    assert ids.shape == (4, task.max_output_length) and vocabulary_size(4, "+") == 10_000
    # column 0 of 12+34+56+78 holds the units 2, 4, 6, 8 as one id
    assert ids[0, 0] == 2468 and ids[0, 1] == 1357
    assert decode_columns(ids, True, 4, "+").tolist() == ["12+34+56+78", "1+2+0+0", "99+99+99+99", "5+60+7+0"]
    with pytest.raises(arithseq.ConfigError, match=r"reads up to 3 numbers joined by \+ and -, or 4 joined by \+"):
        arithseq.get_task("terms", terms="2-5", input_format="columns")
    with pytest.raises(arithseq.ConfigError, match=r"reads up to 3 numbers joined by \+ and -, or 4 joined by \+"):
        arithseq.get_task("add-sub", terms=4, input_format="columns")


def test_a_decoding_loop_is_judged_and_answers_with_the_steps_it_was_trained_on(tmp_path):
    # a loop reads one step at a time: padding its steps to a whole expression's length moved every
    # position a decoder-only model learned (brackets' gpt loop scored 0.06% in evaluate, 72% in validation)
    config = arithseq.TrainConfig(
        task="brackets", task_options={"target": "steps"}, model="gpt",
        model_options={"dim": 16, "heads": 2, "layers": 1, "ff": 32, "max_position": 64, "positions": "absolute"},
        epochs=1, steps_per_epoch=2, batch_size=16, val_size=16, test_size=40, jit=False, target=0,
    )
    run = arithseq.train(config, tmp_path / "run", verbose=0, echo=lambda *_: None)
    task = run.task
    assert task.max_input_length > run.tokenizer.input_length == task.step_input_length
    assert run.tokenizer_for(task) is run.tokenizer
    sample = arithseq.evaluation.strata.stratified_sets(task, {"test": 40}, 5)["test"]
    longest = max(sample.inputs.tolist(), key=len)
    alone = run.framing.trace(run.model, arithseq.tasks.Batch(np.array([longest]), None, None, None), run.tokenizer)[0]
    assert run.predict([longest, "1+2"])[0] == alone[0]
    right, total = run.framing.step_accuracy(run.model, sample)
    assert run.evaluate(n=40, seed=5).steps_right == pytest.approx(right / total)


def fraction_steps(expression: str, reverse: bool = False) -> list[tuple[str, str]]:
    """What a decoding loop with -s fractions=true is trained to write for each step of ``expression``."""
    from arithseq.models.framing import framing_for
    from arithseq.models.registry import get_model_spec

    task = arithseq.get_task("brackets", target="steps", fractions=True, reverse_output=reverse)
    spec = get_model_spec("attention")
    framing = framing_for(spec, spec.make_options({}), task, Tokenizer.for_task(task))
    steps = framing.step_batch(task.read([expression]).batch)
    return list(zip(steps.inputs.tolist(), steps.targets.tolist()))


def test_fraction_steps_write_products_the_numerators_sum_and_the_reduction_before_the_result():
    assert fraction_steps("9/8-7") == [("9/8", "9/8"), ("(9/8)-7", "7*8=56;9-56=-47;-47/8")]
    assert fraction_steps("3/2/6")[-1] == ("(3/2)/6", "2*6=12;3/12=1/4")
    assert fraction_steps("3/4+5/6")[-1] == ("(3/4)+(5/6)", "3*6=18;5*4=20;4*6=24;18+20=38;38/24=19/12")
    assert fraction_steps("16/14") == [("16/14", "16/14=8/7")]  # a division of whole numbers: the reduction
    assert fraction_steps("5/8") == [("5/8", "5/8")]  # nothing to reduce: nothing written before it
    assert fraction_steps("6/-1")[-1] == ("6/(-1)", "6/(-1)=-6")
    assert fraction_steps("2*3+4") == [("2*3", "6"), ("6+4", "10")]  # whole-number steps as before
    assert fraction_steps("3*(4*5)")[-1] == ("3*20", "60")  # no partial products unless partial_products=true
    assert fraction_steps("9/8-7", reverse=True)[-1] == ("(9/8)-7", "7*8=65;9-65=-74;-74/8")


def test_every_fraction_step_is_worked_right_and_ends_with_its_result():
    from fractions import Fraction

    from arithseq.tasks.steps import step_targets

    task = arithseq.get_task("brackets", target="steps", fractions=True)
    steps = task.sample(3000, seed=6, steps=True).steps
    worked = step_targets(steps, task.config)
    assert final_answers(worked, "products", False).tolist() == steps.results().tolist()
    longest = int(np.strings.str_len(worked).max())
    assert longest <= task.max_output_length and set("".join(worked.tolist())) <= set(task.alphabet)
    checked = 0
    for text in worked.tolist():
        for part in text.split(";"):
            sides = part.split("=")
            if len(sides) == 2:
                checked += 1
                assert Fraction(eval(sides[0].replace("/", "*Fraction(1,1)/"))) == Fraction(sides[1].replace("(", "").replace(")", ""))
    assert checked > 1000
    with pytest.raises(arithseq.ConfigError, match="fractions.*target=steps"):
        arithseq.get_task("brackets", fractions=True)


def test_fraction_rules_rewrite_a_step_on_fractions_into_whole_number_steps():
    from arithseq.tasks.fraction_rules import rewrite

    assert rewrite("sub", "3/4", "-5/6") == ["3", "6", ("mul", 2), "-5", "4", ("mul", 2), ("sub", 2), "4", "6", ("mul", 2), ("div", 2)]
    assert rewrite("add", "7", "2/3") == ["7", "3", ("mul", 2), "2", ("add", 2), "3", ("div", 2)]  # no product by 1
    assert rewrite("mul", "2", "19/6") == ["2", "19", ("mul", 2), "6", ("div", 2)]
    assert rewrite("div", "1/3", "-3/2") == ["1", "2", ("mul", 2), "3", "-3", ("mul", 2), ("div", 2)]
    assert rewrite("div", "6", "4") is None and rewrite("neg", "3/4", "3/4") is None  # whole numbers, unary: as they are


def test_whole_steps_are_exact_on_whole_numbers_and_give_each_fraction_steps_result():
    from fractions import Fraction

    from arithseq.tasks.fraction_rules import whole_steps

    task = arithseq.get_task("brackets", target="steps", fraction_rules=True)
    batch = task.sample(3000, seed=11, steps=True)
    raw = exact_steps(task.grammar, batch.inputs.tolist())
    steps = whole_steps(raw)
    assert batch.steps.split and batch.steps.expressions().tolist() == steps.expressions().tolist()  # sampled split
    binary = ~steps.unary
    assert ((steps.left[1][binary] == 1) & (steps.right[1][binary] == 1)).all()  # no fraction reaches the network
    symbol = {"add": "+", "sub": "-", "mul": "*", "div": "/"}
    for op, a, c, n, d, unary in zip(steps.op.tolist(), steps.left[0].tolist(), steps.right[0].tolist(),
                                     steps.result[0].tolist(), steps.result[1].tolist(), steps.unary.tolist()):
        if not unary:
            assert eval(f"Fraction({a}){symbol[op]}Fraction({c})") == Fraction(n, d)
    last = np.r_[steps.row[1:] != steps.row[:-1], True]  # each row's last step gives its answer
    assert steps.results()[last].tolist() == batch.targets[np.unique(steps.row)].tolist()
    assert len(steps) > len(raw)
    with pytest.raises(arithseq.ConfigError, match="fraction_rules.*needs target=steps"):
        arithseq.get_task("brackets", fraction_rules=True)
    with pytest.raises(arithseq.ConfigError, match="fraction_rules.*not fractions=true"):
        arithseq.get_task("brackets", target="steps", fraction_rules=True, fractions=True)


def test_the_loop_rewrites_steps_on_fractions_as_the_network_was_trained():
    from fractions import Fraction

    from loops import assert_asks_the_trained_steps, oracle_loop

    from arithseq.tasks.fraction_rules import whole_steps

    task = arithseq.get_task("brackets", target="steps", fraction_rules=True, reverse_output=True)

    def exact(step: str) -> str:  # what a perfect network writes for one step
        value = Fraction(eval(re.sub(r"(\d+)", r"Fraction(\1)", step)))
        return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"

    batch = task.sample(300, seed=12)
    assert_asks_the_trained_steps(oracle_loop(task, exact), batch, whole_steps(exact_steps(task.grammar, batch.inputs.tolist())))


def test_forward_quotients_writes_divisions_in_reading_order_and_the_loop_reads_them_back():
    from arithseq.models import get_model_spec
    from arithseq.models.framing import framing_for
    from arithseq.tasks.rendering import reverse_text
    from arithseq.tasks.steps import step_targets

    assert reverse_text(np.array(["-16/3", "7", ""])).tolist() == ["3/61-", "7", ""]
    task = arithseq.get_task("brackets", target="steps", fraction_rules=True, reverse_output=True, forward_quotients=True)
    tok = Tokenizer.for_task(task)
    steps = exact_steps(task.grammar, ["384/6", "14/8", "38+45", "12*7"])
    targets = step_targets(steps, task.config)
    assert targets.tolist() == ["46", "4/7", "83", "84"]  # divisions pre-reversed: the tokenizer reverses all
    written = [tok.decode(row[::-1], role="output").strip() for row in tok.encode(targets, role="output")]
    assert [w.replace(" ", "") for w in written[:2]] == ["64", "7/4"]  # the network writes 64 first digit first
    assert tok.decode(tok.encode(targets, role="output")).tolist() == targets.tolist()

    # a network that writes exactly what it was trained on: the loop answers every problem
    spec = get_model_spec("gpt")
    framing = framing_for(spec, spec.make_options({"dim": 8, "heads": 1, "layers": 1, "ff": 8}), task, tok)

    def trained(model, batch, tokenizer):
        one = exact_steps(task.grammar, batch.inputs.tolist())
        last = np.r_[one.row[1:] != one.row[:-1], True]
        return step_targets(one, task.config)[last]

    framing.inner.predict = trained
    batch = task.sample(300, seed=13)
    answers, traces = framing.trace(None, batch)
    assert answers.tolist() == batch.targets.tolist()
    shown = [(step, out) for trace in traces for step, out in trace]
    assert all(out == task.answer(step) for step, out in shown)  # each step shown in reading order
    assert sum("/" in step for step, _ in shown) > 50
    hits, total = framing.step_accuracy(None, task.sample(100, seed=14, steps=True))
    assert hits == total > 0  # teacher-forced steps are judged in the trained form
    for options, message in [
        ({"target": "steps", "forward_quotients": True}, "forward_quotients.*reverse_output=true"),
        ({"target": "answer", "reverse_output": True, "forward_quotients": True}, "forward_quotients.*target=steps"),
        ({"target": "steps", "reverse_output": True, "carries": True, "forward_quotients": True}, "forward_quotients.*no worked steps"),
    ]:
        with pytest.raises(arithseq.ConfigError, match=message):
            arithseq.get_task("brackets", **options)
