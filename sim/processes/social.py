"""Phase 7 — social learning over the org network: peers, manager coaching, mentors."""

from __future__ import annotations

import numpy as np

from ..records import gap_closed
from .. import kernels
from .phase import Phase


def relevant_skills(s, rows: np.ndarray) -> np.ndarray:
    """Skills a person seeks from others: those the home or the worked role requires."""
    st, wf = s.structure, s.workforce
    relevant = s.position_req.required[rows]
    rotating = wf.work_role[rows] != wf.role[rows]
    if rotating.any():
        relevant[rotating] |= st.req[wf.work_role[rows[rotating]]] > 0
    return relevant


def learn_from_others(s, p, rng) -> None:
    """Three channels, all durable (learned in the flow of work):

    * peers — each week each employee talks to one random network contact with probability
      interaction_rate × (safety_offset + team psychological safety) × the tie's reach: safety
      works on learning *behaviour* — asking, seeking help, discussing errors (Edmondson1999) —
      so it scales how often people seek knowledge, once; reach is 1 − ``rules.location.
      cross_use_loss`` × the time the two are apart on an informal cross-team tie, 1 on the
      others (:class:`~sim.state.Ties`; Yang et al. 2022: remote work moved collaboration
      time away from cross-group ties). What a conversation passes on is the
      learner closing social_rate × tie strength × (sharing_offset + contact's sharing
      propensity) of the difference to a more proficient contact on each relevant skill
      (offsets 0.5, ``rules.social``; assumption). (Until model version 2026.11.29-2 safety
      scaled what was passed on as well, so it multiplied peer learning twice.)
    * manager coaching — a manager's coaching hours are shared by their direct reports; each
      hour closes coaching_rate × coaching_support_factor (2) × manager support of the gap to
      the role requirement (assumption), × (1 − ``rules.location.coaching_loss`` × the time
      manager and report are apart) (Emanuel, Harrington & Pallais 2023: less feedback
      without proximity, above all for new hires);
    * mentors — each mentoring hour closes ``policies.mentoring.learning_rate`` of the
      difference to the mentor on relevant skills, and a mentee's engagement rises by
      ``engagement_boost`` a week (which, against the weekly pull of engagement to its target,
      lifts it by about boost / ``rules.culture.engagement_rate``). Both are sized so that a
      mentee's effect after a year is small on skills and larger on engagement (Allen2004,
      Eby2013; measured by ``python -m sim.validation.effects``).
    What mentors and trained managers' coaching closed is noted in the programme ledger
    (:class:`~sim.records.ProgrammeLedger`, :func:`attribute_coaching`).
    Writes ``peer_event`` (a conversation that taught more than ``taught_threshold`` levels)
    and ``peer_cross`` (across departments); adds to ``time_cost`` the coach's share of
    coaching hours (booked against the coached) and mentoring hours of both mentor and mentee.
    """
    wf, net = s.workforce, s.ties
    n = wf.n
    r_pick, r_talk = rng.random(n), rng.random(n)
    # who talks to whom (one pass: the contact at floor(r_pick × degree) of each person's ties)
    rows, c, scale = kernels.conversations(r_pick, r_talk, wf.occupied, wf.team, s.team_climate, net.indptr,
                                           net.indices, net.strength, net.reach, wf.sharing, p.interaction_rate,
                                           p.safety_offset, p.social_rate, p.sharing_offset)
    wf.peer_event[:] = False
    wf.peer_cross[:] = False
    if len(rows):
        kernels.converse(wf.prof, rows, c, scale, wf.role, wf.work_role, s.structure.req, wf.dept, p.taught_threshold,
                         wf.peer_event, wf.peer_cross)
    # manager coaching: each person's share of their manager's hours, and what it closes
    coach = np.empty(n)
    kernels.coaching(wf.occupied, wf.manager, wf.coaching_hours, wf.support, wf.away, wf.time_cost, p.coaching_rate,
                     p.coaching_support_factor, p.coaching_loss, p.employee_hour_cost, coach)
    hour_cost = p.employee_hour_cost
    if p.manager_development and s.ledger is not None:
        m = np.maximum(wf.manager, 0)
        trained = wf.occupied & (wf.manager >= 0) & wf.occupied[m] & wf.trained_manager[m] & (coach > 0)
        attribute_coaching(s, p, np.flatnonzero(trained), coach)
    kernels.coach_gaps(wf.prof, wf.role, s.structure.req, coach)
    # mentoring
    if p.mentoring:
        mentees = np.flatnonzero((wf.mentor >= 0) & wf.occupied)
        if len(mentees):
            mentors = wf.mentor[mentees]
            live = wf.occupied[mentors]
            mentees, mentors = mentees[live], mentors[live]
            hours = p.mentoring_hours
            rate = min(1.0, p.mentoring_rate * hours)
            wf.time_cost[mentees] += hours * hour_cost
            np.add.at(wf.time_cost, mentors, hours * hour_cost)
            gain = rate * np.maximum(wf.prof[mentors] - wf.prof[mentees], 0.0) * relevant_skills(s, mentees)
            if s.ledger is not None:
                s.ledger.add("mentoring", mentees, gap_closed(s, mentees, gain))
            wf.prof[mentees] += gain
            wf.engagement[mentees] = np.minimum(1.0, wf.engagement[mentees] + p.mentee_engagement_boost)
    np.minimum(wf.prof, 5.0, out=wf.prof)


