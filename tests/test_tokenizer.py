import json

import numpy as np
import pytest

import arithseq
from arithseq import Tokenizer, TokenizerError


@pytest.fixture
def tutorial():
    return Tokenizer.for_task(arithseq.get_task("addition", n_numbers=2, largest=10))


def test_the_tutorials_alphabet_padding_and_ids(tutorial):
    assert tutorial.vocabulary == "0123456789+ "
    assert (tutorial.input_length, tutorial.output_length) == (5, 2)
    assert tutorial.encode("3+10").tolist() == [11, 3, 10, 1, 0]
    assert tutorial.encode("13", "output").tolist() == [1, 3]
    hot = tutorial.encode(["3+10"], one_hot=True)
    assert hot.shape == (1, 5, 12) and hot[0, 0, 11] == 1 and hot.sum() == 5


def test_decode_ids_one_hot_and_probabilities(tutorial):
    ids = tutorial.encode(["3+10", "10+10", "1+1"])
    assert tutorial.decode(ids, "input").tolist() == ["3+10", "10+10", "1+1"]
    probs = tutorial.encode(["13", "9"], "output", one_hot=True) * 0.7 + 0.01
    assert tutorial.decode(probs).tolist() == ["13", "9"]
    assert tutorial.decode(np.array([11, 4])) == "4"


def spelled(tok, ids):
    return "".join(tok.vocabulary[i] for i in ids)


def test_reversal_reverses_the_padded_row():
    # left padding (the default): a reversed answer is written units first, pads last
    tok = Tokenizer("0123456789+", 7, 4, reverse_input=True, reverse_output=True)
    assert spelled(tok, tok.encode("12+345")) == "543+21 "
    assert spelled(tok, tok.encode("17", "output")) == "71  "
    assert tok.decode(tok.encode("17", "output")) == "17"
    right = Tokenizer("0123456789+", 7, 4, pad_side="right", reverse_input=True, reverse_output=True)
    assert spelled(right, right.encode("12+345")) == " 543+21"
    assert spelled(right, right.encode("123", "output")) == " 321"
    assert right.decode(right.encode("12+345"), "input") == "12+345"


def test_the_default_format_worked_example():
    """The Tokenizer docstring's example: arithseq train's column format, then the text format."""
    from arithseq.training import recommended

    task = arithseq.get_task("addition", **recommended("addition").task_options)
    tok = Tokenizer.for_task(task)
    assert tok.encode("12+5").tolist() == [25, 10, 0, 0]
    assert spelled(tok, tok.encode(task.answer("12+5"), "output")) == "7100"
    assert tok.decode(tok.encode("17", "output"), "output") == "17"

    text = arithseq.get_task("addition", pad_terms=True, reverse_input=True, reverse_output=True)
    tok = Tokenizer.for_task(text)
    reading = text.read(["12+5"])
    assert reading.batch.inputs.tolist() == ["012+005"]
    assert spelled(tok, tok.encode(reading.batch.inputs[0])) == "500+210"
    assert spelled(tok, tok.encode(text.answer("12+5"), "output")) == "71  "


def test_inner_pads_survive_but_edge_pads_are_refused(tutorial):
    assert tutorial.decode(tutorial.encode("3 +1"), "input") == "3 +1"
    with pytest.raises(TokenizerError, match="padding character"):
        tutorial.encode(" 3+1")


def test_errors_name_the_character_and_column(tutorial):
    with pytest.raises(TokenizerError, match=r"unknown character '\*' at column 2 of input '3\*4'"):
        tutorial.encode(["1+1", "3*4"])
    with pytest.raises(TokenizerError, match="has 6 characters; this tokenizer fits at most 5"):
        tutorial.encode("100+10")
    with pytest.raises(TokenizerError, match="role must be"):
        tutorial.encode("1", "target")
    with pytest.raises(TokenizerError, match="ids must lie in 0..11"):
        tutorial.decode(np.array([[12, 1]]))
    with pytest.raises(TokenizerError, match="classes"):
        tutorial.decode(np.zeros((1, 2, 5), np.float32))


def test_empty_batches(tutorial):
    assert tutorial.encode([]).shape == (0, 5)
    assert tutorial.decode(np.zeros((0, 2), np.int32)).shape == (0,)


def test_save_and_load_round_trip(tmp_path, tutorial):
    path = tmp_path / "tok.json"
    tutorial.save(path)
    assert Tokenizer.load(path) == tutorial


@pytest.mark.parametrize(
    "change, message",
    [
        ({"format": "other"}, "field 'format'"),
        ({"input_length": "5"}, "field 'input_length' must be int"),
        ({"alphabet": None}, "field 'alphabet'"),
        ({"pad": "+"}, "also in the alphabet"),
    ],
)
def test_bad_tokenizer_files_name_file_and_field(tmp_path, tutorial, change, message):
    path = tmp_path / "tok.json"
    path.write_text(json.dumps({**tutorial.to_dict(), **change}))
    with pytest.raises(TokenizerError, match=message) as info:
        Tokenizer.load(path)
    assert str(path) in str(info.value)


def test_unreadable_tokenizer_files(tmp_path):
    with pytest.raises(TokenizerError, match="file not found"):
        Tokenizer.load(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{\n  'x'")
    with pytest.raises(TokenizerError, match="invalid JSON at line 2"):
        Tokenizer.load(broken)


def test_task_batches_encode_in_one_call():
    task = arithseq.get_task("brackets", reverse_output=True)
    tok = Tokenizer.for_task(task)
    batch = task.sample(1000, seed=0)
    x, y = tok.encode(batch.inputs), tok.encode(batch.targets, "output")
    assert x.shape == (1000, task.max_input_length) and y.shape == (1000, task.max_output_length)
    assert tok.decode(y).tolist() == batch.targets.tolist()
