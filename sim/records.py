"""The organisation's records, by department and week, and this week's derived measures.

Kirkpatrick-style data that governance and outcomes read: L1 reactions and L2 gains live on
the content columns (phase 4); :class:`Records` keeps, per department and week, the
headcount, exits, hires and the role fit they took or brought, rotations, direct L&D spend,
hiring spend, separation cost, people's time cost, the value of output, vacancies, and the
monetised productivity change since week 0 (the Phillips L4 "benefit").
Each department's records are kept by work location too (a *cell* per department and
location, :func:`record_cells`), so every figure can be read by department, by location or
for the organisation. Records are arrays indexed by week, written once per week by the data phase
(:mod:`sim.processes.data`) — not counters reset by agents. This module only records and
reads; the rules that produce the values live in the phases.
:func:`xapi_statements` renders this week's learning activity as xAPI 1.0.3 statements.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from itertools import count
from typing import Iterator

import numpy as np

from . import kernels
from .outcomes import Groups, fold_cells, row_gap, suppressed
from .scenario import BUDGET_ITEMS, MODALITIES
from .state import LOCATIONS

N_LOC = len(LOCATIONS)

FIELDS = ("headcount", "exits", "leaver_fit", "hires", "hire_fit", "rotations", "spend", "hiring_spend",
          "separation_cost", "time_cost", "benefit", "value", "vacancies", "vacancy_cost")
EVENT_FIELDS = ("exits", "leaver_fit", "hires", "hire_fit", "rotations", "hiring_spend", "separation_cost")



def record_cells(wf, rows: np.ndarray | None = None) -> np.ndarray:
    """The record cell of positions ``rows`` (all by default): department × locations + location."""
    sel = slice(None) if rows is None else rows
    return wf.dept[sel].astype(np.int64) * N_LOC + wf.location[sel]


class Derived:
    """Per-position values derived from state once a week (phase 12), read by outcomes:
    skills gap, fully proficient, critical requirements held and met, mean proficiency on
    the role's skills, output fit, bench; and per skill, over occupied positions, the sums
    of proficiency and of shortfall and the number of people whose role requires the skill.

    *Output fit* is what a person's work yields relative to a fully proficient holder of the
    role: 1 − skills gap, except during a rotation, swap or job share, where the share of the
    week worked in another role yields 1 − the gap against *that* role (the ramp in the host
    role is the productivity cost of rotating). *Bench*: the person meets (within the
    tolerance) a critical requirement of another role that their own role does not require
    at that level — someone who could cover a critical skill elsewhere.

    Per-role weights are computed on the (roles × skills) tables, so each per-position value
    costs one pass over the (positions × skills) columns.
    """

    def __init__(self, n: int):
        self.gap = np.zeros(n)
        self.proficient = np.zeros(n, dtype=bool)
        self.critical = np.zeros(n)
        self.critical_met = np.zeros(n)
        self.role_proficiency = np.zeros(n)
        self.fit = np.ones(n)
        self.bench = np.zeros(n, dtype=bool)
        self.demand = np.zeros((n, 0))
        self.skill_prof_sum = self.skill_short_sum = self.skill_need = np.zeros(0)
        self._critical_of: tuple = (None, None)

    def update(self, state, tolerance: float, critical_from: float) -> None:
        """Measure ``state`` (``tolerance``: levels below a requirement that still meet it;
        ``critical_from``: criticality from which a requirement is critical): one compiled
        pass over the positions (:func:`sim.kernels.measure`) on the (roles × skills) tables."""
        wf, st = state.workforce, state.structure
        n, k = wf.prof.shape
        if len(self.gap) != n:
            self.__init__(n)
        if self._critical_of[0] != st.version:
            # per role: the critical requirements and their weights (the role tables change with events)
            required = st.req > 0
            critical = (st.crit >= critical_from) & required
            total = (st.crit * st.req).sum(axis=1, keepdims=True)
            n_used = required.sum(axis=1, keepdims=True)
            gap_weight = np.where(total > 0, st.crit / np.where(total > 0, total, 1.0), 0.0)
            prof_weight = np.where(n_used > 0, required / np.maximum(n_used, 1), 0.0)
            crit_req = np.where(critical, st.req, np.inf)
            level = crit_req.min(axis=0)  # the lowest critical requirement of each skill across roles
            self._critical_of = (st.version, (critical, critical.sum(axis=1).astype(float), gap_weight, prof_weight,
                                              level))
        critical, n_critical, gap_weight, prof_weight, level = self._critical_of[1]
        self.skill_prof_sum, self.skill_short_sum = np.zeros(k), np.zeros(k)
        kernels.measure(wf.prof, wf.role, wf.occupied, st.req, critical, n_critical, gap_weight, prof_weight, level,
                 tolerance, self.gap, self.proficient, self.critical, self.critical_met, self.role_proficiency,
                 self.fit, self.bench, self.skill_prof_sum, self.skill_short_sum)
        away = np.flatnonzero(wf.occupied & (wf.work_role != wf.role))
        if len(away):
            w = wf.work_share[away]
            self.fit[away] = (1.0 - w) * self.fit[away] + w * (1.0 - row_gap(wf, st, away, wf.work_role[away]))
        self.skill_need = np.bincount(wf.role[wf.occupied], minlength=len(st.req)) @ (st.req > 0)


class Records:
    """Weekly records per department and work location (weeks × cells arrays, grown as
    needed; cell = department × 3 + location, :func:`record_cells`).

    Phases note the week's events as they happen (:meth:`add_counts`, :meth:`add_weights`);
    the data phase writes the week (:meth:`write_week`). Readers see weeks ``first`` …
    :attr:`week`, the last one written. The spin-up keeps its own records from its first
    week (negative weeks); the run's records start afresh at week 0 (:mod:`sim.model`).
    """

    def __init__(self, n_dept: int, weeks: int, first: int = 0):
        self.n_dept = n_dept
        self.n_cells = n_dept * N_LOC
        self.first = first                      # the first week these records keep (row 0)
        self.week = first - 1
        self._data = {f: np.zeros((max(weeks, 1) + 1, self.n_cells)) for f in FIELDS}
        self._pending = {f: np.zeros(self.n_cells) for f in EVENT_FIELDS}
        self.reference_fit: np.ndarray | None = None

    # -- events during the week (kept until the week is written) -------------------------
    def add_counts(self, field: str, cells: np.ndarray, scale: float = 1.0) -> None:
        """Add ``scale`` per event to ``field`` of each event's cell (:func:`record_cells`; events of this week)."""
        if len(cells):
            counts = np.bincount(cells, minlength=self.n_cells)
            self._pending[field] += counts if scale == 1.0 else counts * scale

    def add_weights(self, field: str, cells: np.ndarray, weights: np.ndarray) -> None:
        """Add ``weights`` to ``field`` of each event's cell (events of this week)."""
        if len(cells):
            self._pending[field] += np.bincount(cells, weights=weights, minlength=self.n_cells)

    # -- the week ------------------------------------------------------------------------
    def write_week(self, week: int, values: dict[str, np.ndarray]) -> None:
        """Write week ``week``: the given per-cell ``values`` and the events noted."""
        t = self._row(week)
        for f, v in values.items():
            self._data[f][t] = v
        for f, v in self._pending.items():
            self._data[f][t] = v
            v[:] = 0.0
        self.week = week

    def _row(self, week: int) -> int:
        row = week - self.first
        if row < 0:
            raise ValueError(f"week {week} is before the first recorded week ({self.first})")
        if row >= len(self._data["headcount"]):
            for f, arr in self._data.items():
                grown = np.zeros((2 * len(arr), self.n_cells))
                grown[: len(arr)] = arr
                self._data[f] = grown
        return row

    # -- reading -------------------------------------------------------------------------
    def _fold(self, g: Groups, per_cell: np.ndarray) -> np.ndarray:
        """Values per cell → values per group of ``g``: by department, by location, per cell,
        the organisation's total, or all of these at once (:class:`~sim.outcomes.Stacked`)."""
        expected = {"cell": self.n_cells, "org": 1, "dept": self.n_dept, "location": N_LOC,
                    "stacked": 1 + self.n_dept + N_LOC}[g.axis]
        if g.size != expected:
            raise ValueError(f"groups along {g.axis!r} have {g.size} groups; the records have {expected}")
        return fold_cells(per_cell, self.n_dept, g.axis)

    def trailing(self, g: Groups, field: str, weeks: int) -> np.ndarray:
        """Sum over the last ``weeks`` recorded weeks (the last one included)."""
        t = self.week - self.first
        return self._fold(g, self._data[field][max(0, t - weeks + 1): t + 1].sum(axis=0))

    def this_week(self, g: Groups, field: str) -> np.ndarray:
        return self._fold(g, self._data[field][self.week - self.first])

    def cumulative(self, g: Groups, field: str, week: int | None = None) -> np.ndarray:
        """Sum over the first recorded week (week 0 in a run) … ``week`` (default: the last recorded)."""
        t = (self.week if week is None else week) - self.first
        return self._fold(g, self._data[field][: max(t + 1, 0)].sum(axis=0))

    def series(self, field: str) -> np.ndarray:
        """Weeks × departments array of a field from the first to the last recorded week."""
        cells = self._data[field][: self.week - self.first + 1]
        return cells.reshape(len(cells), self.n_dept, N_LOC).sum(axis=2)


