"""arithseq serve's JSON API (Starlette's test client, no socket) and what it says about each answer."""

import subprocess
import sys

import numpy as np
import pytest

import arithseq
from arithseq.errors import ConfigError
from arithseq.evaluation.explain import explain

pytest.importorskip("starlette")
pytest.importorskip("httpx")
from starlette.testclient import TestClient  # noqa: E402

from arithseq.serve.app import create_app  # noqa: E402


def tiny(root, name, **changes):
    config = arithseq.TrainConfig(**{
        "task": "addition", "task_options": {"largest": 20}, "model": "attention",
        "model_options": {"units": 8, "embedding_dim": 4}, "epochs": 2, "steps_per_epoch": 3, "batch_size": 16,
        "val_size": 16, "test_size": 16, "jit": False, "target": 0, **changes,
    })
    return arithseq.train(config, root / name, verbose=0, echo=lambda *_: None)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("serve")
    single = tiny(root, "single")
    loop = tiny(root, "loop", task="mixed", task_options={"values": [0, 9], "target": "steps"})
    return [arithseq.load_run(single.path), arithseq.load_run(loop.path)]


@pytest.fixture(scope="module")
def client(runs):
    app = create_app(runs, max_chars=50, max_lines=5)
    with TestClient(app) as client:
        yield client
    app.state.close()


def test_get_answers_with_exact_value_correctness_and_probabilities(client, runs):
    body = client.get("/api/predict", params={"q": "2+2"}).json()
    assert body["expression"] == "2+2" and body["exact"] == "4" and body["mode"] == "single pass"
    assert body["answer"] == runs[0].predict("2+2")  # the network's own answer, never the exact value
    assert body["correct"] == (body["answer"] == "4")
    assert body["chars"] and all(0 <= p <= 1 for _, p in body["chars"])
    assert "".join(c for c, _ in body["chars"]).strip() == body["written"].strip()


def test_attention_models_say_what_each_written_character_attended_to(client):
    body = client.get("/api/predict", params={"q": "12+5"}).json()
    att = body["attention"]
    assert att["input"][-4:] == list("12+5") and len(att["output"]) == len(body["chars"])
    assert len(att["weights"]) == len(att["output"]) and all(len(row) == len(att["input"]) for row in att["weights"])
    assert all(abs(sum(row) - 1) < 0.01 for row in att["weights"])  # a softmax over everything read, padding too


def test_the_loop_shows_each_step_as_the_network_was_given_it(client, runs):
    body = client.get("/api/predict", params={"q": "2*3+4", "run": 1}).json()
    assert body["mode"] == "decoding loop"
    assert [step["step"] for step in body["steps"]][0] == "2*3"  # precedence picks the product first
    assert body["answer"] == runs[1].predict("2*3+4") and body["exact"] == "10"
    for step in body["steps"]:  # an untrained network may write nothing: no characters, but a list
        assert isinstance(step["chars"], list) and all(0 <= p <= 1 for _, p in step["chars"])
        assert "".join(c for c, _ in step["chars"]) == step["written"]


