"""Phase 2 — the L&D programmes that act on people each week: mentoring pairs, job
rotation and manager development. Each runs only when its policy is on (``when``)."""

from __future__ import annotations

import numpy as np

from ..outcomes import row_gap
from ..records import record_cells
from ..state import TIE_ALUMNI, TIE_HOST, dedupe_edges, network_ties
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


def org_shortage(s) -> np.ndarray:
    """Per skill, the organisation's shortage: criticality-weighted mean shortfall against the
    requirements its skills-gap analysis plans for (current, and announced ones when it
    looks ahead: :meth:`~sim.organisation.Structure.planning`), over occupied people whose
    role requires the skill."""
    wf, pr = s.workforce, s.position_req
    occ = wf.occupied
    short = (np.maximum(pr.plan_req[occ] - wf.prof[occ], 0.0) * pr.plan_crit[occ]).sum(axis=0)
    return short / np.maximum((pr.plan_req[occ] > 0).sum(axis=0), 1)


def host_scores(s, p, rows: np.ndarray) -> np.ndarray:
    """(starters × roles) value of each role as a host: Σ over skills of the organisation's
    shortage × what the role would build in the person (max(0, required − proficiency)) under
    ``targeting: shortage``; 1 for every role under ``random``. 0 for the person's own role
    and for roles no non-manager works (a rotation is not into management)."""
    wf, st = s.workforce, s.structure
    n_roles = len(st.role_names)
    worked = np.bincount(wf.role[wf.occupied & ~wf.is_manager], minlength=n_roles) > 0
    if p.targeting == "shortage":
        build = np.maximum(st.req[None, :, :] - wf.prof[rows][:, None, :], 0.0)  # starters × roles × skills
        score = build @ org_shortage(s)
    else:
        score = np.ones((len(rows), n_roles))
    score *= worked[None, :]
    score[np.arange(len(rows)), wf.role[rows]] = 0.0
    return score


def _pick(weights: np.ndarray, u: float) -> int:
    """The index drawn with probability proportional to ``weights`` by the uniform ``u`` (-1 if none)."""
    cum = np.cumsum(weights)
    if len(cum) == 0 or cum[-1] <= 0:
        return -1
    return int(min(np.searchsorted(cum, u * cum[-1], side="right"), len(cum) - 1))


def hand_over(s, p) -> None:
    """Job-share partners hand over every week: each closes ``handover_rate`` of the
    difference to the partner on the skills either of their roles requires (assumption)."""
    wf, st = s.workforce, s.structure
    a = np.flatnonzero((wf.rotation_partner >= 0) & (wf.rotation_end >= 0) & wf.occupied & (wf.work_share < 1))
    if len(a) == 0:
        return
    b = wf.rotation_partner[a]
    live = wf.occupied[b] & (wf.rotation_partner[b] == a) & (wf.rotation_end[b] >= 0)
    a, b = a[live], b[live]
    relevant = (st.req[wf.role[a]] > 0) | (st.req[wf.role[b]] > 0)
    gain = p.handover_rate * np.maximum(wf.prof[b] - wf.prof[a], 0.0) * relevant
    wf.prof[a] += gain


def _host_team(s, role: int, home_dept: int, u: float) -> int:
    """A team where non-managers work ``role``, in another department when there is one."""
    wf = s.workforce
    there = wf.occupied & ~wf.is_manager & (wf.role == role)
    teams = np.unique(wf.team[there])
    other = teams[s.structure.team_dept[teams] != home_dept]
    teams = other if len(other) else teams
    return int(teams[min(int(u * len(teams)), len(teams) - 1)]) if len(teams) else -1


def _host_ties(s, p, row: int, team: int, partner: int, rng) -> np.ndarray:
    """Ties of ``row`` to up to ``host_ties`` members of ``team`` (the partner first)."""
    wf = s.workforce
    members = np.flatnonzero((wf.team == team) & wf.occupied)
    members = members[(members != row) & (members != partner)]
    members = members[rng.permutation(len(members))]
    if partner >= 0:
        members = np.concatenate([[partner], members])
    members = members[:p.host_ties]
    return np.vstack([np.full(len(members), row), members, np.full(len(members), TIE_HOST)])


