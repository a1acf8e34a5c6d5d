"""``RUN/report.html``: one self-contained page (plots inlined as PNG data URIs, no scripts, nothing
fetched) that any browser opens, with the same plots as PNG files in ``RUN/plots/``."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from datetime import datetime
from html import escape
from pathlib import Path

from ..evaluation import Report, Run
from ..evaluation.strata import percent
from ..files import atomic_text
from ..tasks.enumeration import LIMIT
from . import plots

REPORT = "report.html"
PLOTS = "plots"
EXAMPLES_SHOWN = 50

STYLE = """
:root { --ink: #1d2433; --muted: #5d6677; --line: #dde2ea; --panel: #f6f8fb; --accent: #2a5db0; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       background: #ffffff; }
main { max-width: 1180px; margin: 0 auto; padding: 28px 32px 48px; }
header { border-bottom: 3px solid var(--accent); padding-bottom: 10px; margin-bottom: 22px; }
h1 { margin: 0; font-size: 28px; }
h1 .model { color: var(--accent); font-weight: 600; }
h2 { font-size: 20px; margin: 34px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
.sub, .note, figcaption, footer { color: var(--muted); font-size: 13px; }
.headline { display: grid; grid-template-columns: repeat(auto-fit, minmax(165px, 1fr)); gap: 12px; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.card .label { text-transform: uppercase; letter-spacing: .04em; font-size: 11px; color: var(--muted); }
.card .value { font-size: 20px; font-weight: 650; margin-top: 2px; overflow-wrap: anywhere; }
.card.big .value { font-size: 34px; color: var(--accent); }
.card.long .value { font-size: 15px; font-weight: 600; }
.card .detail { font-size: 12.5px; color: var(--muted); margin-top: 2px; }
nav { margin: 18px 0 0; font-size: 14px; }
nav a { color: var(--accent); margin-right: 16px; text-decoration: none; }
figure { margin: 10px 0 18px; }
figure img { display: block; max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px;
             background: #ffffff; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(360px, 1fr)); gap: 8px 18px;
        align-items: start; }
table { border-collapse: collapse; font-size: 13.5px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 12px; text-align: right; }
th { background: var(--panel); }
td.mono, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
td.bad { color: #b3261e; font-weight: 600; }
pre { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 12px 14px;
      font-size: 12.5px; overflow-x: auto; }
footer { margin-top: 36px; border-top: 1px solid var(--line); padding-top: 8px; }
"""


def report_for(run: Run, exhaustive: bool = True, progress: Callable[[int, int], None] | None = None) -> Report:
    """Every problem of the task when it has at most ``LIMIT`` (and ``exhaustive``), else the run's
    stratified held-out test set."""
    if exhaustive and run.task.size <= LIMIT:
        return run.evaluate(exhaustive=True, progress=progress)
    return run.evaluate(progress=progress)


def write_report(
    run: Run,
    report: Report | None = None,
    *,
    exhaustive: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Write ``RUN/report.html`` and ``RUN/plots/*.png`` for ``run`` (evaluated as :func:`report_for`
    says unless ``report`` is given); returns the page's path."""
    if report is None:
        report = report_for(run, exhaustive, progress)
    folder = run.path / PLOTS
    sections = [
        _learning_section(run.path, folder),
        _digits_section(report, folder),
        _strata_section(report, folder),
        _examples_section(report),
        _config_section(run.path),
    ]
    if (folder / "length.png").exists():  # written by `arithseq study length`
        sections.insert(3, ("length", "Length generalisation", _figure(folder / "length.png",
                            "exact match on lengths beyond training, from the last `arithseq study length`")))
    page = _page(run, report, sections)
    path = run.path / REPORT
    atomic_text(path, page)
    return path


# -- sections: (anchor, title, HTML body) ----------------------------------------------------------
def _learning_section(run_dir: Path, folder: Path) -> tuple[str, str, str]:
    history_path = run_dir / "history.csv"
    if not history_path.exists():
        return "learning", "Learning curves", _note("No learning curves: the run has no history.csv.")
    history = plots.read_history(history_path)
    parts = []
    for x, name, caption in [
        ("seconds", "learning-time.png", "against training time (wall clock)"),
        ("examples_seen", "learning-examples.png", "against training examples seen"),
    ]:
        path = plots.learning_curves(history, x, folder / name)
        if path is None:
            parts.append(_note(f"No curves {caption}: history.csv has no {x!r} column or no metrics per epoch."))
        else:
            parts.append(_figure(path, f"Loss, validation exact match (all and worst stratum) and per-character "
                                       f"accuracy per epoch, {caption}."))
    return "learning", "Learning curves", "\n".join(parts)


def _digits_section(report: Report, folder: Path) -> tuple[str, str, str]:
    title = "Exact match by digit count"
    cells = report.breakdown.get("digits")
    if not cells:
        return "digits", title, _note("No heat map: the evaluated problems have no digits breakdown.")
    result = plots.digits_heatmap(cells, f"exact match by digits of each number\n({report.source})", folder / "digits.png")
    if isinstance(result, str):
        return "digits", title, _note(f"No heat map: {result}.")
    caption = ("Rows: digits of the first number; columns: digits of the second; each cell gives the share of "
               "answers entirely right and n, the problems in it")
    if any(label.count(",") > 1 or label.count("+") > 1 for label in cells):
        caption += "; expressions with a third number are counted under their first two, weighted by n"
    return "digits", title, _figure(result, caption + f". Evaluated on: {report.source}.")


def _strata_section(report: Report, folder: Path) -> tuple[str, str, str]:
    title = "Exact match by stratum"
    if not report.breakdown:
        return "strata", title, _note("The report has no strata.")
    figures = []
    for group, cells in report.breakdown.items():
        path = plots.strata_plot(group, cells, folder / f"strata-{_slug(group)}.png")
        figures.append(_figure(path, f"by {group}: exact match of each stratum, n problems in it"))
    return "strata", title, '<div class="grid">\n' + "\n".join(figures) + "\n</div>"


def _examples_section(report: Report) -> tuple[str, str, str]:
    title = "Worst-predicted examples"
    wrong = report.worst_examples[:EXAMPLES_SHOWN]
    if not wrong:
        return "examples", title, _note(f"Every one of the {report.n:,} answers was entirely right.")
    rows = "\n".join(
        f'<tr><td>{i}</td><td class="mono">{escape(str(expr))}</td><td class="mono">{escape(str(expected))}</td>'
        f'<td class="mono{"" if ok else " bad"}">{escape(str(predicted))}</td><td>{"yes" if ok else "no"}</td></tr>'
        for i, (expr, expected, predicted, ok) in enumerate(wrong, 1)
    )
    intro = _note(f"The first {len(wrong):,} wrong answers met during the evaluation ({report.source}).")
    head = "<tr><th>#</th><th>expression</th><th>expected</th><th>predicted</th><th>right</th></tr>"
    return "examples", title, f"{intro}\n<table>\n<thead>{head}</thead>\n<tbody>\n{rows}\n</tbody>\n</table>"


def _config_section(run_dir: Path) -> tuple[str, str, str]:
    path = run_dir / "config.toml"
    text = path.read_text(encoding="utf-8") if path.exists() else "(no config.toml)"
    intro = '<p class="note">RUN/config.toml: <code>arithseq train --config</code> with this file repeats the run.</p>'
    return "config", "Configuration", f"{intro}\n<pre>{escape(text)}</pre>"


# -- the page ------------------------------------------------------------------------------------
def _page(run: Run, report: Report, sections: list[tuple[str, str, str]]) -> str:
    task, model = run.task.name, run.config.model
    nav = "".join(f'<a href="#{anchor}">{escape(title)}</a>' for anchor, title, _ in sections)
    body = "\n".join(f'<section id="{anchor}">\n<h2>{escape(title)}</h2>\n{html}\n</section>'
                     for anchor, title, html in sections)
    written = datetime.now().strftime("%Y-%m-%d %H:%M")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>arithseq report: {escape(task)}, {escape(model)}</title>
<style>{STYLE}</style>
</head>
<body>
<main>
<header>
<h1>{escape(task)} <span class="model">· {escape(model)}</span></h1>
<div class="sub">run <code>{escape(str(run.path))}</code> · report written {escape(written)}</div>
</header>
<section class="headline">
{_headline(run, report)}
</section>
<nav>{nav}</nav>
{body}
<footer>Written by arithseq. Exact match counts an answer right only when every character is; the worst
stratum is the group of problems (by digits, terms, operators, carries...) the model does worst on.</footer>
</main>
</body>
</html>
"""


def _headline(run: Run, report: Report) -> str:
    right = round(report.exact_match * report.n)
    cards = [_card("exact match", percent(report.exact_match), f"{right:,} of {report.n:,} answers entirely right", big=True)]
    worst = report.worst
    if worst is not None:
        cards.append(_card("worst stratum", worst.describe(), "the group of problems answered worst"))
    cards.append(_card("evaluated on", report.source, f"{report.n:,} problems"))
    if report.steps_right is not None:
        cards.append(_card("steps right", percent(report.steps_right), "each intermediate step, judged on its own"))
    if report.char_accuracy is not None:
        cards.append(_card("per-character accuracy", f"{report.char_accuracy:.2%}", "what Keras reports as accuracy"))
    summary = _metrics(run.path)
    if summary:
        seconds = summary.get("train_seconds")
        seen = summary.get("examples_seen")
        detail = f"{int(seen):,} examples seen" if isinstance(seen, (int, float)) else ""
        value = f"{seconds:,.1f} s" if isinstance(seconds, (int, float)) else "?"
        epochs = summary.get("epochs")
        cards.append(_card("training", value, f"{epochs} epochs, {detail}" if epochs is not None else detail))
    return "\n".join(cards)


def _card(label: str, value: str, detail: str = "", big: bool = False) -> str:
    size = " big" if big else " long" if len(value) > 24 else ""
    return (f'<div class="card{size}"><div class="label">{escape(label)}</div>'
            f'<div class="value">{escape(value)}</div><div class="detail">{escape(detail)}</div></div>')


def _figure(path: Path, caption: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{escape(caption)}">'
            f"<figcaption>{escape(caption)} <span class=\"file\">({escape(path.parent.name + '/' + path.name)})</span>"
            "</figcaption></figure>")


def _note(text: str) -> str:
    return f'<p class="note">{escape(text)}</p>'


def _metrics(run_dir: Path) -> dict:
    try:
        data = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "group"
