"""Phase 13 — governance: L&D leadership reviews the data it can see, decides and reallocates.

Every ``review_every_weeks`` weeks it decides by its rule. The steering rules first run a
skills-gap analysis on the data they can see; what they see depends on the data maturity
(``governance.data_maturity``, the highest Kirkpatrick level measured; values in
``rules.governance``, assumptions):

* coverage — only a share ``coverage_level_<m>`` of the employees (drawn afresh for each
  review) have measured skills (0.2, 0.4, 0.7, 0.9 for levels 1–4);
* lag — the data are ``lag_weeks_level_<m>`` weeks old (26, 13, 4, 1): the snapshot is
  taken that many weeks before the review;
* noise — each measured role × skill gap (mean criticality-weighted shortfall of the
  measured people of that role) carries an error of sd ``noise_level_<m>`` levels (0.30,
  0.20, 0.10, 0.05), drawn at each review; the measured gap index of the organisation and
  of each department carries the same relative error;
* content quality is seen as L1 ratings (noisy reactions), content effect as L2 gains only
  from maturity 2.

Then, by rule:

* ``static`` — no analysis: commissions the planned items evenly across skills; changes
  nothing else (protected time stays as the scenario set it). Data maturity changes
  nothing under it.
* ``gap_driven`` — commissions for the largest measured skill gaps at the level just above
  the mean proficiency there; curates a learning path per role on the role's largest
  measured gap (a share ``curated_share`` of self-directed choices follow it, phase 4);
  moves protected time toward the departments with the largest measured gaps
  (``dept_reallocation``); retires content rated (L1, at least ``min_ratings`` ratings)
  below ``retire_below_quality`` or staler than ``retire_below_freshness``; raises protected
  time by ``protected_step_hours`` while the measured skills-gap index exceeds
  ``gap_target`` and lowers it when below ``lower_threshold_share`` of it (within bounds);
* ``roi_driven`` — as gap-driven, but places content by measured gap × (roi_placement_base +
  relative L2 gain per use of the skill's content; L1 ratings below maturity 2), retires the
  least effective items (bottom ``retire_quantile`` of gain per use, once ``min_rated_items``
  are rated); moves protected time in the direction that improved cumulative ROI (as
  collected last week) since the last review.

The budget (:mod:`sim.processes.budget`) scales what governance buys: the items it
commissions (× the budget's scale of ``commissioning``) and the protected hours it sets
(× the scale of ``protected_time``, applied where the hours are taken). Under
``governance.budget_allocation: evidence`` a steering rule also measures each cuttable
programme's value per dollar on the same data (:func:`measure_programmes`: gap closed from
maturity 2, only participation below it), and the budget moves money by it. Each review is
logged in ``state.governance.decisions`` with the budget's state at the time and the values
measured.
"""

from __future__ import annotations

import numpy as np

from ..outcomes import Groups, cumulative_roi
from ..scenario import BUDGET_ITEMS, MODALITIES
from .budget import budget_status
from .phase import Phase

COURSE = MODALITIES.index("course")


def data_quality(p) -> tuple[float, int, float]:
    """(noise sd, lag in weeks, coverage) of the skills data at the scenario's data maturity."""
    m = p.data_maturity
    return getattr(p, f"noise_level_{m}"), getattr(p, f"lag_weeks_level_{m}"), getattr(p, f"coverage_level_{m}")


def take_snapshot(s, p, rng) -> None:
    """Measure the skills of a covered share of employees, for the review ``lag`` weeks from
    now: who was measured, their role and department, their criticality-weighted shortfall
    per skill and their skills-gap index. The shortfall is against the requirements the
    analysis plans for: current ones and, when the organisation analyses future skills
    (``governance.future_skills``), announced ones (:meth:`~sim.organisation.Structure.planning`).
    Under evidence allocation the snapshot also keeps the programme ledger (gap closed, or
    participant-weeks below maturity 2) and finance's spend by programme (:func:`measure_programmes`)."""
    _, lag, coverage = data_quality(p)
    wf = s.workforce
    measured = np.flatnonzero(wf.occupied & (rng.random(wf.n) < coverage))
    pr = s.position_req
    short = np.maximum(pr.plan_req[measured] - wf.prof[measured], 0.0) * pr.plan_crit[measured]
    snap = {"role": wf.role[measured].copy(), "dept": wf.dept[measured].copy(), "short": short,
            "gap": s.derived.gap[measured].copy()}
    if p.budget_allocation == "evidence":
        ledger = s.ledger.closed if p.data_maturity >= 2 else s.ledger.reached
        snap.update(rows=measured, ledger=ledger.copy(), spent=dict(s.budget.spent))
    s.governance.snapshots[s.week] = snap