def rotate_jobs(s, p, rng) -> None:
    """Job rotation, job swapping and job sharing (McCall1988: challenging assignments are a
    main source of development).

    Rotations that end this week return people to their home role. Each week an eligible
    non-manager (not rotating already) starts with probability 1 − (1 − share_per_year)^(1/52)
    — a share_per_year chance over a year of eligibility, scaled by the budget
    (``budget.scale``) — for ``duration_weeks``:

    * the host role is drawn in proportion to :func:`host_scores` (toward the skills the
      organisation is short of, ``targeting: shortage``, or at random);
    * ``rotation`` — the person works the host role full time in a team where it is worked
      (in another department when there is one);
    * ``swap`` — starters pair up (each with the starter of another role whose exchange
      builds most for both) and work each other's role in each other's team;
    * ``share`` — job sharing: pairs formed the same way split both their roles, each
      working ``share_fraction`` of the week in the partner's role, and hand over to each
      other every week (:func:`hand_over`; assumption: a stylised job share across two roles).

    A starter gets ties to ``host_ties`` members of the host team (kind host, strength
    ``rules.social.strength_host``); when neither end of such a tie is rotating any more it
    becomes a kept tie (``strength_alumni``) that dissolves with half-life
    ``tie_half_life_weeks``. Learning happens in the week's phases: by doing the worked
    role (phase 6), from host colleagues (phase 7). The skills gap stays measured against
    the home role; the productivity cost of the ramp in the host role is in the output fit
    (:class:`~sim.records.Derived`: fit to the role worked, for the share of time worked).
    """
    wf, st = s.workforce, s.structure
    n = wf.n
    r_start, r_role, r_team, r_order = rng.random(n), rng.random(n), rng.random(n), rng.random(n)
    ending = wf.rotation_end == s.week
    wf.work_role[ending] = wf.role[ending]
    wf.rotation_end[ending] = -1
    wf.work_share[ending] = 0.0
    wf.rotation_partner[ending] = -1
    hand_over(s, p)
    eligible = wf.occupied & ~wf.is_manager & (wf.rotation_end < 0)
    intake = weekly_probability(p.share_per_year) * s.budget.scale.get("job_rotation", 1.0)
    rows = np.flatnonzero(eligible & (r_start < intake))
    new_ties = []
    if len(rows) and len(st.role_names) >= 2:
        score = host_scores(s, p, rows)
        started = []
        if p.mode == "rotation":
            for j, row in enumerate(rows):
                role = _pick(score[j], r_role[row])
                team = _host_team(s, role, int(wf.dept[row]), r_team[row]) if role >= 0 else -1
                if team < 0:
                    continue
                wf.work_role[row], wf.work_share[row] = role, 1.0
                new_ties.append(_host_ties(s, p, int(row), team, -1, rng))
                started.append(row)
        else:
            share = 1.0 if p.mode == "swap" else p.share_fraction
            col = {int(r): j for j, r in enumerate(rows)}
            free = set(col)
            for a in rows[np.argsort(r_order[rows], kind="stable")]:
                a = int(a)
                if a not in free:
                    continue
                cands = np.array(sorted(c for c in free if c != a and wf.role[c] != wf.role[a]), dtype=np.int64)
                if len(cands) == 0:
                    continue
                value = np.array([score[col[a], wf.role[c]] + score[col[int(c)], wf.role[a]] for c in cands])
                b = int(cands[_pick(value, r_role[a])]) if value.sum() > 0 else int(cands[0])
                free -= {a, b}
                for x, y in ((a, b), (b, a)):
                    wf.work_role[x], wf.work_share[x], wf.rotation_partner[x] = wf.role[y], share, y
                    new_ties.append(_host_ties(s, p, x, int(wf.team[y]), y, rng))
                started += [a, b]
        rows = np.array(started, dtype=np.int64)
        wf.rotation_end[rows] = s.week + p.duration_weeks
        s.records.add_counts("rotations", record_cells(wf, rows))
    _update_ties(s, p, rng, new_ties)


def _update_ties(s, p, rng, new_ties: list) -> None:
    """Add this week's host ties; host ties neither end of which still rotates become kept
    (alumni) ties; each kept tie dissolves with probability 1 − 2^(−1/tie_half_life_weeks)."""
    wf = s.workforce
    e = s.edges.copy()
    rotating = wf.rotation_end >= 0
    host = e[2] == TIE_HOST
    done = host & ~rotating[e[0]] & ~rotating[e[1]]
    e[2, done] = TIE_ALUMNI
    alumni = np.flatnonzero(e[2] == TIE_ALUMNI)
    gone = alumni[rng.random(len(alumni)) < 1.0 - 0.5 ** (1.0 / p.tie_half_life_weeks)]
    if not (done.any() or len(gone) or new_ties):
        return
    keep = np.ones(e.shape[1], dtype=bool)
    keep[gone] = False
    touched = [e[:2, gone].ravel()] + [t[:2].ravel() for t in new_ties]  # a kept tie links the same pair
    s.edges = dedupe_edges(np.hstack([e[:, keep], *new_ties]))
    s.ties = network_ties(wf, s.edges, p)
    s.rewired = np.concatenate([s.rewired, np.unique(np.concatenate(touched)).astype(np.int64)])


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
    params=("policies.job_rotation.*", "rules.social.*", "rules.location.cross_use_loss"),
    reads=("week", "workforce.rotation_end", "workforce.role", "workforce.work_role", "workforce.work_share",
           "workforce.rotation_partner", "workforce.occupied", "workforce.is_manager", "workforce.dept",
           "workforce.team", "workforce.prof", "workforce.away", "workforce.location", "structure", "edges", "ties",
           "rewired", "budget"),
    writes=("workforce.work_role", "workforce.rotation_end", "workforce.work_share", "workforce.rotation_partner",
            "workforce.prof", "edges", "ties", "rewired", "records"),
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
