"""Governance (L&D leadership) as a Mesa agent: review, decide, reallocate — phase 13.

Every ``review_every_weeks`` weeks it runs a skills-gap analysis on the data it can see
and decides by its rule:

* what it sees: the true gap per skill plus noise whose sd falls with data maturity
  (0.30, 0.20, 0.10, 0.05 levels for Kirkpatrick levels 1–4 measured; assumption);
  content quality as L1 ratings (noisy reactions), content effect as L2 gains only from
  maturity 2;
* ``static`` — commissions the planned items evenly across skills; changes nothing else
  (protected time stays as the scenario set it);
* ``gap_driven`` — commissions for the largest perceived gaps at the level just above the
  mean proficiency there; retires content rated (L1) below ``retire_below_quality`` or staler
  than ``retire_below_freshness``; raises protected time by 0.5 h while the perceived
  skills-gap index (the true index × (1 + relative noise of the data maturity)) exceeds
  ``gap_target`` and lowers it when below half of it (within bounds);
* ``roi_driven`` — as gap-driven, but places content by perceived gap × observed L2 gain
  per use of the skill's content (L1 ratings below maturity 2) and retires the least
  effective items; moves protected time in the direction that improved cumulative ROI
  (the latest collected, i.e. last week's) since the last review;
* budget: if the spend of the last review period, annualised, exceeds the budget
  (``annual_budget_per_employee`` × headcount × budget cuts), commissioning is scaled down by
  budget / projected spend under every rule; the steering rules also scale protected time
  by it (a feedback toward the budget; combined with the gap rule's ±0.5 h steps it can
  swing between reviews).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from mesa import Agent

from .outcomes import Groups

if TYPE_CHECKING:
    from .model import LearningEcosystem

DATA_NOISE = {1: 0.30, 2: 0.20, 3: 0.10, 4: 0.05}


class Governance(Agent):
    """L&D leadership: periodic skills-gap review and reallocation (module docstring)."""

    model: "LearningEcosystem"

    def __init__(self, model: "LearningEcosystem"):
        super().__init__(model)
        self.config = model.spec.governance
        self.last_roi: float | None = None
        self.last_direction = 1.0
        self.commission_credit = 0.0
        self.decisions: list[dict] = []

    def review_due(self) -> bool:
        return self.model.week > 0 and self.model.week % self.config.review_every_weeks == 0

    def perceived_gaps(self) -> np.ndarray:
        """Criticality-weighted mean shortfall per skill over people whose role requires it,
        seen through noise."""
        m = self.model
        wf, st = m.workforce, m.structure
        occ = wf.occupied
        req = st.req[wf.role[occ]]
        short = (np.maximum(req - wf.prof[occ], 0.0) * st.crit[wf.role[occ]]).sum(axis=0)
        n = np.maximum((req > 0).sum(axis=0), 1)
        noise = DATA_NOISE[self.config.data_maturity] * m.streams["governance"].standard_normal(len(n))
        return short / n + noise

    def budget_pressure(self) -> float:
        """Budget / annualised spend of the last review period (1 when within budget)."""
        m = self.model
        g = Groups(np.zeros(m.workforce.n, dtype=np.int64), m.workforce.occupied, 1)
        period = self.config.review_every_weeks
        spend = float(m.records.trailing(g, "spend", period)[0]) * 52.0 / period
        budget = self.config.annual_budget_per_employee * float(m.workforce.occupied.sum()) * m.budget_factor
        return 1.0 if spend <= budget or spend <= 0 else budget / spend

    def review(self) -> None:
        """Phase 13: on review weeks, analyse, decide and act."""
        if not self.review_due():
            return
        m = self.model
        rule = self.config.rule
        gaps = self.perceived_gaps()
        pressure = self.budget_pressure()
        decision = {"week": m.week, "rule": rule, "budget_pressure": round(pressure, 3), "retired": 0,
                    "commissioned": 0, "protected_hours": None}
        if rule != "static":
            decision["retired"] = self.retire_content(rule)
        decision["commissioned"] = self.commission(gaps, rule, pressure)
        pt = m.policy("protected_time")
        if pt is not None:
            if rule == "gap_driven":
                true_gap = float(np.mean(m.derived.gap[m.workforce.occupied]))
                z = float(m.streams["governance"].standard_normal())
                org_gap = true_gap * (1.0 + DATA_NOISE[self.config.data_maturity] * z)
                if org_gap > self.config.gap_target:
                    pt.hours += 0.5
                elif org_gap < self.config.gap_target / 2:
                    pt.hours -= 0.5
            elif rule == "roi_driven":
                roi = m.collector.latest().get("roi", np.nan) if m.collector.org else np.nan
                if self.last_roi is not None and np.isfinite(roi) and roi < self.last_roi:
                    self.last_direction = -self.last_direction
                pt.hours += 0.5 * self.last_direction
                self.last_roi = roi if np.isfinite(roi) else self.last_roi
            if rule != "static":
                pt.hours = float(np.clip(pt.hours * min(1.0, pressure), self.config.protected_hours_min,
                                         self.config.protected_hours_max))
            decision["protected_hours"] = pt.hours
        self.decisions.append(decision)

    def retire_content(self, rule: str) -> int:
        """Retire stale or poorly rated (gap-driven) / least effective (ROI-driven) items."""
        m = self.model
        cat = m.catalogue
        rows = cat.rows()
        rated = cat.rating_n[rows] >= 5
        rating = np.where(rated, cat.rating_sum[rows] / np.maximum(cat.rating_n[rows], 1), 1.0)
        stale = cat.freshness[rows] < self.config.retire_below_freshness
        poor = rated & (rating < self.config.retire_below_quality)
        if rule == "roi_driven" and self.config.data_maturity >= 2:
            eff = np.where(rated, cat.gain_sum[rows] / np.maximum(cat.rating_n[rows], 1), np.inf)
            if rated.sum() >= 10:
                poor |= eff <= np.quantile(eff[rated], 0.05)
        retired = 0
        # keep at least one item per skill and level
        for r in rows[stale | poor]:
            same = cat.rows()
            same = same[(cat.skill[same] == cat.skill[r]) & (cat.level[same] == cat.level[r])]
            if len(same) > 1:
                m.content_item(int(r)).retire()
                retired += 1
        return retired

    def commission(self, gaps: np.ndarray, rule: str, pressure: float) -> int:
        """Commission this review period's share of the yearly items, placed by the rule."""
        m = self.model
        inv = m.policy("content_investment")
        if inv is None:
            return 0
        self.commission_credit += inv.config.commission_per_year * self.config.review_every_weeks / 52.0 * min(1.0, pressure)
        count = int(self.commission_credit)
        self.commission_credit -= count
        if count == 0:
            return 0
        wf, st, cat = m.workforce, m.structure, m.catalogue
        k = len(st.skill_names)
        rng = m.streams["governance"]
        if rule == "static":
            skills = (np.arange(count) + len(self.decisions)) % k
        else:
            score = np.maximum(gaps, 0.0)
            if rule == "roi_driven":
                rows = cat.rows()
                if self.config.data_maturity >= 2:
                    per = np.bincount(cat.skill[rows], weights=cat.gain_sum[rows], minlength=k)
                else:
                    per = np.bincount(cat.skill[rows], weights=cat.rating_sum[rows], minlength=k)
                uses = np.maximum(np.bincount(cat.skill[rows], weights=cat.rating_n[rows], minlength=k), 1)
                score = score * (0.5 + per / uses / max(float((per / uses).max()), 1e-12))
            skills = np.argsort(-score)[:count] if score.max() > 0 else np.arange(count) % k
            skills = np.resize(skills, count)
        occ = wf.occupied
        q = m.spec.content.quality_mean
        for skill in skills:
            mean_prof = float(wf.prof[occ, skill].mean()) if occ.any() else 1.0
            level = int(np.clip(np.floor(mean_prof) + 1, 1, 5)) if rule != "static" else int(rng.integers(1, 6))
            m.add_content(skill=int(skill), level=level,
                          quality=float(np.clip(rng.beta(max(q + 0.1, 0.01) * 12, max(0.9 - q, 0.01) * 12), 0, 1)),
                          modality="course", duration=4.0, mobile=True)
        inv.record_commission(len(skills))
        return int(len(skills))
