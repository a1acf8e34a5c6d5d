"""How a report and a run show themselves in Jupyter: the headline, the worst stratum next to it, and
a heat map of exact match by the digit counts of the two numbers (no plotting library: an HTML table
whose cells are shaded by their figure, readable offline and in a saved notebook)."""

from __future__ import annotations

import html
import re
from typing import Any

from .strata import percent

_TWO_NUMBERS = re.compile(r"^(\d+)[+,](\d+)$")


def report_html(summary: dict[str, Any], title: str = "") -> str:
    """``summary``: a report's ``to_dict()`` (or a run's metrics.json)."""
    worst = summary.get("worst")
    lines = [f"<div class='arithseq-report'>{f'<b>{html.escape(title)}</b><br>' if title else ''}"]
    lines.append(
        f"exact match <b>{percent(summary['exact_match'])}</b> of {int(summary['n']):,} "
        f"({html.escape(str(summary.get('source', '')))})"
    )
    if worst:
        lines.append(
            f"<br>worst stratum <b>{html.escape(worst['group'])} {html.escape(str(worst['stratum']))}: "
            f"{percent(worst['exact_match'])}</b> (n={int(worst['n']):,})"
        )
    if summary.get("steps_right") is not None:
        lines.append(f"<br>steps right {percent(summary['steps_right'])}")
    lines.append(digits_table(summary.get("breakdown", {}).get("digits", {})))
    lines.append("</div>")
    return "\n".join(lines)


def digits_table(cells: dict[str, dict[str, float]]) -> str:
    """Exact match by digits of operand 1 (rows) and operand 2 (columns), each cell shaded and with its n;
    a task of other strata gets one row of them."""
    pairs = {}
    for label, value in cells.items():
        match = _TWO_NUMBERS.match(label)
        if match is None:
            pairs = {}
            break
        pairs[(int(match.group(1)), int(match.group(2)))] = value
    if not cells:
        return ""
    if not pairs:
        row = "".join(_cell(v) for v in cells.values())
        head = "".join(f"<th>{html.escape(k)}</th>" for k in cells)
        return f"<table><tr><th>digits</th>{head}</tr><tr><td></td>{row}</tr></table>"
    rows_, cols = sorted({a for a, _ in pairs}), sorted({b for _, b in pairs})
    out = ["<table><tr><th>digits</th>" + "".join(f"<th>{b}</th>" for b in cols) + "</tr>"]
    for a in rows_:
        out.append(f"<tr><th>{a}</th>" + "".join(_cell(pairs.get((a, b))) for b in cols) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def _cell(value: dict[str, float] | None) -> str:
    if value is None:
        return "<td></td>"
    share = float(value["exact_match"])
    red, green = int(255 * (1 - share) ** 0.5), int(200 * share)  # a low figure stands out
    return (
        f"<td style='background:rgb({red},{green},90);color:white;text-align:center;padding:3px 6px'>"
        f"{percent(share)}<br><small>n={int(value['n']):,}</small></td>"
    )
