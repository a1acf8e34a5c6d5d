"""Is a figure the recipe's, or one seed's? The same configuration trained with several seeds.

Length generalisation in particular varies widely between seeds (Zhou et al. 2024), so
``seed_study`` trains one run per seed (``OUT/seed-S``), measures each the same way
(held-out exact match, its worst stratum, optionally every problem of the task and
the length settings of ``study length``) and reports the minimum, median and maximum
of every figure.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..config import TrainConfig
from ..evaluation.strata import Worst, percent
from ..evaluation.study import length_study
from ..errors import ConfigError
from ..options import check_seed


@dataclass(frozen=True)
class SeedRow:
    seed: int
    run: str
    seconds: float  # training time
    figures: dict[str, float]  # figure -> exact match
    worst: str  # the held-out set's worst stratum, described


@dataclass
class SeedStudy:
    rows: list[SeedRow] = field(default_factory=list)

    @property
    def figures(self) -> list[str]:
        return list(self.rows[0].figures) if self.rows else []

    def spread(self, figure: str) -> tuple[float, float, float]:
        """Minimum, median and maximum of a figure over the seeds."""
        values = [row.figures[figure] for row in self.rows]
        return min(values), statistics.median(values), max(values)

    def to_dict(self) -> dict:
        return {
            "seeds": [
                {"seed": r.seed, "run": r.run, "seconds": r.seconds, "worst": r.worst, "figures": r.figures} for r in self.rows
            ],
            "spread": {f: dict(zip(("min", "median", "max"), self.spread(f))) for f in self.figures},
        }

    def format(self) -> str:
        seeds = " ".join(f"{'seed ' + str(r.seed):>9}" for r in self.rows)
        lines = [f"{'figure':<24} {'min':>9} {'median':>9} {'max':>9}   {seeds}"]
        for figure in self.figures:
            low, mid, high = self.spread(figure)
            each = " ".join(f"{percent(r.figures[figure]):>9}" for r in self.rows)
            lines.append(f"{figure:<24} {percent(low):>9} {percent(mid):>9} {percent(high):>9}   {each}")
        seconds = [r.seconds for r in self.rows]
        lines.append(
            f"{'training seconds':<24} {min(seconds):>9.1f} {statistics.median(seconds):>9.1f} {max(seconds):>9.1f}   "
            + " ".join(f"{s:>9.1f}" for s in seconds)
        )
        lines += [f"seed {r.seed} worst stratum: {r.worst}" for r in self.rows]
        return "\n".join(lines)


def parse_seeds(text: str) -> list[int]:
    """``"3"`` -> seeds 0, 1, 2; ``"0,4,7"`` -> those seeds."""
    try:
        seeds = [int(part) for part in text.replace(" ", "").split(",")] if "," in text else list(range(int(text)))
    except ValueError:
        raise ConfigError(f"--seeds expects a count (3) or a list of seeds (0,4,7), got {text!r}") from None
    if not seeds or len(seeds) > 64:
        raise ConfigError(f"--seeds: give between 1 and 64 seeds, got {text!r}")
    if len(set(seeds)) != len(seeds):
        raise ConfigError(f"--seeds: each seed once, got {text!r}")
    for seed in seeds:
        check_seed(seed, "--seeds")
    return seeds


def seed_study(
    config: TrainConfig,
    seeds: Sequence[int],
    out: str | Path,
    *,
    digits: Sequence[int] = (),
    terms: Sequence[int] = (),
    carry_chains: bool = False,
    exhaustive: bool = False,
    n: int = 500,
    overwrite: bool = False,
    echo: Callable[[str], None] = print,
) -> SeedStudy:
    """Train ``config`` once per seed into ``out/seed-S`` and measure every run the same way."""
    from .loop import train

    out = Path(out)
    if out.is_file():
        raise ConfigError(f"{out} is a file, not a folder for the seeds' runs")
    study = SeedStudy()
    for seed in seeds:
        run = train(config.replace(seed=seed), out / f"seed-{seed}", verbose=0, echo=lambda _: None, overwrite=overwrite)
        # training judged the run on its held-out test set already: metrics.json holds that report
        held_out = json.loads((Path(run.path) / "metrics.json").read_text())
        worst = Worst(held_out["worst"]["group"], held_out["worst"]["stratum"], held_out["worst"]["exact_match"],
                      held_out["worst"]["n"]) if held_out.get("worst") else None
        figures = {"held-out exact match": held_out["exact_match"]}
        figures["held-out worst stratum"] = worst.exact_match if worst else held_out["exact_match"]
        if exhaustive:
            figures["every problem"] = run.evaluate(exhaustive=True).exact_match
        for row in length_study(run, list(digits), list(terms), carry_chains, n, seed=1000 + seed):
            if row.n:
                figures[f"{row.kind} {row.setting}"] = row.exact_match
        seconds = float(held_out["train_seconds"])
        study.rows.append(SeedRow(seed, str(run.path), seconds, figures, worst.describe() if worst else ""))
        echo(f"seed {seed}: trained {seconds:.1f} s, held-out {percent(held_out['exact_match'])}, worst {study.rows[-1].worst}")
    return study
