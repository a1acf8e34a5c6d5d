"""The decoder-only framing: question and answer in one causal sequence, the question's digit places
as position ids (``gpt``)."""

from __future__ import annotations

import numpy as np

from ..errors import ConfigError
from .framing import AutoregressiveFraming, _bucketed

QUESTION_STEP = 8  # cut question widths are multiples of this


class DecoderOnlyFraming(AutoregressiveFraming):
    """Autoregressive, for a model that reads ``(question, question places, answer)``: the places
    (units 1, tens 2, ...; 0 for other tokens) come from the tokenizer, for position schemes that
    line digits up."""

    def __init__(self, *args) -> None:
        super().__init__(*args)
        from .gpt import STRUCTURAL

        scheme = getattr(self.options, "positions", "")
        tok = self.tokenizer
        if scheme in STRUCTURAL and (not tok.reverse_output or tok._pad_side("output") == "right"):
            raise ConfigError(
                f"positions {scheme!r} give each answer digit the id of its place, so the answer must be written "
                "least significant digit first: set -s reverse_output=true (and no scratchpad target)"
            )
        if getattr(self.options, "places", False) and not (tok.reverse_output or self.task.config.reverse_output):
            raise ConfigError(
                "option 'places' counts each answer digit's place from the start of its number, its place value only "
                "when numbers are written least significant digit first: set -s reverse_output=true"
            )
        self._check_length(tok.input_length, tok.output_length, "this task's")

    def _check_length(self, top_place: int, answer_length: int, what: str, question_length: int | None = None) -> None:
        from .gpt import STRUCTURAL, needed_ids

        scheme, most = getattr(self.options, "positions", ""), getattr(self.options, "max_position", 0)
        if not most:
            return
        length = question_length if question_length is not None else self.tokenizer.input_length
        need = needed_ids(scheme, top_place, length, answer_length)
        places = getattr(self.options, "places", False)  # their own table, indexed by digit places
        if places:
            need = max(need, top_place, answer_length)
        if need > most - 1:
            unit = "digit places" if scheme in STRUCTURAL or places else "tokens"
            raise ConfigError(
                f"{what} sequences need position ids up to {need} ({unit}: a question of {length} characters and an "
                f"answer of {answer_length}), past this model's max_position {most} (ids 0..{most - 1}); train with "
                f"-p max_position={need + 1} or more"
            )

    def arrays(self, batch):
        (question, answer), y = super().arrays(batch)
        return (question, self.tokenizer.significance(question), answer), y

    cut_questions = False  # set by trains(): only for a network whose position ids a cut leaves alone

    def trains(self, model) -> None:
        ids = model.get_layer("position_ids")
        self.cut_questions = bool(ids.question_length) and ids.scheme != "randomized"  # randomized ids are drawn per length

    def _question_buckets(self, x) -> list[np.ndarray]:
        if x is None or not self.cut_questions:
            return []
        return [-(-(x[0] != self.tokenizer.pad_id).sum(axis=1) // QUESTION_STEP)]

    def question_widths(self, x, batch_size: int) -> np.ndarray | None:
        """Each batch's longest question, a multiple of QUESTION_STEP (a loop's steps are 4 characters
        on average in a width of 27): the left pads cut off carry nothing (attention never reads them)
        and the ids of what is left do not change (``PositionIds.question_length``)."""
        if not self.cut_questions:
            return None
        question = x[0]
        batches = len(question) // batch_size
        need = (question[: batches * batch_size] != self.tokenizer.pad_id).sum(axis=1).reshape(batches, batch_size).max(axis=1)
        return np.minimum(-(-np.maximum(need, 1) // QUESTION_STEP) * QUESTION_STEP, question.shape[1])

    def cut(self, x, y: np.ndarray, width: int, question: int | None = None):
        (words, places, answer), y = super().cut(x, y, width)
        if question is not None and question < words.shape[1]:
            words, places = words[:, -question:], places[:, -question:]
        return (words, places, answer), y

    def _teacher_inputs(self, inputs, ids):
        question, answer = super()._teacher_inputs(inputs, ids)
        return [question, self.tokenizer.significance(question), answer]

    def _decode_chunk(self, decode, ids, length, tokenizer):
        places = tokenizer.significance(ids)
        self._check_length(int(places.max(initial=0)), length, "these", ids.shape[1])
        return decode(_bucketed(ids), _bucketed(places), length)
