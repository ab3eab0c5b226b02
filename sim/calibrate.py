"""``lesim calibrate``: fit a scenario's uncertainties to an organisation's own figures.

``lesim check`` (:mod:`sim.validation.patterns`) asks whether a scenario reproduces
*published* patterns; this module fits the scenario to *one organisation's* observed
figures — its turnover, its formal learning hours, its completion rate — by moving the
parameters the organisation does not control and cannot read off its records, its declared
uncertainties (``kind="uncertainty"``, :mod:`sim.parameters`), within their plausible
ranges. Levers (what a strategy sets) and settings (what describes the organisation: its
size, roles, budget) are never fitted: they are written into the scenario as they are.

**Targets file** (:func:`load_targets`; YAML read with the scenario loader's safe YAML 1.2
parser and its limits, :func:`sim.loader.parse_yaml`; every mistake one line ``file:line:
key: message`` through :func:`sim.loader.validate_data` and :func:`sim.loader.line_of`)::

    targets:
      turnover:                      # an outcome name (sim/outcomes.py), in its unit
        value: 0.161
        interval: [0.143, 0.180]     # optional observed 95 % interval; default ±10 % of value
        source: "people.csv: 237 leavers of 1,470"   # optional text
      learning_hours: {value: 30}
    fit: [labour_market.annual_turnover, learning.discretionary_hours]   # optional

Without ``fit:``, each target brings the uncertainties :data:`DEFAULT_FIT` names for its
outcome (measured, see there).

**What is compared** (:func:`last_year_means`): the outcome's mean over the last year of the
run, weeks ``weeks − 51 … weeks``, of the scenario *as given* (its strategy, its events),
averaged over the seeds. Weeks are counted from week 0, after the status-quo spin-up
(``start.spin_up_weeks``, 156 by default, docs/ODD.md §5), so a 104-week horizon measures
the organisation in its second settled year. ``lesim check`` reads the same organisation-level
outcome rows (``model.collector.org``, by :data:`~sim.outcomes.OUTCOMES` name) but over
weeks 1 (hours) or 13 (turnover) to the end of its own longer runs, and observes much more
per run (learning channels, new hires) than a calibration needs; its observer is therefore
not reused, only its way of reading the rows. An outcome that has no value in a week
(``may_be_undefined``, e.g. a completion rate in a week without starts) is averaged over the
weeks that have one.

**Common random numbers.** Every candidate parameter vector runs on the *same* seeds, the
scenario's seed … seed + N − 1: the difference between two candidates is then mostly the
parameters' effect, not the draw of who leaves when, so the objective is far smoother than
with fresh seeds (it is not smooth: once a run's events differ, its trajectory diverges).
A candidate changes the status quo (uncertainties describe the organisation's world), so
its spin-up is run afresh (:mod:`sim.spinup` keys on the status quo).

**Objective**: Σ over targets of ((mean over seeds − observed value) / half-width of the
observed interval)²: each target counts in units of how precisely it was observed, so a
binomially precise turnover weighs more than a rough estimate of learning hours. A mean
that is undefined (NaN on every week of every seed) counts :data:`UNDEFINED_PENALTY`.

**Optimiser** (:func:`calibrate`): :func:`scipy.optimize.minimize` with ``method="Powell"``
and bounds, on the parameters scaled to [0, 1] of their plausible ranges, from the
scenario's own values. Why Powell: it is derivative-free (the objective of a stochastic
simulation has no usable gradient), bounded, and its line searches are Brent's bounded
method over the *whole* feasible segment of each direction, starting with the coordinate
directions — one parameter per direction. The default targets are nearly separable
(turnover moves with the exit hazard, hours with discretionary hours; measured, see
:data:`DEFAULT_FIT`), so the first pass of coordinate searches already lands near the fit;
with one parameter, Powell is exactly a bounded Brent search. Nelder–Mead, the other
choice, starts from a simplex of 5 % steps around the start and crawls on a rugged
surface. The line search stops at :data:`XTOL` of the plausible range (5 %, about seven
evaluations a line): with four seeds the 95 % interval of the mean turnover is about ±0.02
a year, a fifth of what the exit hazard's whole plausible range moves it (0.083 → 0.183),
so finer steps would buy evaluations, not precision. The **budget** caps the model
evaluations (each one ``seeds`` runs; the starting point counts; a repeated point is not
run again): when it is spent the search stops, and the result is the best point evaluated —
with a noisy objective the best evaluated point, not the optimiser's last iterate, is the
honest answer. Candidate values are rounded to :data:`SIGNIFICANT` significant figures
(whole numbers for an integer parameter) before they run, so the fitted value written is
exactly the value that was run, and it lies inside the plausible range.

**Timing** (measured on one core, 500-person baseline, 104 weeks): a run takes 1.1–1.4 s
(spin-up ~0.7 s, of the weeks ~40 % is the outcome collector), an evaluation on 4 seeds
about 5.5 s. The default budget of :data:`DEFAULT_BUDGET` evaluations is two full Powell
passes for two parameters (each: two line searches of about seven evaluations and the
extrapolated point). One pass is not enough: it searches each parameter with the others where
they stand, and the targets are coupled (the exit hazard also moves learning hours, through
new hires' onboarding), so the first-searched parameter is left where it served the other
target (measured: one pass of 16 evaluations fitted the baseline's hazard at 0.129 where 0.141
fits turnover better; on the imported IBM example it *lowered* the hazard, moving turnover from
0.152 to 0.147 against an observed 0.161, while the second pass brought it to 0.160). About
3 minutes for the 500-person baseline and 4 minutes for the 1,470-person example on one core.

**Result** (:class:`Calibration`): per target the observed value and interval, the model's
mean and 95 % Student-t interval over the seeds (:func:`sim.economics.t_interval`) at the
start and at the fit, and whether the fitted interval overlaps the observed one ("within";
with one seed, whether the mean lies inside it). A calibration *can fail*: a target no
plausible value reaches stays "outside" and ``lesim calibrate`` exits with status 1.

**Fitted scenario** (:func:`fitted_text`): a copy of the scenario file with the fitted values
(and the ``--set`` overrides the calibration ran with) set by editing the lines the
loader's node tree points to, so the file's comments stay; a key the file leaves at its
default is added to its section. When the file cannot be edited line by line (flow style,
list items, aliases, multi-line values), it is written as clean YAML instead. Either way a
header comment says what was fitted to what and when, and the result is re-read and
checked to hold exactly the intended values before it is written.
"""

