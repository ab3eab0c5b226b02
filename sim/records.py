"""Phase 12 — data: the organisation's records of the week, by department.

Kirkpatrick-style data that governance and outcomes read: L1 reactions and L2 gains live on
the content columns (phase 4); here each week adds, per department, the headcount, exits,
hires and the role fit they took or brought, rotations, direct L&D spend, hiring spend,
learners' time cost and the monetised productivity change (L4 "benefit"). Records are
arrays indexed by week, written once per week — not counters reset by agents.
:func:`xapi_statements` renders this week's learning activity as xAPI-shaped statements.
"""

from __future__ import annotations

import numpy as np

from .organisation import PROFICIENT_TOLERANCE
from .outcomes import Groups, row_gap

FIELDS = ("headcount", "exits", "leaver_fit", "hires", "hire_fit", "rotations", "spend", "hiring_spend",
          "time_cost", "benefit")


class Derived:
    """Per-position values derived from state once a week (phase 12), read by outcomes:
    skills gap, fully proficient, critical requirements held and met, mean proficiency on
    the role's skills; and per skill, over occupied positions, the sums of proficiency and
    of shortfall and the number of people whose role requires the skill.

    Per-role weights are computed on the (roles × skills) tables, so each per-position value
    costs one pass over the (positions × skills) columns.
    """

    def __init__(self, n: int):
        self.gap = np.zeros(n)
        self.proficient = np.zeros(n, dtype=bool)
        self.critical = np.zeros(n)
        self.critical_met = np.zeros(n)
        self.role_proficiency = np.zeros(n)
        self.demand = np.zeros((n, 0))
        self.skill_prof_sum = self.skill_short_sum = self.skill_need = np.zeros(0)

    def update(self, model) -> None:
        wf, st = model.workforce, model.structure
        pr = model.position_req
        short = pr.req - wf.prof
        np.maximum(short, 0.0, out=short)  # zero wherever the role does not require the skill
        self.gap = np.einsum("ij,ij->i", short, pr.gap_weight)
        unmet = short > PROFICIENT_TOLERANCE
        self.proficient = ~unmet.any(axis=1) & wf.occupied
        self.critical = pr.n_critical
        self.critical_met = pr.n_critical - (unmet & pr.critical).sum(axis=1)
        self.role_proficiency = np.einsum("ij,ij->i", wf.prof, pr.proficiency_weight)
        occ = wf.occupied.astype(float)
        self.skill_prof_sum = occ @ wf.prof
        self.skill_short_sum = occ @ short
        self.skill_need = np.bincount(wf.role[wf.occupied], minlength=len(st.req)) @ (st.req > 0)


