"""Phase 11 — turnover and hiring: leavers take their skills, hires bring the market's."""

from __future__ import annotations

import numpy as np

from ..organisation import PEOPLE_PARAMS, draw_people
from ..outcomes import row_gap
from ..records import record_cells
from ..state import HYBRID
from .environment import role_scarcity
from .phase import Phase


# Time away of the hybrid arrangement in Bloom, Han & Liang's (2024) trial: two of five days at home.
TRIAL_TIME_AWAY = 0.4


def exit_hazard(wf, p) -> np.ndarray:
    """Weekly exit probability: base = 1 − (1 − annual_turnover)^(1/52), × exp(engagement_
    sensitivity × (engagement_norm − engagement)) × first_year_multiplier in the first
    ``first_year_weeks`` weeks × exp(growth_sensitivity × lack of growth), lack of growth =
    max(0, 1 − recent learning hours / the discretionary norm) (SPI2020, SHRM;
    sensitivities are assumptions); for a hybrid seat × (1 − (1 − ``rules.location.
    hybrid_quit_factor``) × min(1, time away / 0.4)) — Bloom, Han & Liang 2024: two days a
    week at home (time away 0.4) cut quits by a third; fewer days away count in proportion
    (assumption), more not beyond the trial's effect."""
    base = 1.0 - (1.0 - p.annual_turnover) ** (1.0 / 52.0)
    norm = max(p.discretionary_hours, 1e-9)
    lack = np.clip(1.0 - wf.learn_ewma / norm, 0.0, 1.0)
    mult = (np.exp(p.engagement_sensitivity * (p.engagement_norm - wf.engagement))
            * np.where(wf.tenure < p.first_year_weeks, p.first_year_multiplier, 1.0)
            * np.exp(p.growth_sensitivity * lack))
    if p.hybrid_quit_factor != 1.0:
        dose = np.minimum(1.0, wf.away / TRIAL_TIME_AWAY)
        mult = mult * np.where(wf.location == HYBRID, 1.0 - (1.0 - p.hybrid_quit_factor) * dose, 1.0)
    return np.clip(base * mult, 0.0, 1.0)


def vacate(s, rows: np.ndarray) -> None:
    """The occupants of ``rows`` leave: the positions fall vacant and their skills go with
    them; mentoring pairs with them break; an empty manager seat supports and coaches nobody."""
    wf = s.workforce
    wf.occupied[rows] = False
    wf.uid[rows] = -1
    wf.vacant_since[rows] = s.week
    wf.prof[rows] = 0.0
    wf.pending[rows] = 0.0
    wf.mentor[rows] = -1
    wf.rotation_end[rows] = -1
    wf.work_role[rows] = wf.role[rows]
    wf.trained_manager[rows] = False
    wf.support[rows] = 0.0
    wf.coaching_hours[rows] = 0.0
    wf.mentor[np.isin(wf.mentor, rows)] = -1


def exits(s, p, rng) -> None:
    """Leavers: each occupant leaves with :func:`exit_hazard` (the record keeps their role fit
    before their skills leave, :func:`vacate`, and books ``labour_market.separation_cost`` per
    leaver: the part of replacement cost not counted elsewhere — assumption, Boushey & Glynn
    2012). Then tenure grows by a week."""
    wf = s.workforce
    r = rng.random(wf.n)
    leavers = np.flatnonzero(wf.occupied & (r < exit_hazard(wf, p)))
    if len(leavers):
        d = record_cells(wf, leavers)
        s.records.add_counts("exits", d)
        s.records.add_weights("leaver_fit", d, 1.0 - row_gap(wf, s.structure, leavers))
        s.records.add_counts("separation_cost", d, p.separation_cost)
    vacate(s, leavers)
    wf.tenure[wf.occupied] += 1