from __future__ import annotations

import copy
import difflib
import math
import os
import re
import time
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Any, Callable, Optional, Sequence

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from .economics import t_interval
from .loader import (ScenarioError, _fill_defaults_on_path, apply_override, one_line, parse_override,
                     parse_scenario_text, parse_yaml, read_text, resolve_data_files, scenario_from_data,
                     validate_data)
from .outcomes import OUTCOME_BY_NAME, OUTCOMES
from .parameters import ParameterInfo, iter_parameters, located
from .processes.phase import lookup
from .reporting import BOUNDED_UNITS, fmt_value
from .scenario import Scenario, replaced

DEFAULT_SEEDS = 4
DEFAULT_WEEKS = 104    # the last-year mean is weeks 53–104: the second year after the spin-up
MIN_WEEKS = 52         # a last-year mean needs a year
DEFAULT_BUDGET = 30    # evaluations: ~5.5 s each for the 500-person baseline on 4 seeds (measured) → ~3 min
XTOL = 0.05            # line-search tolerance, as a share of the plausible range
SIGNIFICANT = 4        # significant figures of a candidate value (what runs is what is written)
DEFAULT_RELATIVE_HALF_WIDTH = 0.10   # interval when none is given: value ± 10 % (an assumption: a rough figure)
UNDEFINED_PENALTY = 1e6              # objective term of an outcome the runs never define
HEADER_MARK = "# Calibrated by `lesim calibrate`"
HEADER_END = "# (end of the calibration note)"

DEFAULT_FIT: dict[str, tuple[str, ...]] = {
    "turnover": ("labour_market.annual_turnover",),
    "learning_hours": ("learning.discretionary_hours",),
    "completion_rate": ("rules.formal.completion_base",),
    "skills_gap": ("learning.job_exposure",),
    "mean_proficiency": ("learning.job_exposure",),
    "fully_proficient": ("learning.job_exposure",),
    "time_to_proficiency": ("learning.experiential_rate",),
    "transfer_rate": ("learning.transfer_rate",),
    "engagement": ("rules.culture.engagement_base",),
}
"""Which uncertainties a target fits when the targets file has no ``fit:`` — for each
outcome, the one declared uncertainty that moves it most, so that each target brings one
parameter and the fit stays identified (more parameters than targets would let several
values fit equally well). Measured on the 500-person baseline (seeds 1–2, 104 weeks,
last-year means, each parameter at the two ends of its plausible range, everything else at
the baseline's values):

* turnover 0.083 → 0.183 a year with ``labour_market.annual_turnover`` 0.08 → 0.16 (the
  base exit hazard; first-year and engagement effects sit on top of it);
* learning hours 26.9 → 38.4 h a year with ``learning.discretionary_hours`` 0.4 → 0.7 h/week
  (compliance hours are a lever, ``policies.mandatory_training.hours_per_year``: the
  organisation knows them; ``rules.time.uptake_base`` moved nothing without protected time);
* completion rate 0.28 → 0.42 with ``rules.formal.completion_base`` 0.4 → 0.8, which leaves
  hours and turnover alone (discretionary hours move it too, 0.25 → 0.45: with an hours
  target as well, both are fitted);
* skills gap 0.119 → 0.041, mean proficiency 2.45 → 2.74 and fully proficient 0.21 → 0.71
  with ``learning.job_exposure`` 0.85 → 0.98 (what practice alone lets people reach: the
  level an assessment of the settled organisation measures; ``learning.experiential_rate``
  moves them about a quarter as much);
* time to proficiency 102 → 62 weeks with ``learning.experiential_rate`` 0.01 → 0.04;
* transfer rate 0.42 → 0.70 with ``learning.transfer_rate`` 0.1 → 0.4;
* engagement 0.64 → 0.81 with ``rules.culture.engagement_base`` 0.4 → 0.6 — which also
  moves turnover (0.157 → 0.090) and hours: an engagement target belongs with a turnover
  target, fitted together.

Any other outcome needs ``fit:`` (e.g. L&D spend is set by levers and the budget, which are
the organisation's own figures, not uncertainties)."""


