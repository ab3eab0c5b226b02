"""Phase 1 — the environment: scheduled events, turbulence in skill demand, content ageing."""

from __future__ import annotations

import numpy as np

from ..state import TIE_REPORTING, TIE_TEAM, Ties, dedupe_edges, tie_strengths
from .phase import Phase

LN2 = np.log(2.0)


def _roles_mask(st, roles: list[str]) -> np.ndarray:
    names = st.role_names
    if not roles:
        return np.ones(len(names), dtype=bool)
    return np.isin(np.array(names), roles)


def content_goes_stale(cat, skill: int, shift: float, per_level: float) -> None:
    """Content on a skill whose requirement moves by ``shift`` levels keeps exp(−k × |shift|)
    of its freshness, k = ``rules.environment.staleness_per_level`` (assumption: a one-level
    change makes most material outdated)."""
    rows = cat.rows()
    hit = rows[cat.skill[rows] == skill]
    cat.freshness[hit] *= np.exp(-(per_level * abs(shift)))


def reorganise(s, p, share: float, rng: np.random.Generator) -> None:
    """Move ``share`` of non-managers to another team of their department: a new manager and
    up to ``rules.social.reorganisation_mates`` new team ties; ties to the old team and line
    are cut, cross-team and platform ties survive (assumption). The moved rows are left in
    ``state.rewired`` so the Mesa network can follow."""
    wf, st = s.workforce, s.structure
    cand = np.flatnonzero(~wf.is_manager & wf.occupied)
    movers = cand[rng.random(len(cand)) < share]
    if len(movers) == 0:
        return
    teams_of_dept = {d: np.flatnonzero((st.team_dept == d) & (np.arange(len(st.team_dept)) > 0))
                     for d in range(len(st.dept_names))}
    moved = []
    for row in movers:
        options = teams_of_dept[int(wf.dept[row])]
        options = options[options != wf.team[row]]
        if len(options) == 0:
            continue
        new_team = int(options[rng.integers(len(options))])
        wf.team[row] = new_team
        wf.manager[row] = st.team_manager[new_team]
        moved.append(row)
    if not moved:
        return
    moved_arr = np.array(moved)
    e = s.edges
    touched = np.isin(e[0], moved_arr) | np.isin(e[1], moved_arr)
    keep = ~touched | (e[2] > TIE_REPORTING)
    new_edges = [e[:, keep]]
    for row in moved_arr:
        mates = np.flatnonzero((wf.team == wf.team[row]) & (np.arange(wf.n) != row))
        mates = mates[rng.permutation(len(mates))[:p.reorganisation_mates]]
        new_edges.append(np.vstack([np.full(len(mates), row), mates, np.full(len(mates), TIE_TEAM)]))
        new_edges.append(np.array([[row], [wf.manager[row]], [TIE_REPORTING]]))
    s.edges = dedupe_edges(np.hstack(new_edges))
    s.ties = Ties.from_edges(wf.n, s.edges, tie_strengths(p))
    s.rewired = np.concatenate([s.rewired, moved_arr])


def apply_scheduled_events(s, p, rng) -> None:
    """Events of this week, in file order.

    * ``new_skill`` — the listed roles (all if none) require the skill at ``level`` with
      ``criticality`` from this week (never lowering an existing requirement);
    * ``requirement_change`` — required level moves by ``delta`` (clipped to 0–5) where the
      skill is required;
    * ``budget_cut`` — the L&D budget shrinks by ``fraction`` (governance enforces it);
    * ``hiring_freeze`` — no vacancy is filled for ``weeks`` weeks;
    * ``reorganisation`` — a ``share`` of non-managers move to another team of their
      department (:func:`reorganise`; stream ``reorganisation``).
    Content on a skill whose requirement moved goes stale (:func:`content_goes_stale`).
    """
    st = s.structure
    kidx = {name: i for i, name in enumerate(st.skill_names)}
    for ev in p.events:
        if ev.week != s.week:
            continue
        if ev.type == "new_skill":
            k = kidx[ev.skill]
            roles = _roles_mask(st, ev.roles)
            before = st.req[roles, k].copy()
            st.req[roles, k] = np.maximum(st.req[roles, k], ev.level)
            st.crit[roles, k] = np.maximum(st.crit[roles, k], ev.criticality)
            content_goes_stale(s.catalogue, k, float(np.max(st.req[roles, k] - before, initial=0.0)), p.staleness_per_level)
            st.requirements_changed()
        elif ev.type == "requirement_change":
            k = kidx[ev.skill]
            roles = _roles_mask(st, ev.roles) & (st.req[:, k] > 0)
            st.req[roles, k] = np.clip(st.req[roles, k] + ev.delta, 0.0, 5.0)
            st.requirements_changed()
            content_goes_stale(s.catalogue, k, ev.delta, p.staleness_per_level)
        elif ev.type == "budget_cut":
            s.budget_factor *= 1.0 - ev.fraction
        elif ev.type == "hiring_freeze":
            s.hiring_frozen_until = max(s.hiring_frozen_until, s.week + ev.weeks)
        elif ev.type == "reorganisation":
            reorganise(s, p, ev.share, rng)


def turbulence(s, p, rng) -> None:
    """Random shifts in skill demand: each skill shifts with probability
    ``turbulence_per_year / 52`` a week; a shift moves the requirement of each role that
    needs the skill (each with probability ``rules.environment.turbulence_role_share``) by
    ``turbulence_size`` levels, up with probability ``turbulence_up_probability`` (2/3:
    demand for skill mostly rises; assumption), never below ``requirement_floor``, and makes
    the skill's content stale.
    """
    st = s.structure
    k = len(st.skill_names)
    shifts = rng.random(k) < p.turbulence_per_year / 52.0
    role_pick = rng.random((len(st.role_names), k)) < p.turbulence_role_share
    sign = np.where(rng.random(k) < p.turbulence_up_probability, 1.0, -1.0)
    for skill in np.flatnonzero(shifts):
        roles = role_pick[:, skill] & (st.req[:, skill] > 0)
        delta = sign[skill] * p.turbulence_size
        st.req[roles, skill] = np.clip(st.req[roles, skill] + delta, p.requirement_floor, 5.0)
        st.requirements_changed()
        content_goes_stale(s.catalogue, int(skill), delta, p.staleness_per_level)


def age_content(s, p, rng) -> None:
    """Content freshness halves every ``content.stale_half_life_weeks`` weeks of age (assumption)."""
    cat = s.catalogue
    cat.freshness[: cat.size] *= np.exp(-LN2 / p.stale_half_life_weeks)


EVENTS = Phase(
    "events", apply_scheduled_events,
    params=("events", "rules.environment.staleness_per_level", "rules.social.*"),
    reads=("week", "structure", "catalogue", "workforce.is_manager", "workforce.occupied", "workforce.dept",
           "workforce.team", "edges", "budget_factor", "hiring_frozen_until", "rewired"),
    writes=("structure", "catalogue.freshness", "budget_factor", "hiring_frozen_until", "workforce.team",
            "workforce.manager", "edges", "ties", "rewired"),
    stream="reorganisation")
TURBULENCE = Phase(
    "turbulence", turbulence,
    params=("environment.*", "rules.environment.*"),
    reads=("structure", "catalogue"),
    writes=("structure", "catalogue.freshness"),
    stream="environment")
AGE_CONTENT = Phase(
    "age_content", age_content,
    params=("content.stale_half_life_weeks",),
    reads=("catalogue",),
    writes=("catalogue.freshness",))
