"""Phase 12a — costs: what this week's L&D activity costs, per position where it can be
attributed (Phillips ROI methodology: direct costs; learners' time is counted separately
as ``time_cost`` by the phases that use it)."""

from __future__ import annotations

import numpy as np

from .phase import Phase

WEEKS_PER_YEAR = 52.0


def direct_spend(s, p, rng) -> None:
    """Direct L&D spend this week.

    Per position: the platform licence (LMS always, + LXP licence when the LXP is on), a
    mentoring pair's programme cost (on the mentee), a started rotation's cost, a trained
    manager's programme cost, the mindset initiative's and compliance training's cost per
    employee, recognition per completion, and ``content.cost_per_learner_hour`` per formal
    learning hour (all per year costs spread over 52 weeks). Not attributable: L&D staff
    (``ld_staff_cost_per_employee_year`` per head) and the creation cost of the items
    governance commissioned last week (it commissions after the week's records, so the cost
    is booked a week later). A trained manager's own time in the programme
    (``hours_per_manager`` at ``governance.employee_hour_cost``) is added to ``time_cost`` in
    the week they finish. Writes ``workforce.spend`` and ``overhead_spend``."""
    wf = s.workforce
    spend = np.zeros(wf.n)
    overhead = p.ld_staff_cost_per_employee_year / WEEKS_PER_YEAR * float(wf.occupied.sum())
    licence = p.lms_per_employee_year + (p.licence_per_employee_year if p.lxp else 0.0)
    spend += wf.occupied * (licence / WEEKS_PER_YEAR)
    if p.mentoring:
        spend += ((wf.mentor >= 0) & wf.occupied) * (p.programme_cost_per_pair_year / WEEKS_PER_YEAR)
    if p.job_rotation:
        spend += (wf.rotation_end == s.week + p.duration_weeks) * float(p.cost_per_rotation)
    if p.manager_development:
        trained = s.trained_now if s.trained_now is not None else np.zeros(wf.n, dtype=bool)
        spend += trained * float(p.cost_per_manager)
        wf.time_cost += trained * (p.hours_per_manager * p.employee_hour_cost)
    if p.mindset_initiative:
        spend += wf.occupied * (p.mindset_cost_per_employee_year / WEEKS_PER_YEAR)
    if p.content_investment:
        overhead += s.commissioned.get(s.week - 1, 0) * float(p.creation_cost)
    if p.mandatory_training:
        spend += wf.occupied * (p.compliance_cost_per_employee_year / WEEKS_PER_YEAR)
    if p.recognition:
        spend += wf.completed * float(p.cost_per_completion)
    wf.spend = spend + np.where(wf.skill_hours > 0, wf.skill_hours, 0.0) * p.cost_per_learner_hour
    s.overhead_spend = overhead


COSTS = Phase(
    "costs", direct_spend,
    params=("governance.ld_staff_cost_per_employee_year", "content.cost_per_learner_hour", "content.creation_cost",
            "lxp=policies.platform.enabled", "policies.platform.lms_per_employee_year",
            "policies.platform.licence_per_employee_year",
            "mentoring=policies.mentoring.enabled", "policies.mentoring.programme_cost_per_pair_year",
            "job_rotation=policies.job_rotation.enabled", "policies.job_rotation.duration_weeks",
            "policies.job_rotation.cost_per_rotation",
            "manager_development=policies.manager_development.enabled", "policies.manager_development.cost_per_manager",
            "policies.manager_development.hours_per_manager", "governance.employee_hour_cost",
            "mindset_initiative=policies.mindset_initiative.enabled",
            "mindset_cost_per_employee_year=policies.mindset_initiative.cost_per_employee_year",
            "content_investment=policies.content_investment.enabled",
            "mandatory_training=policies.mandatory_training.enabled",
            "compliance_cost_per_employee_year=policies.mandatory_training.cost_per_employee_year",
            "recognition=policies.recognition.enabled", "policies.recognition.cost_per_completion"),
    reads=("week", "workforce.occupied", "workforce.mentor", "workforce.rotation_end", "workforce.completed",
           "workforce.skill_hours", "workforce.time_cost", "trained_now", "commissioned"),
    writes=("workforce.spend", "workforce.time_cost", "overhead_spend"),
)
