"""Phase 1 — the environment: scheduled events, turbulence in skill demand, content ageing."""

from __future__ import annotations

import numpy as np

from ..state import TIE_REPORTING, TIE_TEAM, dedupe_edges, network_ties
from .phase import Phase

LN2 = np.log(2.0)


def _roles_mask(st, roles: list[str]) -> np.ndarray:
    names = st.role_names
    if not roles:
        return np.ones(len(names), dtype=bool)
    return np.isin(np.array(names), roles)


def content_goes_stale(cat, skill: int, shift: float, per_level: float, made_before: int | None = None) -> None:
    """Content on a skill whose requirement moves by ``shift`` levels keeps exp(−k × |shift|)
    of its freshness, k = ``rules.environment.staleness_per_level`` (assumption: a one-level
    change makes most material outdated). Content made from ``made_before`` on (after the
    change was announced) was made for the new requirement and keeps its freshness."""
    rows = cat.rows()
    hit = rows[cat.skill[rows] == skill]
    if made_before is not None:
        hit = hit[cat.created[hit] < made_before]
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
    s.ties = network_ties(wf, s.edges, p)
    s.rewired = np.concatenate([s.rewired, moved_arr])


def apply_scheduled_events(s, p, rng) -> None:
    """Events of this week, in file order.

    * ``new_skill`` — the listed roles (all if none) require the skill at ``level`` with
      ``criticality`` from this week (never lowering an existing requirement). With
      ``ramp_weeks`` the work's use of the skill (``structure.use``) rises linearly over that
      many weeks (1/ramp in the event week … 1), so learning by doing follows the work's
      demand rather than the requirement. A skill no role required before is new to the
      labour market too: its supply falls to ``labour_market.new_skill_supply`` (phase
      :data:`LABOUR_MARKET` lets it catch up);
    * ``requirement_change`` — required level moves by ``delta`` (clipped to 0–5) where the
      skill is required;
    * ``budget_cut`` — the L&D budget shrinks by ``fraction`` (governance enforces it);
    * ``hiring_freeze`` — no vacancy is filled for ``weeks`` weeks;
    * ``reorganisation`` — a ``share`` of non-managers move to another team of their
      department (:func:`reorganise`; stream ``reorganisation``).
    Content on a skill whose requirement moved goes stale (:func:`content_goes_stale`),
    except content made after the change was announced. When the organisation analyses
    future skills (``governance.future_skills``), requirement events are known
    ``announce_weeks`` ahead: from then on they are in ``structure.announced`` and the
    skills-gap analysis plans for them (:meth:`~sim.organisation.Structure.planning`).
    """
    st = s.structure
    kidx = {name: i for i, name in enumerate(st.skill_names)}
    announced, keys = [], []
    for i, ev in enumerate(p.events):
        if ev.type in ("new_skill", "requirement_change"):
            if p.future_skills and ev.announce_weeks and ev.week - ev.announce_weeks <= s.week < ev.week:
                keys.append(i)
                if ev.type == "new_skill":
                    announced.append((_roles_mask(st, ev.roles), kidx[ev.skill], ev.level, ev.criticality, None))
                else:
                    announced.append((_roles_mask(st, ev.roles), kidx[ev.skill], None, None, ev.delta))
            if ev.type == "new_skill" and ev.ramp_weeks and ev.week < s.week < ev.week + ev.ramp_weeks:
                k = kidx[ev.skill]
                roles = _roles_mask(st, ev.roles)
                st.use[roles, k] = np.maximum(st.use[roles, k], min(1.0, (s.week - ev.week + 1) / ev.ramp_weeks))
                st.requirements_changed()
        if ev.week != s.week:
            continue
        made_before = ev.week - getattr(ev, "announce_weeks", 0)
        if ev.type == "new_skill":
            k = kidx[ev.skill]
            roles = _roles_mask(st, ev.roles)
            before = st.req[roles, k].copy()
            if not (st.req[:, k] > 0).any():  # new to every role: new to the market too
                s.market_supply[k] = min(s.market_supply[k], p.new_skill_supply)
            st.req[roles, k] = np.maximum(st.req[roles, k], ev.level)
            st.crit[roles, k] = np.maximum(st.crit[roles, k], ev.criticality)
            if ev.ramp_weeks:
                raised = np.flatnonzero(roles)[st.req[roles, k] > before]
                st.use[raised, k] = min(1.0, 1.0 / ev.ramp_weeks)
            content_goes_stale(s.catalogue, k, float(np.max(st.req[roles, k] - before, initial=0.0)),
                               p.staleness_per_level, made_before)
            st.requirements_changed()
        elif ev.type == "requirement_change":
            k = kidx[ev.skill]
            roles = _roles_mask(st, ev.roles) & (st.req[:, k] > 0)
            st.req[roles, k] = np.clip(st.req[roles, k] + ev.delta, 0.0, 5.0)
            st.requirements_changed()
            content_goes_stale(s.catalogue, k, ev.delta, p.staleness_per_level, made_before)
        elif ev.type == "budget_cut":
            s.budget_factor *= 1.0 - ev.fraction
        elif ev.type == "hiring_freeze":
            s.hiring_frozen_until = max(s.hiring_frozen_until, s.week + ev.weeks)
        elif ev.type == "reorganisation":
            reorganise(s, p, ev.share, rng)
    if tuple(keys) != st.announced_key:
        st.announced, st.announced_key = tuple(announced), tuple(keys)
        st.requirements_changed()


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