# ----------------------------------------------------------------------------- the targets file
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


Finite = Annotated[float, Field(allow_inf_nan=False)]
_TARGET_KEYS = ("value", "interval", "source")
_FILE_KEYS = ("targets", "fit")


def _known_keys(data: Any, keys: tuple[str, ...], what: str) -> Any:
    if isinstance(data, dict):
        for key in data:
            if key not in keys:
                raise located((key,), f"unknown key; {what} has {', '.join(keys[:-1])} and {keys[-1]}")
    return data


class TargetEntry(_Strict):
    """One observed figure: ``value`` in the outcome's unit, an optional observed 95 %
    ``interval`` and an optional ``source`` text."""

    value: Finite
    interval: Optional[list[Finite]] = Field(None, min_length=2, max_length=2)
    source: str = Field("", max_length=2_000)

    @model_validator(mode="before")
    @classmethod
    def _keys(cls, data: Any) -> Any:
        return _known_keys(data, _TARGET_KEYS, "a target")


# words in the names HR and LMS exports give their figures → the outcome that measures them
_HINTS = (("hour", "learning_hours"), ("turnover", "turnover"), ("attrition", "turnover"), ("leaver", "turnover"),
          ("quit", "turnover"), ("complet", "completion_rate"), ("assess", "mean_proficiency"),
          ("proficien", "mean_proficiency"), ("engag", "engagement"), ("spend", "spend_per_employee"))


def _outcome_hint(name: str) -> str:
    close = difflib.get_close_matches(name, list(OUTCOME_BY_NAME), n=1, cutoff=0.75)
    if not close:
        close = [outcome for word, outcome in _HINTS if word in name.lower()][:1]
    hint = f"did you mean {close[0]}? " if close else ""
    return f"{hint}the model reports: {', '.join(o.name for o in OUTCOMES)}"


