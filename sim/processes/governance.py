"""Phase 13 — governance: L&D leadership reviews the data it can see, decides and reallocates.

Every ``review_every_weeks`` weeks it runs a skills-gap analysis on the data it can see
and decides by its rule:

* what it sees: the true gap per skill plus noise whose sd falls with data maturity
  (``rules.governance.noise_level_1`` … ``_4``: 0.30, 0.20, 0.10, 0.05 levels for
  Kirkpatrick levels 1–4 measured; assumption); content quality as L1 ratings (noisy
  reactions), content effect as L2 gains only from maturity 2;
* ``static`` — commissions the planned items evenly across skills; changes nothing else
  (protected time stays as the scenario set it);
* ``gap_driven`` — commissions for the largest perceived gaps at the level just above the
  mean proficiency there; retires content rated (L1, at least ``min_ratings`` ratings) below
  ``retire_below_quality`` or staler than ``retire_below_freshness``; raises protected time
  by ``protected_step_hours`` while the perceived skills-gap index (the true index × (1 +
  relative noise of the data maturity)) exceeds ``gap_target`` and lowers it when below
  ``lower_threshold_share`` of it (within bounds);
* ``roi_driven`` — as gap-driven, but places content by perceived gap × (roi_placement_base +
  relative L2 gain per use of the skill's content; L1 ratings below maturity 2), retires the
  least effective items (bottom ``retire_quantile`` of gain per use, once ``min_rated_items``
  are rated); moves protected time in the direction that improved cumulative ROI (as
  collected last week) since the last review;
* budget: if the spend of the last review period, annualised, exceeds the budget
  (``annual_budget_per_employee`` × headcount × budget cuts), commissioning is scaled down by
  budget / projected spend under every rule; the steering rules also scale protected time
  by it (a feedback toward the budget; combined with the gap rule's steps it can swing
  between reviews).
"""

from __future__ import annotations

import numpy as np

from ..outcomes import Groups, cumulative_roi
from ..scenario import MODALITIES
from .phase import Phase

COURSE = MODALITIES.index("course")


def data_noise(p) -> float:
    """Sd of what governance sees at its data maturity (``rules.governance.noise_level_*``)."""
    return getattr(p, f"noise_level_{p.data_maturity}")


def perceived_gaps(s, p, rng) -> np.ndarray:
    """Criticality-weighted mean shortfall per skill over people whose role requires it,
    seen through noise; against current requirements and, when the organisation analyses
    future skills, announced ones (:meth:`~sim.organisation.Structure.planning`)."""
    wf, st = s.workforce, s.structure
    occ = wf.occupied
    plan_req, plan_crit = st.planning()
    req = plan_req[wf.role[occ]]
    short = (np.maximum(req - wf.prof[occ], 0.0) * plan_crit[wf.role[occ]]).sum(axis=0)
    n = np.maximum((req > 0).sum(axis=0), 1)
    noise = data_noise(p) * rng.standard_normal(len(n))
    return short / n + noise


def budget_pressure(s, p) -> float:
    """Budget / annualised spend of the last review period (1 when within budget)."""
    g = Groups(np.zeros(s.workforce.n, dtype=np.int64), s.workforce.occupied, 1)
    period = p.review_every_weeks
    spend = float(s.records.trailing(g, "spend", period)[0]) * 52.0 / period
    budget = p.annual_budget_per_employee * float(s.workforce.occupied.sum()) * s.budget_factor
    return 1.0 if spend <= budget or spend <= 0 else budget / spend


def retire_content(s, p) -> int:
    """Retire stale or poorly rated (gap-driven) / least effective (ROI-driven) items, keeping
    at least one item per skill and level."""
    cat = s.catalogue
    rows = cat.rows()
    rated = cat.rating_n[rows] >= p.min_ratings
    rating = np.where(rated, cat.rating_sum[rows] / np.maximum(cat.rating_n[rows], 1), 1.0)
    stale = cat.freshness[rows] < p.retire_below_freshness
    poor = rated & (rating < p.retire_below_quality)
    if p.rule == "roi_driven" and p.data_maturity >= 2:
        eff = np.where(rated, cat.gain_sum[rows] / np.maximum(cat.rating_n[rows], 1), np.inf)
        if rated.sum() >= p.min_rated_items:
            poor |= eff <= np.quantile(eff[rated], p.retire_quantile)
    retired = 0
    for r in rows[stale | poor]:
        same = cat.rows()
        same = same[(cat.skill[same] == cat.skill[r]) & (cat.level[same] == cat.level[r])]
        if len(same) > 1:
            cat.active[r] = False
            s.catalogue_changed = True
            retired += 1
    return retired


