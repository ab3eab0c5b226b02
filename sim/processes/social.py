"""Phase 7 — social learning over the org network: peers, manager coaching, mentors."""

from __future__ import annotations

import numpy as np


def relevant_skills(model, rows: np.ndarray) -> np.ndarray:
    """Skills a person seeks from others: those the home or the worked role requires."""
    st, wf = model.structure, model.workforce
    relevant = model.position_req.required[rows]
    rotating = wf.work_role[rows] != wf.role[rows]
    if rotating.any():
        relevant[rotating] |= st.req[wf.work_role[rows[rotating]]] > 0
    return relevant


def learn_from_others(model) -> None:
    """Three channels, all durable (learned in the flow of work):

    * peers — each week each employee talks to one random network contact with probability
      interaction_rate × (0.5 + team psychological safety) (Edmondson1999: safety → learning
      behaviour); the learner closes social_rate × tie strength × (0.5 + contact's sharing
      propensity) × (0.5 + safety) of the difference to a more proficient contact on each
      relevant skill (assumption);
    * manager coaching — a manager's coaching hours are shared by their direct reports; each hour closes
      coaching_rate × 2 × manager support of the gap to the role requirement (assumption);
    * mentors — each mentoring hour closes coaching_rate of the difference to the mentor on
      relevant skills; mentees gain ``engagement_boost`` a week (Eby2013, Allen2004: small
      objective, larger subjective effects).
    Writes ``peer_event`` (a conversation that taught something) and ``peer_cross`` (across
    departments); adds to ``time_cost`` the coach's share of coaching hours (booked against
    the coached) and mentoring hours of both mentor and mentee.
    """
    sc = model.spec
    wf, net = model.workforce, model.ties
    rng = model.streams["social"]
    n = wf.n
    r_pick, r_talk = rng.random(n), rng.random(n)
    safety = model.team_climate[wf.team]
    deg = net.degree
    has = wf.occupied & (deg > 0)
    slot = net.indptr[:-1] + np.floor(r_pick * deg).astype(np.int64)
    slot = np.where(has, slot, 0)
    contact = net.indices[slot] if len(net.indices) else np.zeros(n, np.int64)
    strength = net.strength[slot] if len(net.indices) else np.zeros(n)
    p_talk = np.clip(sc.learning.interaction_rate * (0.5 + safety), 0.0, 1.0)
    talk = has & wf.occupied[contact] & (r_talk < p_talk)
    rows = np.flatnonzero(talk)
    wf.peer_event[:] = False
    wf.peer_cross[:] = False
    if len(rows):
        c = contact[rows]
        scale = sc.learning.social_rate * strength[rows] * (0.5 + wf.sharing[c]) * (0.5 + safety[rows])
        gain = scale[:, None] * np.maximum(wf.prof[c] - wf.prof[rows], 0.0) * relevant_skills(model, rows)
        wf.prof[rows] += gain
        taught = gain.sum(axis=1) > 1e-3
        wf.peer_event[rows[taught]] = True
        wf.peer_cross[rows[taught]] = wf.dept[c[taught]] != wf.dept[rows[taught]]
    # manager coaching
    mgr = wf.manager
    has_mgr = wf.occupied & (mgr >= 0)
    m = np.maximum(mgr, 0)
    reports = np.bincount(mgr[has_mgr], minlength=wf.n)  # occupied direct reports of each manager
    per_head = np.where(has_mgr & wf.occupied[m], wf.coaching_hours[m] / np.maximum(reports[m], 1), 0.0)
    coach = np.clip(sc.learning.coaching_rate * per_head * 2.0 * wf.support[m], 0.0, 1.0)
    hour_cost = sc.governance.employee_hour_cost
    wf.time_cost += per_head * hour_cost  # the coach's time, booked against the coached
    wf.prof += coach[:, None] * np.maximum(model.position_req.req - wf.prof, 0.0)
    # mentoring
    mentoring = model.policy("mentoring")
    if mentoring is not None:
        mentees = np.flatnonzero((wf.mentor >= 0) & wf.occupied)
        if len(mentees):
            mentors = wf.mentor[mentees]
            live = wf.occupied[mentors]
            mentees, mentors = mentees[live], mentors[live]
            hours = mentoring.config.hours_per_week
            rate = min(1.0, sc.learning.coaching_rate * hours)
            wf.time_cost[mentees] += hours * hour_cost
            np.add.at(wf.time_cost, mentors, hours * hour_cost)
            wf.prof[mentees] += rate * np.maximum(wf.prof[mentors] - wf.prof[mentees], 0.0) * relevant_skills(model, mentees)
            wf.engagement[mentees] = np.minimum(1.0, wf.engagement[mentees] + mentoring.config.engagement_boost)
    np.minimum(wf.prof, 5.0, out=wf.prof)
