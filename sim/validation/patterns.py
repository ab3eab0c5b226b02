"""Calibration that can fail: patterns a status-quo scenario must reproduce at once.

Pattern-oriented modelling (Grimm et al. 2005, Science 310:987): a model is credible when it
reproduces, with one set of parameters, several patterns observed in the real system at
different scales — each one alone is weak, together they constrain the model. Every pattern
here is a *measurement on real runs* of the scenario (several fixed seeds) compared with a
band taken from a published source or practitioner benchmark (never from the model's own
output). A deliberately wrong model must fail at least one of them
(tests/test_check.py names which).

Runs are shared: :func:`observe` makes, per seed,

* one **status-quo run** of the scenario for ``weeks`` weeks, observed after every phase
  (skill gains by learning channel, new hires' progress, the week-52 state);
* one **paired copy experiment** over 52 weeks — two copies of the same organisation on the
  same seed, one of them given (a) two extra levels on every skill its role does not use
  (for the decay half-life) and (b) one level of freshly trained, not yet applied skill on
  its role's most critical skill (for the transfer pattern);
* one **intervention run** over 52 weeks with the growth-mindset initiative switched (for
  the mindset effect: the year's learning gain against the status-quo run's, same seed);
* two **work-location runs** over 52 weeks of the same organisation and seed, everyone on
  site and everyone remote (for the effect of firm-wide remote work on the share of learning
  conversations that cross departments, Yang et al. 2022).

:func:`check` measures every pattern of :data:`PATTERNS` on these runs. ``lesim check``
prints the result; docs/validation.md lists the patterns, their sources and what fails them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..model import LearningEcosystem
from ..scenario import Scenario
from ..state import LOCATIONS

WEEKS_PER_MONTH = 52.0 / 12.0
PAIR_WEEKS = 52                     # horizon of the paired-copy and intervention experiments
TRANSFER_WEEKS = (4, 26, 52)        # "immediately" (one month), six months, one year
EXPERIENCED_TENURE_WEEKS = 104      # a hire is up to speed at the gap of colleagues with ≥ 2 years
CHANNEL_PHASES = {"transfer": "formal", "experiential": "experiential", "social": "social"}
MIN_WEEKS = 104


# ----------------------------------------------------------------------------- observation
@dataclass
class SeedObservation:
    """What one seed's runs yield for the patterns."""

    seed: int
    learning_hours: float = float("nan")            # h/employee-year, weeks 1…end
    spend_per_employee: float = float("nan")        # $/employee-year, weeks 1…end
    turnover: float = float("nan")                  # 1/year, weeks 13…end
    gap: np.ndarray = field(default_factory=lambda: np.zeros(0))  # skills gap by week 0…end
    channel_gain: dict = field(default_factory=dict)  # channel → levels gained, weeks 1…end
    deficit_sum: np.ndarray = field(default_factory=lambda: np.zeros(0))  # hires' gap − experienced gap, by weeks since hire
    deficit_n: np.ndarray = field(default_factory=lambda: np.zeros(0))    # hires counted, by weeks since hire
    transfer_left: dict = field(default_factory=dict)  # week → share of the trained level kept
    unused_left: float = float("nan")               # share of the unused-skill gain left after 52 weeks
    mindset_d: float = float("nan")                 # the mindset initiative's d on the year's learning gain
    mindset_d_stock: float = float("nan")           # … on role proficiency itself (for comparison)
    cross_share: dict = field(default_factory=dict)  # remote share (0 or 1) → cross-department share of conversations


def _experienced_gap(s) -> np.ndarray:
    """Mean skills gap per role of colleagues with at least two years' tenure working their
    own role (NaN where a role has none): the level a new hire has to reach to be "up to
    speed"."""
    wf, gap = s.workforce, s.derived.gap
    n_roles = len(s.structure.role_names)
    experienced = wf.occupied & (wf.tenure >= EXPERIENCED_TENURE_WEEKS) & (wf.work_role == wf.role)
    total = np.bincount(wf.role[experienced], weights=gap[experienced], minlength=n_roles)
    count = np.bincount(wf.role[experienced], minlength=n_roles)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


