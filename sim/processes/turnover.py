"""Phase 11 — turnover and hiring: leavers take their skills, hires bring the market's."""

from __future__ import annotations

import numpy as np

ENGAGEMENT_NORM = 0.7  # engagement at which the base hazard applies (mean of the initial draw)


def exit_hazard(model) -> np.ndarray:
    """Weekly exit probability: base = 1 − (1 − annual_turnover)^(1/52), × exp(engagement_
    sensitivity × (0.7 − engagement)) × first_year_multiplier in the first 52 weeks ×
    exp(growth_sensitivity × lack of growth), lack of growth = max(0, 1 − recent learning
    hours / the discretionary norm) (BLS-JOLTS, SHRM; sensitivities are assumptions)."""
    lm = model.spec.labour_market
    wf = model.workforce
    base = 1.0 - (1.0 - lm.annual_turnover) ** (1.0 / 52.0)
    norm = max(model.spec.learning.discretionary_hours, 1e-9)
    lack = np.clip(1.0 - wf.learn_ewma / norm, 0.0, 1.0)
    mult = (np.exp(lm.engagement_sensitivity * (ENGAGEMENT_NORM - wf.engagement))
            * np.where(wf.tenure < 52, lm.first_year_multiplier, 1.0)
            * np.exp(lm.growth_sensitivity * lack))
    return np.clip(base * mult, 0.0, 1.0)


def exits_and_hires(model) -> None:
    """Leavers: each occupant leaves with :func:`exit_hazard`; the position falls vacant and
    the leaver's skills leave with them (mentoring pairs break). Hiring: a vacancy open for
    ``time_to_fill_weeks`` is filled unless a hiring freeze holds; the hire's proficiency is
    drawn around ``hire_proficiency`` (+ ``buy_proficiency_gain`` under a "buy" strategy) of
    the role's current requirements. Tenure grows by a week."""
    sc = model.spec
    wf = model.workforce
    r = model.streams["turnover"].random(wf.n)
    leave = wf.occupied & (r < exit_hazard(model))
    leavers = np.flatnonzero(leave)
    model.records.exits(leavers)
    for row in leavers:
        model.vacate(int(row))
    wf.mentor[np.isin(wf.mentor, leavers)] = -1
    wf.tenure[wf.occupied] += 1
    if model.week < model.hiring_frozen_until:
        return
    due = np.flatnonzero(~wf.occupied & (model.week - wf.vacant_since >= sc.labour_market.time_to_fill_weeks))
    if len(due) == 0:
        return
    hiring = model.policy("hiring").config
    mean = sc.labour_market.hire_proficiency + (hiring.buy_proficiency_gain if hiring.strategy == "buy" else 0.0)
    model.hire(due, mean)