def test_explaining_a_loop_runs_it_once_and_reads_each_expression_once(runs, monkeypatch):
    run = runs[1]
    calls = {"trace": 0, "read": 0}
    trace, read = run.framing.trace, run.task.read

    def counted(name, fn):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return fn(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(run.framing, "trace", counted("trace", trace))
    monkeypatch.setattr(run.task, "read", counted("read", read))
    [entry] = explain(run, ["2*3+4"])
    assert calls == {"trace": 1, "read": 1}
    assert entry["answer"] == run.predict("2*3+4") and [s["step"] for s in entry["steps"]][0] == "2*3"


def test_post_answers_each_line_with_its_own_error(client):
    results = client.post("/api/predict", json={"expressions": ["1+7", "1+", "10+10"]}).json()["results"]
    assert [r["expression"] for r in results] == ["1+7", "1+", "10+10"]
    assert results[1]["error"]["column"] == 3 and "answer" not in results[1]
    assert results[0]["exact"] == "8" and results[2]["exact"] == "20"
    assert client.post("/api/predict", json=["3+4"]).json()["results"][0]["exact"] == "7"  # a bare list too


def test_an_answer_does_not_depend_on_its_batch(client):
    alone = client.get("/api/predict", params={"q": "3+4"}).json()
    together = client.post("/api/predict", json=["19+20", "3+4", "1+1"]).json()["results"][1]
    assert alone["answer"] == together["answer"] and alone["chars"] == together["chars"]


def test_outside_training_is_answered_with_a_warning(client):
    body = client.get("/api/predict", params={"q": "30+40"}).json()
    assert "answer" in body and any("outside the training range" in w for w in body["warnings"])


@pytest.mark.parametrize(
    "call, status, words",
    [
        (lambda c: c.get("/api/predict", params={"q": "2+*3"}), 400, "column 3"),
        (lambda c: c.get("/api/predict"), 400, "?q=EXPR"),
        (lambda c: c.get("/api/predict", params={"q": "1+1", "run": "7"}), 400, "run '7' does not exist"),
        (lambda c: c.get("/api/predict", params={"q": "1" * 51}), 400, "at most 50"),
        (lambda c: c.post("/api/predict", content=b"{not json"), 400, "not JSON"),
        (lambda c: c.post("/api/predict", json={"expressions": "1+1"}), 400, "list of expression strings"),
        (lambda c: c.post("/api/predict", json=["1+1"] * 6), 400, "at most 5"),
        (lambda c: c.post("/api/predict", json=[]), 400, "no expressions"),
        (lambda c: c.post("/api/predict", json=["1+1", " "]), 400, "expression 2 is empty"),
    ],
)
def test_bad_input_is_a_400_that_says_what_and_where(client, call, status, words):
    response = call(client)
    assert response.status_code == status
    assert words in response.json()["error"] + f" column {response.json().get('column')}"


def test_the_page_its_assets_and_the_run_list(client):
    page = client.get("/")
    assert page.status_code == 200 and "/static/app.js" in page.text and "http" not in page.text.replace("http://www.w3.org", "")
    assert client.get("/static/app.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/static/nothing.js").status_code == 404
    runs = client.get("/api/runs").json()["runs"]
    assert [r["mode"] for r in runs] == ["single pass", "decoding loop"]
    assert runs[0]["exact_match"] is not None and "worst" in runs[0] and isinstance(runs[0]["wrong_examples"], list)


def test_probabilities_are_the_decoders_own(runs):
    """One teacher-forced pass gives what greedy decoding saw at each step (gpt's decoder reports them)."""
    run = tiny(
        runs[0].path.parent, "gpt", task_options={"largest": 20, "reverse_output": True}, model="gpt",
        model_options={"dim": 16, "heads": 2, "layers": 1, "ff": 32, "positions": "coupled", "max_position": 32},
    )
    run = arithseq.load_run(run.path)
    (entry,) = explain(run, ["12+34"])
    question = run.tokenizer.encode(np.array(["12+34"]), "input")
    ids, scores = run.framing._decoder(run.model)(question, run.tokenizer.significance(question), run.tokenizer.output_length, scores=True)
    expected = [round(float(p), 4) for i, p in zip(ids[0], scores[0].max(axis=-1)) if i != run.tokenizer.pad_id]
    assert [p for _, p in entry["chars"]] == pytest.approx(expected, abs=2e-3)


def test_missing_extra_and_bad_runs_are_refused_clearly(monkeypatch, tmp_path):
    from arithseq import serve

    monkeypatch.setitem(sys.modules, "uvicorn", None)
    with pytest.raises(ConfigError, match=r"pip install 'arithseq\[serve\]'"):
        serve.require()
    done = subprocess.run([sys.executable, "-m", "arithseq.cli", "serve", str(tmp_path / "nothing")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "Traceback" not in done.stderr and "nothing" in done.stderr
