"""One operation at a time (``target=steps``): a decoding loop that feeds the network's own results back.

The network is trained on single steps (``34*56`` -> ``1904``, ``(-2)-7`` -> ``-9``)
drawn from the reduction traces of the task's expressions. To answer an expression,
the grammar parses it and picks the next operation (innermost, highest precedence,
leftmost first: the postfix order); the network computes it and writes every digit;
its result, as written, replaces the operation in the expression; and so on until one
value is left. The loop does no arithmetic; a result that is not a number stops the
row. With ``fraction_rules`` a step on a fraction is first rewritten by the rules of
fractions into steps on whole numbers (``arithseq.tasks.fraction_rules``), each
computed by the network; with ``unsigned_sums`` a sum with a negative number is asked on
numbers without signs (``arithseq.tasks.sign_rules``); with ``digit_products`` a product by
a digit is asked digit by digit (``arithseq.tasks.digit_products``). Figures of such runs are
reported apart from single-pass models: how many terms the loop can handle is the grammar's
doing, not the network's.
"""

from __future__ import annotations

import re

import numpy as np

from ..errors import ConfigError, ExpressionError
from ..tasks import Batch
from ..tasks.digit_products import LongProduct
from ..tasks.fraction_rules import LOWEST_MARK, mark_lowest, rewrite, split_steps
from ..tasks.programs import exact_steps, postfix_program
from ..tasks.rendering import reverse_text
from ..tasks.sign_rules import sign_rule
from ..tasks.steps import bracketed, final_answers, step_targets, step_texts, worked_steps
from ..tokenizer import Tokenizer
from .registry import Shapes

FAILED = "?"  # what a row answers when the network wrote something that is not a number


