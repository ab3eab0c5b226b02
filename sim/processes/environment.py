"""Phase 1 — the environment: scheduled events, turbulence in skill demand, content ageing."""

from __future__ import annotations

import numpy as np

LN2 = np.log(2.0)


def _roles_mask(model, roles: list[str]) -> np.ndarray:
    names = model.structure.role_names
    if not roles:
        return np.ones(len(names), dtype=bool)
    return np.isin(np.array(names), roles)


def _content_goes_stale(model, skill: int, shift: float) -> None:
    """Content on a skill whose requirement moves by ``shift`` levels loses freshness by a
    factor exp(−|shift|) (assumption: a one-level change makes most material outdated)."""
    cat = model.catalogue
    rows = cat.rows()
    hit = rows[cat.skill[rows] == skill]
    cat.freshness[hit] *= np.exp(-abs(shift))


def apply_scheduled_events(model) -> None:
    """Events of this week, in file order.

    * ``new_skill`` — the listed roles (all if none) require the skill at ``level`` with
      ``criticality`` from this week (never lowering an existing requirement);
    * ``requirement_change`` — required level moves by ``delta`` (clipped to 0–5) where the
      skill is required;
    * ``budget_cut`` — the L&D budget shrinks by ``fraction`` (governance enforces it);
    * ``hiring_freeze`` — no vacancy is filled for ``weeks`` weeks;
    * ``reorganisation`` — a ``share`` of non-managers move to another team of their
      department (new manager, new team ties).
    Content on a skill whose requirement moved goes stale (see :func:`_content_goes_stale`).
    """
    st = model.structure
    kidx = {s: i for i, s in enumerate(st.skill_names)}
    for ev in model.events_by_week.get(model.week, ()):
        if ev.type == "new_skill":
            k = kidx[ev.skill]
            roles = _roles_mask(model, ev.roles)
            before = st.req[roles, k].copy()
            st.req[roles, k] = np.maximum(st.req[roles, k], ev.level)
            st.crit[roles, k] = np.maximum(st.crit[roles, k], ev.criticality)
            _content_goes_stale(model, k, float(np.max(st.req[roles, k] - before, initial=0.0)))
            st.requirements_changed()
        elif ev.type == "requirement_change":
            k = kidx[ev.skill]
            roles = _roles_mask(model, ev.roles) & (st.req[:, k] > 0)
            st.req[roles, k] = np.clip(st.req[roles, k] + ev.delta, 0.0, 5.0)
            st.requirements_changed()
            _content_goes_stale(model, k, ev.delta)
        elif ev.type == "budget_cut":
            model.budget_factor *= 1.0 - ev.fraction
        elif ev.type == "hiring_freeze":
            model.hiring_frozen_until = max(model.hiring_frozen_until, model.week + ev.weeks)
        elif ev.type == "reorganisation":
            model.reorganise(ev.share)


def turbulence(model) -> None:
    """Random shifts in skill demand: each skill shifts with probability
    ``turbulence_per_year / 52`` a week; a shift moves the requirement of each role that
    needs the skill (each with probability ½) by ``turbulence_size`` levels, up with odds 2:1
    (assumption: demand for skill mostly rises), and makes the skill's content stale.
    """
    env = model.spec.environment
    st = model.structure
    rng = model.streams["environment"]
    k = len(st.skill_names)
    shifts = rng.random(k) < env.turbulence_per_year / 52.0
    role_pick = rng.random((len(st.role_names), k)) < 0.5
    sign = np.where(rng.random(k) < 2.0 / 3.0, 1.0, -1.0)
    for skill in np.flatnonzero(shifts):
        roles = role_pick[:, skill] & (st.req[:, skill] > 0)
        delta = sign[skill] * env.turbulence_size
        st.req[roles, skill] = np.clip(st.req[roles, skill] + delta, 0.5, 5.0)
        st.requirements_changed()
        _content_goes_stale(model, int(skill), delta)


def age_content(model) -> None:
    """Content freshness halves every ``content.stale_half_life_weeks`` weeks of age (assumption)."""
    cat = model.catalogue
    cat.freshness[: cat.size] *= np.exp(-LN2 / model.spec.content.stale_half_life_weeks)
