"""Phase 4 — formal learning from content: choose an item, learn from it, complete it or not."""

from __future__ import annotations

import numpy as np

from ..organisation import MODALITY_PROFILE
from ..scenario import MODALITIES

ZPD_WIDTH = 0.75  # levels; assumption
COMPLETION_PROPENSITY = np.array([MODALITY_PROFILE[m][2] for m in MODALITIES])
ILT = MODALITIES.index("instructor_led")


def level_fit(item_level: np.ndarray, current: np.ndarray) -> np.ndarray:
    """Zone of proximal development: content one level above the learner fits best;
    fit = exp(−(level − current − 1)² / (2 · 0.75²)) (Vygotsky's ZPD; width an assumption)."""
    return np.exp(-((item_level - current - 1.0) ** 2) / (2.0 * ZPD_WIDTH**2))


def choose_items(model, rows: np.ndarray, r_target: np.ndarray, r_browse: np.ndarray) -> np.ndarray:
    """Each learner picks one item. With probability = the platform's recommendation quality
    the choice targets the learner's largest criticality-weighted gap at the next level
    (a gap-targeted learning path); otherwise the learner browses, picking an item with
    probability proportional to its freshness × quality (stale or poor content loses use)."""
    wf, cat = model.workforce, model.catalogue
    items = np.full(len(rows), -1, dtype=np.int64)
    active = cat.rows()
    if len(active) == 0 or len(rows) == 0:
        return items
    rq = model.policy("platform").recommendation_quality
    targeted = r_target[rows] < rq
    t_rows = rows[targeted]
    if len(t_rows):
        pr = model.position_req
        have = wf.prof[t_rows] + wf.pending[t_rows]
        crit = pr.crit[t_rows]
        score = pr.req[t_rows] - have
        np.maximum(score, 0.0, out=score)
        score *= crit
        skill = np.argmax(score, axis=1)
        no_gap = score[np.arange(len(t_rows)), skill] <= 0
        # without a gap, grow the most critical skill of the role one level further
        skill = np.where(no_gap, np.argmax(crit, axis=1), skill)
        level = np.clip(np.floor(have[np.arange(len(t_rows)), skill]).astype(int) + 1, 1, 5)
        items[targeted] = model.best_item[skill, level]
    b_rows = ~targeted
    if b_rows.any():
        w = cat.freshness[active] * cat.quality[active]
        cum = np.cumsum(w)
        if cum[-1] > 0:
            pick = np.searchsorted(cum, r_browse[rows[b_rows]] * cum[-1], side="right")
            items[b_rows] = active[np.minimum(pick, len(active) - 1)]
    return items


def learn_from_content(model) -> None:
    """Gain = formal_rate × hours × quality × (0.5 + 0.5 × freshness) × level fit ×
    (0.5 + engagement) × mindset factor × (1 if completed else 0.5), capped so that nobody
    passes the item's level + 0.5. The gain is *pending*: it becomes durable only when
    applied on the job (phase 5). Completion probability = the modality's propensity ×
    (0.6 + 0.5 × engagement) × (0.5 + 0.5 × freshness) × min(1, hours / item duration)
    (assumption: a week's hours rarely finish a long course). Instructor-led seats are
    limited to ``seats_per_instructor`` × instructors a week; learners beyond it get no session
    that week (their hours are spent and counted, with no gain).
    Modality changes completion (and through it engagement), never efficacy (no learning-styles
    effect).
    Mindset factor = 1 + mindset_effect × (mindset − 0.5) (Sisk2018: small).
    Writes ``item``, ``started``, ``completed``, ``formal_gain``; item usage, L1 ratings and
    L2 gains in the catalogue.
    """
    sc = model.spec
    wf, cat = model.workforce, model.catalogue
    rng = model.streams["formal"]
    n = wf.n
    r_target, r_browse, r_complete, r_seat = rng.random(n), rng.random(n), rng.random(n), rng.random(n)
    r_rating = rng.standard_normal(n)
    wf.item[:] = -1
    wf.started[:] = False
    wf.completed[:] = False
    wf.formal_gain[:] = 0.0
    rows = np.flatnonzero(wf.skill_hours > 0)
    items = choose_items(model, rows, r_target, r_browse)
    ok = items >= 0
    rows, items = rows[ok], items[ok]
    # instructor-led seats
    ilt = cat.modality[items] == ILT
    if ilt.any():
        seats = int(wf.is_instructor[wf.occupied].sum()) * sc.content.seats_per_instructor
        ilt_idx = np.flatnonzero(ilt)
        if len(ilt_idx) > seats:
            keep = ilt_idx[np.argsort(r_seat[rows[ilt_idx]])[:seats]]
            drop = np.ones(len(rows), dtype=bool)
            drop[ilt_idx] = False
            drop[keep] = True
            rows, items = rows[drop], items[drop]
    if len(rows) == 0:
        return
    skill = cat.skill[items]
    level = cat.level[items].astype(float)
    have = wf.prof[rows, skill] + wf.pending[rows, skill]
    fresh = cat.freshness[items]
    eng = wf.engagement[rows]
    p_complete = np.clip(COMPLETION_PROPENSITY[cat.modality[items]] * (0.6 + 0.5 * eng) * (0.5 + 0.5 * fresh)
                         * np.minimum(1.0, wf.skill_hours[rows] / cat.duration[items]), 0, 1)
    completed = r_complete[rows] < p_complete
    mind = 1.0 + sc.learning.mindset_effect * (wf.mindset[rows] - 0.5)
    gain = (sc.learning.formal_rate * wf.skill_hours[rows] * cat.quality[items] * (0.5 + 0.5 * fresh)
            * level_fit(level, have) * (0.5 + eng) * mind * np.where(completed, 1.0, 0.5))
    gain = np.clip(gain, 0.0, np.maximum(level + 0.5 - have, 0.0))
    wf.pending[rows, skill] += gain
    wf.item[rows] = items
    wf.started[rows] = True
    wf.completed[rows] = completed
    wf.formal_gain[rows] = gain
    # records on the content: usage, L1 reaction (quality seen through noise), L2 gain
    np.add.at(cat.usage_total, items, 1)
    cat.last_used[items] = model.week
    np.add.at(cat.rating_sum, items, np.clip(cat.quality[items] + 0.15 * r_rating[rows], 0, 1))
    np.add.at(cat.rating_n, items, 1)
    np.add.at(cat.gain_sum, items, gain)
