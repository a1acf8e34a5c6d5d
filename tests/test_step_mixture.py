"""The training mixtures of a decoding loop: which steps it trains on (easy_steps, balance_steps, practice_steps)."""

import collections

import numpy as np
import pytest

import arithseq
from arithseq.tasks.fraction_rules import whole_steps
from arithseq.tasks.programs import exact_steps
from arithseq.tasks.step_mixture import balanced, practiced, step_kinds


def kind_counts(steps) -> collections.Counter:
    return collections.Counter(step_kinds(steps).tolist())


def test_step_kinds_tell_operators_digit_counts_and_fractions_apart():
    task = arithseq.get_task("brackets")
    steps = exact_steps(task.grammar, ["2+3", "4+5", "2*3", "12+3", "3+12", "-(4)", "-(12)", "1/2+3"])
    assert step_kinds(steps).tolist() == [
        "add:+10+10:+10", "add:+10+10:+10", "mul:+10+10:+10", "add:+20+10:+20", "add:+10+20:+20",
        "neg:+10+00:-10", "neg:+20+00:-20", "div:+10+10:+11", "add:+11+10:+11",
    ]
    kinds = step_kinds(exact_steps(task.grammar, ["14/8", "48/3", "(0-7)+8", "(0-7)+2"])).tolist()
    assert kinds[:2] == ["div:+20+10:+11", "div:+20+10:+20"]  # a reduction is not a whole quotient
    assert kinds[3] == "add:-10+10:+10" and kinds[5] == "add:-10+10:-10"  # signs are part of a kind


def test_balance_steps_caps_common_kinds_and_keeps_rare_ones_whole():
    options = {"target": "steps", "fraction_rules": True}
    every = whole_steps(arithseq.get_task("brackets", **options).sample(20_000, seed=4, steps=True).steps)
    kept, rare = balanced(every, 0.002, np.random.default_rng(0))
    before, after = kind_counts(every), kind_counts(kept)
    cap = 0.002 * len(every)
    for kind, count in before.items():
        if count <= cap:  # a kind within the cap is kept whole
            assert after[kind] == count, (kind, count, after[kind])
        else:  # a common kind: about the cap, drawn at random
            assert 0.8 * cap <= after[kind] <= 1.25 * cap, (kind, count, after[kind])
    # two positive two-digit numbers summing to two digits: one step in ~800, five times as common kept
    two_digit = step_kinds(exact_steps(arithseq.get_task("brackets").grammar, ["12+34"]))[0]
    assert (step_kinds(kept) == two_digit).mean() > 4 * (step_kinds(every) == two_digit).mean()
    kept_counts = collections.Counter(step_kinds(kept)[rare].tolist())
    assert all(before[kind] <= cap for kind in kept_counts)  # `rare` marks the kinds kept whole, and only those
    assert kept_counts[two_digit] == after[two_digit]


def test_a_task_with_balance_steps_samples_true_steps_split_by_the_rules():
    task = arithseq.get_task("brackets", target="steps", fraction_rules=True, balance_steps=0.002)
    batch = task.sample(20_000, seed=4, steps=True)
    kept = batch.steps
    binary = ~kept.unary
    assert (kept.left[1][binary] == 1).all() and (kept.right[1][binary] == 1).all()  # split by the rules first
    assert len(kept) < 0.2 * len(whole_steps(arithseq.get_task("brackets", target="steps").sample(20_000, seed=4, steps=True).steps))
    rows = kept.row
    assert (rows[:-1] <= rows[1:]).all() and rows.max() < len(batch)
    for expression, result in zip(kept.expressions()[:300].tolist(), kept.results()[:300].tolist()):
        assert task.answer(expression) == result


def test_training_fills_every_epoch_with_steps_and_says_when_a_mixture_leaves_none():
    from arithseq.models import get_model_spec
    from arithseq.models.framing import framing_for
    from arithseq.training.data import TrainingData

    def data(task_options, mixture, steps=20, batch_size=64):
        config = arithseq.TrainConfig(task="brackets", steps_per_epoch=steps, batch_size=batch_size, task_options=task_options, mixture=mixture)
        task = arithseq.get_task("brackets", **task_options, **mixture)
        spec = get_model_spec("gpt")
        options = spec.make_options({"dim": 8, "heads": 1, "layers": 1, "ff": 8})
        framing = framing_for(spec, options, arithseq.get_task("brackets", **task_options), arithseq.Tokenizer.for_task(task))
        return TrainingData(task, framing, config, np.array([], str))

    rules = {"target": "steps", "fraction_rules": True, "reverse_output": True}
    full = data(rules, {"balance_steps": 0.002})
    assert len(full.y) >= 20 * 64 and full[19][1].shape[0] == 64  # the last batch of the epoch is full
    with pytest.raises(arithseq.SamplingError, match="leaves too few steps"):
        data({"target": "steps", "terms": 1, "reverse_output": True}, {"negation": 0})  # one number, no minus: no step