def attribute_coaching(s, p, rows: np.ndarray, coach: np.ndarray) -> None:
    """Note in the programme ledger the part of the coaching gains of ``rows`` (people whose
    line manager was trained) that manager development added: coaching closes gaps in
    proportion to the coach's hours × support, so the programme's share is 1 − (hours −
    ``coaching_hours_gain``)(support − ``support_gain``) / (hours × support) (an evaluation's
    attribution; assumption: it ignores the cap of support at 1 and the programme's effect on
    transfer)."""
    if len(rows) == 0:
        return
    wf = s.workforce
    m = wf.manager[rows]
    hours, support = wf.coaching_hours[m], wf.support[m]
    before = np.maximum(hours - p.coaching_hours_gain, 0.0) * np.maximum(support - p.support_gain, 0.0)
    added = 1.0 - before / np.maximum(hours * support, 1e-12)
    coached = coach[rows, None] * np.maximum(s.structure.req[wf.role[rows]] - wf.prof[rows], 0.0)
    s.ledger.add("manager_development", rows, added * gap_closed(s, rows, coached))


SOCIAL = Phase(
    "social", learn_from_others,
    params=("learning.interaction_rate", "learning.social_rate", "learning.coaching_rate",
            "governance.employee_hour_cost", "mentoring=policies.mentoring.enabled",
            "mentoring_hours=policies.mentoring.hours_per_week", "mentoring_rate=policies.mentoring.learning_rate",
            "mentee_engagement_boost=policies.mentoring.engagement_boost",
            "manager_development=policies.manager_development.enabled",
            "policies.manager_development.support_gain", "policies.manager_development.coaching_hours_gain",
            "rules.social.safety_offset", "rules.social.sharing_offset", "rules.social.coaching_support_factor",
            "rules.social.taught_threshold", "rules.location.coaching_loss"),
    reads=("ties", "team_climate", "structure", "workforce.team", "workforce.occupied", "workforce.sharing",
           "workforce.prof", "workforce.role", "workforce.work_role", "workforce.dept", "workforce.manager",
           "workforce.coaching_hours", "workforce.support", "workforce.mentor", "workforce.time_cost",
           "workforce.engagement", "workforce.trained_manager", "workforce.away"),
    writes=("workforce.prof", "workforce.peer_event", "workforce.peer_cross", "workforce.time_cost",
            "workforce.engagement", "ledger"),
    stream="social")