class TargetsFile(_Strict):
    """The targets file as written (checked against the outcomes and parameters)."""

    targets: dict[str, TargetEntry] = Field(min_length=1)
    fit: Optional[list[str]] = Field(None, min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _keys(cls, data: Any) -> Any:
        return _known_keys(data, _FILE_KEYS, "a targets file")

    @model_validator(mode="after")
    def _meaning(self) -> "TargetsFile":
        for name, t in self.targets.items():
            outcome = OUTCOME_BY_NAME.get(name)
            if outcome is None:
                raise located(("targets", name), f"unknown outcome {name!r}; {_outcome_hint(name)}")
            if outcome.unit in BOUNDED_UNITS:
                for where, v in (("value", t.value), *((("interval", i), x) for i, x in enumerate(t.interval or ()))):
                    if not 0.0 <= v <= 1.0:
                        loc = ("targets", name, *((where,) if isinstance(where, str) else where))
                        raise located(loc, f"must be a share between 0 and 1 (write 0.16 for 16 %), got {v:g}")
            if t.interval is not None:
                low, high = t.interval
                if not low < high:
                    raise located(("targets", name, "interval"), f"must be [low, high] with low < high, got "
                                  f"[{low:g}, {high:g}]")
                if not low <= t.value <= high:
                    raise located(("targets", name, "interval"), f"[{low:g}, {high:g}] does not contain the value "
                                  f"{t.value:g}")
            elif t.value == 0:
                raise located(("targets", name, "value"), "is 0: give an interval (the default, ±10 % of the value, "
                              "has no width)")
        declared = {p.path: p for p in iter_parameters(Scenario)}
        seen: set[str] = set()
        for i, path in enumerate(self.fit or ()):
            p = declared.get(path)
            if p is None:
                raise located(("fit", i), f"{path!r}: no such parameter; `lesim parameters --kind uncertainty` lists "
                              "the uncertainties")
            if p.kind != "uncertainty":
                raise located(("fit", i), f"{path} is a {p.kind}, not an uncertainty: calibration fits only what the "
                              f"organisation neither controls nor knows; write a {p.kind} into the scenario file")
            if p.plausible is None:
                raise located(("fit", i), f"{path} declares no plausible range to fit within")
            if path in seen:
                raise located(("fit", i), f"{path} is listed twice")
            seen.add(path)
        if self.fit is None:
            for name in self.targets:
                if name not in DEFAULT_FIT:
                    raise located(("targets", name), f"no uncertainty is known to move {name}: list the ones to fit "
                                  "under fit: (`lesim parameters --kind uncertainty`)")
        return self


@dataclass(frozen=True)
class Target:
    """One target: an outcome, its observed value and interval (low, high)."""

    outcome: str
    value: float
    low: float
    high: float
    source: str = ""
    default_interval: bool = False

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2.0

    @property
    def label(self) -> str:
        return OUTCOME_BY_NAME[self.outcome].label

    @property
    def unit(self) -> str:
        return OUTCOME_BY_NAME[self.outcome].unit


@dataclass(frozen=True)
class Targets:
    """A loaded targets file: the targets in file order and the parameters to fit."""

    path: Path
    targets: tuple[Target, ...]
    fit: tuple[ParameterInfo, ...]
    fit_given: bool


def default_fit(outcomes: Sequence[str]) -> list[str]:
    """The uncertainties :data:`DEFAULT_FIT` names for ``outcomes``, each once, in order."""
    out: list[str] = []
    for name in outcomes:
        for path in DEFAULT_FIT.get(name, ()):
            if path not in out:
                out.append(path)
    return out


def load_targets(path: str | Path) -> Targets:
    """Read and check a targets file (see the module docstring); a mistake is a one-line
    :class:`~sim.loader.ScenarioError` ``file:line: key: message``."""
    path = Path(path)
    text = read_text(path)
    if not any(line.strip() and not line.lstrip().startswith("#") for line in text.splitlines()):
        raise ScenarioError(f"{path}: file is empty; expected `targets:` with an outcome's observed value, e.g. "
                            "`targets: {turnover: {value: 0.16}}`")
    data, node = parse_yaml(text, str(path))
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}:{node.start_mark.line + 1}: expected a mapping with `targets:` (and optionally "
                            f"`fit:`) at the top level, got {type(data).__name__}")
    spec: TargetsFile = validate_data(data, str(path), node, model_cls=TargetsFile)
    targets = []
    for name, t in spec.targets.items():
        if t.interval is None:
            half = abs(t.value) * DEFAULT_RELATIVE_HALF_WIDTH
            low, high = t.value - half, t.value + half
        else:
            low, high = t.interval
        targets.append(Target(name, float(t.value), float(low), float(high), t.source, t.interval is None))
    paths = list(spec.fit) if spec.fit is not None else default_fit(list(spec.targets))
    declared = {p.path: p for p in iter_parameters(Scenario)}
    return Targets(path, tuple(targets), tuple(declared[p] for p in paths), spec.fit is not None)


# ----------------------------------------------------------------------------- measuring
def last_year_means(scenario: Scenario, seeds: Sequence[int], weeks: int, outcomes: Sequence[str],
                    progress: Callable[[int], None] | None = None) -> np.ndarray:
    """Run ``scenario`` for ``weeks`` weeks on each seed; per seed (rows) and outcome
    (columns), the mean of the outcome over weeks ``weeks − 51 … weeks`` (NaN weeks left
    out). ``progress(weeks_done)`` is called after every week."""
    from .model import LearningEcosystem

    names = [o.name for o in OUTCOMES]
    cols = [names.index(o) for o in outcomes]
    out = np.full((len(seeds), len(outcomes)), np.nan)
    done = 0
    for i, seed in enumerate(seeds):
        model = LearningEcosystem(scenario.model_copy(update={"seed": int(seed), "weeks": int(weeks)}))
        for _ in range(weeks):
            model.step()
            done += 1
            if progress is not None:
                progress(done)
        org = np.array(model.collector.org)[:, cols]
        last = org[np.array(model.collector.weeks) >= weeks - 51]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an outcome undefined all year: NaN
            out[i] = np.nanmean(last, axis=0)
    return out


def objective(means: np.ndarray, targets: Sequence[Target]) -> float:
    """Σ ((mean − value) / half-width)² over the targets (:data:`UNDEFINED_PENALTY` for a NaN mean)."""
    total = 0.0
    for m, t in zip(means, targets):
        total += UNDEFINED_PENALTY if m != m else ((m - t.value) / t.half_width) ** 2
    return float(total)


def _mean_over_seeds(per_seed: np.ndarray) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(per_seed, axis=0)


def candidate(scenario: Scenario, params: Sequence[ParameterInfo], values: Sequence[float]) -> Scenario:
    """``scenario`` with each parameter set to its value (copies of the sections on the way;
    not validated again: :func:`quantise` keeps each value inside its plausible range, which
    lies inside the valid range, and of the parameter's type)."""
    out = scenario
    for p, v in zip(params, values):
        out = replaced(out, p.path.split("."), v)
    return out