def role_scarcity(st, supply: np.ndarray) -> np.ndarray:
    """Per role, the share of its requirements the labour market lacks: Σ criticality ×
    level × (1 − supply) / Σ criticality × level (0 when every skill is established)."""
    weight = st.crit * st.req
    total = weight.sum(axis=1)
    return np.where(total > 0, (weight * (1.0 - supply)[None, :]).sum(axis=1) / np.maximum(total, 1e-12), 0.0)


def market_catches_up(s, p, rng) -> None:
    """The labour market's supply of a new skill (``state.market_supply``, 1 for an
    established skill) approaches 1 with time constant ``labour_market.market_catch_up_weeks``:
    other employers and education train people in it (assumption)."""
    supply = s.market_supply
    if (supply < 1).any():
        supply += (1.0 - supply) * (1.0 - np.exp(-1.0 / p.market_catch_up_weeks))


def age_content(s, p, rng) -> None:
    """Content freshness halves every ``content.stale_half_life_weeks`` weeks of age (assumption)."""
    cat = s.catalogue
    cat.freshness[: cat.size] *= np.exp(-LN2 / p.stale_half_life_weeks)


EVENTS = Phase(
    "events", apply_scheduled_events,
    params=("events", "rules.environment.staleness_per_level", "rules.social.*", "rules.location.cross_use_loss", "governance.future_skills",
            "labour_market.new_skill_supply"),
    reads=("week", "structure", "catalogue", "workforce.is_manager", "workforce.occupied", "workforce.dept",
           "workforce.team", "workforce.away", "edges", "budget_factor", "hiring_frozen_until", "rewired", "market_supply"),
    writes=("structure", "catalogue.freshness", "budget_factor", "hiring_frozen_until", "workforce.team",
            "workforce.manager", "edges", "ties", "rewired", "market_supply"),
    stream="reorganisation")
TURBULENCE = Phase(
    "turbulence", turbulence,
    params=("environment.*", "rules.environment.*"),
    reads=("structure", "catalogue"),
    writes=("structure", "catalogue.freshness"),
    stream="environment")
LABOUR_MARKET = Phase(
    "labour_market", market_catches_up,
    params=("labour_market.market_catch_up_weeks",),
    reads=("market_supply",),
    writes=("market_supply",))
AGE_CONTENT = Phase(
    "age_content", age_content,
    params=("content.stale_half_life_weeks",),
    reads=("catalogue",),
    writes=("catalogue.freshness",))
