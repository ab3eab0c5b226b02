"""Phase 10 — codification: subject-matter experts turn know-how into content."""

from __future__ import annotations

import numpy as np

from ..scenario import MODALITIES
from .phase import Phase

JOB_AID = MODALITIES.index("job_aid")


def reassign_experts(wf, sme_share: float) -> None:
    """The SME role goes to the currently most proficient ``sme_share`` of occupied
    non-executive positions (top performers, by their strongest skill): expertise belongs to
    people, and leavers' SME roles pass to the best remaining colleagues."""
    n_sme = int(round(sme_share * wf.n))
    wf.is_sme[:] = False
    if n_sme:
        score = np.where(wf.occupied & ~wf.is_exec, wf.prof.max(axis=1), -np.inf)
        top = np.argsort(-score, kind="stable")[:n_sme]
        wf.is_sme[top[np.isfinite(score[top])]] = True


def codify_know_how(s, p, rng) -> None:
    """With content investment on, each SME finishes an item with probability
    sme_hours_per_week / sme_hours_per_item a week (the organisation's "code", March 1991).
    The item is a mobile job aid of ``rules.codification.item_hours`` covering the SME's
    strongest skill at level ⌊proficiency⌋ (1–5), with quality quality_base + quality_per_level
    × proficiency ± quality_noise (0.25 + 0.1 p ± 0.1: experts write better material;
    assumption), clipped to 0.05–1. SME time counts as a cost in ROI. SMEs are re-chosen every
    ``expert_review_weeks`` weeks, in weeks 1, 1 + r, … (:func:`reassign_experts`)."""
    wf, cat = s.workforce, s.catalogue
    if s.week % p.expert_review_weeks == 1 % p.expert_review_weeks:
        reassign_experts(wf, p.sme_share)
    smes = np.flatnonzero(wf.is_sme)
    r = rng.random(len(smes))
    noise = rng.standard_normal(len(smes))
    chance = p.sme_hours_per_week / p.sme_hours_per_item
    wf.time_cost[smes] += np.where(wf.occupied[smes], p.sme_hours_per_week * p.employee_hour_cost, 0.0)
    for j in np.flatnonzero((r < chance) & wf.occupied[smes]):
        row = smes[j]
        skill = int(np.argmax(wf.prof[row]))
        prof = float(wf.prof[row, skill])
        cat.add(skill=skill, level=int(np.clip(np.floor(prof), 1, 5)), modality=JOB_AID,
                quality=float(np.clip(p.quality_base + p.quality_per_level * prof + p.quality_noise * noise[j], 0.05, 1.0)),
                duration=p.item_hours, mobile=True, freshness=1.0, created=s.week)
        s.catalogue_changed = True


CODIFICATION = Phase(
    "codification", codify_know_how,
    params=("organisation.sme_share", "policies.content_investment.sme_hours_per_week",
            "policies.content_investment.sme_hours_per_item", "governance.employee_hour_cost",
            "rules.codification.*"),
    reads=("week", "workforce.is_sme", "workforce.occupied", "workforce.is_exec", "workforce.prof",
           "workforce.time_cost", "catalogue"),
    writes=("workforce.is_sme", "workforce.time_cost", "catalogue", "catalogue_changed"),
    stream="codification",
    when="policies.content_investment.enabled")
