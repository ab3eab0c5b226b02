"""The learning-ecosystem model: builds the organisation and runs one week per step.

``LearningEcosystem(scenario, **overrides)`` is a :class:`mesa.Model`. It owns one :class:`~sim.state.State`
(every column and value that changes during a run) and runs the week as the declared phases
of :data:`WEEK`, in order; each phase sees the state, its own parameters and its own random
stream (:mod:`sim.processes.phase`), never the model. Employees, managers, executives and
content items are Mesa agents (handles onto rows of the state, :mod:`sim.agents`); L&D
policies (:mod:`sim.policies`) and governance (:mod:`sim.governance`) are agents too; the
org network is a Mesa :class:`~mesa.discrete_space.Network` whose nodes are positions. After
a phase that hires, lets people go, adds or retires content or rewires ties, the model
brings its agents and network in line with the state.

A run starts from the status quo's settled state, not from the initial draws (docs/ODD.md
§5): the organisation is drawn at week −S (S = ``start.spin_up_weeks``) and runs S weeks,
−S+1 … 0, under :meth:`~sim.scenario.Scenario.status_quo` — the same for every strategy of
the same organisation and seed. At week 0 the scenario's strategy starts (:data:`START`):
its phases are bound, the run's records and outcomes start afresh, and the Mesa agents are
created. Weeks 1 … ``weeks`` are the run. Because that start depends only on the status quo
and the seed, the process keeps it (:mod:`sim.spinup`, a bounded LRU; ``LESIM_SPINUP_CACHE_MB=0``
switches it off) and a later model of the same organisation and seed starts from a copy of it
instead of running the spin-up again — bit for bit the same run.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable

import networkx as nx
import numpy as np
import mesa
from mesa.discrete_space import Network

from . import spinup
from .agents import ContentItem, Employee, employee_class
from .datacollector import OutcomeDataCollector
from .governance import Governance
from .loader import scenario_from_keywords
from .organisation import apply_observed, assign_flags, build_catalogue, build_structure, draw_people
from .outcomes import Collect, OutcomeCollector
from .policies import create_policies
from .processes import (budget, codification, costs, culture, data, environment, experiential, formal, forgetting,
                        governance, programmes, social, time_allocation, transfer, turnover)
# recommendations, learning_time, recent_learning, data and hiring have no switch: always bound
from .processes.phase import BoundPhase, Phase
from .processes.start import START
from .records import Derived, ProgrammeLedger, Records
from .rng import Streams
from .scenario import Scenario
from .state import BudgetState, GovernanceMemory, State, Ties, Workforce, tie_strengths

# Bump when the model's behaviour changes on purpose (with `make regression-update`): sweep
# run keys include it, so results of an older model are never resumed into a newer sweep.
MODEL_VERSION = "2026.12.01-2"

# The week, in order (CONCEPT.md "One week"; docs/ODD.md "Process overview"). Written once.
WEEK: tuple[Phase, ...] = (
    environment.EVENTS,                 # 1 environment: scheduled events,
    environment.TURBULENCE,             #   turbulence in skill demand,
    environment.AGE_CONTENT,            #   content goes stale,
    environment.LABOUR_MARKET,          #   the market's supply of new skills catches up
    programmes.MENTORING,               # 2 programmes act: mentoring pairs,
    programmes.ROTATION,                #   job rotation,
    programmes.MANAGER_DEVELOPMENT,     #   manager development
    formal.RECOMMENDATIONS,             #   (the recommendation index follows the catalogue)
    time_allocation.ALLOCATE,           # 3 learning time
    formal.FORMAL,                      # 4 formal learning
    transfer.TRANSFER,                  # 5 transfer
    experiential.EXPERIENTIAL,          # 6 experiential learning
    social.SOCIAL,                      # 7 social learning
    culture.CULTURE,                    # 8 failure, mindset, culture
    forgetting.FORGETTING,              # 9 forgetting
    codification.CODIFICATION,          # 10 codification
    turnover.EXITS,                     # 11 exits
    turnover.HIRING,                    #    and hiring
    time_allocation.RECENT_LEARNING,    # 12 data: recent learning,
    costs.COSTS,                        #    costs,
    data.RECORD,                        #    records,
    budget.BUDGET,                      #    spend against the budget (sets next week's programme scales)
    governance.GOVERNANCE,              # 13 governance (review weeks)
)                                       # 14 outcomes: the collector, after the phases


class LearningEcosystem(mesa.Model):
    """An organisation's learning ecosystem under one scenario (see docs/ODD.md).

    Mesa's tools drive it by keywords: ``mesa.batch_run(LearningEcosystem, parameters={"seed":
    [1, 2], "policies__mentoring__enabled": [False, True]}, max_steps=52)``; SolaraViz's
    ``model_params`` rebuild it the same way; ``model.datacollector`` holds the outcomes
    (:mod:`sim.datacollector`)."""

    # Mesa's ``model.scenario`` is its experimental parameter bag (mesa.experimental.scenarios);
    # this model's scenario is ``spec``. None tells Mesa's tools so: SolaraViz's Reset then
    # rebuilds the model from its model_params alone (a fixed ``scenario`` path among them)
    # instead of passing an empty Mesa scenario as ``scenario``. A plain class attribute
    # replaces Mesa's property, so ``__init__`` can set it.
    scenario = None

    def __init__(self, scenario: Scenario | str | Path | None = None, *, rng: int | None = None,
                 collect: Collect | None = None, **overrides: Any):
        """``scenario``: a :class:`~sim.scenario.Scenario`, the path of a scenario YAML file,
        or None (the built-in defaults). ``overrides``: any parameter by its key path, as
        ``--set`` takes it, with ``__`` for the dots (``policies__mentoring__enabled=True``,
        ``seed=3``, ``weeks=52``; ``**{"policies.mentoring.ratio": 0.3}`` works too),
        validated like ``--set``. ``rng``: Mesa's name for the seed (``mesa.batch_run``
        passes it). ``collect``: what the outcome collector computes each week
        (:class:`~sim.outcomes.Collect`; every outcome, by department and location, by
        default). A mistake raises a one-line :class:`~sim.loader.ScenarioError`."""
        self.spec = scenario = scenario_from_keywords(scenario, rng, overrides)
        seed = scenario.seed
        super().__init__(rng=seed)
        self.scenario = None  # see the class attribute
        self.seed = seed
        self.streams = Streams(seed)
        # an optional read-only observer, called as after_phase(name, state) after each phase
        # (the calibration patterns of sim.validation.patterns attribute skill gains with it)
        self.after_phase: Callable[[str, State], None] | None = None
        self.spin_up_weeks = scenario.start.spin_up_weeks
        self._collect_spec = collect
        # seconds spent building the organisation, spinning it up and starting the strategy
        self.setup_seconds: dict[str, float] = {"build": 0.0, "spin_up": 0.0, "start": 0.0}
        self._spin_up(scenario)
        # an imported organisation's measured state replaces the spun-up one where measured
        self.observed = apply_observed(scenario, self.state.structure, self.state.workforce)
        t = time.perf_counter()
        self._start_strategy()
        self.setup_seconds["start"] = time.perf_counter() - t

    def _spin_up(self, scenario: Scenario) -> None:
        """The state and streams at week 0, before the strategy starts: the organisation drawn
        at week −S under the status quo, then S weeks of it. Everything this reads is the
        status quo and the seed, so a copy of an earlier model's spin-up of the same key is
        reused when the process has one (:mod:`sim.spinup`; bit for bit the same)."""
        quo = scenario.status_quo()
        key = spinup.spin_up_key(quo, self.seed)
        cached = spinup.CACHE.get(key)
        if cached is not None:
            self.state, self.streams = cached
            return
        self._bind(quo)
        t = time.perf_counter()
        self.state = self._initial_state(quo)
        self.setup_seconds["build"] = time.perf_counter() - t
        for _ in range(self.spin_up_weeks):
            self._run_week()
        self.setup_seconds["spin_up"] = time.perf_counter() - t - self.setup_seconds["build"]
        spinup.CACHE.put(key, self.state, self.streams)

    @classmethod
    def from_yaml(cls, path: str | Path, **overrides: Any) -> "LearningEcosystem":
        """The model of the scenario file ``path`` with keyword ``overrides`` (see the class);
        ``LearningEcosystem.from_yaml("scenarios/baseline.yaml", seed=2, weeks=52)``."""
        return cls(Path(path), **overrides)

    def _bind(self, scenario: Scenario) -> None:
        """The week of ``scenario``: the phases of :data:`WEEK` it switches on, parameters resolved."""
        self.phases: tuple[BoundPhase, ...] = tuple(ph.bind(scenario) for ph in WEEK if ph.active(scenario))
        self._bound = {b.phase.name: b for b in self.phases}

    def _initial_state(self, sc: Scenario) -> State:
        """The organisation as drawn at week −S, the start of the spin-up (docs/ODD.md
        "Initialisation"). ``sc`` is the status quo: the draws read only what is not a lever
        (the organisation, culture, content, rules), the people's draws the status quo's
        hiring parameters (bound by :meth:`_bind`)."""
        org = sc.organisation
        wf = Workforce(n=org.size, k=len(org.skills))
        structure, edges = build_structure(sc, wf, self.streams["init_organisation"])
        ip = org.initial_proficiency
        # the same draws as a hire's (the hiring phase declares their parameters, PEOPLE_PARAMS)
        draw_people(self._bound["hiring"].pars, structure, wf, np.arange(wf.n), self.streams["init_people"],
                    ip.required_mean, ip.required_sd)
        wf.occupied[:] = True
        wf.tenure[:] = self.streams["init_people"].integers(0, sc.rules.people.initial_tenure_max_weeks, wf.n)
        assign_flags(sc, wf, self.streams["init_people"])
        catalogue = build_catalogue(sc, structure, self.streams["init_content"])
        s = self.spin_up_weeks
        return State(
            workforce=wf, catalogue=catalogue, structure=structure, edges=edges,
            ties=Ties.from_edges(wf.n, edges, tie_strengths(sc.rules.social), wf.away, sc.rules.location.cross_use_loss),
            team_climate=np.full(len(structure.team_dept), sc.culture.psychological_safety),
            derived=Derived(wf.n), records=Records(len(structure.dept_names), max(s, 1), first=1 - s),
            best_item=np.full((len(org.skills), 6), -1, dtype=np.int64),
            trained_now=np.zeros(wf.n, dtype=bool), market_supply=np.ones(len(org.skills)), week=-s,
        )

    def _start_strategy(self) -> None:
        """Week 0: the scenario's strategy takes over from the status quo. Its phases are
        bound; this week's flows, the records and programme ledger, governance's memory and the commissioning log
        restart empty (nothing of the spin-up is reported or costed); :data:`START` applies
        the levers that set state once (LXP ties, protected hours, coaching hours); then the
        Mesa network and agents are built (people and content first, so that their ids are the
        same under every strategy; then policies and governance) and week 0 is recorded."""
        sc, s = self.spec, self.state
        self._bind(sc)
        s.workforce.clear_flows()
        s.trained_now[:] = False
        s.overhead_spend = 0.0
        s.records = Records(len(s.structure.dept_names), sc.weeks)
        # kept only where governance reads it (evidence allocation): the phases skip it otherwise
        s.ledger = ProgrammeLedger.empty(s.workforce.n) if sc.governance.budget_allocation == "evidence" else None
        s.governance = GovernanceMemory()
        s.budget = BudgetState()  # the budget years start at week 1 (sim.processes.budget)
        s.commissioned = {}
        START.bind(sc).run(s, self.streams)

        # an enterprise-scale organisation creates its people's handles and network cells when asked
        self.lazy_agents = s.workforce.n > self.EAGER_AGENTS_MAX
        self._network: Network | None = None
        if not self.lazy_agents:
            self._build_network()
        self._content_agents: dict[int, ContentItem] = {}
        self._content_rows = 0
        self._occupants: dict[int, Employee] = {}
        self._has_agent = np.zeros(s.workforce.n, dtype=bool)
        self._sync_content()
        self._sync_people()
        s.rewired = np.empty(0, np.int64)
        # after the people and content, so that their agents' ids do not depend on the strategy
        self.policies = create_policies(self)
        self._bound["recommendations"].run(s, self.streams)
        self.governance = Governance(self)
        data = sc.organisation.data
        self.collector = OutcomeCollector(s, min_group=data.min_group_size if data is not None else 0,
                                          collect=self._collect_spec)
        self.datacollector = OutcomeDataCollector()  # Mesa's view of the same numbers
        # the record of the starting state (week 0): no flow, nothing spent yet
        self._bound["data"].run(s, self.streams)
        self._collect()

    # ------------------------------------------------------------------ the week
    def step(self) -> None:
        """One week: the declared phases of :data:`WEEK` in order, then the outcomes."""
        self._run_week(follow=True)
        self._collect()
        if self.state.week >= self.spec.weeks:
            self.running = False

    def _collect(self) -> None:
        """Step 14, the outcomes: computed once from the columns, then handed to Mesa's
        :class:`~sim.datacollector.OutcomeDataCollector`."""
        self.collector.collect()
        self.datacollector.collect(self)

    def _run_week(self, follow: bool = False) -> None:
        """The phases of one week; with ``follow`` the Mesa agents and network follow the
        state after each phase (during the spin-up there are no agents yet)."""
        s = self.state
        s.week += 1
        for bound in self.phases:
            bound.run(s, self.streams)
            if follow:
                self._follow(bound.phase)
                if self.after_phase is not None:
                    self.after_phase(bound.phase.name, s)

    def _follow(self, phase: Phase) -> None:
        """Bring the Mesa agents and network in line with what ``phase`` changed."""
        writes = phase.writes
        if "workforce.occupied" in writes:
            self._sync_people()
        if "catalogue" in writes:
            self._sync_content()
        if "edges" in writes and len(self.state.rewired):
            self._sync_network(np.unique(self.state.rewired))
            self.state.rewired = np.empty(0, np.int64)

    def _sync_people(self) -> None:
        """Leavers' agents go; each hire gets a new agent in the position's network cell. At
        enterprise scale (:attr:`lazy_agents`) each hire gets the next Mesa id at once, as
        the agent would, and the agent itself when first asked for (:meth:`occupant`)."""
        wf = self.state.workforce
        gone = np.flatnonzero(self._has_agent & ~wf.occupied)
        new = np.flatnonzero(wf.occupied & ~self._has_agent)
        if self.lazy_agents:
            for row in gone[np.isin(gone, np.fromiter(self._occupants, np.int64, len(self._occupants)))]:
                self._occupants.pop(int(row)).remove()
            wf.uid[new] = self.agent_id_counter + np.arange(len(new))
            self.agent_id_counter += len(new)
        else:
            for row in gone:
                self._occupants.pop(int(row)).remove()
            for row in new:
                self._occupants[int(row)] = employee_class(wf, int(row))(self, int(row))
        np.copyto(self._has_agent, wf.occupied)

    EAGER_AGENTS_MAX = 100_000
    """Above this many positions the Mesa layer is lazy (:attr:`lazy_agents`): a person's agent
    is created when first asked for (:meth:`occupant`), and the org :attr:`network` when
    first read. Results are the same either way (ids included); it saves ~18 s and ~1 KB per
    person at a million."""

    @property
    def network(self) -> Network:
        """The org network as a Mesa :class:`~mesa.discrete_space.Network` whose nodes are
        positions (built on first access at enterprise scale: ~30 s and ~2 GB at a million)."""
        if self._network is None:
            self._build_network()
        return self._network

    def _build_network(self) -> None:
        e = self.state.edges
        graph = nx.Graph()
        graph.add_nodes_from(range(self.state.workforce.n))
        graph.add_edges_from(zip(e[0].tolist(), e[1].tolist()))
        self._network = Network(graph, layout=None, random=self.random)

    def has_agent(self, row: int, agent: Employee) -> bool:
        """Whether ``agent`` is the model's agent of position ``row``."""
        return self._occupants.get(int(row)) is agent

    def _sync_content(self) -> None:
        """New catalogue rows get a content agent; retired items' agents go."""
        cat = self.state.catalogue
        for row in [r for r in self._content_agents if not cat.active[r]]:
            self._content_agents.pop(row).remove()
        for row in range(self._content_rows, cat.size):
            if cat.active[row]:
                self._content_agents[row] = ContentItem(self, row)
        self._content_rows = cat.size

    def _sync_network(self, rows: np.ndarray) -> None:
        """Re-wire the Mesa network around ``rows`` to match the state's ties (only the
        connections that differ are removed or added; nothing while it is not built)."""
        if self._network is None:
            return
        graph = self.network.G
        e = self.state.edges
        sel = np.isin(e[0], rows) | np.isin(e[1], rows)
        want = {(min(a, b), max(a, b)) for a, b in zip(e[0, sel].tolist(), e[1, sel].tolist())}
        have = {(min(int(r), nb), max(int(r), nb)) for r in rows for nb in graph.neighbors(int(r))}
        for a, b in sorted(have - want):
            self.network.remove_connection(self.network[a], self.network[b])
        for a, b in sorted(want - have):
            self.network.add_connection(self.network[a], self.network[b])

    # ------------------------------------------------------------------ reading the model
    @property
    def week(self) -> int:
        return self.state.week

    @property
    def workforce(self):
        return self.state.workforce

    @property
    def catalogue(self):
        return self.state.catalogue

    @property
    def structure(self):
        return self.state.structure

    @property
    def records(self):
        return self.state.records

    @property
    def derived(self):
        return self.state.derived

    @property
    def team_climate(self) -> np.ndarray:
        return self.state.team_climate

    @property
    def ties(self) -> Ties:
        return self.state.ties

    @property
    def position_req(self):
        return self.state.position_req

    def phase(self, name: str) -> BoundPhase:
        """The bound phase ``name`` (its declaration and resolved parameters)."""
        return self._bound[name]

    def policy(self, name: str):
        """The policy agent ``name``, or None when the scenario leaves it off."""
        return self.policies.get(name)

    def occupant(self, row: int) -> Employee | None:
        """The employee agent in position ``row`` (None if vacant); at enterprise scale it is
        created now if nobody asked for it before (:attr:`lazy_agents`)."""
        row = int(row)
        agent = self._occupants.get(row)
        if agent is None and self.lazy_agents and self.state.workforce.occupied[row]:
            wf = self.state.workforce
            agent = self._occupants[row] = employee_class(wf, row)(self, row, unique_id=int(wf.uid[row]))
        return agent

    def content_item(self, row: int) -> ContentItem:
        return self._content_agents[int(row)]