class StepwiseFraming:
    """Wraps the framing of the network that computes one step (sequence or autoregressive)."""

    def __init__(self, inner) -> None:
        if inner.spec.framing == "regression":
            raise ConfigError(f"model {inner.spec.name!r} regresses one number; target=steps needs a model that writes text")
        self.inner = inner
        self.spec, self.options, self.task, self.tokenizer = inner.spec, inner.options, inner.task, inner.tokenizer
        self.loss = inner.loss
        # a step's working, if any, is written before its result (partial products, carries, a
        # complement, a fraction's working: each its own option)
        self.worked = worked_steps(self.task.config)
        self.reverse_steps = self.task.config.reverse_output and self.worked
        self.fitted = False

    def shapes(self) -> Shapes:
        return self.inner.shapes()

    def metrics(self) -> list:
        return self.inner.metrics()

    # -- training: every step of every expression is one example ---------------------------
    def step_batch(self, batch: Batch) -> Batch:
        steps = batch.steps if batch.steps is not None else exact_steps(self.task.grammar, batch.inputs.tolist())
        steps = split_steps(steps, self.task.config)
        targets = mark_lowest(steps, step_targets(steps, self.task.config), self.task.config)
        return Batch(steps.expressions(self.task.config.align_sums), targets, None, None)

    def arrays(self, batch: Batch):
        self._fit_width()
        return self.inner.arrays(self.step_batch(batch))

    def _fit_width(self) -> None:
        """Worked steps are right-padded, trained and decoded to a width: the steps' own, not the answers'."""
        if self.worked and not self.fitted and hasattr(self.inner, "fit_width"):
            sample = self.step_batch(self.task.sample(5_000, np.random.default_rng(0), steps=True))
            self.inner.fit_width(sample.targets)
            self.fitted = True

    def buckets(self, y: np.ndarray, batch_size: int, rng: np.random.Generator, x=None) -> tuple[np.ndarray, np.ndarray] | None:
        grouping = getattr(self.inner, "buckets", None)
        return grouping(y, batch_size, rng, x) if grouping else None

    def cut(self, x, y: np.ndarray, width: int, *question):
        return self.inner.cut(x, y, width, *question)

    def question_widths(self, x, batch_size: int) -> np.ndarray | None:
        return self.inner.question_widths(x, batch_size)

    def trains(self, model) -> None:
        self.inner.trains(model)

    def step_accuracy(self, model, batch: Batch) -> tuple[int, int]:
        """Steps computed right when each is given the exact values (teacher forcing), and how many."""
        steps = self.step_batch(batch)
        predictions = self._compute(model, steps.inputs, self.tokenizer)[1]
        truth = final_answers(steps.targets, "products", self.reverse_steps) if self.worked else steps.targets
        return int((predictions == truth).sum()), len(steps)

    # -- prediction: the loop --------------------------------------------------------------
    def predict_ids(self, model, batch: Batch, tokenizer: Tokenizer | None = None) -> None:
        return None

    def predict(self, model, batch: Batch, tokenizer: Tokenizer | None = None) -> np.ndarray:
        return self.trace(model, batch, tokenizer)[0]

    def char_probabilities(self, model, inputs, written):
        return None  # the loop's characters are its steps': see trace

    def trace(self, model, batch: Batch, tokenizer: Tokenizer | None = None) -> tuple[np.ndarray, list[list[tuple[str, str]]]]:
        """The answers, and each row's steps in order: (the step the network was given, what it wrote)."""
        tokenizer = tokenizer or self.tokenizer
        steps: list[list[tuple[str, str]]] = [[] for _ in range(len(batch.inputs))]
        programs = []
        for expression in batch.inputs.tolist():
            try:
                programs.append(postfix_program(self.task.grammar, expression))
            except ExpressionError:
                programs.append([FAILED])
        # a network that keeps rewriting a fraction (prime_reductions) is stopped: a row takes at most a
        # few steps per item, and a reduction at most one per halving of its numbers (their digits)
        limit = [64 + 4 * len(program) + 16 * len(expression) for program, expression in zip(programs, batch.inputs.tolist())]
        while True:
            rows, operands, where, names = [], [], [], []
            for row, program in enumerate(programs):
                if len(program) == 1 and isinstance(program[0], str):
                    continue
                name, pair, span = self._next_step(program)
                operands.append(pair)
                where.append(span)
                rows.append(row)
                names.append(name)
            if not rows:
                break
            left, right = np.array(operands, dtype=str).reshape(-1, 2).T
            unary = np.array([stop - start == 2 for start, stop in where], bool)
            texts = step_texts(np.array(names), left, right, unary, self.task.config.align_sums)
            divisions = np.array(names) == "div"
            raw, written = self._compute(model, texts, tokenizer, divisions)
            for row, (start, stop), value, text, out, division in zip(rows, where, written.tolist(), texts.tolist(), raw.tolist(), divisions.tolist()):
                steps[row].append((text, out))
                if division and self.task.config.lowest_mark and value == LOWEST_MARK:
                    value = text.replace("(", "").replace(")", "")  # the fraction asked, kept as it is
                long = programs[row][start]
                if not _is_value(value) or len(steps[row]) > limit[row]:
                    programs[row] = [FAILED]
                elif isinstance(long, LongProduct):
                    try:
                        product = long.take(value)
                    except ValueError:  # not a whole number: no digit to take
                        programs[row] = [FAILED]
                    else:
                        if product is not None:
                            programs[row][start:stop] = [product]
                elif division and self.task.config.prime_reductions and "/" in value:
                    # reduced by one prime: ask again with what was written, unless that is what was asked
                    top, _, bottom = value.partition("/")
                    again = bracketed(np.array([top, bottom], dtype=str)).tolist()
                    programs[row][start:stop] = [value] if again[0] + "/" + again[1] == text else [top, bottom, ("div", 2)]
                else:
                    programs[row][start:stop] = [value]
        return np.array([program[0] for program in programs], dtype=str), steps

    def _next_step(self, program: list) -> tuple[str, list[str], tuple[int, int]]:
        """The next step of a row: its operator, its two operands (a unary one's second is "0") and
        the items of ``program`` it replaces, after the rules the task asks for rewrote it (the rules
        of fractions, of signs, long products digit by digit: no arithmetic)."""
        config = self.task.config
        at = next(i for i, item in enumerate(program) if not isinstance(item, str))
        if not isinstance(program[at], LongProduct):
            name, arity = program[at]
            rules = [rewrite] if config.fraction_rules else []
            rules += [sign_rule] if config.unsigned_sums else []
            for rule in rules:
                ruled = rule(name, *program[at - 2 : at]) if arity == 2 else None
                if ruled is not None:
                    program[at - 2 : at + 1] = ruled
                    at = next(i for i, item in enumerate(program) if not isinstance(item, str))
                    name, arity = program[at]
            long = LongProduct.of(*program[at - 2 : at]) if config.digit_products and name == "mul" and arity == 2 else None
            if long is not None:
                program[at - 2 : at + 1] = [long]
                at -= 2
        if isinstance(program[at], LongProduct):
            name, *pair = program[at].step()
            return name, pair, (at, at + 1)
        return name, program[at - arity : at] if arity == 2 else [program[at - 1], "0"], (at - arity, at + 1)

    def _compute(self, model, steps: np.ndarray, tokenizer: Tokenizer, divisions: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """What the network wrote for each step, and its result (the final answer, after any partial
        products). With forward_quotients, steps that are ``divisions`` were written in reading order,
        which the tokenizer reversed: they are turned back (without ``divisions``, as they were trained)."""
        grows = self.spec.framing in ("autoregressive", "decoder-only")
        readable = self._readable(steps, tokenizer, grows)
        if not readable.all():  # the rows of the others go on; these fail ("?" is no value)
            written, result = np.full(len(steps), "?", dtype=object), np.full(len(steps), "?", dtype=object)
            if readable.any():
                part = self._compute(model, steps[readable], tokenizer, None if divisions is None else divisions[readable])
                written[readable], result[readable] = part
            return written.astype(str), result.astype(str)
        tokenizer = _long_enough(tokenizer, steps, grows)
        self._fit_width()
        written = self.inner.predict(model, Batch(steps, None, None, None), tokenizer)
        if self.task.config.forward_quotients and divisions is not None:
            written = np.where(divisions, reverse_text(written), written)
        result = final_answers(written, "products", self.reverse_steps) if self.worked else written
        return written, result

    def _readable(self, steps: np.ndarray, tokenizer: Tokenizer, grows: bool) -> np.ndarray:
        """The steps short enough for the network's position ids. A network still learning can write a
        long number that the loop hands back to it: that row fails, not every row of the batch."""
        check = getattr(self.inner, "check_length", None)
        lengths = np.strings.str_len(steps)
        longer = np.unique(lengths[lengths > tokenizer.input_length])
        if check is None or not grows or tokenizer.input_format == "columns" or not len(longer):
            return np.ones(len(steps), bool)
        for n in longer.tolist():  # the ids of the tokenizer _long_enough grows for a step this long
            grown = _long_enough(tokenizer, np.array(["0" * n]), grows)
            try:
                check(n, grown.output_length, "these", grown.input_length)
            except ConfigError:
                return lengths < n
        return np.ones(len(steps), bool)


def _long_enough(tokenizer: Tokenizer, steps: np.ndarray, grows: bool) -> Tokenizer:
    """Steps with more digits than training had: a column tokenizer grows, a text one too when the
    network writes its answer step by step (``grows``)."""
    if not len(steps):
        return tokenizer
    if tokenizer.input_format == "columns":
        widest = max((len(run) for run in re.findall(r"[0-9]+", " ".join(steps.tolist()))), default=1)
        need = widest + 1 + tokenizer.column_signed  # a carry column, and the sign's
        return tokenizer.resized(need, need) if need > tokenizer.input_length else tokenizer
    need = int(np.strings.str_len(steps).max())
    if need <= tokenizer.input_length or not grows:
        return tokenizer
    return tokenizer.resized(need, max(tokenizer.output_length, 2 * need + 2))


def _is_value(text: str) -> bool:
    body = text[1:] if text.startswith("-") else text
    head, slash, tail = body.partition("/")
    return head.isdigit() and (not slash or (tail.isdigit() and not tail.startswith("0")))
