"""Plan the runs of an experiment: one task per strategy × uncertainty point × replicate.

* **Run key** — SHA-256 of the canonical run spec (base scenario digest, the overrides,
  horizon, seed, strategy, uncertainty point, replicate, what is measured). Execution
  settings (workers, engine, output folder) are not part of it, so the same run has the
  same key on any machine and in any process.
* **Common random numbers** — a replicate's seed derives from (design seed, uncertainty
  point, replicate index) through ``SeedSequence``, never from the strategy; and each model
  process draws from its own named stream. Paired strategies differ only by the strategy.
  In sampled designs (Latin hypercube, Sobol, Morris) the seed does not depend on the design
  point either, so differences between points are the parameters' effect, not seed noise
  (a parameter without effect gets exactly zero elementary effects).
* The key includes :data:`sim.model.MODEL_VERSION`, so runs stored by an older model are not
  reused after the model's behaviour changes.
* Planning is lazy (a generator), so memory does not grow with the number of runs.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from ..economics import PV_COLUMNS
from ..model import MODEL_VERSION
from .spec import LoadedExperiment

COST_OUTCOME = "cumulative_spend_per_employee"


@dataclass(frozen=True)
class Point:
    """One uncertainty point: a named scenario, or a sampled design point."""

    name: str
    overrides: dict[str, Any]
    values: dict[str, float] = field(default_factory=dict)  # sampled parameter values (design columns)


@dataclass(frozen=True)
class RunTask:
    """Everything a worker needs for one run (picklable, small)."""

    key: str
    experiment: str
    strategy: str
    uncertainty: str
    replicate: int
    seed: int
    values: dict[str, float]
    overrides: dict[str, Any]
    base_data: dict
    weeks: int
    measure_weeks: tuple[int, ...]
    outcomes: tuple[str, ...]
    out: str


def replicate_seed(design_seed: int, point: str, replicate: int) -> int:
    """Seed of a replicate: from the design seed, the uncertainty point and the replicate index."""
    state = np.random.SeedSequence([int(design_seed), zlib.crc32(point.encode()), int(replicate)]).generate_state(2)
    return int((int(state[0]) << 31) ^ int(state[1])) & (2**63 - 1)


def design_points(exp: LoadedExperiment) -> list[Point]:
    """The uncertainty points of the design (named scenarios, or samples of the ranges)."""
    spec = exp.spec
    d = spec.design
    if d.type == "factorial":
        return [Point(name, dict(ov)) for name, ov in spec.uncertainties.scenarios.items()]
    params = spec.uncertainties.parameters
    names = list(params)
    samples = sample_matrix(exp)
    points = []
    width = len(str(len(samples)))
    for i, row in enumerate(samples):
        values = {}
        for name, x in zip(names, row):
            r = params[name]
            values[name] = int(round(x)) if r.integer else float(x)
        points.append(Point(f"p{i:0{width}d}", dict(values), {k: float(v) for k, v in values.items()}))
    return points


def salib_problem(exp: LoadedExperiment) -> dict:
    params = exp.spec.uncertainties.parameters
    return {"num_vars": len(params), "names": list(params), "bounds": [[r.low, r.high] for r in params.values()]}


def sample_matrix(exp: LoadedExperiment) -> np.ndarray:
    """Design matrix of a sampled design (rows = points, columns = parameters)."""
    d = exp.spec.design
    problem = salib_problem(exp)
    if d.type == "latin_hypercube":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=problem["num_vars"], seed=np.random.default_rng(d.seed)).random(d.samples)
        lo = np.array([b[0] for b in problem["bounds"]])
        hi = np.array([b[1] for b in problem["bounds"]])
        return lo + unit * (hi - lo)
    if d.type == "sobol":
        from SALib.sample import sobol

        return sobol.sample(problem, d.samples, calc_second_order=False, seed=d.seed)
    if d.type == "morris":
        from SALib.sample import morris

        return morris.sample(problem, d.samples, num_levels=d.morris_levels, seed=d.seed)
    raise ValueError(d.type)


def run_key(spec: dict) -> str:
    return hashlib.sha256(json.dumps(spec, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()[:32]


def count_runs(exp: LoadedExperiment) -> int:
    return len(exp.spec.strategies) * len(design_points(exp)) * exp.spec.design.replicates


def plan_runs(exp: LoadedExperiment, out: Path) -> Iterator[RunTask]:
    """Every run of the experiment, in a fixed order (point, replicate, strategy)."""
    spec = exp.spec
    weeks = exp.horizon
    measure_weeks = tuple(spec.measure.resolved_weeks(weeks))
    outcomes = tuple(dict.fromkeys([*spec.measure.outcomes, COST_OUTCOME]))
    base_digest = exp.base.digest()
    sampled = spec.design.type != "factorial"
    for point in design_points(exp):
        for rep in range(spec.design.replicates):
            seed = replicate_seed(spec.design.seed, "design" if sampled else point.name, rep)
            for strategy, levers in spec.strategies.items():
                overrides = {**point.overrides, **levers, "seed": seed, "weeks": weeks}
                key = run_key({"model": MODEL_VERSION, "base": base_digest, "overrides": overrides, "strategy": strategy,
                               "uncertainty": point.name, "replicate": rep, "measure_weeks": measure_weeks,
                               "outcomes": outcomes, "stored": PV_COLUMNS})
                yield RunTask(key=key, experiment=spec.name, strategy=strategy, uncertainty=point.name,
                              replicate=rep, seed=seed, values=point.values, overrides=overrides,
                              base_data=exp.base_data, weeks=weeks, measure_weeks=measure_weeks,
                              outcomes=outcomes, out=str(out))
