"""Phase 3 — learning time: how many formal learning hours each employee has this week."""

from __future__ import annotations

import numpy as np


def protected_uptake(support: np.ndarray) -> np.ndarray:
    """Share of protected time actually taken: 0.4 + 0.8 × manager support, capped at 1
    (assumption: with an unsupportive manager most protected time is lost to workload)."""
    return np.clip(0.4 + 0.8 * support, 0.0, 1.0)


def allocate_learning_hours(model) -> None:
    """Formal hours = protected time taken + discretionary hours + onboarding + compliance.

    * protected: the policy's hours × :func:`protected_uptake` of the line manager's support;
    * discretionary: ``learning.discretionary_hours`` × (motivation / 0.5) × (engagement /
      0.7), raised by ``mobile_hours_boost`` with mobile access; in a crunch week (probability
      ``crunch_probability``) none, otherwise scaled by 1 / (1 − p) so the mean is kept
      (ATD: ~34 formal hours per employee-year under a typical policy, compliance included);
    * onboarding: a new hire's ``onboarding_hours`` spread over the first 8 weeks;
    * compliance: the mandatory policy's annual block in the position's week of the year.
    Writes ``hours`` (all formal hours), ``skill_hours`` (hours that build taxonomy skills)
    and ``time_cost`` (learners' time at ``governance.employee_hour_cost``; later phases add
    coaches', mentors' and SMEs' time).
    """
    sc = model.spec
    wf = model.workforce
    rng = model.streams["time"]
    crunch = rng.random(wf.n) < sc.learning.crunch_probability
    mgr = wf.manager
    support = np.where(mgr >= 0, wf.support[np.maximum(mgr, 0)], sc.leadership.executive_support)
    pt = model.policy("protected_time")
    protected = pt.hours * protected_uptake(support) if pt is not None else 0.0
    p = sc.learning.crunch_probability
    disc = sc.learning.discretionary_hours * (wf.motivation / 0.5) * (wf.engagement / 0.7)
    disc = np.where(crunch, 0.0, disc / (1.0 - p) if p < 1 else 0.0)
    platform = model.policy("platform")
    if platform.mobile:
        disc = disc * (1.0 + platform.config.mobile_hours_boost)
    onboarding = np.where(wf.tenure < 8, sc.policies.hiring.onboarding_hours / 8.0, 0.0)
    skill_hours = np.where(wf.occupied, protected + disc + onboarding, 0.0)
    mt = model.policy("mandatory_training")
    compliance = np.where(mt.due(), mt.config.hours_per_year, 0.0) if mt is not None else 0.0
    wf.skill_hours = skill_hours
    wf.hours = skill_hours + compliance
    wf.time_cost = wf.hours * sc.governance.employee_hour_cost