@dataclass
class ProgrammeLedger:
    """What each cuttable programme (:data:`~sim.scenario.BUDGET_ITEMS`) did for each position
    since the strategy started: the skills gap it closed and the participant-weeks it reached.

    The weekly phases that run a programme note what it did (:meth:`add`), as an L&D
    evaluation would attribute it: the gap closed by formal learning split between protected
    time and self-directed hours by the hours each took, the part of it beyond the week's
    average on other content to commissioned content (phase 4); mentees' gains from mentors
    and the share of coaching gains that manager development added (phase 7); the home-role
    gap a rotation closed beyond what the home role would have taught in the same week
    (phase 6). *Gap closed* is in skills-gap-index units summed over people (a gain counts
    only up to the person's shortfall, weighted as in the gap index: :func:`gap_closed`).
    Governance measures the ledger on the people its data covers (phase 13); it is a
    cumulative record per position (occupants come and go, the record stays with the seat),
    read by differences between two snapshots. It exists only under evidence allocation
    (``governance.budget_allocation: evidence``, the only reader); otherwise ``state.ledger``
    is None and the phases note nothing.
    """

    closed: np.ndarray      # positions × programmes: skills gap closed (index units)
    reached: np.ndarray     # positions × programmes: participant-weeks

    @classmethod
    def empty(cls, n: int) -> "ProgrammeLedger":
        """A ledger of ``n`` positions with nothing noted."""
        return cls(np.zeros((n, len(BUDGET_ITEMS))), np.zeros((n, len(BUDGET_ITEMS))))

    def add(self, programme: str, rows: np.ndarray, closed: np.ndarray | float = 0.0,
            reached: np.ndarray | float = 1.0) -> None:
        """Note this week's gap ``closed`` and participant-weeks ``reached`` for ``rows``."""
        j = BUDGET_ITEMS.index(programme)
        np.add.at(self.closed[:, j], rows, closed)
        np.add.at(self.reached[:, j], rows, reached)


