"""Phase 8 — failure, mindset, engagement and culture."""

from __future__ import annotations

import numpy as np

from ..scenario import MODALITIES
from .phase import Phase, line_support


def attempts_beyond_reach(s, beyond: float, assessed: np.ndarray) -> np.ndarray:
    """Who really attempted something more than ``beyond`` levels (``rules.culture.beyond_reach``,
    1.5) above their current proficiency this week: an *assessed* item (``assessed`` by
    modality: courses and instructor-led sessions, ``rules.catalogue.modalities``) taken to
    its end, or a rotation into work demanding far more than they have (assumption: the zone
    of proximal development ends about there). Opening a video, article or podcast above
    one's level, or dropping an item early, is browsing, not an attempt: nothing was tried
    and nothing can fail. (Until model version 2026.11.29-2 any item picked counted, so a
    browsed over-level video was a punished failure and most of the LXP's engagement gain
    came from steering browsers away from them.)"""
    wf, cat, st = s.workforce, s.catalogue, s.structure
    out = np.zeros(wf.n, dtype=bool)
    rows = np.flatnonzero((wf.item >= 0) & wf.completed)
    if len(rows):
        items = wf.item[rows]
        out[rows] = assessed[cat.modality[items]] & (cat.level[items] - wf.prof[rows, cat.skill[items]] > beyond)
    rotating = wf.occupied & (wf.work_role != wf.role)
    if rotating.any():
        r = np.flatnonzero(rotating)
        out[r] |= (st.req[wf.work_role[r]] - wf.prof[r]).max(axis=1) > beyond
    return out


def failure_and_mindset(s, p, rng) -> None:
    """Failure handling, engagement, climate and mindset (Edmondson1999; Sisk2018; Yeager2019).
    The weights below are ``rules.culture`` (assumptions), defaults in brackets.

    * a real attempt beyond reach (:func:`attempts_beyond_reach`) fails with probability ``failure_probability``; a failure costs
      fail_loss [0.05] × (1 − mindset) × (1 − safety) engagement and, where failure is
      treated as learning, yields fail_gain [0.01] × mindset × safety × failure_tolerance (a
      growth mindset persists);
    * engagement moves engagement_rate [2 %] a week toward base [0.5] + support weight
      [0.15] × manager support + safety weight [0.1] × safety + learning weight [0.1] ×
      min(recent learning / norm, learning_cap [1.5]), plus the recognition policy's boost
      per completion, plus a weekly random shock of sd engagement_noise [0.025] (an
      Ornstein–Uhlenbeck process: people keep differing in engagement, as surveys show, rather
      than all converging on the target; assumption);
    * team climate (psychological safety) moves ``climate_drift`` a week toward [0.35] ×
      manager support + [0.2] × executive support + [0.25] × failure_tolerance + [0.2] × mean
      team mindset (+ the mindset initiative's gain), lowered by [0.5] × (1 − tolerance) ×
      the team's failure rate where failures are punished;
    * mindset moves ``mindset_pull`` a week toward the team climate, plus the initiative's
      nudge toward growth.
    Writes ``failed``, ``engagement``, ``mindset`` and ``team_climate``.
    """
    wf, st = s.workforce, s.structure
    r = rng.random(wf.n)
    shock = rng.standard_normal(wf.n)
    assessed = np.array([getattr(p.modalities, m).assessed for m in MODALITIES])
    failed = wf.occupied & attempts_beyond_reach(s, p.beyond_reach, assessed) & (r < p.failure_probability)
    wf.failed = failed
    safety = s.team_climate[wf.team]
    tol = p.failure_tolerance
    wf.engagement += np.where(failed, -p.fail_loss * (1 - wf.mindset) * (1 - safety)
                              + p.fail_gain * wf.mindset * safety * tol, 0.0)
    support = line_support(wf, p.executive_support)
    norm = max(p.discretionary_hours, 1e-9)
    target = (p.engagement_base + p.engagement_support * support + p.engagement_safety * safety
              + p.engagement_learning * np.minimum(wf.learn_ewma / norm, p.learning_cap))
    if p.recognition:
        wf.engagement += wf.completed * p.recognition_boost
    wf.engagement += p.engagement_rate * (target - wf.engagement) + p.engagement_noise * shock
    np.clip(wf.engagement, 0.0, 1.0, out=wf.engagement)
    # team climate
    n_teams = len(st.team_dept)
    occ = wf.occupied
    counts = np.maximum(np.bincount(wf.team[occ], minlength=n_teams), 1)
    team_mindset = np.bincount(wf.team[occ], weights=wf.mindset[occ], minlength=n_teams) / counts
    team_fail = np.bincount(wf.team[occ], weights=failed[occ], minlength=n_teams) / counts
    mgr_support = wf.support[st.team_manager]
    boost = p.climate_target_gain if p.mindset_initiative else 0.0
    target_c = (p.climate_support * mgr_support + p.climate_executive * p.executive_support
                + p.climate_tolerance * tol + p.climate_mindset * team_mindset
                + boost - p.climate_failure_penalty * (1 - tol) * team_fail)
    s.team_climate += p.climate_drift * (np.clip(target_c, 0, 1) - s.team_climate)
    # mindset
    nudge = p.mindset_nudge if p.mindset_initiative else 0.0
    wf.mindset += p.mindset_pull * (s.team_climate[wf.team] - wf.mindset) + nudge * (1 - wf.mindset)
    np.clip(wf.mindset, 0.0, 1.0, out=wf.mindset)


CULTURE = Phase(
    "culture", failure_and_mindset,
    params=("learning.failure_probability", "learning.discretionary_hours", "culture.failure_tolerance",
            "culture.climate_drift", "culture.mindset_pull", "leadership.executive_support",
            "recognition=policies.recognition.enabled", "recognition_boost=policies.recognition.engagement_boost",
            "mindset_initiative=policies.mindset_initiative.enabled",
            "policies.mindset_initiative.climate_target_gain", "policies.mindset_initiative.mindset_nudge",
            "rules.culture.*", "rules.catalogue.modalities"),
    reads=("workforce.item", "workforce.prof", "workforce.occupied", "workforce.work_role", "workforce.role",
           "workforce.team", "workforce.mindset", "workforce.manager", "workforce.support", "workforce.learn_ewma",
           "workforce.completed", "workforce.engagement", "catalogue", "structure", "team_climate"),
    writes=("workforce.failed", "workforce.engagement", "workforce.mindset", "team_climate"),
    stream="failure")