def quantise(p: ParameterInfo, x: float) -> float | int:
    """A candidate value as it runs and is written: a whole number for an integer parameter,
    else :data:`SIGNIFICANT` significant figures; always inside the plausible range."""
    low, high = p.plausible
    x = min(max(float(x), low), high)
    if p.annotation is int:
        return int(min(max(round(x), math.ceil(low)), math.floor(high)))
    x = float(f"{x:.{SIGNIFICANT}g}")
    return min(max(x, float(low)), float(high))


@dataclass
class Evaluation:
    """One candidate: its parameter values, each target's last-year mean per seed (seeds ×
    targets) and the objective of the means over seeds."""

    values: tuple
    per_seed: np.ndarray
    objective: float
    in_range: bool = True

    @property
    def means(self) -> np.ndarray:
        return _mean_over_seeds(self.per_seed)

    def interval(self, j: int) -> tuple[float, float, float]:
        """Mean and 95 % t interval over the seeds of target ``j``."""
        x = self.per_seed[:, j]
        return t_interval(x[x == x])


def within(ev: Evaluation, j: int, target: Target) -> bool:
    """Whether the model's 95 % t interval over the seeds of target ``j`` overlaps the observed
    interval (with one seed, or an interval that cannot be computed: whether the mean lies in it)."""
    m, lo, hi = ev.interval(j)
    if m != m:
        return False
    if lo != lo or hi != hi:
        return target.low <= m <= target.high
    return lo <= target.high and hi >= target.low


@dataclass
class Calibration:
    """What :func:`calibrate` found (see the module docstring)."""

    scenario: Scenario
    targets: tuple[Target, ...]
    params: tuple[ParameterInfo, ...]
    seeds: tuple[int, ...]
    weeks: int
    budget: int
    start: Evaluation
    best: Evaluation
    evaluations: list[Evaluation] = field(default_factory=list)
    seconds: float = 0.0
    stopped: str = ""          # "budget" (spent) or "converged"

    @property
    def start_values(self) -> tuple:
        return self.start.values

    @property
    def fitted(self) -> dict[str, float | int]:
        return {p.path: v for p, v in zip(self.params, self.best.values)}

    @property
    def within(self) -> list[bool]:
        return [within(self.best, j, t) for j, t in enumerate(self.targets)]

    @property
    def outside(self) -> list[str]:
        return [t.outcome for t, ok in zip(self.targets, self.within) if not ok]

    def as_dict(self) -> dict:
        """JSON-ready (None where a figure is undefined)."""
        def num(v: float) -> float | None:
            return float(v) if v == v and math.isfinite(v) else None

        def triple(ev: Evaluation, j: int) -> dict:
            m, lo, hi = ev.interval(j)
            return {"mean": num(m), "low": num(lo), "high": num(hi),
                    "per_seed": [num(x) for x in ev.per_seed[:, j]]}

        ok = self.within
        return {
            "scenario": self.scenario.name, "seeds": list(self.seeds), "weeks": self.weeks,
            "window": [self.weeks - 51, self.weeks], "budget": self.budget, "evaluations": len(self.evaluations),
            "stopped": self.stopped, "within": all(ok), "outside": self.outside,
            "objective": {"start": num(self.start.objective), "fitted": num(self.best.objective)},
            "targets": [{"outcome": t.outcome, "label": t.label, "unit": t.unit, "value": t.value,
                         "interval": [t.low, t.high], "default_interval": t.default_interval, "source": t.source,
                         "start": triple(self.start, j), "fitted": triple(self.best, j),
                         "result": "within" if ok[j] else "outside"} for j, t in enumerate(self.targets)],
            "parameters": [{"path": p.path, "unit": p.unit, "plausible": list(p.plausible), "start": s, "fitted": v,
                            "source": p.source} for p, s, v in zip(self.params, self.start.values, self.best.values)],
            "trace": [{"values": list(ev.values), "objective": num(ev.objective)} for ev in self.evaluations],
            "wall_seconds": round(self.seconds, 2),
        }


class _Spent(Exception):
    """The evaluation budget is spent: the search stops."""


