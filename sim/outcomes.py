"""Outcomes planners expect, declared once: name, label, unit, better direction, function.

The collector (:class:`OutcomeCollector`), the CLI summary, the report and the run tables
all use :data:`OUTCOMES`. Each function is pure: it reads model state and returns one value
per group (the organisation, or each department) through :class:`Groups`, so the same
declaration serves both levels. Flow outcomes (hours, completions, transfers, spend) read
this week's flow columns; rates over time (turnover, mobility, skill loss) read the records
kept in phase 12.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Literal

import numpy as np

from . import kernels
from .state import LOCATIONS, NO_WEEK
from .loader import ScenarioError

WEEKS_PER_YEAR = 52.0


def row_gap(wf, st, rows: np.ndarray | None = None, role: np.ndarray | None = None) -> np.ndarray:
    """Skills gap of each position of workforce ``wf`` under structure ``st``: Σ criticality ×
    max(0, required − proficiency) divided by Σ criticality × required, over the home role's
    skills (0 = fully proficient, 1 = none)."""
    rows = np.arange(wf.n) if rows is None else rows
    r = wf.role[rows] if role is None else role
    req, crit = st.req[r], st.crit[r]
    short = (crit * np.maximum(req - wf.prof[rows], 0.0)).sum(axis=1)
    total = (crit * req).sum(axis=1)
    return np.where(total > 0, short / np.maximum(total, 1e-12), 0.0)


def format_value(v) -> str:
    """An outcome value for a table: thousands with separators, small values to 3 decimals."""
    if v is None or v != v:
        return "–"
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3f}"


class Groups:
    """Occupied positions partitioned into ``size`` groups along ``axis``: ``"org"`` (one
    group), ``"dept"`` (departments; the default for more than one group), ``"location"``
    (on site, hybrid, remote) or ``"cell"`` (department × location, as the records keep them)."""

    def __init__(self, labels: np.ndarray, occupied: np.ndarray, size: int, axis: str | None = None):
        self.size = size
        self.axis = axis or ("org" if size == 1 else "dept")
        self.occupied = occupied
        self.all_labels = labels
        self._full = np.where(occupied, labels, size)  # vacant positions go to a dropped bin
        self._weights = occupied.astype(float)
        self.count = self.sum(self._weights)

    @property
    def rows(self) -> np.ndarray:
        return np.flatnonzero(self.occupied)

    @property
    def labels(self) -> np.ndarray:
        return self.all_labels[self.occupied]

    def sum(self, values: np.ndarray) -> np.ndarray:
        """Per-group sum of a per-position array (occupied positions only)."""
        if self.size == 1:
            return np.array([np.dot(np.asarray(values, dtype=float), self._weights)])
        return np.bincount(self._full, weights=values, minlength=self.size + 1)[: self.size]

    def mean(self, values: np.ndarray) -> np.ndarray:
        return ratio(self.sum(values), self.count)

    def sum_all(self, values: np.ndarray) -> np.ndarray:
        """Per-group sum over all positions, vacant ones included (for spend of leavers)."""
        return np.bincount(self.all_labels, weights=values, minlength=self.size)


    def partitions(self) -> list[tuple[np.ndarray, int]]:
        """The partitions whose groups these are, as (label of each position, number of
        groups): for outcomes computed from labels rather than from sums."""
        return [(self.all_labels, self.size)]


N_LOC = len(LOCATIONS)


def fold_cells(per_cell: np.ndarray, n_dept: int, axis: str) -> np.ndarray:
    """Values per record cell (department × work location, :func:`sim.records.record_cells`)
    → values per group along ``axis``: ``"cell"`` (as they are), ``"org"`` (the total),
    ``"dept"``, ``"location"``, or ``"stacked"`` (the total, then the departments, then the
    locations: :class:`Stacked`)."""
    if axis == "cell":
        return per_cell
    total = np.array([per_cell.sum()])
    if axis == "org":
        return total
    table = per_cell.reshape(n_dept, N_LOC)
    if axis == "dept":
        return table.sum(axis=1)
    if axis == "location":
        return table.sum(axis=0)
    if axis == "stacked":
        return np.concatenate([total, table.sum(axis=1), table.sum(axis=0)])
    raise ValueError(f"unknown axis {axis!r}")


class Stacked(Groups):
    """What the collector reports at once: the organisation, then (``breakdown``) each
    department and each work location (``axis="stacked"``; without the breakdown the
    organisation alone, ``axis="org"``). A sum is one compiled pass of the positions into
    their record cells (:func:`sim.kernels.cell_sums`), folded as the records fold theirs
    (:func:`fold_cells`): so an outcome costs one pass for every group, and the
    organisation's figure is the same with or without the breakdown (a sweep collects it
    alone)."""

    def __init__(self, dept: np.ndarray, location: np.ndarray, occupied: np.ndarray, n_dept: int,
                 breakdown: bool = True):
        self.dept_labels, self.location_labels = dept, location
        self.n_dept = n_dept
        self.breakdown = breakdown
        self.axis = "stacked" if breakdown else "org"
        self.size = 1 + n_dept + N_LOC if breakdown else 1
        self.occupied = occupied
        self.all_labels = dept.astype(np.int64) * N_LOC + location   # the record cell
        self.count = self.sum(occupied)

    @property
    def labels(self) -> np.ndarray:
        raise TypeError("stacked groups overlap: read partitions() for labels")

    def _sums(self, values: np.ndarray, everyone: bool) -> np.ndarray:
        per_cell = np.zeros(self.n_dept * N_LOC)
        kernels.cell_sums(self.all_labels, self.occupied, np.asarray(values), everyone, per_cell)
        return fold_cells(per_cell, self.n_dept, self.axis)

    def sum(self, values: np.ndarray) -> np.ndarray:
        return self._sums(values, False)

    def sum_all(self, values: np.ndarray) -> np.ndarray:
        return self._sums(values, True)

    def partitions(self) -> list[tuple[np.ndarray, int]]:
        org = [(np.zeros(len(self.occupied), dtype=np.int8), 1)]
        return (org + [(self.dept_labels, self.n_dept), (self.location_labels, N_LOC)]) if self.breakdown else org


def ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den elementwise, NaN where den is 0."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def _gini(values: np.ndarray, presorted: bool = False) -> float:
    """Gini coefficient: 2 Σ i·v_(i) / (n Σ v) − (n + 1) / n over the sorted values."""
    if len(values) == 0:
        return float("nan")
    v = values if presorted else np.sort(values)
    n = len(v)
    total = v.sum()
    if total <= 0:
        return 0.0
    return float((2.0 * np.sum(np.arange(1, n + 1) * v) / (n * total)) - (n + 1) / n)


@dataclass(frozen=True)
class Outcome:
    """One outcome: ``fn(state, groups) -> array of one value per group`` (``state`` is the
    model's :class:`~sim.state.State`)."""

    name: str
    label: str
    unit: str
    better: Literal["higher", "lower", "neither"]
    fn: Callable
    headline: bool = False
    description: str = ""
    may_be_undefined: bool = False  # NaN ("no value") is a result when its denominator is zero (no starts, no
    # leavers, no conversations, nobody reached proficiency …); any other outcome is a number every week


# ------------------------------------------------------------------ outcome functions
def _skills_gap(m, g):
    return g.mean(m.derived.gap)


def _fully_proficient(m, g):
    return g.mean(m.derived.proficient.astype(float))


def _critical_coverage(m, g):
    return ratio(g.sum(m.derived.critical_met), g.sum(m.derived.critical))


def _mean_proficiency(m, g):
    return g.mean(m.derived.role_proficiency)


def _time_to_proficiency(m, g):
    wf = m.workforce
    reached = (wf.proficient_week != NO_WEEK) & (wf.hire_week != NO_WEEK) & (m.week - wf.proficient_week < 52)
    weeks = np.where(reached, wf.proficient_week - wf.hire_week, 0).astype(float)
    return ratio(g.sum(weeks), g.sum(reached.astype(float)))


def _learning_hours(m, g):
    return g.mean(m.workforce.hours) * WEEKS_PER_YEAR


def _completion_rate(m, g):
    wf = m.workforce
    return ratio(g.sum(wf.completed.astype(float)), g.sum(wf.started.astype(float)))


def _transfer_rate(m, g):
    wf = m.workforce
    return ratio(g.sum(wf.transferred), g.sum(wf.transferred + wf.unapplied_lost))


def _knowledge_flow(m, g):
    return g.mean(m.workforce.peer_event.astype(float))


def _cross_dept_flow(m, g):
    wf = m.workforce
    return ratio(g.sum(wf.peer_cross.astype(float)), g.sum(wf.peer_event.astype(float)))


def _culture(m, g):
    wf = m.workforce
    return g.mean(0.5 * m.team_climate[wf.team] + 0.5 * wf.mindset)


def _engagement(m, g):
    return g.mean(m.workforce.engagement)


def _turnover(m, g):
    exits, heads = m.records.trailing(g, "exits", 13), m.records.trailing(g, "headcount", 13)
    return ratio(exits * WEEKS_PER_YEAR, heads)


def _skill_loss_ratio(m, g):
    lf = ratio(m.records.trailing(g, "leaver_fit", 52), m.records.trailing(g, "exits", 52))
    hf = ratio(m.records.trailing(g, "hire_fit", 52), m.records.trailing(g, "hires", 52))
    return ratio(lf, hf)


def _internal_mobility(m, g):
    moves, heads = m.records.trailing(g, "rotations", 52), m.records.trailing(g, "headcount", 52)
    return ratio(moves * WEEKS_PER_YEAR, heads)


def _content_freshness(m, g):
    wf, cat = m.workforce, m.catalogue
    used = wf.item >= 0
    fresh = np.where(used, cat.freshness[np.maximum(wf.item, 0)], 0.0)
    return ratio(g.sum(fresh), g.sum(used.astype(float)))


def _content_utilisation(m, g):
    wf, cat = m.workforce, m.catalogue
    n_active = len(cat.rows())
    if n_active == 0:
        return np.full(g.size, np.nan)
    shares = []
    for labels, size in g.partitions():
        seen = np.zeros((size, cat.size), dtype=bool)
        kernels.items_seen(labels, wf.occupied, wf.item, seen)
        shares.append(seen.sum(axis=1) / n_active)
    return np.concatenate(shares)


def _spend(m, g):
    return m.records.this_week(g, "spend")


def _spend_per_employee(m, g):
    return ratio(m.records.this_week(g, "spend") * WEEKS_PER_YEAR, g.count)


def _cumulative_spend_per_employee(m, g):
    return ratio(m.records.cumulative(g, "spend"), g.count)


def _hiring_spend_per_employee(m, g):
    return ratio(m.records.this_week(g, "hiring_spend") * WEEKS_PER_YEAR, g.count)


def _flow(field):
    """This week's recorded ``field`` per group ($/week)."""
    return lambda m, g: m.records.this_week(g, field)


COST_FIELDS = ("spend", "time_cost", "hiring_spend", "separation_cost")
"""The recorded parts of a week's total cost (:mod:`sim.records`, :mod:`sim.economics`): direct
L&D spend, people's time, hiring (fees and the "buy" premium), separations. A vacancy's cost
is its lost output: it lies in the recorded ``value`` (an empty position produces nothing),
so it is not a cost part; ``vacancy_cost`` only shows how much of the output gap it explains."""


def total_cost(records, g: Groups) -> np.ndarray:
    """This week's total cost per group: the sum of the :data:`COST_FIELDS`."""
    return sum(records.this_week(g, f) for f in COST_FIELDS)


def _total_cost(m, g):
    return total_cost(m.records, g)


def _total_cost_per_employee(m, g):
    weeks = min(13, m.records.week)  # the last quarter (week 0 has no flows)
    if weeks < 1:
        return np.zeros(g.size)
    cost = sum(m.records.trailing(g, f, weeks) for f in COST_FIELDS)
    return ratio(cost * WEEKS_PER_YEAR / weeks, g.count)


def _productivity(m, g):
    return g.mean(m.derived.fit)


def _bench_strength(m, g):
    return g.mean(m.derived.bench.astype(float))


def cumulative_roi(records, g: Groups, week: int | None = None) -> np.ndarray:
    """(benefit − direct spend − learners' time) / (direct spend + learners' time), summed over
    weeks 0 … ``week`` (default: the last recorded), per group of ``g``."""
    costs = records.cumulative(g, "spend", week) + records.cumulative(g, "time_cost", week)
    return ratio(records.cumulative(g, "benefit", week) - costs, costs)


def _roi(m, g):
    return cumulative_roi(m.records, g)


def _skills_gini(m, g):
    wf = m.workforce
    per_row = wf.prof.mean(axis=1)  # 0–5
    out = []
    for labels, size in g.partitions():
        if size == 1:
            out.append(_gini(np.sort(per_row[g.occupied]), presorted=True))
            continue
        values, bounds = kernels.group_segments(labels, g.occupied, per_row, size)
        for i in range(size):   # each group's values, sorted in place
            segment = values[bounds[i]:bounds[i + 1]]
            segment.sort()
            out.append(_gini(segment, presorted=True))
    return np.array(out)


OUTCOMES: tuple[Outcome, ...] = (
    Outcome("skills_gap", "Skills gap index", "index 0–1", "lower", _skills_gap, True,
            "Criticality-weighted shortfall against role requirements, mean over employees."),
    Outcome("fully_proficient", "Fully proficient", "share", "higher", _fully_proficient, True,
            "Share of employees within 0.25 levels of every requirement of their role."),
    Outcome("critical_coverage", "Critical-skill coverage", "share", "higher", _critical_coverage, False,
            "Share of critical (criticality ≥ 0.8) requirements met."),
    Outcome("mean_proficiency", "Mean proficiency", "level 0–5", "higher", _mean_proficiency, True,
            "Mean proficiency on the skills each role requires."),
    Outcome("time_to_proficiency", "Time to proficiency", "weeks", "lower", _time_to_proficiency, False,
            "Weeks from hire to fully proficient, for hires who got there in the last year.", may_be_undefined=True),
    Outcome("learning_hours", "Formal learning hours", "h/employee/year", "neither", _learning_hours, True,
            "This week's formal learning hours per employee, annualised (ATD benchmark ~34)."),
    Outcome("completion_rate", "Completion rate", "share", "higher", _completion_rate, False,
            "Completed / started content this week.", may_be_undefined=True),
    Outcome("transfer_rate", "Transfer rate", "share", "higher", _transfer_rate, False,
            "Share of formal gains leaving the pending state this week that were applied (not lost).", may_be_undefined=True),
    Outcome("knowledge_flow", "Peer knowledge flow", "transfers/employee/week", "higher", _knowledge_flow, False,
            "Learning conversations that taught something, per employee this week."),
    Outcome("cross_dept_flow", "Cross-department flow", "share", "higher", _cross_dept_flow, False,
            "Share of those conversations that crossed departments.", may_be_undefined=True),
    Outcome("culture_index", "Culture index", "0–1", "higher", _culture, True,
            "Mean of team psychological safety and individual growth mindset."),
    Outcome("engagement", "Engagement", "0–1", "higher", _engagement, True, "Mean engagement."),
    Outcome("turnover", "Voluntary turnover", "1/year", "lower", _turnover, True,
            "Exits over the last 13 weeks, annualised, per head."),
    Outcome("skill_loss_ratio", "Skill-loss ratio", "ratio", "lower", _skill_loss_ratio, False,
            "Leavers' mean role fit / hires' mean role fit over the last 52 weeks (>1: skill drains out).", may_be_undefined=True),
    Outcome("internal_mobility", "Internal mobility", "moves/employee/year", "higher", _internal_mobility, False,
            "Rotations and swaps started over the last 52 weeks, per head and year."),
    Outcome("content_freshness", "Content freshness", "0–1", "higher", _content_freshness, False,
            "Mean freshness of the content used this week.", may_be_undefined=True),
    Outcome("content_utilisation", "Content utilisation", "share", "higher", _content_utilisation, False,
            "Share of active catalogue items used this week."),
    Outcome("ld_spend", "L&D spend", "$/week", "neither", _spend, False, "Direct L&D spend this week."),
    Outcome("spend_per_employee", "L&D spend per employee", "$/employee/year", "lower", _spend_per_employee, True,
            "Direct L&D spend this week per head, annualised (ATD benchmark ~$1,300)."),
    Outcome("cumulative_spend_per_employee", "Cumulative L&D spend per employee", "$/employee", "lower",
            _cumulative_spend_per_employee, False,
            "Direct L&D spend since week 0 per current head: the cost side of cost-effectiveness."),
    Outcome("hiring_spend_per_employee", "Hiring spend per employee", "$/employee/year", "lower",
            _hiring_spend_per_employee, False, "Cost of hiring (incl. 'buy' premiums) this week per head, annualised."),
    Outcome("productivity", "Productivity index", "0–1", "higher", _productivity, True,
            "Mean output fit: skill fit to the role worked (1 − skills gap; during a rotation, fit to the host role)."),
    Outcome("bench_strength", "Bench strength", "share", "higher", _bench_strength, False,
            "Share of employees who meet a critical requirement of another role (could cover a critical skill elsewhere)."),
    Outcome("output_value", "Value of output", "$/week", "higher", _flow("value"), False,
            "Output of the people in post this week, valued at governance.value_per_employee_year × skill fit "
            "(a vacancy produces nothing; a new hire's ramp-up shows as lower fit)."),
    Outcome("time_cost", "Time cost", "$/week", "lower", _flow("time_cost"), False,
            "Hours of learners, coaches, mentors, SMEs and managers in training this week, at the loaded hourly cost."),
    Outcome("hiring_cost", "Hiring cost", "$/week", "lower", _flow("hiring_spend"), False,
            "Cost per hire (SHRM) plus the 'buy' premium, for this week's hires."),
    Outcome("separation_cost", "Separation cost", "$/week", "lower", _flow("separation_cost"), False,
            "This week's leavers × the separation cost not counted elsewhere."),
    Outcome("total_cost", "Total cost", "$/week", "lower", _total_cost, False,
            "Direct L&D spend + time + hiring + separations this week: the cost side of the incremental economics."),
    Outcome("vacancy_cost", "Output lost to vacancies", "$/week", "lower", _flow("vacancy_cost"), False,
            "Empty positions valued at their department's week-0 fit: already inside the value of output, not a cost "
            "to add."),
    Outcome("total_cost_per_employee", "Total cost per employee", "$/employee/year", "lower", _total_cost_per_employee,
            True, "Total cost of the last 13 weeks (L&D spend, people's time, hiring, separations) per head, annualised."),
    Outcome("roi", "Gross ROI (Phillips, since week 0)", "ratio", "higher", _roi, False,
            "(monetised fit change since week 0 − L&D spend and learners' time) / those costs, cumulative. Gross: not "
            "against a counterfactual, without hiring and turnover costs — not what a strategy pays back (that is "
            "`lesim run X --against B`).", may_be_undefined=True),
    Outcome("skills_gini", "Skills inequality (Gini)", "0–1", "lower", _skills_gini, False,
            "Gini coefficient of employees' mean proficiency."),
)
OUTCOME_BY_NAME = {o.name: o for o in OUTCOMES}
HEADLINE = tuple(o for o in OUTCOMES if o.headline)


class NonFiniteOutcome(ScenarioError):
    """An organisation-level outcome came out infinite, or NaN where it always has a value:
    the parameters drove the model outside what its arithmetic holds. Not a result."""


def check_finite(values: np.ndarray, week: int, staffed: bool, asked: np.ndarray | None = None) -> None:
    """Refuse a week's organisation-level outcomes (in :data:`OUTCOMES` order) if any is
    infinite, or NaN while it should have a value (``staffed``: someone is in post; an
    outcome declared ``may_be_undefined`` is NaN when its denominator is zero). ``asked``:
    which outcomes were computed (a boolean per outcome; all by default) — the others are
    NaN because nobody asked for them."""
    for i, (o, v) in enumerate(zip(OUTCOMES, values)):
        if asked is not None and not asked[i]:
            continue
        if np.isinf(v) or (np.isnan(v) and staffed and not o.may_be_undefined):
            raise NonFiniteOutcome(f"week {week}: outcome {o.name} is {'NaN' if np.isnan(v) else v}: the parameters "
                                   "drive the model outside what its arithmetic holds (check values far from their "
                                   "defaults; `lesim parameters` lists the plausible ranges); nothing is written")


def suppressed(count: np.ndarray, min_group: int) -> np.ndarray:
    """Which groups of a partition (departments, work locations) show no figures, given their
    headcounts: every group of fewer than ``min_group`` people, and then, while the hidden
    groups hold fewer than ``min_group`` people together, the smallest shown groups too
    (complementary suppression: the organisation's figure less the shown groups' would
    otherwise give the hidden people's). Empty groups have no figures anyway."""
    hidden = (count > 0) & (count < min_group)
    if not hidden.any():
        return hidden
    for j in np.argsort(np.where(hidden | (count == 0), np.iinfo(np.int64).max, count), kind="stable"):
        if count[hidden].sum() >= min_group or hidden[j] or count[j] == 0:
            break
        hidden[j] = True
    return hidden


@dataclass(frozen=True)
class Collect:
    """What a run collects each week: ``outcomes`` (names; None: all of :data:`OUTCOMES`)
    and whether by department and location too (``breakdown``)."""

    outcomes: frozenset[str] | None = None
    breakdown: bool = True

    def __post_init__(self) -> None:
        if self.outcomes is not None:
            unknown = sorted(set(self.outcomes) - set(OUTCOME_BY_NAME))
            if unknown:
                raise ScenarioError(f"outcomes: unknown {', '.join(unknown)} (expected names of sim.outcomes.OUTCOMES)")
            object.__setattr__(self, "outcomes", frozenset(self.outcomes))


class OutcomeCollector:
    """Collects the outcomes each week for the organisation, per department and per work
    location (on site, hybrid, remote), and the mean proficiency and gap per skill, from a model's :class:`~sim.state.State`. Tables come
    out tidy (see :mod:`sim.run`).

    ``min_group``: a department with fewer occupied positions that week has no outcome values
    (NaN; its headcount stays), nor, where needed, the smallest others (:func:`suppressed`), and
    there are no figures by work location at all, so no table, chart or report of an imported
    organisation shows or lets one subtract figures of fewer than
    ``organisation.data.min_group_size`` real people (statistical disclosure control; 0 for
    generated organisations, whose people are invented).

    Only what is asked is computed (:class:`Collect`): ``outcomes`` names the outcomes
    (all by default; the others stay NaN in the rows, which keep :data:`OUTCOMES` order) and
    ``breakdown=False`` leaves out the departments and locations (their rows then hold NaN
    and the departments' headcounts) — a sweep that measures six outcomes of the
    organisation does not compute 33 outcomes × departments × locations every week."""

    def __init__(self, state, min_group: int = 0, collect: "Collect | None" = None):
        self.state = state
        self.min_group = min_group
        self.spec = collect = collect or Collect()
        self.asked = np.array([collect.outcomes is None or o.name in collect.outcomes for o in OUTCOMES])
        self._asked = [o for o, a in zip(OUTCOMES, self.asked) if a]
        self.weeks: list[int] = []
        self.org: list[np.ndarray] = []
        self.dept: list[np.ndarray] = []
        self.headcount: list[np.ndarray] = []
        self.location: list[np.ndarray] = []          # weeks × locations (on site, hybrid, remote) × outcomes
        self.location_headcount: list[np.ndarray] = []
        self.skill_prof: list[np.ndarray] = []
        self.skill_gap: list[np.ndarray] = []

    def collect(self) -> None:
        m = self.state
        wf = m.workforce
        n_dept = len(m.structure.dept_names)
        g = Stacked(wf.dept, wf.location, wf.occupied, n_dept, self.spec.breakdown)
        values = np.full((g.size, len(OUTCOMES)), np.nan)
        for i, o in enumerate(OUTCOMES):
            if self.asked[i]:
                values[:, i] = o.fn(m, g)
        org, count = values[0], g.count[0]
        check_finite(org, m.week, bool(count > 0), self.asked)
        self.weeks.append(m.week)
        self.org.append(org)
        heads = fold_cells(np.bincount(g.all_labels[wf.occupied], minlength=n_dept * N_LOC).astype(float), n_dept,
                           "stacked")
        dept_count, loc_count = heads[1:1 + n_dept], heads[1 + n_dept:]
        self.headcount.append(dept_count)
        self.location_headcount.append(loc_count)
        if self.spec.breakdown:
            dept, loc = values[1:1 + n_dept], values[1 + n_dept:]
            dept[suppressed(dept_count, self.min_group)] = np.nan
            if self.min_group:
                # an imported organisation: no breakdown by location. Two overlapping breakdowns can be
                # subtracted from each other (a location less the departments wholly inside it), which
                # suppression within each cannot prevent; departments are the reported breakdown
                loc[:] = np.nan
        else:
            dept = np.full((n_dept, len(OUTCOMES)), np.nan)
            loc = np.full((N_LOC, len(OUTCOMES)), np.nan)
        self.dept.append(dept)
        self.location.append(loc)
        d = m.derived
        self.skill_prof.append(ratio(d.skill_prof_sum, np.full(len(d.skill_prof_sum), count)))
        self.skill_gap.append(ratio(d.skill_short_sum, d.skill_need.astype(float)))

    def latest(self) -> dict[str, float]:
        """The last collected organisation-level values by outcome name."""
        return {o.name: float(v) for o, v in zip(OUTCOMES, self.org[-1])}