class Records:
    """Weekly per-department records (weeks × departments arrays, grown as needed)."""

    def __init__(self, model):
        self.model = model
        self.n_dept = len(model.structure.dept_names)
        self._data = {f: np.zeros((max(model.spec.weeks, 1) + 1, self.n_dept)) for f in FIELDS}
        self._pending = {f: np.zeros(self.n_dept) for f in ("exits", "leaver_fit", "hires", "hire_fit", "rotations",
                                                             "hiring_spend")}
        self.reference_fit: np.ndarray | None = None

    # -- events during the week (kept until the week is recorded) ------------------------
    def exits(self, rows: np.ndarray) -> None:
        """Leavers of this week, before their skills leave with them."""
        if len(rows):
            d = self.model.workforce.dept[rows]
            self._pending["exits"] += np.bincount(d, minlength=self.n_dept)
            self._pending["leaver_fit"] += np.bincount(d, weights=1.0 - row_gap(self.model, rows), minlength=self.n_dept)

    def hires(self, rows: np.ndarray, premium: float) -> None:
        """Hires of this week and what they cost (recruiting and any 'buy' premium)."""
        if len(rows):
            d = self.model.workforce.dept[rows]
            cost = self.model.spec.labour_market.hire_cost + premium
            self._pending["hires"] += np.bincount(d, minlength=self.n_dept)
            self._pending["hire_fit"] += np.bincount(d, weights=1.0 - row_gap(self.model, rows), minlength=self.n_dept)
            self._pending["hiring_spend"] += np.bincount(d, minlength=self.n_dept) * cost

    def rotations_started(self, rows: np.ndarray) -> None:
        if len(rows):
            self._pending["rotations"] += np.bincount(self.model.workforce.dept[rows], minlength=self.n_dept)

    # -- the week ------------------------------------------------------------------------
    def record_week(self) -> None:
        """Derive this week's per-position values and write the week's departmental records.

        Benefit (L4) = value_per_employee_year / 52 × Σ (role fit − the department's mean
        fit at week 0): the monetised change in productivity, Phillips-style, not isolated
        from other causes (compare strategies on common random numbers to isolate it).
        """
        m = self.model
        wf = m.workforce
        d = m.derived
        d.update(m)
        newly = d.proficient & (wf.proficient_week < 0) & (wf.hire_week > 0)
        wf.proficient_week[newly] = m.week
        # recent learning, for engagement and turnover: 13-week exponential average
        wf.learn_ewma += (wf.skill_hours - wf.learn_ewma) / 13.0
        g = Groups(wf.dept.astype(np.int64), wf.occupied, self.n_dept)
        fit = 1.0 - d.gap
        if self.reference_fit is None:
            self.reference_fit = g.mean(fit)
        spend_rows = np.zeros(wf.n)
        overhead = m.spec.governance.ld_staff_cost_per_employee_year / 52.0 * float(wf.occupied.sum())
        for policy in m.policies.values():
            rows, extra = policy.spend()
            if rows is not None:
                spend_rows += rows
            overhead += extra
        wf.spend = spend_rows + np.where(wf.skill_hours > 0, wf.skill_hours, 0.0) * m.spec.content.cost_per_learner_hour
        if m.week == 0:  # the record of the starting state: nothing has been spent yet
            wf.spend = np.zeros(wf.n)
            overhead = 0.0
        t = self._row(m.week)
        heads = g.count
        share = heads / heads.sum() if heads.sum() > 0 else heads
        self._data["headcount"][t] = heads
        self._data["spend"][t] = g.sum_all(wf.spend) + overhead * share
        self._data["time_cost"][t] = g.sum_all(wf.time_cost)
        self._data["benefit"][t] = (m.spec.governance.value_per_employee_year / 52.0
                                    * (g.sum(fit) - np.nan_to_num(self.reference_fit) * heads))
        for f, v in self._pending.items():
            self._data[f][t] = v
            v[:] = 0.0

    def _row(self, week: int) -> int:
        if week >= len(self._data["headcount"]):
            for f, arr in self._data.items():
                grown = np.zeros((2 * len(arr), self.n_dept))
                grown[: len(arr)] = arr
                self._data[f] = grown
        return week

    # -- reading -------------------------------------------------------------------------
    def _fold(self, g: Groups, per_dept: np.ndarray) -> np.ndarray:
        """Departmental values → values per group of ``g`` (org: the total)."""
        return per_dept if g.size == self.n_dept else np.array([per_dept.sum()])

    def trailing(self, g: Groups, field: str, weeks: int) -> np.ndarray:
        """Sum over the last ``weeks`` recorded weeks (this one included)."""
        t = self.model.week
        return self._fold(g, self._data[field][max(0, t - weeks + 1): t + 1].sum(axis=0))

    def this_week(self, g: Groups, field: str) -> np.ndarray:
        return self._fold(g, self._data[field][self.model.week])

    def cumulative(self, g: Groups, field: str) -> np.ndarray:
        return self._fold(g, self._data[field][: self.model.week + 1].sum(axis=0))

    def series(self, field: str) -> np.ndarray:
        """Weeks × departments array of a field up to this week."""
        return self._data[field][: self.model.week + 1].copy()


def xapi_statements(model, limit: int | None = None) -> list[dict]:
    """This week's learning activity as xAPI-shaped statements (actor, verb, object, result)."""
    wf, cat, st = model.workforce, model.catalogue, model.structure
    rows = np.flatnonzero(wf.started)[:limit]
    out = []
    for r in rows:
        item = int(wf.item[r])
        verb = "completed" if wf.completed[r] else "attempted"
        out.append({
            "actor": {"account": {"name": str(int(wf.uid[r]))}},
            "verb": {"id": f"http://adlnet.gov/expapi/verbs/{verb}", "display": {"en-US": verb}},
            "object": {"id": f"lesim:content/{int(cat.uid[item])}",
                       "definition": {"name": {"en-US": f"{st.skill_names[cat.skill[item]]} L{cat.level[item]}"}}},
            "result": {"completion": bool(wf.completed[r]), "extensions": {"lesim:gain": float(wf.formal_gain[r])},
                       "duration": f"PT{wf.skill_hours[r]:.2f}H"},
            "context": {"extensions": {"lesim:week": model.week, "lesim:department": st.dept_names[wf.dept[r]]}},
        })
    return out