def calibrate(scenario: Scenario, targets: Sequence[Target], params: Sequence[ParameterInfo], *,
              seeds: int = DEFAULT_SEEDS, weeks: int = DEFAULT_WEEKS, budget: int = DEFAULT_BUDGET,
              progress: Callable[[int, int], None] | None = None) -> Calibration:
    """Fit ``params`` (uncertainties with plausible ranges) so that ``scenario``'s last-year
    means match ``targets`` (see the module docstring for the method and its choices).
    ``progress(weeks_done, weeks_planned)`` counts simulated weeks over the whole budget."""
    from scipy.optimize import minimize

    if weeks < MIN_WEEKS:
        raise ScenarioError(f"--weeks {weeks}: a last-year mean needs at least {MIN_WEEKS} weeks")
    if seeds < 1 or budget < 1:
        raise ScenarioError("--seeds and --budget must be at least 1")
    targets, params = tuple(targets), tuple(params)
    seed_list = tuple(scenario.seed + i for i in range(seeds))
    outcomes = [t.outcome for t in targets]
    lows = np.array([p.plausible[0] for p in params], dtype=float)
    spans = np.array([p.plausible[1] - p.plausible[0] for p in params], dtype=float)
    planned = budget * seeds * weeks
    cache: dict[tuple, Evaluation] = {}
    order: list[Evaluation] = []
    clock = time.perf_counter()

    def run(values: tuple, count: bool = True) -> Evaluation:
        if values in cache:
            return cache[values]
        if count and len(order) >= budget:
            raise _Spent
        base = len(order) * seeds * weeks
        tick = None if progress is None else (lambda done: progress(min(base + done, planned), planned))
        per_seed = last_year_means(candidate(scenario, params, values), seed_list, weeks, outcomes, tick)
        inside = all(p.plausible[0] <= v <= p.plausible[1] for p, v in zip(params, values))
        ev = Evaluation(values, per_seed, objective(_mean_over_seeds(per_seed), targets), inside)
        cache[values] = ev
        order.append(ev)
        return ev

    def to_values(u: np.ndarray) -> tuple:
        u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        return tuple(quantise(p, lo + x * s) for p, lo, x, s in zip(params, lows, u, spans))

    as_given = tuple(lookup(scenario, p.path) for p in params)
    start = run(as_given)
    x0 = np.clip((np.array(as_given, dtype=float) - lows) / np.where(spans > 0, spans, 1.0), 0.0, 1.0)
    stopped = "converged"
    try:
        minimize(lambda u: run(to_values(u)).objective, x0, method="Powell", bounds=[(0.0, 1.0)] * len(params),
                 options={"xtol": XTOL, "ftol": 1e-3, "maxfev": budget})
    except _Spent:
        stopped = "budget"
    if not any(ev.in_range for ev in order):  # the start lies outside the plausible range and nothing else ran
        run(to_values(x0), count=False)
    best = min((ev for ev in order if ev.in_range), key=lambda ev: ev.objective)
    if len(order) >= budget:
        stopped = "budget"
    return Calibration(scenario, targets, params, seed_list, weeks, budget, start, best, list(order),
                       time.perf_counter() - clock, stopped)


# ----------------------------------------------------------------------------- preparing a calibration
@dataclass
class Prepared:
    """Everything a calibration needs before it runs: the scenario file's text and data, the
    scenario with the overrides, the targets and where the fitted scenario goes."""

    scenario_path: Path
    text: str
    data: dict
    scenario: Scenario
    overrides: tuple[str, ...]
    targets: Targets
    out: Path


def default_out(scenario_path: Path, targets_path: Path) -> Path:
    """``<scenario file stem>_calibrated.yaml`` beside the targets file: the fitted scenario
    belongs with the organisation's figures it was fitted to (and the shipped scenarios
    folder keeps only shipped scenarios)."""
    return targets_path.parent / f"{scenario_path.stem}_calibrated.yaml"


def _written_by_us(path: Path) -> bool:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.readline().startswith(HEADER_MARK)
    except OSError:
        return False


def check_out(out: Path, inputs: Sequence[Path]) -> None:
    """Refuse, before anything runs, an output that is one of the inputs, a file that an
    earlier calibration did not write, or a folder that does not exist or cannot be written."""
    for p in inputs:
        try:
            same = out.exists() and p.exists() and os.path.samefile(out, p)
        except OSError:
            same = False
        if same or out.resolve() == p.resolve():
            raise ScenarioError(f"--out {out}: is an input file; calibration never overwrites its inputs")
    if out.is_dir():
        raise ScenarioError(f"--out {out}: is a folder; give the fitted scenario's file name")
    if out.exists() or out.is_symlink():
        if not out.is_file() or not _written_by_us(out):
            raise ScenarioError(f"--out {out}: exists and was not written by lesim calibrate; give another --out")
    folder = out.parent
    if not folder.is_dir():
        raise ScenarioError(f"--out {out}: no folder {folder}")
    if not os.access(folder, os.W_OK):
        raise ScenarioError(f"--out {out}: cannot write into {folder}")