def commission(s, p, gaps: np.ndarray, pressure: float, rng) -> int:
    """Commission this review period's share of the yearly items, placed by the rule: courses
    of ``commissioned_hours``, quality ~ Beta around the catalogue mean +
    ``commissioned_quality_uplift``; ``static`` spreads them over skills at random levels,
    the steering rules put them where the perceived gaps are, one level above the mean
    proficiency there."""
    if not p.content_investment:
        return 0
    mem = s.governance
    mem.commission_credit += p.commission_per_year * p.review_every_weeks / 52.0 * min(1.0, pressure)
    count = int(mem.commission_credit)
    mem.commission_credit -= count
    if count == 0:
        return 0
    wf, st, cat = s.workforce, s.structure, s.catalogue
    k = len(st.skill_names)
    if p.rule == "static":
        skills = (np.arange(count) + len(mem.decisions)) % k
    else:
        score = np.maximum(gaps, 0.0)
        if p.rule == "roi_driven":
            rows = cat.rows()
            if p.data_maturity >= 2:
                per = np.bincount(cat.skill[rows], weights=cat.gain_sum[rows], minlength=k)
            else:
                per = np.bincount(cat.skill[rows], weights=cat.rating_sum[rows], minlength=k)
            uses = np.maximum(np.bincount(cat.skill[rows], weights=cat.rating_n[rows], minlength=k), 1)
            score = score * (p.roi_placement_base + per / uses / max(float((per / uses).max()), 1e-12))
        skills = np.argsort(-score)[:count] if score.max() > 0 else np.arange(count) % k
        skills = np.resize(skills, count)
    occ = wf.occupied
    q = p.quality_mean
    u = p.commissioned_quality_uplift
    c = p.quality_concentration
    for skill in skills:
        mean_prof = float(wf.prof[occ, skill].mean()) if occ.any() else 1.0
        level = int(np.clip(np.floor(mean_prof) + 1, 1, 5)) if p.rule != "static" else int(rng.integers(1, 6))
        quality = float(np.clip(rng.beta(max(q + u, 0.01) * c, max((1.0 - u) - q, 0.01) * c), 0, 1))
        cat.add(skill=int(skill), level=level, modality=COURSE, quality=quality, duration=p.commissioned_hours,
                mobile=True, freshness=1.0, created=s.week)
        s.catalogue_changed = True
    s.commissioned[s.week] = s.commissioned.get(s.week, 0) + len(skills)
    return int(len(skills))


def steer_protected_time(s, p, rng) -> None:
    """The steering rules move protected time (see the module docstring)."""
    mem = s.governance
    if p.rule == "gap_driven":
        true_gap = float(np.mean(s.derived.gap[s.workforce.occupied]))
        z = float(rng.standard_normal())
        org_gap = true_gap * (1.0 + data_noise(p) * z)
        if org_gap > p.gap_target:
            s.protected_hours += p.protected_step_hours
        elif org_gap < p.gap_target * p.lower_threshold_share:
            s.protected_hours -= p.protected_step_hours
    elif p.rule == "roi_driven":
        g = Groups(np.zeros(s.workforce.n, dtype=np.int64), s.workforce.occupied, 1)
        roi = float(cumulative_roi(s.records, g, s.week - 1)[0])  # the outcome `roi` as collected last week
        if mem.last_roi is not None and np.isfinite(roi) and roi < mem.last_roi:
            mem.last_direction = -mem.last_direction
        s.protected_hours += p.protected_step_hours * mem.last_direction
        mem.last_roi = roi if np.isfinite(roi) else mem.last_roi


def review(s, p, rng) -> None:
    """On review weeks (``week`` a multiple of ``review_every_weeks``): analyse, decide, act,
    and log the decision in ``state.governance.decisions``."""
    if not (s.week > 0 and s.week % p.review_every_weeks == 0):
        return
    gaps = perceived_gaps(s, p, rng)
    pressure = budget_pressure(s, p)
    decision = {"week": s.week, "rule": p.rule, "budget_pressure": round(pressure, 3), "retired": 0,
                "commissioned": 0, "protected_hours": None}
    if p.rule != "static":
        decision["retired"] = retire_content(s, p)
    decision["commissioned"] = commission(s, p, gaps, pressure, rng)
    if p.protected_time:
        steer_protected_time(s, p, rng)
        if p.rule != "static":
            s.protected_hours = float(np.clip(s.protected_hours * min(1.0, pressure), p.protected_hours_min,
                                              p.protected_hours_max))
        decision["protected_hours"] = s.protected_hours
    s.governance.decisions.append(decision)


GOVERNANCE = Phase(
    "governance", review,
    params=("governance.rule", "governance.review_every_weeks", "governance.data_maturity",
            "governance.annual_budget_per_employee", "governance.retire_below_quality",
            "governance.retire_below_freshness", "governance.protected_hours_min", "governance.protected_hours_max",
            "governance.gap_target", "content.quality_mean", "protected_time=policies.protected_time.enabled",
            "content_investment=policies.content_investment.enabled",
            "policies.content_investment.commission_per_year", "rules.governance.*",
            "rules.catalogue.quality_concentration"),
    reads=("week", "workforce.occupied", "workforce.role", "workforce.prof", "structure", "records", "budget_factor",
           "catalogue", "derived", "governance", "protected_hours", "commissioned"),
    writes=("catalogue", "catalogue_changed", "governance", "protected_hours", "commissioned"),
    stream="governance")