class _StatusQuoObserver:
    """Follows one status-quo run: gains by learning channel (the change of durable
    proficiency over occupied positions made by the transfer, experiential and social
    phases) and new hires' skills-gap deficit against experienced colleagues in the same
    role, by weeks since hire (summed over hires present)."""

    def __init__(self, model: LearningEcosystem):
        self.model = model
        self.before = model.workforce.prof.copy()
        names = [b.phase.name for b in model.phases]
        # phases right before a channel phase: the proficiency they leave is the channel's start
        self.snapshot_after = {a for a, b in zip(names, names[1:]) if b in CHANNEL_PHASES}
        self.gain = {c: 0.0 for c in CHANNEL_PHASES.values()}
        self.deficit_sum = np.zeros(EXPERIENCED_TENURE_WEEKS + 1)
        self.deficit_n = np.zeros(EXPERIENCED_TENURE_WEEKS + 1)

    def after_phase(self, name: str, s) -> None:
        wf = s.workforce
        channel = CHANNEL_PHASES.get(name)
        if channel is not None:
            self.gain[channel] += float(((wf.prof - self.before) * wf.occupied[:, None]).sum())
        if name in self.snapshot_after:
            self.before = wf.prof.copy()

    def end_of_week(self) -> None:
        s = self.model.state
        wf = s.workforce
        since = s.week - wf.hire_week
        hires = np.flatnonzero(wf.occupied & (wf.hire_week >= 1) & (since <= EXPERIENCED_TENURE_WEEKS))
        bench = _experienced_gap(s)[wf.role[hires]]
        ok = bench == bench
        hires, bench = hires[ok], bench[ok]
        np.add.at(self.deficit_sum, since[hires], s.derived.gap[hires] - bench)
        np.add.at(self.deficit_n, since[hires], 1.0)


