"""Phase 2 — the L&D programmes that act on people each week: mentoring pairs, job
rotation and manager development. Each runs only when its policy is on (``when``)."""

from __future__ import annotations

import numpy as np

from ..outcomes import row_gap
from .phase import Phase, weekly_probability


def match_mentors(s, p, rng) -> None:
    """A formal mentoring programme (Allen2004, Eby2013: small objective effects).

    In week 1 and every ``rematch_every_weeks`` weeks after, a share ``ratio`` of employees
    (those with the largest skills gaps first, ties broken at random) get a mentor among the
    most proficient colleagues, each mentor taking ``rules.mentoring.mentees_per_mentor`` (2)
    mentees (more only when mentees outnumber that many times the remaining colleagues).
    Matching: ``skill_gap`` picks the mentor strongest in the mentee's largest-gap skill;
    ``same_department`` a strong mentor from the mentee's department; ``random`` any mentor.
    The learning itself happens in the social-learning phase (phase 7). The budget may allow
    only part of the programme (``budget.scale``, :mod:`sim.processes.budget`): then only that
    share of the pairs is formed, and pairs beyond it end at once (:func:`end_excess_pairs`)."""
    wf, st = s.workforce, s.structure
    scale = s.budget.scale.get("mentoring", 1.0)
    if (s.week - 1) % p.rematch_every_weeks:  # weeks 1, 1 + r, 1 + 2r, …
        if scale < 1.0:
            end_excess_pairs(wf, p.ratio * scale)
        return
    wf.mentor[:] = -1
    occ = np.flatnonzero(wf.occupied & ~wf.is_exec)
    if len(occ) < 2:
        return
    gaps = row_gap(wf, st, occ) + 1e-6 * rng.random(len(occ))
    n_mentees = min(int(round(p.ratio * scale * len(occ))), len(occ) - 1)
    if n_mentees == 0:
        return
    order = np.argsort(-gaps)
    mentees = occ[order[:n_mentees]]
    pool = occ[order[n_mentees:]]
    strength = wf.prof[pool].mean(axis=1) + 1e-6 * rng.random(len(pool))
    per_mentor = max(p.mentees_per_mentor, -(-n_mentees // len(pool)))  # ceil division
    n_mentors = min(len(pool), -(-n_mentees // per_mentor))
    mentors = pool[np.argsort(-strength)[:n_mentors]]
    slots = np.repeat(mentors, per_mentor)
    if p.matching == "random":
        wf.mentor[mentees] = slots[rng.permutation(len(slots))[:n_mentees]]
        return
    # greedy matching: mentees in order of gap take the free mentor slot that fits best
    free = np.ones(len(slots), dtype=bool)
    req = st.req[wf.role[mentees]]
    crit = st.crit[wf.role[mentees]]
    top_skill = np.argmax(crit * np.maximum(req - wf.prof[mentees], 0), axis=1)
    for j, mentee in enumerate(mentees):
        cand = np.flatnonzero(free)
        if p.matching == "same_department":
            same = cand[wf.dept[slots[cand]] == wf.dept[mentee]]
            cand = same if len(same) else cand
            pick = cand[0]
        else:
            pick = cand[np.argmax(wf.prof[slots[cand], top_skill[j]])]
        wf.mentor[mentee] = slots[pick]
        free[pick] = False


def end_excess_pairs(wf, ratio: float) -> None:
    """End the pairs beyond ``ratio`` × eligible employees (the budget shrank the programme):
    the pairs of the mentees in the highest rows go first (an arbitrary, reproducible order)."""
    mentees = np.flatnonzero(wf.mentor >= 0)
    allowed = int(round(ratio * int((wf.occupied & ~wf.is_exec).sum())))
    if len(mentees) > allowed:
        wf.mentor[mentees[allowed:]] = -1


def rotate_jobs(s, p, rng) -> None:
    """Job rotation / job swapping.

    Rotations that end this week return people to their home role. Each week an eligible
    non-manager (not rotating already) starts a rotation of ``duration_weeks`` with
    probability 1 − (1 − share_per_year)^(1/52) — a share_per_year chance over a year of
    eligibility — into another role (``rotation``) or swapping roles with a colleague of a
    different role (``swap``: starters ordered by role, at random within a role, the first
    paired with the last). While rotating, people work — and learn by doing — the other
    role's skills; their skills gap is still measured against their home role."""
    wf = s.workforce
    ending = wf.rotation_end == s.week
    wf.work_role[ending] = wf.role[ending]
    wf.rotation_end[ending] = -1
    r = rng.random(wf.n)
    other = rng.random(wf.n)
    eligible = wf.occupied & ~wf.is_manager & (wf.rotation_end < 0)
    start = eligible & (r < weekly_probability(p.share_per_year) * s.budget.scale.get("job_rotation", 1.0))
    rows = np.flatnonzero(start)
    n_roles = len(s.structure.role_names)
    if len(rows) == 0 or n_roles < 2:
        return
    if p.mode == "swap":
        rows = rows[np.argsort(other[rows], kind="stable")]
        rows = rows[np.argsort(wf.role[rows], kind="stable")]
        half = len(rows) // 2
        a, b = rows[:half], rows[len(rows) - half:][::-1]
        diff = wf.role[a] != wf.role[b]
        a, b = a[diff], b[diff]
        wf.work_role[a], wf.work_role[b] = wf.role[b], wf.role[a]
        rows = np.concatenate([a, b])
    else:
        shift = 1 + np.floor(other[rows] * (n_roles - 1)).astype(np.int32)
        new_role = (wf.role[rows] + shift) % n_roles
        wf.work_role[rows] = new_role
    wf.rotation_end[rows] = s.week + p.duration_weeks
    s.records.add_counts("rotations", wf.dept[rows])


def develop_managers(s, p, rng) -> None:
    """Manager development: each week an untrained manager finishes the programme with
    probability 1 − (1 − share_per_year)^(1/52) (a share_per_year chance over a year), which
    raises their support for learning by ``support_gain`` and their coaching hours by
    ``coaching_hours_gain`` (assumption; support is the strongest work-environment predictor
    of transfer, Blume2010). ``state.trained_now`` keeps this week's graduates (for costs).
    The budget scales the weekly probability (``budget.scale``)."""
    wf = s.workforce
    r = rng.random(wf.n)
    train = wf.occupied & wf.is_manager & ~wf.trained_manager \
        & (r < weekly_probability(p.share_per_year) * s.budget.scale.get("manager_development", 1.0))
    wf.support[train] = np.minimum(1.0, wf.support[train] + p.support_gain)
    wf.coaching_hours[train] += p.coaching_hours_gain
    wf.trained_manager[train] = True
    s.trained_now = train


MENTORING = Phase(
    "mentoring", match_mentors,
    params=("policies.mentoring.rematch_every_weeks", "policies.mentoring.ratio", "policies.mentoring.matching",
            "rules.mentoring.mentees_per_mentor"),
    reads=("week", "workforce.occupied", "workforce.is_exec", "workforce.role", "workforce.prof", "workforce.dept",
           "workforce.mentor", "structure", "budget"),
    writes=("workforce.mentor",),
    stream="mentoring",
    when="policies.mentoring.enabled")
ROTATION = Phase(
    "job_rotation", rotate_jobs,
    params=("policies.job_rotation.share_per_year", "policies.job_rotation.duration_weeks",
            "policies.job_rotation.mode"),
    reads=("week", "workforce.rotation_end", "workforce.role", "workforce.occupied", "workforce.is_manager",
           "workforce.dept", "structure", "budget"),
    writes=("workforce.work_role", "workforce.rotation_end", "records"),
    stream="rotation",
    when="policies.job_rotation.enabled")
MANAGER_DEVELOPMENT = Phase(
    "manager_development", develop_managers,
    params=("policies.manager_development.share_per_year", "policies.manager_development.support_gain",
            "policies.manager_development.coaching_hours_gain"),
    reads=("workforce.occupied", "workforce.is_manager", "workforce.trained_manager", "workforce.support",
           "workforce.coaching_hours", "budget"),
    writes=("workforce.support", "workforce.coaching_hours", "workforce.trained_manager", "trained_now"),
    stream="manager_development",
    when="policies.manager_development.enabled")