def test_balanced_is_a_no_op_at_one_and_draws_at_random():
    steps = arithseq.get_task("brackets", target="steps").sample(500, seed=1, steps=True).steps
    same, rare = balanced(steps, 1.0, np.random.default_rng(0))
    assert same is steps and rare.all()
    one = balanced(steps, 0.01, np.random.default_rng(0))[0]
    other = balanced(steps, 0.01, np.random.default_rng(1))[0]
    assert len(one) < len(steps) and one.expressions().tolist() != other.expressions().tolist()


@pytest.mark.parametrize(
    "options, message",
    [
        ({"balance_steps": 0.01}, "balance_steps.*needs target=steps"),
        ({"target": "steps", "balance_steps": 0}, "balance_steps.*0 would keep no step"),
        ({"target": "steps", "balance_steps": 2}, "balance_steps.*in \\(0, 1\\], got 2$"),
        ({"target": "steps", "balance_steps": "many"}, "balance_steps"),
    ],
)
def test_bad_balance_steps_is_refused_by_name(options, message):
    with pytest.raises(arithseq.ConfigError, match=message):
        arithseq.get_task("brackets", **options)


def test_practice_steps_are_true_steps_of_the_same_kind_on_fresh_numbers():
    task = arithseq.get_task("brackets", target="steps", fraction_rules=True)
    grammar = task.grammar
    steps = exact_steps(grammar, ["36+45", "(0-36)+45", "92/69", "602/7", "3+4", "-(5)", "12*7"])
    # the steps: 36+45 | 0-36, (-36)+45 | 92/69 | 602/7 | 3+4 | -5 | 12*7; 0-36 and 12*7 not rare
    rare = np.array([True, False, True, True, True, True, True, False])
    more = practiced(steps, rare, 3, np.random.default_rng(3))
    source_kinds, kinds = step_kinds(steps), step_kinds(more)
    rows = more.row
    assert (rows[:-1] <= rows[1:]).all()  # still grouped by row, each practice step after its source
    extra = []
    for row in range(7):
        mine, own = np.nonzero(rows == row)[0], np.nonzero(steps.row == row)[0]
        assert set(kinds[mine].tolist()) == set(source_kinds[own].tolist())  # the same kinds, no other
        extra.append(len(mine) - len(own))
    # up to 3 each (a kind like 92/69 -> 4/3 is found less often than asked); none for unary minus
    # and for 12*7, which is not rare; 0-36 is not practised, so row 1's extra ones are all sums
    assert all(0 <= e <= 3 for e in extra) and extra[5] == extra[6] == 0
    assert extra[0] == extra[4] == 3 and sum(extra) >= 10
    assert (kinds[rows == 1] == source_kinds[2]).sum() == 1 + extra[1]
    # each practice step comes right after its source (or after another practice step of it)
    texts, originals = more.expressions().tolist(), steps.expressions().tolist()
    at, last_kind = 0, None
    for text, kind in zip(texts, kinds.tolist()):
        if at < len(originals) and text == originals[at]:
            at, last_kind = at + 1, source_kinds[at]
        else:
            assert kind == last_kind, (text, kind, last_kind)
    assert at == len(originals)
    expressions, results = more.expressions().tolist(), more.results().tolist()
    originals = set(steps.expressions().tolist())
    fresh = [e for e in expressions if e not in originals]
    assert len(fresh) >= 10 and len(set(fresh)) >= 0.8 * len(fresh)  # new numbers, not copies
    for expression, result in zip(expressions, results):
        assert task.answer(expression) == result, expression
    assert practiced(steps, rare, 0, np.random.default_rng(0)) is steps


def test_a_task_with_practice_steps_trains_on_more_rare_steps():
    options = {"target": "steps", "fraction_rules": True, "balance_steps": 0.002}
    plain = arithseq.get_task("brackets", **options).sample(5_000, seed=2, steps=True).steps
    practised = arithseq.get_task("brackets", **options, practice_steps=2).sample(5_000, seed=2, steps=True).steps
    two_digit_sum = step_kinds(exact_steps(arithseq.get_task("brackets").grammar, ["12+34"]))[0]
    assert (step_kinds(practised) == two_digit_sum).sum() > 2 * (step_kinds(plain) == two_digit_sum).sum() > 0
    task = arithseq.get_task("brackets", **options, practice_steps=2)
    for expression, result in zip(practised.expressions()[:500].tolist(), practised.results()[:500].tolist()):
        assert task.answer(expression) == result


@pytest.mark.parametrize(
    "options, message",
    [
        ({"practice_steps": 2}, "practice_steps.*needs target=steps"),
        ({"target": "steps", "practice_steps": -1}, "practice_steps.*0 to 100, got -1$"),
        ({"target": "steps", "practice_steps": 101}, "practice_steps.*0 to 100, got 101$"),
        ({"target": "steps", "practice_steps": "two"}, "practice_steps"),
        ({"target": "steps", "fraction_rules": True, "prime_reductions": True, "practice_steps": 1}, "practice_steps.*prime_reductions"),
    ],
)
def test_bad_practice_steps_is_refused_by_name(options, message):
    with pytest.raises(arithseq.ConfigError, match=message):
        arithseq.get_task("brackets", **options)