def measured_gaps(s, p, rng) -> dict | None:
    """The skills-gap analysis of a review on the snapshot taken ``lag`` weeks ago (None when
    there is none yet): measured gap per role × skill (NaN where no one of the role was
    measured), per skill (people-weighted over the roles that require it), per department,
    and the organisation's gap index; each with the data maturity's error."""
    noise, lag, _ = data_quality(p)
    mem = s.governance
    snap = mem.snapshots.pop(s.week - lag, None)
    for w in [w for w in mem.snapshots if w < s.week - lag]:
        del mem.snapshots[w]
    if snap is None or len(snap["role"]) == 0:
        return None
    st = s.structure
    n_roles, k, n_dept = len(st.role_names), len(st.skill_names), len(st.dept_names)
    count = np.bincount(snap["role"], minlength=n_roles).astype(float)
    total = np.zeros((n_roles, k))
    np.add.at(total, snap["role"], snap["short"])
    with np.errstate(invalid="ignore", divide="ignore"):
        role_gap = total / count[:, None]
    role_gap = role_gap + noise * rng.standard_normal((n_roles, k))
    role_gap[count == 0] = np.nan
    required = st.planning()[0] > 0  # announced requirements count when planning for them
    need = (count[:, None] * required).sum(axis=0)
    skill_gap = np.where(need > 0, np.nansum(count[:, None] * required * np.nan_to_num(role_gap), axis=0)
                         / np.maximum(need, 1), 0.0)
    d_count = np.bincount(snap["dept"], minlength=n_dept).astype(float)
    d_gap = np.bincount(snap["dept"], weights=snap["gap"], minlength=n_dept) / np.maximum(d_count, 1)
    d_gap = d_gap * (1.0 + noise * rng.standard_normal(n_dept))
    org_gap = float(snap["gap"].mean()) * (1.0 + noise * float(rng.standard_normal()))
    return {"role": role_gap, "skill": skill_gap, "dept": np.where(d_count > 0, d_gap, np.nan), "org": org_gap,
            "required": required, "snapshot": snap}


def measure_programmes(s, p, snap: dict, rng) -> None:
    """Evidence allocation: each cuttable programme's value per dollar as governance measures
    it on the snapshot of this review (assumption, in the spirit of Kirkpatrick's levels):
    from data maturity 2 (learning measured) the skills gap the programme closed for the
    measured employees (:class:`~sim.records.ProgrammeLedger`), below it only participation
    (participant-weeks: reactions and attendance, not learning); summed over the measured
    people since the last review's snapshot, divided by the data's coverage, with the
    maturity's relative error (sd ``noise_level_<m>``, as on the gap index), per dollar the
    programme spent in the same weeks (finance's books: exact). A programme that spent
    nothing keeps its last measurement. Writes ``budget.value`` (read by the budget phase
    from next week, :func:`~sim.processes.budget.allocate_by_evidence`)."""
    noise, _, coverage = data_quality(p)
    mem, b = s.governance, s.budget
    prev = mem.programme_seen
    rows = snap["rows"]
    before = prev["ledger"][rows] if prev is not None else 0.0
    seen = np.asarray((snap["ledger"][rows] - before).sum(axis=0)).reshape(-1) / coverage
    error = 1.0 + noise * rng.standard_normal(len(BUDGET_ITEMS))
    for j, name in enumerate(BUDGET_ITEMS):
        spent = snap["spent"].get(name, 0.0) - (prev["spent"].get(name, 0.0) if prev is not None else 0.0)
        if spent > 1e-6:
            b.value[name] = float(seen[j] * error[j] / spent)
    b.value_week = s.week
    mem.programme_seen = {"ledger": snap["ledger"], "spent": snap["spent"]}


