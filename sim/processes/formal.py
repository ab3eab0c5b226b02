"""Phase 4 — formal learning from content: choose an item, learn from it, complete it or not."""

from __future__ import annotations

import numpy as np

from ..records import gap_closed
from ..scenario import MODALITIES
from .. import kernels
from .phase import Phase

ILT = MODALITIES.index("instructor_led")


def level_fit(item_level: np.ndarray, current: np.ndarray, width: float) -> np.ndarray:
    """Zone of proximal development: content one level above the learner fits best;
    fit = exp(−(level − current − 1)² / (2 · width²)), width = ``rules.formal.zpd_width``
    (Vygotsky's ZPD; width an assumption)."""
    return np.exp(-((item_level - current - 1.0) ** 2) / (2.0 * width**2))


def refresh_recommendations(s, p, rng) -> None:
    """The index a gap-targeted recommendation reads: for each (skill, level) the active item
    with the highest quality × freshness at that level, else at the nearest level that has
    one. Rebuilt only when the catalogue changed (items added or retired)."""
    if not s.catalogue_changed:
        return
    cat = s.catalogue
    rows = cat.rows()
    k = s.best_item.shape[0]
    s.best_item[:] = -1
    if len(rows):
        score = cat.quality[rows] * cat.freshness[rows]
        for skill in range(k):
            mine = rows[cat.skill[rows] == skill]
            if len(mine) == 0:
                continue
            sc = score[np.searchsorted(rows, mine)]
            lv = cat.level[mine]
            for level in range(1, 6):
                dist = np.abs(lv - level) * 10.0 - sc  # nearest level first, then best score
                s.best_item[skill, level] = mine[int(np.argmin(dist))]
    s.catalogue_changed = False


def choose_items(s, p, rows: np.ndarray, r_target: np.ndarray, r_browse: np.ndarray) -> np.ndarray:
    """Each learner picks one item. With probability = the platform's recommendation quality
    the choice targets the learner's largest criticality-weighted gap at the next level
    (a gap-targeted learning path; against the requirements the skills-gap analysis plans
    for, which include announced future ones when the organisation looks ahead); otherwise
    the learner browses, picking an item with probability proportional to its freshness ×
    quality (stale or poor content loses use).
    Under a steering governance rule a share ``rules.governance.curated_share`` of the
    browsers instead follow the learning path L&D curated for their role
    (``state.curated_skill``: the role's largest measured gap, phase 13), at the level one
    above their own proficiency on it."""
    wf, cat = s.workforce, s.catalogue
    items = np.full(len(rows), -1, dtype=np.int64)
    active = cat.rows()
    if len(active) == 0 or len(rows) == 0:
        return items
    rq = p.recommendation_quality if p.lxp else p.basic_recommendation_quality
    targeted = r_target[rows] < rq
    t_rows = rows[targeted]
    if len(t_rows):
        # the largest criticality-weighted gap; without a gap, the role's most critical skill
        # one level further (sim.kernels.target_items, one pass over the learners)
        plan_req, plan_crit = s.structure.planning()
        items[targeted] = kernels.target_items(wf.prof, wf.pending, t_rows, wf.role, plan_req, plan_crit,
                                               s.best_item)
    b_rows = ~targeted
    if s.curated_skill is not None and b_rows.any() and p.curated_share > 0 and rq < 1:
        # a share of the browsers follow the path L&D curated for their role (u: uniform, reused draw)
        u = (r_target[rows] - rq) / (1.0 - rq)
        path = s.curated_skill[wf.role[rows]]
        curated = b_rows & (path >= 0) & (u < p.curated_share)
        if curated.any():
            c_rows = rows[curated]
            skill = path[curated]
            have = wf.prof[c_rows, skill] + wf.pending[c_rows, skill]
            items[curated] = s.best_item[skill, np.clip(np.floor(have).astype(int) + 1, 1, 5)]
            b_rows = b_rows & ~curated
    if b_rows.any():
        w = cat.freshness[active] * cat.quality[active]
        cum = np.cumsum(w)
        if cum[-1] > 0:
            pick = np.searchsorted(cum, r_browse[rows[b_rows]] * cum[-1], side="right")
            items[b_rows] = active[np.minimum(pick, len(active) - 1)]
    return items