def prepare(scenario_path: str | Path, targets_path: str | Path, overrides: Sequence[str] = (),
            out: str | Path | None = None) -> Prepared:
    """Load the scenario (with ``--set`` overrides) and the targets, and check the output;
    a mistake is a one-line :class:`~sim.loader.ScenarioError`."""
    scenario_path, targets_path = Path(scenario_path), Path(targets_path)
    text = read_text(scenario_path)
    data, node = parse_scenario_text(text, str(scenario_path))
    resolved = copy.deepcopy(data)   # an imported organisation's tables, found beside the file
    resolve_data_files(resolved, node, scenario_path)
    sc = scenario_from_data(resolved, str(scenario_path), node, list(overrides))
    targets = load_targets(targets_path)
    if out is not None:
        out_path = Path(out)
    elif sc.organisation.data is not None:   # an imported organisation: beside its tables
        out_path = scenario_path.parent / f"{scenario_path.stem}_calibrated.yaml"
    else:
        out_path = default_out(scenario_path, targets_path)
    if out_path.suffix.lower() not in (".yaml", ".yml"):
        raise ScenarioError(f"--out {out_path}: the fitted scenario is YAML: give a .yaml file name")
    if sc.organisation.data is not None and out_path.resolve().parent != scenario_path.resolve().parent:
        raise ScenarioError(f"--out {out_path}: an imported organisation's fitted scenario belongs in its folder "
                            f"{scenario_path.parent}, beside the tables it names")
    check_out(out_path, [scenario_path, targets_path])
    return Prepared(scenario_path, text, data, sc, tuple(overrides), targets, out_path)


# ----------------------------------------------------------------------------- the fitted scenario
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_OUR_NOTE = re.compile(r"^(?:fitted by lesim calibrate|--set when calibrated|renamed by lesim calibrate) \(was [^)]*\)"
                       r"(?:; |$)")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\- ]*$")


def _scalar_text(value: Any) -> str | None:
    """``value`` as a one-line YAML scalar or flow collection (None if it needs more lines)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)           # 0.1312, 52.0, 1e-05: the loader reads each back as the same float
    if isinstance(value, int):
        return str(value)
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10**9).rstrip("\n")
    if text.endswith("\n..."):
        text = text[: -len("\n...")]
    return None if "\n" in text else text


def _last_line(node: yaml.Node) -> int:
    """0-based line of the last character of a block collection's content."""
    while True:
        if isinstance(node, yaml.MappingNode) and node.value and not node.flow_style:
            node = node.value[-1][1]
        elif isinstance(node, yaml.SequenceNode) and node.value and not node.flow_style:
            node = node.value[-1]
        else:
            break
    end = node.end_mark
    return max(end.line if end.column > 0 else end.line - 1, node.start_mark.line)


def _edit(text: str, origin: str, parts: Sequence[str], value: Any, note: str) -> str | None:
    """``text`` with the value at key path ``parts`` replaced on its line (its comment kept,
    ``note`` put in front of it) or, if the file leaves it out, added to its section; None if
    the file cannot be edited so (a flow or list path, a value over several lines)."""
    value_text = _scalar_text(value)
    if value_text is None:
        return None
    _, root = parse_yaml(text, origin)
    lines = text.splitlines(keepends=True)
    node = root
    for i, part in enumerate(parts):
        if not isinstance(node, yaml.MappingNode) or node.flow_style or not node.value:
            return None
        child = next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == part), None)
        if child is None:
            rest = list(parts[i:])
            if not all(_KEY.match(p) for p in rest):
                return None
            indent = node.value[0][0].start_mark.column
            after = _last_line(node)
            new = [" " * (indent + 2 * d) + f"{p}:\n" for d, p in enumerate(rest[:-1])]
            new.append(" " * (indent + 2 * (len(rest) - 1)) + f"{rest[-1]}: {value_text}  # {note}\n")
            if not lines[after].endswith("\n"):
                lines[after] += "\n"
            lines[after + 1:after + 1] = new
            return "".join(lines)
        node = child
    if (not isinstance(node, yaml.ScalarNode) or node.style not in (None, "")
            or node.end_mark.line != node.start_mark.line):
        return None
    row = node.start_mark.line
    s = lines[row]
    a, b = node.start_mark.column, node.end_mark.column
    if s[a:b] != node.value or not node.value:
        return None
    body = s[b:].rstrip("\r\n")
    eol = s[b:][len(body):]
    stripped = body.lstrip()
    if stripped.startswith("#"):
        comment = _OUR_NOTE.sub("", stripped[1:].strip())  # an earlier calibration's note is replaced
        body = body[: len(body) - len(stripped)] + f"# {note}" + (f"; {comment}" if comment else "")
    elif stripped:
        return None
    else:
        body = f"  # {note}"
    lines[row] = s[:a] + value_text + body + eol
    return "".join(lines)


def _strip_old_header(text: str) -> str:
    """The text without a calibration note an earlier calibration put at its top."""
    if not text.startswith(HEADER_MARK):
        return text
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.rstrip("\r\n") == HEADER_END:
            return "".join(lines[i + 1:])
        if not line.startswith("#"):
            break
    return text


