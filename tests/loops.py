"""A decoding loop driven by a stand-in network that writes what an oracle says, for tests of what
the loop asks (the rules of fractions, reductions prime by prime) against what the network is trained on."""

from collections.abc import Callable

import numpy as np

from arithseq import Tokenizer


def oracle_loop(task, oracle: Callable[[str], str]):
    """The task's loop framing (a tiny, untrained gpt inside) whose network writes ``oracle(step)`` for each step."""
    from arithseq.models import get_model_spec
    from arithseq.models.framing import framing_for

    spec = get_model_spec("gpt")
    framing = framing_for(spec, spec.make_options({"dim": 8, "heads": 1, "layers": 1, "ff": 8}), task, Tokenizer.for_task(task))

    def written(model, steps, tokenizer, divisions=None):
        out = np.array([oracle(step) for step in steps.tolist()], dtype=str)
        return out, out

    framing._compute = written
    return framing


def assert_asks_the_trained_steps(framing, batch, trained) -> list:
    """Every answer right, and each row asked exactly the steps ``trained`` holds for it; the traces."""
    answers, traces = framing.trace(None, batch)
    assert answers.tolist() == batch.targets.tolist()  # the loop itself takes no arithmetic: every answer right
    expressions = trained.expressions(framing.task.config.align_sums)
    for row in range(len(batch)):
        assert [step for step, _ in traces[row]] == expressions[trained.row == row].tolist()
    return traces