def curate_paths(s, p, gaps: dict) -> None:
    """Each role's learning path: the required skill with the largest measured gap (none where
    nothing was measured or no measured gap is positive)."""
    role_gap = np.where(gaps["required"], gaps["role"], -np.inf)
    role_gap = np.where(np.isnan(role_gap), -np.inf, role_gap)
    best = np.argmax(role_gap, axis=1)
    s.curated_skill = np.where(role_gap[np.arange(len(best)), best] > 0, best, -1)


def reallocate_protected_time(s, p, gaps: dict) -> None:
    """Departments' shares of the protected hours: (1 − r) + r × measured gap / the
    headcount-weighted mean measured gap (capped at 2 × the mean), r = ``dept_reallocation``;
    unmeasured departments keep 1. The headcount-weighted mean share is 1, so the hours (and
    their cost) stay the same in total."""
    wf = s.workforce
    d = gaps["dept"]
    heads = np.bincount(wf.dept[wf.occupied], minlength=len(d)).astype(float)
    known = ~np.isnan(d) & (heads > 0)
    if not known.any():
        return
    mean = float((np.maximum(d[known], 0) * heads[known]).sum() / heads[known].sum())
    if mean <= 0:
        return
    rel = np.ones(len(d))
    rel[known] = np.minimum(np.maximum(d[known], 0) / mean, 2.0)
    share = (1.0 - p.dept_reallocation) + p.dept_reallocation * rel
    share /= float((share * heads).sum() / heads.sum())
    s.dept_protected = share


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
    retired = retire_keeping_one(cat, rows[stale | poor])
    if retired:
        s.catalogue_changed = True
    return retired


def retire_keeping_one(cat, candidates: np.ndarray) -> int:
    """Retire ``candidates`` (active rows, ascending) in row order, but never the last active item
    of a (skill, level): per (skill, level) with ``n`` active items the first ``min(c, n - 1)`` of
    its ``c`` candidates go. Grouped in one pass (O(n log n)); the item-by-item loop it replaces
    recounted the catalogue for every candidate (quadratic: 100k stale items took 36 s)."""
    if len(candidates) == 0:
        return 0
    rows = cat.rows()
    levels = int(max(cat.level[rows].max(), 0)) + 1
    group = cat.skill[: cat.size].astype(np.int64) * levels + cat.level[: cat.size]
    n_active = np.bincount(group[rows], minlength=int(group[rows].max()) + 1)
    g = group[candidates]
    order = np.argsort(g, kind="stable")          # candidates grouped, row order kept inside a group
    gs = g[order]
    first = np.searchsorted(gs, gs, side="left")  # where each candidate's group starts
    rank = np.empty(len(candidates), dtype=np.int64)
    rank[order] = np.arange(len(candidates)) - first
    retire = candidates[rank < n_active[g] - 1]
    cat.active[retire] = False
    return int(len(retire))


def commission(s, p, gaps: np.ndarray | None, rng) -> int:
    """Commission this review period's share of the yearly items (× the share of
    commissioning the budget allows), placed by the rule: courses of ``commissioned_hours``,
    quality ~ Beta around the catalogue mean + ``commissioned_quality_uplift``; ``static``
    (or a steering rule with no data yet) spreads them over skills, ``static`` at random
    levels; the steering rules put them where the measured gaps are, one level above the
    mean proficiency there."""
    if not p.content_investment:
        return 0
    mem = s.governance
    mem.commission_credit += p.commission_per_year * p.review_every_weeks / 52.0 \
        * s.budget.scale.get("commissioning", 1.0)
    count = int(mem.commission_credit)
    mem.commission_credit -= count
    if count == 0:
        return 0
    wf, st, cat = s.workforce, s.structure, s.catalogue
    k = len(st.skill_names)
    if gaps is None:
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
    mean_prof_of: dict[int, float] = {}   # once per skill, not per item (commissioning may be 100k items a year)
    for skill in skills:
        if int(skill) not in mean_prof_of:
            mean_prof_of[int(skill)] = float(wf.prof[occ, skill].mean()) if occ.any() else 1.0
        mean_prof = mean_prof_of[int(skill)]
        level = int(np.clip(np.floor(mean_prof) + 1, 1, 5)) if p.rule != "static" else int(rng.integers(1, 6))
        quality = float(np.clip(rng.beta(max(q + u, 0.01) * c, max((1.0 - u) - q, 0.01) * c), 0, 1))
        cat.add(skill=int(skill), level=level, modality=COURSE, quality=quality, duration=p.commissioned_hours,
                mobile=True, freshness=1.0, created=s.week, commissioned=True)
        s.catalogue_changed = True
    s.commissioned[s.week] = s.commissioned.get(s.week, 0) + len(skills)
    return int(len(skills))


