"""The person-level weekly rules written the straightforward Mesa way: the reference.

One :class:`Person` agent per position, each with its own Python state (proficiency as a list
of floats, its contacts as a list of agents) and its own rules as methods, activated agent by
agent with Mesa's ``AgentSet.do`` (:meth:`ReferenceModel.step` is the week). It is used twice:

* as an executable specification: ``tests/test_reference.py`` builds it from a model's state
  and checks, phase by phase, that the columnar engine (``sim.processes`` with the compiled
  kernels of ``sim.kernels``) gives the same numbers — bit for bit where the rule is
  deterministic or is handed the engine's random draws, and in distribution where the
  reference draws its own (Mesa's ``model.random``);
* as the baseline the engine's speed is measured against (``benchmarks/bench_model.py``).

It covers the rules that do per-person arithmetic every week on every skill:

* phase 5, transfer (:func:`sim.processes.transfer.apply_on_the_job`);
* phase 6, experiential learning (:func:`sim.processes.experiential.learn_by_doing`);
* phase 7, social learning: peer conversations and manager coaching
  (:func:`sim.processes.social.learn_from_others`; mentoring is left out);
* phase 9, forgetting (:func:`sim.processes.forgetting.forget_unused`);
* phase 12's measures (:meth:`sim.records.Derived.update`).

The other phases (content choice, culture, exits and hiring, governance, budget) act on
few people or on the organisation a week and are not restated here.

Every rule reads the state *before* the phase, as the engine does: an agent first looks
(``look``) and then changes (``advance``), like Mesa 2's simultaneous activation.
"""

from __future__ import annotations

import math

import mesa
import numpy as np