def gap_closed(s, rows: np.ndarray, gain: np.ndarray, skill: np.ndarray | None = None) -> np.ndarray:
    """The skills gap (index units) that ``gain`` closes for each of ``rows``: each skill's gain
    up to the person's shortfall against the home role before it (durable proficiency plus
    learning still pending), weighted as in the gap index (criticality / the role's total
    criticality-weighted requirement). ``gain`` is per row on ``skill`` (one skill each) or,
    when ``skill`` is None, rows × skills."""
    pr, wf = s.position_req, s.workforce
    if skill is None:
        short = np.maximum(pr.req[rows] - wf.prof[rows], 0.0)
        return (np.minimum(np.maximum(gain, 0.0), short) * pr.gap_weight[rows]).sum(axis=1)
    short = np.maximum(pr.req[rows, skill] - wf.prof[rows, skill] - wf.pending[rows, skill], 0.0)
    return np.minimum(np.maximum(gain, 0.0), short) * pr.gap_weight[rows, skill]


# --------------------------------------------------------------------------- xAPI learning records
XAPI_AFTER = "social"
"""The phase after which :func:`xapi_statements` reads the week: formal learning (phase 4) and
mentoring (phase 7) have happened, and nobody has left yet (exits, phase 11, empty the rows)."""
XAPI_HOME = "https://lesim.invalid"  # a reserved domain (RFC 2606): these IRIs name nothing real
XAPI_WEEK_1 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)  # a Monday, 09:00 UTC
XAPI_ACTIVITY_TYPE = {"course": "course", "video": "media", "podcast": "media", "article": "file",
                      "job_aid": "file", "manual": "file", "instructor_led": "meeting"}
"""ADL activity type of each content modality (convention: documents to read are files, an
instructor-led session is a meeting)."""
_ADL = "http://adlnet.gov/expapi"
_EXT = f"{XAPI_HOME}/xapi/extensions"