def steer_protected_time(s, p, gaps: dict | None) -> None:
    """The steering rules move protected time (see the module docstring); the gap rule acts
    on the measured gap index and does nothing before it has data."""
    mem = s.governance
    if p.rule == "gap_driven":
        if gaps is None:
            return
        if gaps["org"] > p.gap_target:
            s.protected_hours += p.protected_step_hours
        elif gaps["org"] < p.gap_target * p.lower_threshold_share:
            s.protected_hours -= p.protected_step_hours
    elif p.rule == "roi_driven":
        g = Groups(np.zeros(s.workforce.n, dtype=np.int64), s.workforce.occupied, 1)
        roi = float(cumulative_roi(s.records, g, s.week - 1)[0])  # the outcome `roi` as collected last week
        if mem.last_roi is not None and np.isfinite(roi) and roi < mem.last_roi:
            mem.last_direction = -mem.last_direction
        s.protected_hours += p.protected_step_hours * mem.last_direction
        mem.last_roi = roi if np.isfinite(roi) else mem.last_roi


def review(s, p, rng) -> None:
    """Every week the steering rules take the skills snapshot a coming review will see
    (:func:`take_snapshot`, ``lag`` weeks ahead of it); on review weeks (``week`` a multiple
    of ``review_every_weeks``, counted from week 0 when the strategy starts, so spin-up weeks
    −r, −2r, … and 0 are review weeks of the status quo) governance analyses, decides, acts, and logs the decision and
    the budget's state in ``state.governance.decisions``."""
    steering = p.rule != "static"
    if steering:
        _, lag, _ = data_quality(p)
        if s.week >= 1 and (s.week + lag) % p.review_every_weeks == 0:
            take_snapshot(s, p, rng)
    if s.week % p.review_every_weeks:
        return
    gaps = measured_gaps(s, p, rng) if steering else None
    decision = {"week": s.week, "rule": p.rule, "retired": 0, "commissioned": 0, "protected_hours": None,
                "measured_gap": None if gaps is None else round(gaps["org"], 5)}
    if steering:
        decision["retired"] = retire_content(s, p)
        if gaps is not None:
            curate_paths(s, p, gaps)
            if p.protected_time:
                reallocate_protected_time(s, p, gaps)
    decision["commissioned"] = commission(s, p, None if gaps is None else gaps["skill"], rng)
    if p.protected_time:
        if steering:
            steer_protected_time(s, p, gaps)
            s.protected_hours = float(np.clip(s.protected_hours, p.protected_hours_min, p.protected_hours_max))
        decision["protected_hours"] = s.protected_hours
    if p.budget_allocation == "evidence" and gaps is not None and "ledger" in gaps["snapshot"]:
        measure_programmes(s, p, gaps["snapshot"], rng)
    decision.update(budget_status(s, p))
    for name in BUDGET_ITEMS:
        value = s.budget.value.get(name) if s.budget.value_week == s.week else None
        decision[f"value_{name}"] = None if value is None else round(value * 1000.0, 6)
    s.governance.decisions.append(decision)


GOVERNANCE = Phase(
    "governance", review,
    params=("governance.rule", "governance.review_every_weeks", "governance.data_maturity",
            "governance.budget_allocation", "governance.retire_below_quality",
            "governance.retire_below_freshness", "governance.protected_hours_min", "governance.protected_hours_max",
            "governance.gap_target", "content.quality_mean", "protected_time=policies.protected_time.enabled",
            "content_investment=policies.content_investment.enabled",
            "policies.content_investment.commission_per_year", "rules.governance.*",
            "rules.catalogue.quality_concentration"),
    reads=("week", "workforce.occupied", "workforce.role", "workforce.dept", "workforce.prof", "structure",
           "budget", "catalogue", "derived", "governance", "protected_hours", "commissioned", "records", "ledger"),
    writes=("catalogue", "catalogue_changed", "governance", "protected_hours", "commissioned", "curated_skill",
            "dept_protected", "budget"),
    stream="governance")
