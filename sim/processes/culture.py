"""Phase 8 — failure, mindset, engagement and culture."""

from __future__ import annotations

import numpy as np

FAIL_LOSS = 0.05   # engagement lost by a fixed mindset failing in an unsafe climate (assumption)
FAIL_GAIN = 0.01   # engagement gained by a growth mindset failing in a safe climate (assumption)
ENGAGEMENT_RATE = 0.02  # weekly pull of engagement toward its target (assumption)


def attempts_beyond_reach(model) -> np.ndarray:
    """Who attempted something more than 1.5 levels beyond their current proficiency this
    week: content above reach, or a rotation into work demanding far more than they have
    (threshold an assumption: the zone of proximal development ends about there)."""
    wf, cat, st = model.workforce, model.catalogue, model.structure
    beyond = np.zeros(wf.n, dtype=bool)
    rows = np.flatnonzero(wf.item >= 0)
    if len(rows):
        items = wf.item[rows]
        beyond[rows] = cat.level[items] - wf.prof[rows, cat.skill[items]] > 1.5
    rotating = wf.occupied & (wf.work_role != wf.role)
    if rotating.any():
        r = np.flatnonzero(rotating)
        beyond[r] |= (st.req[wf.work_role[r]] - wf.prof[r]).max(axis=1) > 1.5
    return beyond


def failure_and_mindset(model) -> None:
    """Failure handling, engagement, climate and mindset (Edmondson1999; Sisk2018; Yeager2019).

    * an attempt beyond reach fails with probability ``failure_probability``; a failure costs
      FAIL_LOSS × (1 − mindset) × (1 − safety) engagement and, where failure is treated as
      learning, yields FAIL_GAIN × mindset × safety × failure_tolerance (a growth mindset
      persists);
    * engagement moves 2 % a week toward 0.5 + 0.15 × manager support + 0.1 × safety + 0.1 ×
      recent learning (relative to the norm), plus recognition of completions (assumption);
    * team climate (psychological safety) moves ``climate_drift`` a week toward 0.35 × manager
      support + 0.2 × executive support + 0.25 × failure_tolerance + 0.2 × mean team mindset
      (+ the mindset initiative's gain), lowered where failures are punished;
    * mindset moves ``mindset_pull`` a week toward the team climate, plus the initiative's
      nudge toward growth.
    Writes ``failed``, ``engagement``, ``mindset`` and ``model.team_climate``.
    """
    sc = model.spec
    wf, st = model.workforce, model.structure
    rng = model.streams["failure"]
    r = rng.random(wf.n)
    failed = wf.occupied & attempts_beyond_reach(model) & (r < sc.learning.failure_probability)
    wf.failed = failed
    safety = model.team_climate[wf.team]
    tol = sc.culture.failure_tolerance
    wf.engagement += np.where(failed, -FAIL_LOSS * (1 - wf.mindset) * (1 - safety)
                              + FAIL_GAIN * wf.mindset * safety * tol, 0.0)
    m = np.maximum(wf.manager, 0)
    support = np.where(wf.manager >= 0, wf.support[m], sc.leadership.executive_support)
    norm = max(sc.learning.discretionary_hours, 1e-9)
    target = 0.5 + 0.15 * support + 0.1 * safety + 0.1 * np.minimum(wf.learn_ewma / norm, 1.5)
    rec = model.policy("recognition")
    if rec is not None:
        wf.engagement += wf.completed * rec.config.engagement_boost
    wf.engagement += ENGAGEMENT_RATE * (target - wf.engagement)
    np.clip(wf.engagement, 0.0, 1.0, out=wf.engagement)
    # team climate
    n_teams = len(st.team_dept)
    occ = wf.occupied
    counts = np.maximum(np.bincount(wf.team[occ], minlength=n_teams), 1)
    team_mindset = np.bincount(wf.team[occ], weights=wf.mindset[occ], minlength=n_teams) / counts
    team_fail = np.bincount(wf.team[occ], weights=failed[occ], minlength=n_teams) / counts
    mgr_support = wf.support[st.team_manager]
    init = model.policy("mindset_initiative")
    boost = init.config.climate_target_gain if init is not None else 0.0
    target_c = (0.35 * mgr_support + 0.2 * sc.leadership.executive_support + 0.25 * tol + 0.2 * team_mindset
                + boost - 0.5 * (1 - tol) * team_fail)
    model.team_climate += sc.culture.climate_drift * (np.clip(target_c, 0, 1) - model.team_climate)
    # mindset
    nudge = init.config.mindset_nudge if init is not None else 0.0
    wf.mindset += sc.culture.mindset_pull * (model.team_climate[wf.team] - wf.mindset) + nudge * (1 - wf.mindset)
    np.clip(wf.mindset, 0.0, 1.0, out=wf.mindset)
