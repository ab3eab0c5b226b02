"""Phase 5 — transfer: formal gains become durable only when applied on the job."""

from __future__ import annotations

import numpy as np

from .. import kernels
from .phase import Phase, line_support


def transfer_multiplier(support: np.ndarray, climate: np.ndarray, motivation: np.ndarray,
                        skill_open: np.ndarray, p) -> np.ndarray:
    """1 + 2·w_s·(support − ½)·f(open) + 2·w_c·(climate − ½) + 2·w_m·(motivation − ½): each
    moderator moves transfer by up to its weight (``rules.transfer``: 0.31, 0.27, 0.23, the
    Blume2010 meta-analytic correlations with transfer); supervisor support is multiplied by
    ``support_open`` (1.5) for open skills and ``support_closed`` (0.5) for closed ones
    (Blume2010: support matters more for open skills)."""
    per_person = 1.0 + 2.0 * (p.weight_climate * (climate - 0.5) + p.weight_motivation * (motivation - 0.5))
    support_term = 2.0 * p.weight_support * (support - 0.5)
    return per_person[:, None] + np.multiply.outer(support_term, np.where(skill_open, p.support_open, p.support_closed))


def apply_on_the_job(s, p, rng) -> None:
    """A gain is applied only when the work offers a chance to use it: each week, for each
    person and skill, with probability q = ``rules.transfer.opportunity_probability``
    (opportunity to perform varies widely between trainees and weeks, Ford, Quiñones, Sego &
    Sorra 1992). Then a share τ = transfer_rate / q × :func:`transfer_multiplier` (clipped
    0–1) of the pending gain is applied and added to durable proficiency — on average
    transfer_rate × multiplier a week, as before; the moderators shape transfer without
    determining it (Blume2010's correlations of 0.2–0.3; Hughes2016: work environment and
    motivation explain about a third of its variance). What remains unapplied
    decays with half-life ``unapplied_half_life_weeks`` (Arthur1998: without use, decay
    starts at once). Writes ``transferred`` and ``unapplied_lost`` (levels this week)."""
    wf = s.workforce
    support = line_support(wf, p.executive_support)
    climate = s.team_climate[wf.team]
    per_person = 1.0 + 2.0 * (p.weight_climate * (climate - 0.5) + p.weight_motivation * (wf.motivation - 0.5))
    support_term = 2.0 * p.weight_support * (support - 0.5)
    by_skill = np.where(s.structure.skill_open, p.support_open, p.support_closed)
    wf.transferred = np.empty(wf.n)
    wf.unapplied_lost = np.empty(wf.n)
    lost_share = 1.0 - np.exp(-np.log(2.0) / p.unapplied_half_life_weeks)
    # the opportunity draws, a block of people at a time (the same numbers as one draw of
    # positions × skills; a block stays in cache instead of a fresh array per week)
    for lo in range(0, wf.n, CHUNK):
        hi = min(lo + CHUNK, wf.n)
        chance = rng.random((hi - lo, wf.k))
        kernels.apply_transfer(wf.prof[lo:hi], wf.pending[lo:hi], per_person[lo:hi], support_term[lo:hi], by_skill,
                               chance, p.transfer_rate / p.opportunity_probability, p.opportunity_probability,
                               lost_share, wf.transferred[lo:hi], wf.unapplied_lost[lo:hi])


CHUNK = 32_768


TRANSFER = Phase(
    "transfer", apply_on_the_job,
    params=("leadership.executive_support", "learning.transfer_rate", "learning.unapplied_half_life_weeks",
            "rules.transfer.*"),
    reads=("workforce.manager", "workforce.support", "workforce.team", "workforce.motivation", "workforce.pending",
           "workforce.prof", "team_climate", "structure"),
    writes=("workforce.prof", "workforce.pending", "workforce.transferred", "workforce.unapplied_lost"),
    stream="transfer",
)