def hire(s, p, rng) -> None:
    """A vacancy open for ``time_to_fill_weeks`` × (1 + ``scarcity_delay`` × the role's
    scarcity, :func:`~sim.processes.environment.role_scarcity`) is filled unless a hiring
    freeze holds. The hire's proficiency is drawn around ``hire_proficiency`` (+
    ``buy_proficiency_gain`` under a "buy" strategy) of the role's current requirements —
    less on a skill the market is short of (``state.market_supply``) — the rest of their
    person state as at the start (:func:`~sim.organisation.draw_people`). Each hire costs
    (``hire_cost`` + ``buy_premium`` when buying) × (1 + ``scarcity_premium`` × scarcity),
    recorded as hiring spend. While the vacancy is open the position produces nothing (the
    data phase values output from people in post)."""
    wf = s.workforce
    if s.week < s.hiring_frozen_until:
        return
    scarcity = role_scarcity(s.structure, s.market_supply)
    wait = p.time_to_fill_weeks * (1.0 + p.scarcity_delay * scarcity[wf.role])
    due = np.flatnonzero(~wf.occupied & (s.week - wf.vacant_since >= wait))
    if len(due) == 0:
        return
    buy = p.strategy == "buy"
    mean = p.hire_proficiency + (p.buy_proficiency_gain if buy else 0.0)
    draw_people(p, s.structure, wf, due, rng, mean, p.required_sd, s.market_supply)
    wf.occupied[due] = True
    wf.tenure[due] = 0
    wf.hire_week[due] = s.week
    wf.vacant_since[due] = -1
    d = record_cells(wf, due)
    s.records.add_counts("hires", d)
    s.records.add_weights("hire_fit", d, 1.0 - row_gap(wf, s.structure, due))
    premium = 1.0 + p.scarcity_premium * scarcity[wf.role[due]]
    s.records.add_weights("hiring_spend", d, (p.hire_cost + (p.buy_premium if buy else 0.0)) * premium)


EXITS = Phase(
    "exits", exits,
    params=("labour_market.annual_turnover", "labour_market.engagement_sensitivity",
            "labour_market.first_year_multiplier", "labour_market.growth_sensitivity", "learning.discretionary_hours",
            "labour_market.separation_cost", "rules.turnover.*", "rules.location.hybrid_quit_factor"),
    reads=("week", "workforce.occupied", "workforce.learn_ewma", "workforce.engagement", "workforce.tenure",
           "workforce.dept", "workforce.location", "workforce.away", "workforce.role", "workforce.prof",
           "workforce.mentor", "structure"),
    writes=("workforce.occupied", "workforce.uid", "workforce.vacant_since", "workforce.prof", "workforce.pending",
            "workforce.mentor", "workforce.rotation_end", "workforce.work_role", "workforce.trained_manager",
            "workforce.support", "workforce.coaching_hours", "workforce.tenure", "records"),
    stream="turnover")
HIRING = Phase(
    "hiring", hire,
    params=("labour_market.time_to_fill_weeks", "labour_market.hire_proficiency", "labour_market.hire_cost",
            "labour_market.scarcity_premium", "labour_market.scarcity_delay",
            "policies.hiring.strategy", "policies.hiring.buy_proficiency_gain", "policies.hiring.buy_premium",
            *PEOPLE_PARAMS),
    reads=("week", "hiring_frozen_until", "market_supply", "workforce.occupied", "workforce.vacant_since",
           "workforce.role",
           "workforce.is_manager", "workforce.dept", "workforce.location", "workforce.prof", "structure"),
    writes=("workforce.occupied", "workforce.tenure", "workforce.hire_week", "workforce.vacant_since",
            "workforce.prof", "workforce.pending", "workforce.mindset", "workforce.engagement", "workforce.motivation",
            "workforce.sharing", "workforce.exposure", "workforce.aptitude", "workforce.support",
            "workforce.coaching_hours", "workforce.trained_manager", "workforce.learn_ewma", "workforce.mentor",
            "workforce.rotation_end", "workforce.proficient_week", "records"),
    stream="hiring")