def header(result: Calibration, prepared: Prepared, when: datetime | None = None) -> str:
    """The comment at the top of the fitted scenario: what was fitted to what, and when."""
    when = when or datetime.now(timezone.utc)
    ok = result.within
    n = len(result.seeds)
    lines = [f"{HEADER_MARK} on {when.strftime('%Y-%m-%d %H:%M UTC')}",
             f"#   from {prepared.scenario_path} against the targets in {prepared.targets.path}",
             f"#   ({n} seed{'s' if n > 1 else ''} from {result.seeds[0]}, last-year means of weeks "
             f"{result.weeks - 51}–{result.weeks}, {len(result.evaluations)} evaluations): "
             + ("every target within its observed interval" if all(ok) else
                f"OUTSIDE the observed interval: {', '.join(result.outside)}")]
    lines.append("#   fitted (within the plausible range):")
    for p, s, v in zip(result.params, result.start.values, result.best.values):
        lines.append(f"#     {p.path} = {v} (was {s}; plausible {p.plausible[0]:g}–{p.plausible[1]:g} "
                     f"{p.unit})".replace(" )", ")"))
    lines.append("#   to:")
    for j, t in enumerate(result.targets):
        m, lo, hi = result.best.interval(j)
        model = f"{m:.4g}" + (f" [{lo:.4g}, {hi:.4g}]" if lo == lo else "")
        src = f"; {t.source}" if t.source else ""
        lines.append(f"#     {t.outcome} = {t.value:g} [{t.low:.4g}, {t.high:.4g}]{src}: model {model}, "
                     f"{'within' if ok[j] else 'outside'}")
    if prepared.overrides:
        lines.append("#   with " + " ".join(f"--set {o}" for o in prepared.overrides) + " (written into this file)")
    lines.append("#   Re-run the calibration rather than editing the fitted values by hand.")
    lines.append(HEADER_END)
    return "".join(one_line(line) + "\n" for line in lines)


def fitted_text(prepared: Prepared, result: Calibration, when: datetime | None = None) -> tuple[str, bool]:
    """The fitted scenario's YAML and whether the original's comments were kept (see the
    module docstring). Its name becomes the output file's stem (the template's convention)."""
    origin = str(prepared.scenario_path)
    edits: list[tuple[list[str], Any, str]] = []
    for item in prepared.overrides:
        parts, value = parse_override(item)
        edits.append((parts, value, f"--set when calibrated (was {_shown(prepared.data, parts)})"))
    for p, s, v in zip(result.params, result.start.values, result.best.values):
        edits.append((p.path.split("."), v, f"fitted by lesim calibrate (was {s})"))
    stem = prepared.out.stem
    if _NAME.match(stem) and len(stem) <= 100:
        edits.append((["name"], stem, f"renamed by lesim calibrate (was {prepared.data.get('name')})"))
    expected = copy.deepcopy(prepared.data)
    for parts, value, _ in edits:
        _fill_defaults_on_path(expected, list(parts))  # a list item the file leaves at its default, as --set does
        apply_override(expected, list(parts), value, ".".join(parts))
    head = header(result, prepared, when)

    text: str | None = prepared.text.lstrip("\ufeff")
    text = _strip_old_header(text)
    try:
        for parts, value, note in edits:
            text = _edit(text, origin, parts, value, one_line(note)) if text is not None else None
    except ScenarioError:
        text = None
    if text is not None and _holds(head + text, origin, expected, prepared.out):
        return head + text, True
    clean = head + yaml.safe_dump(expected, sort_keys=False, allow_unicode=True, width=100)
    if not _holds(clean, origin, expected, prepared.out):  # pragma: no cover - safe_dump writes what it read
        raise ScenarioError(f"{origin}: the fitted scenario could not be written as YAML")
    return clean, False


def _shown(data: dict, parts: Sequence[str]) -> str:
    cur: Any = data
    for p in parts:
        if isinstance(cur, dict) and p in cur:
            cur = cur[p]
        elif isinstance(cur, list) and p.isdigit() and int(p) < len(cur):
            cur = cur[int(p)]
        else:
            return "the default"
    return str(cur)


def _holds(text: str, origin: str, expected: dict, out: Path) -> bool:
    """Whether ``text`` reads back as exactly ``expected`` and is a valid scenario at ``out``."""
    try:
        data, node = parse_yaml(text, origin)
        if data != expected:
            return False
        resolve_data_files(data, node, out)
        validate_data(data, origin, node)
    except ScenarioError:
        return False
    return True


def write_fitted(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (a temporary sibling renamed over it); an
    :class:`OSError` leaves nothing behind."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def format_target(t: Target, v: float) -> str:
    """A target's value in its outcome's unit (shares as %, as ``lesim run`` shows them)."""
    return fmt_value(t.outcome, v)