def xapi_registration(scenario) -> uuid.UUID:
    """The run's xAPI registration (``context.registration`` of its statements and the namespace
    of their ids): a UUID 5 of the scenario's digest and seed, so the same run has the same one."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{XAPI_HOME}/runs/{scenario.digest()}/{scenario.seed}")


def iso_duration(hours: float) -> str:
    """``hours`` as an ISO 8601 duration to the second: 1.5 → ``PT1H30M``, 0 → ``PT0S``."""
    h, rest = divmod(round(float(hours) * 3600), 3600)
    parts = "".join(f"{v}{unit}" for v, unit in ((h, "H"), *zip(divmod(rest, 60), "MS")) if v)
    return "PT" + (parts or "0S")


def xapi_statements(model, registration: uuid.UUID) -> Iterator[dict]:
    """This week's learning activity as xAPI 1.0.3 statements, read after phase
    :data:`XAPI_AFTER`. Only what the model did is stated; the conventions (assumptions of this
    rendering, not of the model):

    * formal learning: one statement per person who learned from a catalogue item this week
      (``workforce.started``): verb ``completed`` if they completed it, else ``attempted``, with
      ``result.completion``; ``duration`` is the week's skill-building hours (all spent on the
      one item); a result extension holds the proficiency gained on the item's skill (levels,
      pending until applied on the job). No score and no success: the model assesses nobody.
      The object is the item (``/activities/item/<id>``), named by skill, level and modality,
      typed by :data:`XAPI_ACTIVITY_TYPE`;
    * mentoring (when the programme is on): one ``attended`` statement per mentee whose mentor
      is in post, for the pair's meeting (type ``meeting``,
      ``/activities/mentoring/<mentor>/<mentee>``), the mentor as ``context.instructor``,
      ``policies.mentoring.hours_per_week`` as duration;
    * not stated: compliance training (no catalogue item), learning by doing, manager coaching
      (a share of the manager's hours each week, not a session) and peer conversations (the
      model keeps neither their length nor the partner);
    * people are Agents with an account on ``https://lesim.invalid/people`` named by their
      Mesa agent id — pseudonymous, never a name; the department is a context extension (left
      out all run long, in an imported organisation, for departments of fewer seats than
      ``organisation.data.min_group_size`` and their complement, :func:`sim.outcomes.suppressed`);
    * time: week w starts on Monday 2026-01-05 09:00 UTC + (w − 1) weeks (:data:`XAPI_WEEK_1`,
      a declared calendar: the model has weeks, not dates); the i-th statement of the week is
      stamped i seconds after it (an order, not a time of day the model knows);
    * ``id`` is a UUID 5 of (week, i) in the run's ``registration`` (:func:`xapi_registration`),
      so the same scenario and seed give the same statements; ``stored`` and ``authority`` are
      the LRS's, and ``version`` is left out (xAPI 1.0.3 §2.4.10: a provider SHOULD NOT set it,
      and if it does, to ``1.0.0``, not ``1.0.3``).
    """
    s = model.state
    wf, cat, st, week = s.workforce, s.catalogue, s.structure, s.week
    start = XAPI_WEEK_1 + timedelta(weeks=week - 1)
    seq = count()
    # an imported organisation's small departments are never named: the same ones all run long (by seats,
    # which do not change), so that no one is named in one week and unnamed in another (sim.outcomes.suppressed)
    data = model.spec.organisation.data
    named = np.ones(len(st.dept_names), dtype=bool)
    if data is not None:
        named = ~suppressed(np.bincount(wf.dept, minlength=len(st.dept_names)), data.min_group_size)

    def extensions(row) -> dict:
        ext = {f"{_EXT}/week": week}
        if named[wf.dept[row]]:
            ext[f"{_EXT}/department"] = st.dept_names[wf.dept[row]]
        return ext

    def agent(row) -> dict:
        return {"objectType": "Agent", "account": {"homePage": f"{XAPI_HOME}/people", "name": str(int(wf.uid[row]))}}

    def statement(row, verb: str, activity: dict, result: dict, **context) -> dict:
        i = next(seq)
        return {
            "id": str(uuid.uuid5(registration, f"{week}/{i}")),
            "actor": agent(row),
            "verb": {"id": f"{_ADL}/verbs/{verb}", "display": {"en-US": verb}},
            "object": {"objectType": "Activity", **activity},
            "result": result,
            "context": {"registration": str(registration), "platform": "lesim (simulated)", **context,
                        "extensions": extensions(row)},
            "timestamp": (start + timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }

    for r in np.flatnonzero(wf.started):
        item, done = wf.item[r], bool(wf.completed[r])
        modality = MODALITIES[cat.modality[item]]
        yield statement(r, "completed" if done else "attempted", {
            "id": f"{XAPI_HOME}/activities/item/{int(cat.uid[item])}",
            "definition": {"name": {"en-US": f"{st.skill_names[cat.skill[item]]}, level {cat.level[item]} "
                                             f"({modality.replace('_', ' ')})"},
                           "type": f"{_ADL}/activities/{XAPI_ACTIVITY_TYPE[modality]}"}},
            {"completion": done, "duration": iso_duration(wf.skill_hours[r]),
             "extensions": {f"{_EXT}/proficiency-gain": round(float(wf.formal_gain[r]), 6)}})
    p = model.phase("social").pars
    if p.mentoring:
        mentees = np.flatnonzero((wf.mentor >= 0) & wf.occupied)
        for r in mentees[wf.occupied[wf.mentor[mentees]]]:
            m = wf.mentor[r]
            yield statement(r, "attended", {
                "id": f"{XAPI_HOME}/activities/mentoring/{int(wf.uid[m])}/{int(wf.uid[r])}",
                "definition": {"name": {"en-US": "Mentoring meeting"}, "type": f"{_ADL}/activities/meeting"}},
                {"duration": iso_duration(p.mentoring_hours)}, instructor=agent(m))
