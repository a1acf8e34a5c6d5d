"""Did the network learn the algorithm, or the training distribution? A run judged on settings it never saw.

``length_study`` evaluates a run on numbers of exactly D digits, on K terms and on
D-digit carry chains, marks which settings lay inside training, and returns one row
per setting. A carry chain is a column that makes a carry followed by columns whose
digits sum to exactly 9: they pass the carry on and make none of their own, so the
network must carry it the whole way (``36303877564985069541+72198262435014930459``
carries from the units through 12 columns). Uniform long sums almost never hold long
chains; the study's D-digit chains pass the carry through D/2 to D-1 columns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..errors import ArithseqError, ConfigError
from .runs import Run


@dataclass(frozen=True)
class StudyRow:
    kind: str  # "digits", "terms" or "carry chain"
    setting: int
    inside: bool  # inside the training range
    n: int
    exact_match: float
    worst: str  # the worst stratum, described
    note: str = ""  # why the setting could not be measured, if it could not

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("kind", "setting", "inside", "n", "exact_match", "worst", "note")}


def parse_settings(text: str, name: str, low: int, high: int) -> list[int]:
    """``"1-100"``, ``"2,4,8"`` or ``"1-10,20,50"`` as a sorted list of whole numbers in low..high."""
    values: set[int] = set()
    try:
        for part in text.replace(" ", "").split(","):
            first, _, last = part.partition("-")
            values.update(range(int(first), int(last or first) + 1))
    except ValueError:
        raise ConfigError(f"--{name} expects settings like 1-100 or 2,4,8, got {text!r}") from None
    if not values or min(values) < low or max(values) > high:
        raise ConfigError(f"--{name}: settings must lie in {low}..{high}, got {text!r}")
    return sorted(values)


def chain_lengths(digits: int) -> tuple[int, int]:
    """How many columns the study's ``digits``-digit carry chains pass through: half of them to all but one."""
    return -(-digits // 2), digits - 1


def length_study(
    run: Run,
    digits: list[int] = (),
    terms: list[int] = (),
    carry_chains: bool = False,
    n: int = 500,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> list[StudyRow]:
    if run.task.from_data:
        raise ConfigError(
            f"run {run.path} learned from a data file: it has no task to draw longer numbers or more terms from; "
            "judge it with `arithseq evaluate` on its own test set, or on another file"
        )
    config = run.task.config
    trained_digits = range(len(str(config.values[0])), len(str(config.values[1])) + 1)
    plan = [("digits", d) for d in digits] + [("terms", k) for k in terms]
    if carry_chains:
        if not run.task.two_number_sums:
            raise ConfigError("--carry-chains needs a run trained on sums of two numbers")
        plan += [("carry chain", d) for d in (digits or list(trained_digits)) if d >= 2]
    rows = []
    for done, (kind, setting) in enumerate(plan, 1):
        if kind == "terms":
            options = {"terms": setting}
            inside = config.terms[0] <= setting <= config.terms[1]
        else:
            options = {"values": (0 if setting == 1 else 10 ** (setting - 1), 10**setting - 1)}
            inside = setting in trained_digits
            if kind == "carry chain":
                options.update(carry_chains=1.0, carry_runs=0.0, chain_length=chain_lengths(setting))
        try:
            report = run.evaluate(n, seed, **options)
            worst = report.worst.describe() if report.worst else ""
            rows.append(StudyRow(kind, setting, inside, report.n, report.exact_match, worst))
        except ArithseqError as exc:  # e.g. a fixed-length model asked for longer answers
            rows.append(StudyRow(kind, setting, inside, 0, float("nan"), "", str(exc).splitlines()[0]))
        if progress:
            progress(done, len(plan))
    return rows


def format_study(rows: list[StudyRow]) -> str:
    lines = [f"{'setting':<18} {'trained':>7} {'n':>6} {'exact match':>11}  worst stratum"]
    for row in rows:
        label = f"{row.kind} {row.setting}"
        if row.note:
            lines.append(f"{label:<18} {'yes' if row.inside else 'no':>7} {'-':>6} {'-':>11}  {row.note}")
            continue
        lines.append(f"{label:<18} {'yes' if row.inside else 'no':>7} {row.n:>6,} {row.exact_match:>11.2%}  {row.worst}")
    return "\n".join(lines)
