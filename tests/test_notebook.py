"""examples/tutorial.ipynb runs from top to bottom (a minute on 2 CPU cores) and says what it should."""

import os
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK = Path(__file__).resolve().parent.parent / "examples" / "tutorial.ipynb"


def test_the_tutorial_notebook_runs_and_shows_its_figures(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # its runs/ folder goes here
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "3")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    texts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            assert output.get("output_type") != "error", output
            texts.append(str(output.get("text", "")) + str(output.get("data", {}).get("text/html", "")))
    shown = "\n".join(texts)
    assert "mlp: RMSE 0.000" in shown  # the mapping framing needs no sequence model
    assert "<tr><th>digits</th>" in shown and "worst stratum <b>" in shown  # reports and runs as HTML
    assert "998,001/998,001 answers entirely right" in shown
    assert "['4', '8', '20', '1000']" in shown
    assert "carry chain 30" in shown
    assert (tmp_path / "runs" / "notebook" / "default" / "model.keras").exists()
