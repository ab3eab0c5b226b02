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
    the week they finish. Writes ``workforce.spend`` and ``overhead_spend``, and the same
    spend by programme in ``spend_items`` (what the budget phase may cut: see
    :mod:`sim.processes.budget`)."""
    wf = s.workforce
    items: dict[str, float] = {}
    heads = float(wf.occupied.sum())
    staff = p.ld_staff_cost_per_employee_year / WEEKS_PER_YEAR * heads
    overhead = staff
    licence = p.lms_per_employee_year + (p.licence_per_employee_year if p.lxp else 0.0)
    spend = wf.occupied * (licence / WEEKS_PER_YEAR)
    items["fixed"] = staff + heads * licence / WEEKS_PER_YEAR
    if p.mentoring:
        add = ((wf.mentor >= 0) & wf.occupied) * (p.programme_cost_per_pair_year / WEEKS_PER_YEAR)
        spend += add
        items["mentoring"] = float(add.sum())
    if p.job_rotation:
        add = (wf.rotation_end == s.week + p.duration_weeks) * float(p.cost_per_rotation)
        spend += add
        items["job_rotation"] = float(add.sum())
    if p.manager_development:
        trained = s.trained_now if s.trained_now is not None else np.zeros(wf.n, dtype=bool)
        add = trained * float(p.cost_per_manager)
        spend += add
        items["manager_development"] = float(add.sum())
        wf.time_cost += trained * (p.hours_per_manager * p.employee_hour_cost)
    if p.mindset_initiative:
        spend += wf.occupied * (p.mindset_cost_per_employee_year / WEEKS_PER_YEAR)
        items["fixed"] += heads * p.mindset_cost_per_employee_year / WEEKS_PER_YEAR
    if p.content_investment:
        created = s.commissioned.get(s.week - 1, 0) * float(p.creation_cost)
        overhead += created
        items["commissioning"] = created
    if p.mandatory_training:
        spend += wf.occupied * (p.compliance_cost_per_employee_year / WEEKS_PER_YEAR)
        items["fixed"] += heads * p.compliance_cost_per_employee_year / WEEKS_PER_YEAR
    if p.recognition:
        add = wf.completed * float(p.cost_per_completion)
        spend += add
        items["fixed"] += float(add.sum())
    content = np.where(wf.skill_hours > 0, wf.skill_hours, 0.0) * p.cost_per_learner_hour
    wf.spend = spend + content
    s.overhead_spend = overhead
    protected = float((wf.protected_taken * wf.occupied).sum()) * p.cost_per_learner_hour
    items["protected_time"] = protected
    items["self_directed"] = float(content.sum()) - protected
    s.spend_items = items


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
           "workforce.skill_hours", "workforce.protected_taken", "workforce.time_cost", "trained_now",
           "commissioned"),
    writes=("workforce.spend", "workforce.time_cost", "overhead_spend", "spend_items"),
)