class Person(mesa.Agent):
    """A position and the person in it, with the rules of the phases above as methods."""

    def __init__(self, model: "ReferenceModel", row: int):
        super().__init__(model)
        self.row = row
        self.contacts: list[tuple[Person, float, float]] = []   # (contact, tie strength, reach), by row
        self.manager: Person | None = None
        self.mentor: Person | None = None
        self._next: list[float] | None = None
        self.peer_event = self.peer_cross = False

    # ------------------------------------------------------------------ phase 6
    def know_how(self) -> list[float]:
        """Per skill, the best know-how within reach: tie strength × a contact's proficiency
        (occupied positions), the mentor's proficiency, the best content's."""
        m = self.model
        best = [0.0] * m.k
        for other, strength, _ in self.contacts:
            w = strength * (1.0 if other.occupied else 0.0)
            for q in range(m.k):
                best[q] = max(best[q], other.prof[q] * w)
        if self.mentor is not None and self.occupied and self.mentor.occupied:
            for q in range(m.k):
                best[q] = max(best[q], self.mentor.prof[q])
        return [max(b, c) for b, c in zip(best, m.content)]

    def look_experiential(self) -> None:
        """Learning by doing: each skill the work demands moves toward the demand at the
        person's rate × the exposure factor (someone or something nearby who has it)."""
        m, p = self.model, self.model.pars["experiential"]
        know = self.know_how()
        mind = 1.0 + p.mindset_effect * (self.mindset - 0.5)
        rate = min(p.experiential_rate * self.aptitude * mind * (1.0 if self.occupied else 0.0), 1.0)
        rotating = self.work_role != self.role
        w = self.work_share if rotating else 0.0
        new, demand = [], []
        for q in range(m.k):
            home = m.req[self.role][q] * m.use[self.role][q] * self.exposure
            step = max(home - self.prof[q], 0.0) * _factor(know[q], home, p.solo_share)
            d = home
            if m.any_rotating:
                wstep = 0.0
                if rotating:
                    work = m.req[self.work_role][q] * m.use[self.work_role][q] * self.exposure
                    wstep = w * max(work - self.prof[q], 0.0) * _factor(know[q], work, p.solo_share)
                    d = work if w >= 1.0 else (max(home, work) if w > 0 else home)
                step = (1.0 - w) * step + wstep
            new.append(self.prof[q] + rate * step)
            demand.append(d)
        self._next, self.demand = new, demand

    # ------------------------------------------------------------------ phase 5
    def transfer(self, chances: list[float] | None = None) -> None:
        """Pending gains become durable when the week offers a chance to apply them: τ from
        the moderators (line support, team climate, motivation; open skills weigh support
        more), applied share τ of the pending gain, the rest decaying. ``chances``: the
        week's uniform draws per skill (the engine's, for the exact check), else drawn here."""
        m, p = self.model, self.model.pars["transfer"]
        support = self.manager.support if self.manager is not None else p.executive_support
        climate = m.team_climate[self.team]
        per_person = 1.0 + 2.0 * (p.weight_climate * (climate - 0.5) + p.weight_motivation * (self.motivation - 0.5))
        support_term = 2.0 * p.weight_support * (support - 0.5)
        lost_share = 1.0 - math.exp(-math.log(2.0) / p.unapplied_half_life_weeks)
        moved_total = lost_total = 0.0
        for q in range(m.k):
            u = chances[q] if chances is not None else m.random.random()
            by_skill = p.support_open if m.skill_open[q] else p.support_closed
            tau = (per_person + support_term * by_skill) * (p.transfer_rate / p.opportunity_probability)
            tau *= 1.0 if u < p.opportunity_probability else 0.0
            tau = min(max(tau, 0.0), 1.0)
            moved = min(self.pending[q] * tau, 5.0 - self.prof[q])
            self.prof[q] += moved
            self.pending[q] -= moved
            lost = self.pending[q] * lost_share
            self.pending[q] -= lost
            moved_total += moved
            lost_total += lost
        self.transferred, self.unapplied_lost = moved_total, lost_total

    # ------------------------------------------------------------------ phase 7
    def look_conversation(self, pick: float, talk: float) -> None:
        """One conversation with a random contact (``pick``: uniform, the contact's place in
        the list) with probability interaction_rate × (offset + team safety) × the tie's
        reach (``talk``: uniform); the learner closes social_rate × strength × (offset +
        the contact's sharing) of the difference on each skill the home or worked role
        requires."""
        m, p = self.model, self.model.pars["social"]
        self._next, self.peer_event, self.peer_cross = None, False, False
        if not (self.occupied and self.contacts):
            return
        other, strength, reach = self.contacts[int(math.floor(pick * len(self.contacts)))]
        p_talk = min(max(p.interaction_rate * (p.safety_offset + m.team_climate[self.team]), 0.0), 1.0) * reach
        if not (other.occupied and talk < p_talk):
            return
        scale = p.social_rate * strength * (p.sharing_offset + other.sharing)
        gain = [0.0] * m.k
        for q in range(m.k):
            if m.req[self.role][q] > 0 or (self.work_role != self.role and m.req[self.work_role][q] > 0):
                gain[q] = scale * max(other.prof[q] - self.prof[q], 0.0)
        self._next = [a + g for a, g in zip(self.prof, gain)]
        self.peer_event = sum(gain) > p.taught_threshold
        self.peer_cross = self.peer_event and other.dept != self.dept

    def coached(self) -> None:
        """Manager coaching: the line manager's coaching hours shared by their occupied
        reports, each hour closing coaching_rate × factor × support of the gap to the home
        role's requirements, less when manager and report are apart; then level 5 caps."""
        m, p = self.model, self.model.pars["social"]
        boss = self.manager
        if self.occupied and boss is not None and boss.occupied:
            per_head = boss.coaching_hours / max(boss.reports(), 1)
            apart = max(self.away, boss.away)
            c = min(max(p.coaching_rate * per_head * p.coaching_support_factor * boss.support
                        * (1.0 - p.coaching_loss * apart), 0.0), 1.0)
            self.time_cost += per_head * p.employee_hour_cost
            for q in range(m.k):
                self.prof[q] += c * max(m.req[self.role][q] - self.prof[q], 0.0)

    def reports(self) -> int:
        return sum(1 for r in self.model.reports_of[self.row] if r.occupied)

    # ------------------------------------------------------------------ phase 9
    def forget(self) -> None:
        """Proficiency above what the work exercised this week decays with the half-life."""
        keep = self.model.retention
        for q in range(self.model.k):
            floor = min(self.demand[q], self.prof[q])
            self.prof[q] = floor + (self.prof[q] - floor) * keep

    # ------------------------------------------------------------------ phase 12
    def measure(self) -> dict:
        """Skills gap (criticality-weighted shortfall / the role's weighted requirement),
        fully proficient, critical requirements met, mean proficiency on the role's skills,
        output fit in the home role, bench (meets another role's critical requirement)."""
        m, p = self.model, self.model.pars["data"]
        req, crit = m.req[self.role], m.crit[self.role]
        total = sum(c * r for c, r in zip(crit, req))
        used = [r > 0 for r in req]
        gap = rp = 0.0
        unmet = unmet_critical = 0
        covers = False
        for q in range(m.k):
            short = max(req[q] - self.prof[q], 0.0)
            gap += short * (crit[q] / total if total > 0 else 0.0)
            rp += self.prof[q] * (used[q] / max(sum(used), 1) if sum(used) > 0 else 0.0)
            if short > p.proficient_tolerance:
                unmet += 1
                if crit[q] >= p.critical_criticality and used[q]:
                    unmet_critical += 1
            if self.prof[q] + p.proficient_tolerance >= m.lowest_critical[q] and not (req[q] + 1e-9 >= m.lowest_critical[q]):
                covers = True
        n_critical = sum(1 for c, u in zip(crit, used) if c >= p.critical_criticality and u)
        return {"gap": gap, "fit": 1.0 - gap, "proficient": self.occupied and unmet == 0,
                "critical": float(n_critical), "critical_met": float(n_critical - unmet_critical),
                "role_proficiency": rp, "bench": self.occupied and covers}

    # ------------------------------------------------------------------ the reference week
    def advance(self) -> None:
        if self._next is not None:
            self.prof, self._next = self._next, None


