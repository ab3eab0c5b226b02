"""Phase 10 — codification: subject-matter experts turn know-how into content."""

from __future__ import annotations

import numpy as np


def reassign_experts(model) -> None:
    """Once a quarter the SME role goes to the currently most proficient ``sme_share`` of
    occupied non-executive positions (top performers, by their strongest skill): expertise
    belongs to people, and leavers' SME roles pass to the best remaining colleagues."""
    wf = model.workforce
    n_sme = int(round(model.spec.organisation.sme_share * wf.n))
    wf.is_sme[:] = False
    if n_sme:
        score = np.where(wf.occupied & ~wf.is_exec, wf.prof.max(axis=1), -np.inf)
        top = np.argsort(-score, kind="stable")[:n_sme]
        wf.is_sme[top[np.isfinite(score[top])]] = True


def codify_know_how(model) -> None:
    """With content investment on, each SME finishes an item with probability
    sme_hours_per_week / sme_hours_per_item a week (the organisation's "code", March 1991).
    The item covers the SME's strongest skill at level ⌊proficiency⌋ (1–5), with quality
    0.25 + 0.1 × proficiency ± 0.1 (experts write better material; assumption). SME time
    counts as a cost in ROI. SMEs are re-chosen each quarter (:func:`reassign_experts`)."""
    inv = model.policy("content_investment")
    if inv is None:
        return
    wf = model.workforce
    if model.week % 13 == 1:
        reassign_experts(model)
    rng = model.streams["codification"]
    smes = np.flatnonzero(wf.is_sme)
    r = rng.random(len(smes))
    noise = rng.standard_normal(len(smes))
    p = inv.config.sme_hours_per_week / inv.config.sme_hours_per_item
    hour_cost = model.spec.governance.employee_hour_cost
    wf.time_cost[smes] += np.where(wf.occupied[smes], inv.config.sme_hours_per_week * hour_cost, 0.0)
    for j in np.flatnonzero((r < p) & wf.occupied[smes]):
        row = smes[j]
        skill = int(np.argmax(wf.prof[row]))
        prof = float(wf.prof[row, skill])
        model.add_content(skill=skill, level=int(np.clip(np.floor(prof), 1, 5)),
                          quality=float(np.clip(0.25 + 0.1 * prof + 0.1 * noise[j], 0.05, 1.0)),
                          modality="job_aid", duration=1.0, mobile=True)
