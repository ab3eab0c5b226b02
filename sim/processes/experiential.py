"""Phase 6 — experiential learning: doing the work moves skills toward what it demands."""

from __future__ import annotations

import numpy as np


def work_demand(model) -> np.ndarray:
    """Level the current work exercises per skill: required level of the role being worked
    × the person's job exposure (``learning.job_exposure``; assumption)."""
    wf = model.workforce
    demand = model.position_req.req.copy()
    rotating = np.flatnonzero(wf.work_role != wf.role)
    if len(rotating):
        demand[rotating] = model.structure.req[wf.work_role[rotating]]
    demand *= wf.exposure[:, None]
    return demand


def learn_by_doing(model) -> None:
    """Skills used in the work approach the demanded level exponentially: each week
    prof += experiential_rate × aptitude × mindset factor × (demand − prof) where prof <
    demand (Heathcote2000: exponential individual learning curves, at individual rates:
    aptitude ~ Gamma with mean 1). Rotations change the role
    worked, so they expose people to new skills. Vacant positions do not learn. The week's
    demand is kept in ``model.derived.demand`` for forgetting (phase 9)."""
    sc = model.spec
    wf = model.workforce
    demand = model.derived.demand = work_demand(model)
    mind = 1.0 + sc.learning.mindset_effect * (wf.mindset - 0.5)
    rate = np.minimum(sc.learning.experiential_rate * wf.aptitude * mind * wf.occupied, 1.0)[:, None]
    wf.prof += rate * np.maximum(demand - wf.prof, 0.0)
