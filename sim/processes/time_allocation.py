"""Phase 3 — learning time: how many formal learning hours each employee has this week;
and, at the end of the week, the moving average of recent learning."""

from __future__ import annotations

import numpy as np

from .phase import Phase, line_support


def protected_uptake(support: np.ndarray, base: float, per_support: float) -> np.ndarray:
    """Share of protected time actually taken: base + per_support × manager support, capped
    at 1 (``rules.time``; assumption: with an unsupportive manager most protected time is
    lost to workload)."""
    return np.clip(base + per_support * support, 0.0, 1.0)


def compliance_due(n: int, week: int) -> np.ndarray:
    """Positions whose annual compliance block falls this week: the position's row mod 52
    (spreads the load evenly over the year; assumption)."""
    return (np.arange(n) % 52) == (week % 52)


def dept_share(s) -> np.ndarray:
    """Each department's multiple of the protected hours (governance's reallocation; 1 each
    when none)."""
    return s.dept_protected if s.dept_protected is not None else np.ones(len(s.structure.dept_names))


def allocate_learning_hours(s, p, rng) -> None:
    """Formal hours = protected time taken + discretionary hours + onboarding + compliance.

    * protected (when the policy is on): ``state.protected_hours`` × :func:`protected_uptake`
      of the line manager's support, × the share of it the budget allows (``budget.scale``,
      :mod:`sim.processes.budget`) × the department's share governance set
      (``state.dept_protected``: 1 unless a steering rule moved protected time toward the
      departments with the largest measured gaps);
    * discretionary: ``learning.discretionary_hours`` × (motivation / motivation_norm) ×
      (engagement / engagement_norm); in a crunch week (probability ``crunch_probability``) none, otherwise scaled by
      1 / (1 − p) so the mean is kept (ATD: ~34 formal hours per employee-year under a
      typical policy, compliance included); × the share of self-directed paid content the
      budget allows (above 1 under evidence allocation: the organisation pays for more
      self-directed hours and people take them; assumption);
    * onboarding: a new hire's ``onboarding_hours`` spread over the first
      ``rules.time.onboarding_weeks`` weeks;
    * compliance (when mandatory training is on): the annual block in the position's week of
      the year (:func:`compliance_due`); it builds none of the taxonomy's skills.
    With the LXP's mobile app, ``mobile_hours`` = ``mobile_hours_boost`` × the discretionary
    hours are there to take in short slots away from a desk — used only in a week whose
    item is mobile-ready (phase 4, :func:`~sim.processes.formal.learn_from_content`).
    Writes ``hours`` (all formal hours), ``skill_hours`` (hours that build taxonomy skills),
    ``mobile_hours``, ``protected_taken`` (the hours from protected time)
    and ``time_cost`` (learners' time at ``governance.employee_hour_cost``; later phases add
    coaches', mentors' and SMEs' time).
    """
    wf = s.workforce
    crunch = rng.random(wf.n) < p.crunch_probability
    support = line_support(wf, p.executive_support)
    scale = s.budget.scale
    protected = s.protected_hours * scale.get("protected_time", 1.0) * dept_share(s)[wf.dept] \
        * protected_uptake(support, p.uptake_base, p.uptake_per_support) if p.protected_time else 0.0
    cp = p.crunch_probability
    disc = p.discretionary_hours * (wf.motivation / p.motivation_norm) * (wf.engagement / p.engagement_norm)
    disc = np.where(crunch, 0.0, disc / (1.0 - cp) if cp < 1 else 0.0)
    if scale.get("self_directed", 1.0) != 1.0:
        disc = disc * scale["self_directed"]
    wf.mobile_hours = np.where(wf.occupied, disc * p.mobile_hours_boost, 0.0) if p.lxp and p.mobile \
        else np.zeros(wf.n)
    onboarding = np.where(wf.tenure < p.onboarding_weeks, p.onboarding_hours / p.onboarding_weeks, 0.0)
    skill_hours = np.where(wf.occupied, protected + disc + onboarding, 0.0)
    compliance = np.where(wf.occupied & compliance_due(wf.n, s.week), p.compliance_hours, 0.0) \
        if p.mandatory_training else 0.0
    wf.skill_hours = skill_hours
    wf.protected_taken = np.where(wf.occupied, protected, 0.0)
    wf.hours = skill_hours + compliance
    wf.time_cost = wf.hours * p.employee_hour_cost


def remember_recent_learning(s, p, rng) -> None:
    """Recent learning, read by engagement (phase 8) and lack-of-growth turnover (phase 11) next
    week: an exponential moving average of skill-building hours with time constant
    ``rules.time.recent_learning_weeks`` (13: about a quarter; assumption)."""
    wf = s.workforce
    wf.learn_ewma += (wf.skill_hours - wf.learn_ewma) / p.recent_learning_weeks


ALLOCATE = Phase(
    "learning_time", allocate_learning_hours,
    params=("learning.crunch_probability", "learning.discretionary_hours", "leadership.executive_support",
            "protected_time=policies.protected_time.enabled", "lxp=policies.platform.enabled",
            "policies.platform.mobile", "policies.platform.mobile_hours_boost", "policies.hiring.onboarding_hours",
            "mandatory_training=policies.mandatory_training.enabled",
            "compliance_hours=policies.mandatory_training.hours_per_year", "governance.employee_hour_cost",
            "rules.time.uptake_base", "rules.time.uptake_per_support", "rules.time.motivation_norm",
            "rules.time.engagement_norm", "rules.time.onboarding_weeks"),
    reads=("week", "protected_hours", "budget", "dept_protected", "structure", "workforce.dept", "workforce.manager", "workforce.support", "workforce.motivation",
           "workforce.engagement", "workforce.tenure", "workforce.occupied"),
    writes=("workforce.skill_hours", "workforce.hours", "workforce.time_cost", "workforce.protected_taken",
            "workforce.mobile_hours"),
    stream="time")
RECENT_LEARNING = Phase(
    "recent_learning", remember_recent_learning,
    params=("rules.time.recent_learning_weeks",),
    reads=("workforce.skill_hours", "workforce.learn_ewma"),
    writes=("workforce.learn_ewma",))
