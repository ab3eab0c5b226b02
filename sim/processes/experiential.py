"""Phase 6 — experiential learning: doing the work moves skills toward what it demands."""

from __future__ import annotations

import numpy as np

from .phase import Phase


def work_demand(s) -> np.ndarray:
    """Level the current work exercises per skill: required level of the role being worked
    × the person's job exposure (``learning.job_exposure``; assumption)."""
    wf = s.workforce
    demand = s.position_req.req.copy()
    rotating = np.flatnonzero(wf.work_role != wf.role)
    if len(rotating):
        demand[rotating] = s.structure.req[wf.work_role[rotating]]
    demand *= wf.exposure[:, None]
    return demand


def learn_by_doing(s, p, rng) -> None:
    """Skills used in the work approach the demanded level exponentially: each week
    prof += experiential_rate × aptitude × mindset factor × (demand − prof) where prof <
    demand (Heathcote2000: exponential individual learning curves, at individual rates:
    aptitude ~ Gamma with mean 1). Rotations change the role worked, so they expose people
    to new skills. Vacant positions do not learn. The week's demand is kept in
    ``state.derived.demand`` for forgetting (phase 9)."""
    wf = s.workforce
    demand = s.derived.demand = work_demand(s)
    mind = 1.0 + p.mindset_effect * (wf.mindset - 0.5)
    rate = np.minimum(p.experiential_rate * wf.aptitude * mind * wf.occupied, 1.0)[:, None]
    wf.prof += rate * np.maximum(demand - wf.prof, 0.0)


EXPERIENTIAL = Phase(
    "experiential", learn_by_doing,
    params=("learning.experiential_rate", "learning.mindset_effect"),
    reads=("workforce.role", "workforce.work_role", "workforce.exposure", "workforce.mindset", "workforce.aptitude",
           "workforce.occupied", "workforce.prof", "structure"),
    writes=("workforce.prof", "derived.demand"),
)