def _status_quo(sc: Scenario, obs: SeedObservation) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run the scenario, filling ``obs``; returns (role proficiency at week 0, role
    proficiency at week 52, hire week at week 52)."""
    model = LearningEcosystem(sc)
    watch = _StatusQuoObserver(model)
    at0 = model.derived.role_proficiency.copy()
    at52 = (at0, np.zeros(0), np.zeros(0))
    model.after_phase = watch.after_phase
    for _ in range(sc.weeks):
        model.step()
        watch.end_of_week()
        if model.week == PAIR_WEEKS:
            at52 = (at0, model.derived.role_proficiency.copy(), model.workforce.hire_week.copy())
    org = np.array(model.collector.org)
    names = [o.name for o in _outcomes()]
    col = {n: org[:, i] for i, n in enumerate(names)}
    weeks = np.array(model.collector.weeks)
    obs.learning_hours = float(np.nanmean(col["learning_hours"][weeks >= 1]))
    obs.spend_per_employee = float(np.nanmean(col["spend_per_employee"][weeks >= 1]))
    obs.turnover = float(np.nanmean(col["turnover"][weeks >= 13]))
    obs.gap = col["skills_gap"].copy()
    obs.channel_gain = dict(watch.gain)
    obs.deficit_sum, obs.deficit_n = watch.deficit_sum, watch.deficit_n
    return at52


def _outcomes():
    from ..outcomes import OUTCOMES
    return OUTCOMES


def _paired_copies(sc: Scenario, obs: SeedObservation) -> None:
    """Two copies of the organisation on one seed; the trained copy gets two extra levels on
    every skill its role does not use and one level of pending (trained, not yet applied)
    skill on the role's most critical skill. The differences between the copies over time
    are what training left and what the unused gain kept."""
    trained, control = LearningEcosystem(sc), LearningEcosystem(sc)
    wf = trained.workforce
    pr = trained.state.position_req
    required, crit = np.asarray(pr.required), np.asarray(pr.crit)
    unused = ~required & wf.occupied[:, None]
    wf.prof[unused] = np.minimum(wf.prof[unused] + 2.0, 5.0)
    gain0 = np.where(unused, trained.workforce.prof - control.workforce.prof, 0.0)
    rows = np.arange(wf.n)
    key = np.argmax(np.where(required, crit, -1.0), axis=1)
    trained_level = np.clip(5.0 - wf.prof[rows, key] - wf.pending[rows, key], 0.0, 1.0) * wf.occupied
    wf.pending[rows, key] += trained_level
    for week in range(1, PAIR_WEEKS + 1):
        trained.step()
        control.step()
        stay = (trained.workforce.hire_week <= 0) & (control.workforce.hire_week <= 0) \
            & trained.workforce.occupied & control.workforce.occupied
        if week in TRANSFER_WEEKS:
            diff = trained.workforce.prof[rows, key] - control.workforce.prof[rows, key]
            obs.transfer_left[week] = float(diff[stay].sum() / max(trained_level[stay].sum(), 1e-12))
    diff = (trained.workforce.prof - control.workforce.prof) * unused
    obs.unused_left = float(diff[stay].sum() / max(gain0[stay].sum(), 1e-12))


def _mindset_effect(sc: Scenario, control: tuple[np.ndarray, np.ndarray, np.ndarray], obs: SeedObservation) -> None:
    """The growth-mindset initiative's effect after a year, measured as Sisk et al. (2018)
    and Yeager et al. (2019) measured it: the difference in *achievement over the
    intervention period* between treated and untreated people, in standard deviations of
    the untreated. Their achievement is grades or test scores on the period's coursework —
    what was learned in that period — so the workplace analogue is the year's learning
    gain (role proficiency at week 52 − at week 0), not the stock of a career's skill,
    whose spread across people dwarfs a year's learning (the d on the stock is reported as
    ``mindset_d_stock`` for comparison). The two runs start from the same spun-up
    organisation (same seed), so week 0 is common; only people present from week 0 in both
    runs count. If the scenario already runs the initiative, the switched run is the
    control and the sign is turned."""
    on = sc.policies.mindset_initiative.enabled
    model = LearningEcosystem(sc, policies__mindset_initiative__enabled=not on)
    for _ in range(PAIR_WEEKS):
        model.step()
    rp0, rp_a, hired_a = control
    rp_b, hired_b = model.derived.role_proficiency, model.workforce.hire_week
    both = (hired_a <= 0) & (hired_b <= 0) & model.workforce.occupied
    if on:
        rp_a, rp_b = rp_b, rp_a
    gain_a, gain_b = (rp_a - rp0)[both], (rp_b - rp0)[both]
    sd_gain, sd_stock = float(np.std(gain_a, ddof=1)), float(np.std(rp_a[both], ddof=1))
    obs.mindset_d = float(np.mean(gain_b - gain_a) / sd_gain) if sd_gain > 0 else float("nan")
    obs.mindset_d_stock = float(np.mean(gain_b - gain_a) / sd_stock) if sd_stock > 0 else float("nan")


def relocated(sc: Scenario, remote_share: float) -> Scenario:
    """``sc`` with everyone in ``remote_share`` fully remote and the rest on site (no hybrid
    work; departments' own shares cleared)."""
    org = sc.organisation
    depts = [d.model_copy(update={"remote_share": None, "hybrid_share": None}) for d in org.departments]
    org = org.model_copy(update={"remote_share": float(remote_share), "hybrid_share": 0.0, "departments": depts})
    return sc.model_copy(update={"organisation": org})


def conversations_by_location(model: LearningEcosystem, weeks: int) -> tuple[np.ndarray, np.ndarray]:
    """Step ``model`` ``weeks`` weeks; returns (learning conversations that taught something
    and crossed departments, all that taught something), summed over the weeks, by the
    learner's work location (on site, hybrid, remote)."""
    cross, taught = np.zeros(len(LOCATIONS), dtype=np.int64), np.zeros(len(LOCATIONS), dtype=np.int64)
    for _ in range(weeks):
        model.step()
        wf = model.workforce
        cross += np.bincount(wf.location[wf.peer_cross], minlength=len(LOCATIONS))
        taught += np.bincount(wf.location[wf.peer_event], minlength=len(LOCATIONS))
    return cross, taught


def observe_remote_work(sc: Scenario, obs: SeedObservation) -> None:
    """Yang et al. (2022) measured what firm-wide remote work did to collaboration across
    business groups: the *share* of collaboration time spent with cross-group ties fell by
    about a quarter of its earlier level. The workplace-learning analogue: the share of
    learning conversations that taught something and crossed departments (the outcome
    ``cross_dept_flow``), pooled over 52 weeks, in the organisation with everyone on site and
    with everyone remote (same seed)."""
    for remote in (0.0, 1.0):
        cross, taught = conversations_by_location(LearningEcosystem(relocated(sc, remote)), PAIR_WEEKS)
        obs.cross_share[remote] = cross.sum() / taught.sum() if taught.sum() else float("nan")


def observe(scenario: Scenario, seeds: tuple[int, ...], weeks: int) -> list[SeedObservation]:
    """Every run the patterns need, per seed (see the module docstring)."""
    out = []
    for seed in seeds:
        sc = scenario.model_copy(update={"seed": int(seed), "weeks": int(weeks)})
        obs = SeedObservation(seed=int(seed))
        at52 = _status_quo(sc, obs)
        pair = sc.model_copy(update={"weeks": PAIR_WEEKS})
        _paired_copies(pair, obs)
        _mindset_effect(pair, at52, obs)
        observe_remote_work(pair, obs)
        out.append(obs)
    return out


# ----------------------------------------------------------------------------- measures
def _mean(obs: list[SeedObservation], attr: str) -> float:
    return float(np.mean([getattr(o, attr) for o in obs]))


def formal_hours(obs: list[SeedObservation]) -> float:
    """Formal learning hours per employee-year (weeks 1…end, mean over seeds)."""
    return _mean(obs, "learning_hours")


def direct_spend(obs: list[SeedObservation]) -> float:
    """Direct L&D spend per employee-year (weeks 1…end, mean over seeds)."""
    return _mean(obs, "spend_per_employee")


def voluntary_turnover(obs: list[SeedObservation]) -> float:
    """Annualised exits per head (weeks 13…end, mean over seeds)."""
    return _mean(obs, "turnover")


def unused_half_life(obs: list[SeedObservation]) -> float:
    """Half-life in months of a gain on skills the role does not use, from the share of it
    the trained copy still holds over the control after 52 weeks (mean share over seeds;
    infinite when nothing was lost)."""
    left = _mean(obs, "unused_left")
    if not 0.0 < left < 1.0:
        return float("inf") if left >= 1.0 else 0.0
    return PAIR_WEEKS * np.log(2.0) / np.log(1.0 / left) / WEEKS_PER_MONTH


def applied_after(week: int) -> Callable[[list[SeedObservation]], float]:
    def measure(obs: list[SeedObservation]) -> float:
        return float(np.mean([o.transfer_left[week] for o in obs]))
    measure.__doc__ = (f"Share of one freshly trained level (on the role's most critical skill) that the trained "
                       f"copy still holds over the control {week} weeks later, over people present throughout.")
    return measure


def time_to_proficiency(obs: list[SeedObservation]) -> float:
    """Weeks until the average new hire has closed 90 % of their skills-gap deficit against
    experienced colleagues (≥ 2 years' tenure) in the same role: ln 10 / r, where r is the
    exponential rate fitted (least squares on the log) to the mean deficit by weeks since
    hire over the first year, pooled over seeds (infinite if the deficit does not shrink)."""
    total = sum(o.deficit_sum for o in obs)
    n = sum(o.deficit_n for o in obs)
    t = np.arange(min(len(total), PAIR_WEEKS + 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        deficit = total[t] / n[t]
    ok = (n[t] > 0) & (deficit > 0)
    if ok.sum() < 8:
        return float("nan")
    rate = -np.polyfit(t[ok], np.log(deficit[ok]), 1)[0]
    return float(np.log(10.0) / rate) if rate > 0 else float("inf")


def formal_share(obs: list[SeedObservation]) -> float:
    """Share of the skill gained through formal learning (applied formal gains) among all
    durable gains of the run: formal / (formal + experiential + social), pooled over seeds."""
    gains = {c: sum(o.channel_gain[c] for o in obs) for c in CHANNEL_PHASES.values()}
    total = sum(gains.values())
    return gains["formal"] / total if total > 0 else float("nan")


def mindset_effect(obs: list[SeedObservation]) -> float:
    """Standardised effect (d) of a year of the growth-mindset initiative on the year's
    learning gain in role proficiency (mean over seeds; see :func:`_mindset_effect`)."""
    return _mean(obs, "mindset_d")


def remote_cross_flow(obs: list[SeedObservation]) -> float:
    """Relative change of the cross-department share of learning conversations from everyone
    on site to everyone remote, pooled over seeds (mean share remote / mean share on site − 1)."""
    onsite = np.mean([o.cross_share.get(0.0, np.nan) for o in obs])
    remote = np.mean([o.cross_share.get(1.0, np.nan) for o in obs])
    return float(remote / onsite - 1.0) if onsite > 0 else float("nan")


def gap_drift(obs: list[SeedObservation]) -> float:
    """Change of the skills gap per year, relative to its first-year level: (mean gap of the
    last 52 weeks − mean of weeks 1–52) / mean of weeks 1–52 / years between them (mean
    over seeds)."""
    out = []
    for o in obs:
        first, last = o.gap[1:53].mean(), o.gap[-52:].mean()
        years = (len(o.gap) - 1 - 52) / 52.0
        out.append((last - first) / first / years if first > 0 and years > 0 else float("nan"))
    return float(np.mean(out))


# ----------------------------------------------------------------------------- the patterns
@dataclass(frozen=True)
class Pattern:
    """One calibration pattern: a measurement on the runs and the band it must fall in."""

    name: str
    label: str
    unit: str                     # "h", "$", "share", "change", "months", "weeks", "d", "1/year"
    low: float
    high: float
    source: str                   # short citation (docs/validation.md has the full references)
    measure: Callable[[list[SeedObservation]], float]


PATTERNS: tuple[Pattern, ...] = (
    Pattern("formal_hours", "Formal learning hours per employee-year", "h", 25.0, 45.0,
            "ATD State of the Industry 2014–20", formal_hours),
    Pattern("direct_spend", "Direct L&D spend per employee-year", "$", 900.0, 1700.0,
            "ATD State of the Industry 2014–20", direct_spend),
    Pattern("voluntary_turnover", "Turnover per year", "share", 0.10, 0.15,
            "SPI PS Maturity Benchmark 2019–20",
            voluntary_turnover),
    Pattern("unused_skill_half_life", "Half-life of an unused trained gain", "months", 6.5, 13.0,
            "Tatel & Ackerman; Arthur et al. 1998", unused_half_life),
    Pattern("applied_1_month", "Trained skill applied after 1 month", "share", 0.47, 0.77,
            "Saks & Belcourt 2006 (62 %)", applied_after(TRANSFER_WEEKS[0])),
    Pattern("applied_6_months", "Trained skill kept after 6 months", "share", 0.29, 0.59,
            "Saks & Belcourt 2006 (44 %)", applied_after(TRANSFER_WEEKS[1])),
    Pattern("applied_12_months", "Trained skill kept after 12 months", "share", 0.19, 0.49,
            "Saks & Belcourt 2006 (34 %)", applied_after(TRANSFER_WEEKS[2])),
    Pattern("time_to_proficiency", "New hires up to speed (90 % of the deficit closed)", "weeks", 8.0, 104.0,
            "Mellon 2003 via Rollag et al. 2005; Training Industry", time_to_proficiency),
    Pattern("formal_share", "Share of skill gained through formal learning", "share", 0.10, 0.30,
            "EDC 'The Teaching Firm' 1998", formal_share),
    Pattern("mindset_effect", "Growth-mindset initiative effect on the year's learning", "d", 0.02, 0.35,
            "Sisk et al. 2018; Burnette et al. 2023",
            mindset_effect),
    Pattern("remote_cross_flow", "Firm-wide remote work: change in the cross-department share of learning "
            "conversations", "change", -0.35, -0.15, "Yang et al. 2022 (about −25 %)", remote_cross_flow),
    Pattern("gap_drift", "Status-quo skills-gap drift", "share/year", -0.05, 0.05,
            "stationarity (a model requirement)",
            gap_drift),
)
PATTERN_BY_NAME = {p.name: p for p in PATTERNS}


@dataclass(frozen=True)
class PatternResult:
    """A pattern measured on one scenario's runs."""

    name: str
    label: str
    unit: str
    value: float
    low: float
    high: float
    passed: bool
    source: str

    def as_dict(self) -> dict:
        v = self.value
        return {"name": self.name, "label": self.label, "unit": self.unit,
                "value": v if np.isfinite(v) else (None if v != v else ("inf" if v > 0 else "-inf")),
                "low": self.low, "high": self.high, "passed": self.passed, "source": self.source}


def check(scenario: Scenario, seeds: int = 4, weeks: int | None = None) -> list[PatternResult]:
    """Measure every pattern on the runs of ``scenario`` (seeds ``scenario.seed`` … ``+ seeds
    − 1``; ``weeks``, default the scenario's horizon, at least 104)."""
    weeks = scenario.weeks if weeks is None else int(weeks)
    if weeks < MIN_WEEKS:
        raise ValueError(f"weeks: {weeks} is too short for the patterns; give at least {MIN_WEEKS}")
    if seeds < 1:
        raise ValueError(f"seeds: {seeds}; give at least 1")
    obs = observe(scenario, tuple(scenario.seed + i for i in range(seeds)), weeks)
    out = []
    for p in PATTERNS:
        v = float(p.measure(obs))
        out.append(PatternResult(p.name, p.label, p.unit, v, p.low, p.high,
                                 bool(v == v and p.low <= v <= p.high), p.source))
    return out


def format_measure(value: float, unit: str) -> str:
    """A measured value or band edge for a table, in the pattern's unit."""
    if value != value:
        return "–"
    if not np.isfinite(value):
        return "∞" if value > 0 else "−∞"
    if unit == "share":
        return f"{100 * value:.1f} %"
    if unit == "change":
        return f"{100 * value:+.1f} %"
    if unit == "share/year":
        return f"{100 * value:+.1f} %/yr"
    if unit == "$":
        return f"${value:,.0f}"
    if unit in ("h", "weeks", "months"):
        return f"{value:.1f} {unit}"
    return f"{value:.3f}"


# ----------------------------------------------------------------------------- wrong models
# Deliberately wrong models, each with the pattern it must fail (tests/test_check.py runs them
# on one seed, 104 weeks and 250 people; docs/validation.md §2 has their full table):
# (label, --set overrides, pattern that fails).
WRONG_MODELS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("no formal learning", ("learning.formal_rate=0",), "formal_share"),
    ("formal learning ×10", ("learning.formal_rate=0.4",), "formal_share"),
    ("no learning by doing", ("learning.experiential_rate=0",), "time_to_proficiency"),
    ("no social learning or coaching", ("learning.social_rate=0", "learning.coaching_rate=0"), "formal_share"),
    # transfer_rate 1 alone does not apply everything: a gain is applied only when the week
    # offers a chance to use it (rules.transfer.opportunity_probability)
    ("everything trained is applied", ("learning.transfer_rate=1", "rules.transfer.opportunity_probability=1"),
     "applied_1_month"),
    ("no forgetting", ("learning.decay_half_life_months=600",), "unused_skill_half_life"),
    # a growth-mindset initiative with no effect contradicts Sisk et al.'s lower bound
    ("an inert mindset initiative", ("policies.mindset_initiative.climate_target_gain=0",
                                     "policies.mindset_initiative.mindset_nudge=0"), "mindset_effect"),
    # working away from colleagues that changes nothing contradicts Yang et al.'s siloing
    ("work location without effect", ("rules.location.cross_tie_factor=1", "rules.location.cross_use_loss=0"),
     "remote_cross_flow"),
)


def table(path: str, seeds: int = 4, weeks: int | None = None) -> str:
    """docs/validation.md §2's table: every pattern on the scenario at ``path`` and on each of
    :data:`WRONG_MODELS`, as Markdown (✗ = outside the band)."""
    from ..loader import load_scenario

    columns = [("baseline", ())] + [(label, sets) for label, sets, _ in WRONG_MODELS]
    results = [check(load_scenario(path, list(sets)), seeds, weeks) for _, sets in columns]
    lines = ["| pattern | band | " + " | ".join(label for label, _ in columns) + " |",
             "|---|---|" + "---|" * len(columns)]
    for i, p in enumerate(PATTERNS):
        cells = [f"{format_measure(r[i].value, p.unit)}{'' if r[i].passed else ' **✗**'}" for r in results]
        lines.append(f"| {p.label} | {format_measure(p.low, p.unit)} – {format_measure(p.high, p.unit)} | "
                     + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":  # python -m sim.validation.patterns [SCENARIO]
    import sys

    print(table(sys.argv[1] if len(sys.argv) > 1 else "scenarios/baseline.yaml"))
