"""The learning-ecosystem model: builds the organisation and runs one week per step.

``LearningEcosystem(scenario)`` is a :class:`mesa.Model`. Employees, managers, executives
and content items are Mesa agents (handles onto columns, :mod:`sim.agents`); L&D policies
(:mod:`sim.policies`) and governance (:mod:`sim.governance`) are agents that act; the org
network is a Mesa :class:`~mesa.discrete_space.Network` whose nodes are positions. The
week's phases are listed once, in :meth:`LearningEcosystem.step`.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import mesa
from mesa.discrete_space import Network

from .agents import ContentItem, Employee, employee_class
from .governance import Governance
from .organisation import TIE_REPORTING, TIE_STRENGTH, TIE_TEAM, PositionRequirements, assign_flags, build_catalogue, build_structure, draw_people
from .outcomes import OutcomeCollector
from .policies import create_policies
from .processes import (codification, culture, environment, experiential, formal, forgetting, social,
                        time_allocation, transfer, turnover)
from .records import Derived, Records
from .rng import Streams
from .scenario import MODALITIES, Scenario
from .state import Workforce

# Bump when the model's behaviour changes on purpose (with `make regression-update`): sweep
# run keys include it, so results of an older model are never resumed into a newer sweep.
MODEL_VERSION = "2026.11.29-2"


@dataclass
class Ties:
    """The org network as compressed sparse rows (both directions), for vectorised phases."""

    indptr: np.ndarray
    indices: np.ndarray
    strength: np.ndarray
    degree: np.ndarray

    @classmethod
    def from_edges(cls, n: int, edges: np.ndarray) -> "Ties":
        src, dst, kind = edges
        s = np.concatenate([src, dst])
        d = np.concatenate([dst, src])
        w = np.concatenate([TIE_STRENGTH[kind], TIE_STRENGTH[kind]])
        order = np.lexsort((d, s))
        s, d, w = s[order], d[order], w[order]
        deg = np.bincount(s, minlength=n)
        indptr = np.concatenate([[0], np.cumsum(deg)]).astype(np.int64)
        return cls(indptr=indptr, indices=d.astype(np.int64), strength=w, degree=deg.astype(np.int64))


def _dedupe(edges: np.ndarray) -> np.ndarray:
    """Keep one tie per pair of positions (the first, i.e. the strongest kind listed first)."""
    if edges.shape[1] == 0:
        return edges
    a, b = np.minimum(edges[0], edges[1]), np.maximum(edges[0], edges[1])
    _, first = np.unique(a * (edges[:2].max() + 1) + b, return_index=True)
    first.sort()
    return np.vstack([a[first], b[first], edges[2][first]])


class LearningEcosystem(mesa.Model):
    """An organisation's learning ecosystem under one scenario (see docs/ODD.md)."""

    def __init__(self, scenario: Scenario | None = None, *, seed: int | None = None):
        self.spec = scenario = scenario if scenario is not None else Scenario()
        seed = scenario.seed if seed is None else int(seed)
        super().__init__(rng=seed)
        self.seed = seed
        self.streams = Streams(seed)
        self.week = 0
        self.budget_factor = 1.0
        self.hiring_frozen_until = -1
        self.events_by_week: dict[int, list] = {}
        for ev in scenario.events:
            self.events_by_week.setdefault(ev.week, []).append(ev)

        org = scenario.organisation
        k = len(org.skills)
        self.workforce = wf = Workforce(n=org.size, k=k)
        self.structure, edges = build_structure(scenario, wf, self.streams["init_organisation"])
        self.team_climate = np.full(len(self.structure.team_dept), scenario.culture.psychological_safety)
        ip = org.initial_proficiency
        draw_people(scenario, self.structure, wf, np.arange(wf.n), self.streams["init_people"],
                    ip.required_mean, ip.required_sd)
        wf.occupied[:] = True
        wf.tenure[:] = self.streams["init_people"].integers(0, 520, wf.n)
        assign_flags(scenario, wf, self.streams["init_people"])
        self.catalogue = build_catalogue(scenario, self.structure, self.streams["init_content"])

        self.policies = create_policies(self)
        edges = np.hstack([edges, self.policies["platform"].peer_edges(wf.n, self.streams["platform"])])
        self._edges = _dedupe(edges)
        self.ties = Ties.from_edges(wf.n, self._edges)
        graph = nx.Graph()
        graph.add_nodes_from(range(wf.n))
        graph.add_edges_from(zip(self._edges[0].tolist(), self._edges[1].tolist()))
        self.network = Network(graph, layout=None, random=self.random)

        self._content_agents: dict[int, ContentItem] = {}
        for row in range(self.catalogue.size):
            self._content_agents[row] = ContentItem(self, row)
        self._occupants: dict[int, Employee] = {}
        for row in range(wf.n):
            self._occupants[row] = employee_class(wf, row)(self, row)
        self.best_item = np.full((k, 6), -1, dtype=np.int64)
        self._catalogue_dirty = True
        self._refresh_best_items()
        self._position_req: PositionRequirements | None = None

        self.governance = Governance(self)
        self.derived = Derived(wf.n)
        self.records = Records(self)
        self.collector = OutcomeCollector(self)
        self.records.record_week()
        self.collector.collect()

    # ------------------------------------------------------------------ the week
    def step(self) -> None:
        """One week, phases in order (CONCEPT.md "One week"; docs/ODD.md "Process overview")."""
        self.week += 1
        environment.apply_scheduled_events(self)     # 1 environment: events,
        environment.turbulence(self)                 #   turbulence in skill demand,
        environment.age_content(self)                #   content goes stale
        for policy in self.policies.values():        # 2 policies act
            policy.act()
        self._refresh_best_items()
        time_allocation.allocate_learning_hours(self)  # 3 time
        formal.learn_from_content(self)              # 4 formal learning
        transfer.apply_on_the_job(self)              # 5 transfer
        experiential.learn_by_doing(self)            # 6 experiential learning
        social.learn_from_others(self)               # 7 social learning
        culture.failure_and_mindset(self)            # 8 failure, mindset, culture
        forgetting.forget_unused(self)               # 9 forgetting
        codification.codify_know_how(self)           # 10 codification
        turnover.exits_and_hires(self)               # 11 turnover and hiring
        self.records.record_week()                   # 12 data
        self.governance.review()                     # 13 governance (review weeks)
        self.collector.collect()                     # 14 outcomes
        if self.week >= self.spec.weeks:
            self.running = False

    # ------------------------------------------------------------------ helpers used by phases
    @property
    def position_req(self) -> PositionRequirements:
        """Home-role requirements per position (rebuilt when requirements change)."""
        pr = self._position_req
        if pr is None or pr.version != self.structure.version:
            pr = self._position_req = PositionRequirements(self.structure, self.workforce.role)
        return pr

    def policy(self, name: str):
        """The policy agent ``name``, or None when the scenario leaves it off."""
        return self.policies.get(name)

    def occupant(self, row: int) -> Employee | None:
        """The employee agent in position ``row`` (None if vacant)."""
        return self._occupants.get(int(row))

    def content_item(self, row: int) -> ContentItem:
        return self._content_agents[int(row)]

    def catalogue_changed(self) -> None:
        self._catalogue_dirty = True

    def add_content(self, *, skill: int, level: int, quality: float, modality: str, duration: float,
                    mobile: bool) -> int:
        """Add a content item (commissioned or codified) and its agent; returns its row."""
        row = self.catalogue.add(skill=skill, level=level, modality=MODALITIES.index(modality), quality=quality,
                                 duration=duration, mobile=mobile, freshness=1.0, created=self.week)
        self._content_agents[row] = ContentItem(self, row)
        self._catalogue_dirty = True
        return row

    def _refresh_best_items(self) -> None:
        """Best item per (skill, level) for gap-targeted recommendations: highest quality ×
        freshness at that level, else the nearest level that has one."""
        if not self._catalogue_dirty:
            return
        cat = self.catalogue
        rows = cat.rows()
        k = self.best_item.shape[0]
        self.best_item[:] = -1
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
                    self.best_item[skill, level] = mine[int(np.argmin(dist))]
        self._catalogue_dirty = False

    def vacate(self, row: int) -> None:
        """The occupant of ``row`` leaves: their agent goes, their skills go with them."""
        wf = self.workforce
        agent = self._occupants.pop(row, None)
        if agent is not None:
            agent.remove()
        wf.occupied[row] = False
        wf.uid[row] = -1
        wf.vacant_since[row] = self.week
        wf.prof[row] = 0.0
        wf.pending[row] = 0.0
        wf.mentor[row] = -1
        wf.rotation_end[row] = -1
        wf.work_role[row] = wf.role[row]
        wf.trained_manager[row] = False
        wf.support[row] = 0.0  # an empty manager seat supports nobody
        wf.coaching_hours[row] = 0.0

    def hire(self, rows: np.ndarray, proficiency_mean: float) -> None:
        """Fill vacant ``rows`` with hires drawn from the labour market."""
        wf = self.workforce
        sc = self.spec
        draw_people(sc, self.structure, wf, rows, self.streams["hiring"], proficiency_mean,
                    sc.organisation.initial_proficiency.required_sd)
        wf.occupied[rows] = True
        wf.tenure[rows] = 0
        wf.hire_week[rows] = self.week
        wf.vacant_since[rows] = -1
        hiring = self.policy("hiring").config
        premium = hiring.buy_premium if hiring.strategy == "buy" else 0.0
        self.records.hires(rows, premium)
        for row in rows:
            self._occupants[int(row)] = employee_class(wf, int(row))(self, int(row))

    def reorganise(self, share: float) -> None:
        """Move ``share`` of non-managers to another team of their department: new manager,
        new team ties (ties to the old team and line are cut)."""
        wf, st = self.workforce, self.structure
        rng = self.streams["reorganisation"]
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
        e = self._edges
        touched = np.isin(e[0], moved_arr) | np.isin(e[1], moved_arr)
        keep = ~touched | (e[2] > TIE_REPORTING)  # cross-team and platform ties survive a reorganisation
        new_edges = [e[:, keep]]
        for row in moved_arr:
            mates = np.flatnonzero((wf.team == wf.team[row]) & (np.arange(wf.n) != row))
            mates = mates[rng.permutation(len(mates))[:8]]
            new_edges.append(np.vstack([np.full(len(mates), row), mates, np.full(len(mates), TIE_TEAM)]))
            new_edges.append(np.array([[row], [wf.manager[row]], [TIE_REPORTING]]))
        self._edges = _dedupe(np.hstack(new_edges))
        self.ties = Ties.from_edges(wf.n, self._edges)
        graph = self.network.G
        for row in moved_arr:
            for nb in list(graph.neighbors(int(row))):
                self.network.remove_connection(self.network[int(row)], self.network[nb])
        for a, b, _ in self._edges[:, np.isin(self._edges[0], moved_arr) | np.isin(self._edges[1], moved_arr)].T:
            if not graph.has_edge(int(a), int(b)):
                self.network.add_connection(self.network[int(a)], self.network[int(b)])