def _factor(know: float, demand: float, solo: float) -> float:
    reach = min(max(know / demand, 0.0), 1.0) if demand > 0 else 1.0
    return solo + (1.0 - solo) * reach


class ReferenceModel(mesa.Model):
    """The reference organisation, built from a :class:`~sim.model.LearningEcosystem`'s state
    (or ``state``, a copy of one; the columns are copied, never touched) and the parameters
    of the engine's bound phases."""

    def __init__(self, engine, seed: int = 0, state=None):
        super().__init__(rng=seed)
        s = engine.state if state is None else state
        st, wf = s.structure, s.workforce
        self.k = wf.k
        self.pars = {name: engine.phase(name).pars for name in ("experiential", "transfer", "social", "forgetting",
                                                                  "data")}
        self.req, self.use, self.crit = st.req.tolist(), st.use.tolist(), st.crit.tolist()
        self.skill_open = st.skill_open.tolist()
        self.team_climate = s.team_climate.tolist()
        from sim.processes.experiential import content_know_how
        from sim.processes.forgetting import weekly_retention
        self.content = content_know_how(s, self.pars["experiential"]).tolist()
        self.retention = weekly_retention(self.pars["forgetting"].decay_half_life_months)
        dp = self.pars["data"]
        crit_req = np.where((st.crit >= dp.critical_criticality) & (st.req > 0), st.req, np.inf)
        self.lowest_critical = crit_req.min(axis=0).tolist()
        self.people = [Person(self, i) for i in range(wf.n)]
        for a in self.people:
            i = a.row
            a.role, a.work_role, a.work_share = int(wf.role[i]), int(wf.work_role[i]), float(wf.work_share[i])
            a.team, a.dept, a.occupied = int(wf.team[i]), int(wf.dept[i]), bool(wf.occupied[i])
            for name in ("exposure", "aptitude", "mindset", "motivation", "sharing", "support", "coaching_hours",
                         "away", "time_cost"):
                setattr(a, name, float(getattr(wf, name)[i]))
            a.prof, a.pending = wf.prof[i].tolist(), wf.pending[i].tolist()
            a.manager = self.people[wf.manager[i]] if wf.manager[i] >= 0 else None
            a.mentor = self.people[wf.mentor[i]] if wf.mentor[i] >= 0 else None
        net = s.ties
        for a in self.people:
            lo, hi = net.indptr[a.row], net.indptr[a.row + 1]
            a.contacts = [(self.people[j], float(w), float(r))
                          for j, w, r in zip(net.indices[lo:hi].tolist(), net.strength[lo:hi], net.reach[lo:hi])]
        self.reports_of = {a.row: [] for a in self.people}
        for a in self.people:
            if a.manager is not None:
                self.reports_of[a.manager.row].append(a)
        self.any_rotating = any(a.work_role != a.role for a in self.people)
        self.agents_in_order = mesa.agent.AgentSet(self.people, random=self.random)

    # one phase at a time (the equivalence tests)
    def experiential(self) -> None:
        self.agents_in_order.do("look_experiential")
        self.agents_in_order.do("advance")

    def transfer(self, chances: np.ndarray | None = None) -> None:
        for a in self.people:
            a.transfer(None if chances is None else chances[a.row].tolist())

    def social(self, picks: np.ndarray | None = None, talks: np.ndarray | None = None) -> None:
        for a in self.people:
            a.look_conversation(self.random.random() if picks is None else float(picks[a.row]),
                                self.random.random() if talks is None else float(talks[a.row]))
        self.agents_in_order.do("advance")
        self.agents_in_order.do("coached")
        for a in self.people:
            a.prof = [min(v, 5.0) for v in a.prof]

    def forgetting(self) -> None:
        self.agents_in_order.do("forget")

    def measures(self) -> list[dict]:
        return [a.measure() for a in self.people]

    def step(self) -> None:
        """A reference week of the covered phases in the engine's order, with its own draws."""
        self.transfer()
        self.experiential()
        self.social()
        self.forgetting()
        self.measures()

    def column(self, name: str) -> np.ndarray:
        """One attribute of every person as the engine's column (rows in order)."""
        return np.array([getattr(a, name) for a in self.people])
