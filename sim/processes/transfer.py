"""Phase 5 — transfer: formal gains become durable only when applied on the job."""

from __future__ import annotations

import numpy as np

# Blume2010 meta-analytic correlations with transfer (supervisor support, transfer climate,
# motivation), used as relative weights of the moderators.
W_SUPPORT, W_CLIMATE, W_MOTIVATION = 0.31, 0.27, 0.23


def transfer_multiplier(support: np.ndarray, climate: np.ndarray, motivation: np.ndarray,
                        skill_open: np.ndarray) -> np.ndarray:
    """1 + 2·0.31·(support − ½)·(½ + open) + 2·0.27·(climate − ½) + 2·0.23·(motivation − ½):
    each moderator moves transfer by up to its Blume2010 weight; supervisor support counts
    three times as much for open skills as for closed ones (Blume2010: stronger for open)."""
    per_person = 1.0 + 2.0 * (W_CLIMATE * (climate - 0.5) + W_MOTIVATION * (motivation - 0.5))
    support_term = 2.0 * W_SUPPORT * (support - 0.5)
    return per_person[:, None] + np.multiply.outer(support_term, 0.5 + skill_open.astype(float))


def apply_on_the_job(model) -> None:
    """Each week a share τ = transfer_rate × :func:`transfer_multiplier` (clipped 0–1) of
    each pending gain is applied and added to durable proficiency; what remains unapplied
    decays with half-life ``unapplied_half_life_weeks`` (Arthur1998: without use, decay
    starts at once). Writes ``transferred`` and ``unapplied_lost`` (levels this week)."""
    sc = model.spec
    wf = model.workforce
    mgr = np.maximum(wf.manager, 0)
    support = np.where(wf.manager >= 0, wf.support[mgr], sc.leadership.executive_support)
    climate = model.team_climate[wf.team]
    tau = transfer_multiplier(support, climate, wf.motivation, model.structure.skill_open)
    tau *= sc.learning.transfer_rate
    np.clip(tau, 0.0, 1.0, out=tau)
    moved = tau
    np.multiply(wf.pending, tau, out=moved)
    np.minimum(moved, 5.0 - wf.prof, out=moved)
    wf.prof += moved
    wf.pending -= moved
    wf.transferred = moved.sum(axis=1)
    lost = wf.pending * (1.0 - np.exp(-np.log(2.0) / sc.learning.unapplied_half_life_weeks))
    wf.pending -= lost
    wf.unapplied_lost = lost.sum(axis=1)
