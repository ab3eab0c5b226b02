"""Phase 12b — data: measure the week and write the organisation's records."""

from __future__ import annotations

import numpy as np

from ..outcomes import Groups
from ..records import N_LOC, record_cells
from ..state import NO_WEEK
from .phase import Phase


def record_week(s, p, rng) -> None:
    """Derive this week's per-position measures (skills gap, fully proficient within
    ``rules.data.proficient_tolerance`` levels of every requirement, critical coverage), note
    when a hire first becomes fully proficient, and write the week's records (per department and work location).

    Value of output = value_per_employee_year / 52 × Σ output fit over the people in post
    (1 − skills gap; during a rotation, swap or share, the fit to the role worked for that
    share of the week): an empty position produces nothing (its lost output is the vacancy's cost), a new hire's
    lower fit is their ramp-up — each counted once, here (the benefit side of
    :mod:`sim.economics`). ``vacancies`` counts empty positions and ``vacancy_cost`` values
    them at their record cell's mean fit at week 0 (a part of the output gap, not a cost to add).
    Benefit (L4) = value_per_employee_year / 52 × Σ (output fit − the record cell's mean fit at
    week 0): the monetised change in productivity, Phillips-style (the gross ROI), not
    isolated from other causes. A record cell is a department's seats at one work location
    (:func:`~sim.records.record_cells`), so a location's benefit is its own change since week
    0, not its distance from the department's mean; a cell empty at week 0 takes the
    department's mean fit. Direct spend is the attributable spend of the costs phase
    plus the overhead shared by headcount.
    """
    wf, d, rec = s.workforce, s.derived, s.records
    d.update(s, p.proficient_tolerance, p.critical_criticality)
    newly = d.proficient & (wf.proficient_week == NO_WEEK) & (wf.hire_week != NO_WEEK)
    wf.proficient_week[newly] = s.week
    cells = record_cells(wf)
    g = Groups(cells, wf.occupied, rec.n_cells, axis="cell")
    fit = d.fit
    if rec.reference_fit is None:
        # each cell's mean fit at the first recorded week; a cell empty then takes its department's
        by_dept = Groups(wf.dept.astype(np.int64), wf.occupied, rec.n_dept, axis="dept").mean(fit)
        rec.reference_fit = np.where(g.count > 0, g.mean(fit), np.repeat(by_dept, N_LOC))
    heads = g.count
    share = heads / heads.sum() if heads.sum() > 0 else heads
    weekly_value = p.value_per_employee_year / 52.0
    reference = np.nan_to_num(rec.reference_fit)
    vacant = np.bincount(cells, weights=(~wf.occupied).astype(float), minlength=rec.n_cells)
    rec.write_week(s.week, {
        "headcount": heads,
        "spend": g.sum_all(wf.spend) + s.overhead_spend * share,
        "time_cost": g.sum_all(wf.time_cost),
        "benefit": weekly_value * (g.sum(fit) - reference * heads),
        "value": weekly_value * g.sum(fit),
        "vacancies": vacant,
        "vacancy_cost": weekly_value * reference * vacant,
    })


RECORD = Phase(
    "data", record_week,
    params=("governance.value_per_employee_year", "rules.data.*"),
    reads=("week", "structure", "workforce.prof", "workforce.role", "workforce.work_role", "workforce.work_share",
           "workforce.occupied", "workforce.dept", "workforce.location",
           "workforce.proficient_week", "workforce.hire_week", "workforce.spend", "workforce.time_cost",
           "overhead_spend", "derived", "records"),
    writes=("derived", "workforce.proficient_week", "records"),
)