def learn_from_content(s, p, rng) -> None:
    """Gain = formal_rate × hours × quality × F(freshness) × level fit × (engagement_offset +
    engagement) × mindset factor × (1 if completed else incomplete_share), capped so that
    nobody passes the item's level + ``overshoot``, with F(f) = (1 − w) + w f, w =
    ``freshness_weight`` (defaults: 0.5 + 0.5 f, 0.5 + e, × 0.5, level + 0.5; all in
    ``rules.formal``, assumptions). The gain is *pending*: it becomes durable only when
    applied on the job (phase 5). Completion probability = the modality's propensity
    (``rules.catalogue.modalities``) × (completion_base + completion_per_engagement ×
    engagement) × F(freshness) × min(1, hours / item duration) (assumption: a week's hours
    rarely finish a long course). Instructor-led seats are
    limited to ``seats_per_instructor`` × instructors a week; learners beyond it get no session
    that week (their hours are spent and counted, with no gain).
    Work location: a synchronous instructor-led session's completion propensity is × (1 −
    (1 − ``rules.location.remote_ilt_completion``) × the learner's time away) (assumption).
    Mobile: with the LXP's mobile app a learner whose item is mobile-ready (``catalogue.mobile``:
    generated items except instructor-led sessions and manuals, listed items as declared) adds
    this week's ``mobile_hours`` (phase 3) to their formal hours — short slots away from a desk;
    an item that is not mobile-ready leaves them unused.
    Modality and location change completion (and through it engagement), never efficacy (no
    learning-styles effect).
    Mindset factor = 1 + mindset_effect × (mindset − 0.5) (Sisk2018: small).
    Writes ``item``, ``started``, ``completed``, ``formal_gain``; item usage, L1 ratings and
    L2 gains in the catalogue; what the gains did for each programme in the ledger
    (:func:`attribute_formal`).
    """
    wf, cat = s.workforce, s.catalogue
    n = wf.n
    r_target, r_browse, r_complete, r_seat = rng.random(n), rng.random(n), rng.random(n), rng.random(n)
    r_rating = rng.standard_normal(n)
    wf.item[:] = -1
    wf.started[:] = False
    wf.completed[:] = False
    wf.formal_gain[:] = 0.0
    rows = np.flatnonzero(wf.skill_hours > 0)
    items = choose_items(s, p, rows, r_target, r_browse)
    ok = items >= 0
    rows, items = rows[ok], items[ok]
    if p.lxp and p.mobile:
        slots = np.where(cat.mobile[items], wf.mobile_hours[rows], 0.0)
        if slots.any():
            wf.skill_hours[rows] += slots
            wf.hours[rows] += slots
            wf.time_cost[rows] += slots * p.employee_hour_cost
    # instructor-led seats
    ilt = cat.modality[items] == ILT
    if ilt.any():
        seats = int(wf.is_instructor[wf.occupied].sum()) * p.seats_per_instructor
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
    propensity = np.array([getattr(p.modalities, m).completion for m in MODALITIES])
    # completion and gain, one compiled pass over the learners (sim.kernels.formal_gains)
    completed, gain = kernels.formal_gains(
        rows, items, level, have, level_fit(level, have, p.zpd_width), r_complete, wf.skill_hours, wf.engagement,
        wf.mindset, wf.away, cat.modality, cat.quality, cat.freshness, cat.duration, propensity, ILT,
        p.freshness_weight, p.remote_ilt_completion, p.completion_base, p.completion_per_engagement, p.formal_rate,
        p.engagement_offset, p.mindset_effect, p.incomplete_share, p.overshoot)
    if s.ledger is not None:
        attribute_formal(s, rows, items, gap_closed(s, rows, gain, skill))
    wf.pending[rows, skill] += gain
    wf.item[rows] = items
    wf.started[rows] = True
    wf.completed[rows] = completed
    wf.formal_gain[rows] = gain
    # records on the content: usage, L1 reaction (quality seen through noise), L2 gain
    used = np.bincount(items, minlength=cat.size)
    cat.usage_total[: cat.size] += used
    cat.rating_n[: cat.size] += used
    cat.last_used[items] = s.week
    kernels.scatter_add(cat.rating_sum, items, np.clip(cat.quality[items] + p.rating_noise * r_rating[rows], 0, 1))
    kernels.scatter_add(cat.gain_sum, items, gain)


def attribute_formal(s, rows: np.ndarray, items: np.ndarray, closed: np.ndarray) -> None:
    """Note in the programme ledger what this week's formal learning did (an L2 evaluation's
    attribution; assumption): a learner on a commissioned item credits commissioning with
    the gap closed beyond the hours' worth at the week's mean gap closed per hour on other
    content (what the same hours would have given without it; may be negative); the rest is
    split between protected time and self-directed hours (all formal hours outside protected
    time, onboarding included, as the costs phase books them) by the share of the learner's
    hours each supplied. Each learner counts as a participant-week of the programmes that
    supplied the hours and item."""
    wf, cat = s.workforce, s.catalogue
    hours = wf.skill_hours[rows]
    made = cat.commissioned[items]
    if made.any():
        other = ~made
        per_hour = closed[other].sum() / max(hours[other].sum(), 1e-12) if other.any() else 0.0
        extra = closed[made] - per_hour * hours[made]
        s.ledger.add("commissioning", rows[made], extra)
        closed = closed.copy()
        closed[made] -= extra
    protected = np.clip(wf.protected_taken[rows] / np.maximum(hours, 1e-12), 0.0, 1.0)
    s.ledger.add("protected_time", rows, closed * protected, protected > 0)
    s.ledger.add("self_directed", rows, closed * (1.0 - protected), protected < 1)


RECOMMENDATIONS = Phase(
    "recommendations", refresh_recommendations,
    reads=("catalogue_changed", "catalogue", "best_item"),
    writes=("best_item", "catalogue_changed"))
FORMAL = Phase(
    "formal", learn_from_content,
    params=("learning.formal_rate", "learning.mindset_effect", "content.seats_per_instructor",
            "lxp=policies.platform.enabled", "policies.platform.recommendation_quality",
            "policies.platform.basic_recommendation_quality", "rules.formal.*", "rules.catalogue.modalities",
            "rules.governance.curated_share", "policies.platform.mobile", "governance.employee_hour_cost",
            "rules.location.remote_ilt_completion"),
    reads=("week", "workforce.skill_hours", "workforce.mobile_hours", "workforce.hours", "workforce.time_cost",
           "workforce.away", "workforce.prof", "workforce.pending", "workforce.role",
           "workforce.engagement", "workforce.mindset", "workforce.is_instructor", "workforce.occupied",
           "workforce.protected_taken", "catalogue", "best_item", "structure", "curated_skill"),
    writes=("workforce.item", "workforce.started", "workforce.completed", "workforce.formal_gain",
            "workforce.skill_hours", "workforce.hours", "workforce.time_cost",
            "workforce.pending", "ledger", "catalogue.usage_total", "catalogue.last_used", "catalogue.rating_sum",
            "catalogue.rating_n", "catalogue.gain_sum"),
    stream="formal")
