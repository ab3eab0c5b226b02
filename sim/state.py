"""Columnar state: one numpy row per position (employee slot) and per content item.

The model owns these columns; weekly processes are vectorised functions over them; Mesa
agents (:mod:`sim.agents`) are thin handles that read and write their row. A *position* is
a seat in the organisation (department, team, role, manager line). Its occupant changes
with turnover: a leaver empties the row, a hire fills it with a new agent.

Per-week flow columns (``hours``, ``completed``, ``transferred`` …) are overwritten by the
process that owns them each week — they are state of "this week", not counters to reset.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import kernels

# Where a seat works (``Workforce.location``); the records keep each department's figures by location.
ON_SITE, HYBRID, REMOTE = 0, 1, 2
LOCATIONS: tuple[str, ...] = ("on-site", "hybrid", "remote")

# "No such week" for week-valued columns and fields (never hired in the model, not yet
# proficient, never used, no hiring freeze). Weeks before the strategy starts are negative
# (the spin-up runs weeks −S+1 … 0), so −1 cannot serve as "none".
NO_WEEK = -(10**6)

# This week's flows: overwritten by the phase that owns them each week (see the module
# docstring), cleared when the strategy starts at week 0 so that no spin-up flow is reported.
FLOW_COLUMNS = ("hours", "skill_hours", "mobile_hours", "item", "started", "completed", "formal_gain", "transferred",
                "unapplied_lost", "peer_event", "peer_cross", "failed", "spend", "time_cost")


@dataclass
class Workforce:
    """Employee positions: structure, people state and this week's flows."""

    n: int
    k: int
    # structure (per position)
    dept: np.ndarray = field(init=False)
    team: np.ndarray = field(init=False)
    role: np.ndarray = field(init=False)        # home role: what the skills gap is measured against
    work_role: np.ndarray = field(init=False)   # role currently worked (differs during a rotation)
    manager: np.ndarray = field(init=False)     # row of the line manager, -1 for the top
    is_manager: np.ndarray = field(init=False)
    is_exec: np.ndarray = field(init=False)
    is_sme: np.ndarray = field(init=False)
    is_instructor: np.ndarray = field(init=False)
    location: np.ndarray = field(init=False)    # where the seat works: ON_SITE, HYBRID or REMOTE (LOCATIONS)
    away: np.ndarray = field(init=False)        # share of the working week off site (0 on site … 1 remote)
    # occupancy
    occupied: np.ndarray = field(init=False)
    uid: np.ndarray = field(init=False)
    vacant_since: np.ndarray = field(init=False)
    hire_week: np.ndarray = field(init=False)
    proficient_week: np.ndarray = field(init=False)
    tenure: np.ndarray = field(init=False)
    # people state
    prof: np.ndarray = field(init=False)        # durable proficiency, levels 0–5, shape (n, k)
    pending: np.ndarray = field(init=False)     # learned but not yet applied on the job, (n, k)
    exposure: np.ndarray = field(init=False)    # how far the job alone takes this person (× requirement)
    aptitude: np.ndarray = field(init=False)    # individual multiplier of the learning-by-doing rate (mean 1)
    mindset: np.ndarray = field(init=False)
    engagement: np.ndarray = field(init=False)
    motivation: np.ndarray = field(init=False)
    sharing: np.ndarray = field(init=False)
    support: np.ndarray = field(init=False)     # manager support for learning (managers' rows)
    coaching_hours: np.ndarray = field(init=False)
    trained_manager: np.ndarray = field(init=False)
    learn_ewma: np.ndarray = field(init=False)  # recent learning hours, for "lack of growth"
    mentor: np.ndarray = field(init=False)
    rotation_end: np.ndarray = field(init=False)
    work_share: np.ndarray = field(init=False)  # share of the week worked in work_role (1 rotation/swap, <1 job share)
    rotation_partner: np.ndarray = field(init=False)  # swap / job-share partner's row, -1 none
    # this week's flows
    hours: np.ndarray = field(init=False)       # all formal hours (compliance included)
    skill_hours: np.ndarray = field(init=False) # formal hours that build taxonomy skills
    mobile_hours: np.ndarray = field(init=False)  # short-slot hours the mobile app offers this week (used on a mobile-ready item)
    item: np.ndarray = field(init=False)        # content item used this week, -1 none
    started: np.ndarray = field(init=False)
    completed: np.ndarray = field(init=False)
    formal_gain: np.ndarray = field(init=False)
    transferred: np.ndarray = field(init=False)
    unapplied_lost: np.ndarray = field(init=False)
    peer_event: np.ndarray = field(init=False)
    peer_cross: np.ndarray = field(init=False)
    failed: np.ndarray = field(init=False)
    spend: np.ndarray = field(init=False)       # direct L&D spend attributable to this position this week
    protected_taken: np.ndarray = field(init=False)  # formal hours taken from protected time this week
    time_cost: np.ndarray = field(init=False)   # learners' time cost this week

    def __post_init__(self) -> None:
        n, k = self.n, self.k
        i32 = lambda v=0: np.full(n, v, dtype=np.int32)  # noqa: E731
        f64 = lambda v=0.0: np.full(n, v, dtype=np.float64)  # noqa: E731
        b = lambda: np.zeros(n, dtype=bool)  # noqa: E731
        self.dept, self.team, self.role, self.work_role, self.manager = i32(), i32(), i32(), i32(), i32(-1)
        self.is_manager, self.is_exec, self.is_sme, self.is_instructor = b(), b(), b(), b()
        self.location, self.away = np.zeros(n, dtype=np.int8), f64()
        self.occupied = b()
        self.uid = np.full(n, -1, dtype=np.int64)
        self.vacant_since, self.hire_week, self.proficient_week, self.tenure = i32(-1), i32(NO_WEEK), i32(NO_WEEK), i32()
        self.prof = np.zeros((n, k))
        self.pending = np.zeros((n, k))
        self.exposure, self.mindset, self.engagement, self.motivation = f64(1.0), f64(), f64(), f64()
        self.aptitude = f64(1.0)
        self.sharing, self.support, self.coaching_hours, self.learn_ewma = f64(), f64(), f64(), f64()
        self.trained_manager = b()
        self.mentor, self.rotation_end = i32(-1), i32(-1)
        self.work_share, self.rotation_partner = f64(), i32(-1)
        self.skill_hours, self.mobile_hours = f64(), f64()
        self.hours, self.formal_gain, self.transferred, self.unapplied_lost = f64(), f64(), f64(), f64()
        self.item = i32(-1)
        self.started, self.completed, self.peer_event, self.peer_cross, self.failed = b(), b(), b(), b(), b()
        self.spend, self.time_cost = f64(), f64()
        self.protected_taken = f64()

    def clear_flows(self) -> None:
        """Empty this week's flows (:data:`FLOW_COLUMNS`): no hours, no item, no spend."""
        for name in FLOW_COLUMNS:
            col = getattr(self, name)
            col[:] = -1 if name == "item" else 0


@dataclass
class Catalogue:
    """Content items as columns; grows by doubling when new items are commissioned."""

    capacity: int
    size: int = 0
    active: np.ndarray = field(init=False)
    skill: np.ndarray = field(init=False)
    level: np.ndarray = field(init=False)
    modality: np.ndarray = field(init=False)
    quality: np.ndarray = field(init=False)
    duration: np.ndarray = field(init=False)
    mobile: np.ndarray = field(init=False)
    freshness: np.ndarray = field(init=False)
    created: np.ndarray = field(init=False)
    usage_total: np.ndarray = field(init=False)
    last_used: np.ndarray = field(init=False)
    rating_sum: np.ndarray = field(init=False)
    rating_n: np.ndarray = field(init=False)
    gain_sum: np.ndarray = field(init=False)
    commissioned: np.ndarray = field(init=False)   # made to order by governance (its value is commissioning's)
    uid: np.ndarray = field(init=False)

    _COLUMNS = {
        "active": (bool, False), "skill": (np.int32, 0), "level": (np.int32, 1), "modality": (np.int32, 0),
        "quality": (np.float64, 0.0), "duration": (np.float64, 1.0), "mobile": (bool, False),
        "freshness": (np.float64, 1.0), "created": (np.int32, 0), "usage_total": (np.int64, 0),
        "last_used": (np.int32, NO_WEEK), "rating_sum": (np.float64, 0.0), "rating_n": (np.int64, 0),
        "gain_sum": (np.float64, 0.0), "commissioned": (bool, False), "uid": (np.int64, -1),
    }

    def __post_init__(self) -> None:
        for name, (dtype, fill) in self._COLUMNS.items():
            setattr(self, name, np.full(max(self.capacity, 1), fill, dtype=dtype))

    def add(self, **values) -> int:
        """Append one item (growing the columns if needed); returns its row."""
        if self.size >= len(self.active):
            for name, (dtype, fill) in self._COLUMNS.items():
                old = getattr(self, name)
                new = np.full(2 * len(old), fill, dtype=dtype)
                new[: len(old)] = old
                setattr(self, name, new)
        row = self.size
        self.size += 1
        self.active[row] = True
        for name, value in values.items():
            getattr(self, name)[row] = value
        return row

    def rows(self) -> np.ndarray:
        """Rows of active items."""
        return np.flatnonzero(self.active[: self.size])


# --------------------------------------------------------------------------- the network
# kinds of tie; a rotation's ties to the host team are HOST while it lasts, then ALUMNI (they dissolve slowly)
TIE_TEAM, TIE_REPORTING, TIE_CROSS, TIE_PLATFORM, TIE_HOST, TIE_ALUMNI = 0, 1, 2, 3, 4, 5
# informal ties across teams that need people to meet: they carry fewer conversations when people are apart
# (rules.location.cross_use_loss); platform ties are made and used online, team and reporting ties are work itself
CO_PRESENCE_TIES = (TIE_CROSS, TIE_ALUMNI)


def tie_strengths(social_rules) -> np.ndarray:
    """Strength of each kind of tie (team, reporting, cross-team, platform, host team during a
    rotation, host team kept after it), from ``rules.social``."""
    r = social_rules
    return np.array([r.strength_team, r.strength_reporting, r.strength_cross, r.strength_platform, r.strength_host,
                     r.strength_alumni])


def network_ties(wf: "Workforce", edges: np.ndarray, p) -> "Ties":
    """The ties of ``edges`` for the weekly phases: strengths by kind from ``p``
    (``rules.social.*``) and reach from the workforce's time away and ``p.cross_use_loss``
    (``rules.location.cross_use_loss``)."""
    return Ties.from_edges(wf.n, edges, tie_strengths(p), wf.away, p.cross_use_loss)


def dedupe_edges(edges: np.ndarray) -> np.ndarray:
    """Keep one tie per pair of positions (the first, i.e. the strongest kind listed first),
    as (lower row, higher row, kind), in the order listed (:func:`sim.kernels.dedupe`)."""
    if edges.shape[1] == 0:
        return edges
    return kernels.dedupe(np.ascontiguousarray(edges, dtype=np.int64))


@dataclass
class Ties:
    """The org network as compressed sparse rows (both directions), for vectorised phases.

    ``strength`` (0–1, by kind of tie) scales what a conversation passes on; ``reach`` (0–1)
    scales how often the tie carries one: 1 − ``cross_use_loss`` × the time its two people
    are apart for the informal ties that need them to meet (:data:`CO_PRESENCE_TIES`), 1 for
    the others (``rules.location``; Yang et al. 2022)."""

    indptr: np.ndarray
    indices: np.ndarray
    strength: np.ndarray
    degree: np.ndarray
    reach: np.ndarray

    @classmethod
    def from_edges(cls, n: int, edges: np.ndarray, strength_by_kind: np.ndarray, away: np.ndarray | None = None,
                   cross_use_loss: float = 0.0) -> "Ties":
        """Both directions of each tie of ``edges`` (src, dst, kind) as compressed rows,
        ordered by position and then by the other end (:func:`sim.kernels.csr_ties`)."""
        src, dst, kind = (np.ascontiguousarray(a, dtype=np.int64) for a in edges)
        co_presence = np.isin(np.arange(len(strength_by_kind)), CO_PRESENCE_TIES)
        with_reach = away is not None and cross_use_loss > 0 and len(src) > 0
        indptr, indices, strength, degree, reach = kernels.csr_ties(
            n, src, dst, kind, np.asarray(strength_by_kind, dtype=np.float64), co_presence,
            away if with_reach else np.zeros(0), float(cross_use_loss), with_reach)
        return cls(indptr=indptr, indices=indices, strength=strength, degree=degree, reach=reach)


# --------------------------------------------------------------------------- all mutable state
@dataclass
class GovernanceMemory:
    """What L&D leadership remembers between reviews."""

    last_roi: float | None = None
    last_direction: float = 1.0
    commission_credit: float = 0.0
    decisions: list = field(default_factory=list)
    snapshots: dict = field(default_factory=dict)   # week → skills data taken then (measured rows, shortfalls)
    programme_seen: dict | None = None   # the programme data of the last review (evidence allocation)


@dataclass
class BudgetState:
    """The budget as finance tracks it (:mod:`sim.processes.budget`): the scale (0–1) each
    cuttable programme runs at, this budget year's spend and allowance so far, the cost
    estimates at full scale, and one record per budget year."""

    scale: dict = field(default_factory=dict)          # programme → share of it the budget allows (1: all)
    estimate: dict = field(default_factory=dict)       # programme (and "fixed") → weekly cost at full scale
    year_spend: float = 0.0
    year_allowance: float = 0.0
    year_heads: float = 0.0                            # sum of weekly headcounts this budget year
    year_scale_sum: dict = field(default_factory=dict)  # programme → sum of weekly scales this year
    year_weeks: int = 0
    years: list = field(default_factory=list)          # one dict per budget year (see budget.close_year)
    spent: dict = field(default_factory=dict)          # programme → direct spend since week 0
    value: dict = field(default_factory=dict)          # programme → governance's measured value per $ (evidence)
    value_week: int | None = None                      # review week of those measurements
    planned_week: int | None = None                    # review week whose measurements the scales follow
    reallocations: list = field(default_factory=list)  # one dict per reallocation (see budget.record_move)


@dataclass
class State:
    """Everything that changes during a run, owned by the model and passed to each phase.

    The model builds it (:mod:`sim.organisation`), the phases of :mod:`sim.processes` read
    and write the fields they declare, the Mesa agents are handles onto its rows, and the
    outcomes (:mod:`sim.outcomes`) are functions of it.
    """

    workforce: Workforce
    catalogue: Catalogue
    structure: Any                      # sim.organisation.Structure (requirements change with events)
    edges: np.ndarray                   # (3, m) src, dst, kind: the org network's ties
    ties: Ties                          # the same ties as compressed rows
    team_climate: np.ndarray            # psychological safety per team
    derived: Any                        # sim.records.Derived: this week's per-position measures
    records: Any                        # sim.records.Records: weekly departmental records
    best_item: np.ndarray               # (skills, 6) best catalogue row per skill and level, -1 none
    week: int = 0
    budget_factor: float = 1.0          # product of budget cuts so far
    hiring_frozen_until: int = NO_WEEK  # no freeze
    protected_hours: float = 0.0        # protected learning time now (governance may move it)
    catalogue_changed: bool = True      # the recommendation index must be rebuilt
    trained_now: np.ndarray | None = None   # managers who finished development this week
    commissioned: dict = field(default_factory=dict)   # week → items commissioned
    market_supply: np.ndarray | None = None   # per skill: the labour market's supply (1 established … 0 none)
    overhead_spend: float = 0.0         # this week's direct spend not attributable to a position
    rewired: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))  # rows whose ties changed this week
    governance: GovernanceMemory = field(default_factory=GovernanceMemory)
    budget: BudgetState = field(default_factory=BudgetState)
    spend_items: dict = field(default_factory=dict)   # this week's direct spend by programme (costs phase)
    ledger: Any = None                  # sim.records.ProgrammeLedger under evidence allocation (else None): what each programme did, per position
    dept_protected: np.ndarray | None = None        # per department: multiple of the protected hours (governance)
    curated_skill: np.ndarray | None = None         # per role: skill of the learning path L&D curates, -1 none
    _position_req: Any = None

    @property
    def position_req(self):
        """Home-role requirements per position (rebuilt when requirements change)."""
        from .organisation import PositionRequirements

        pr = self._position_req
        if pr is None or pr.version != self.structure.version:
            pr = self._position_req = PositionRequirements(self.structure, self.workforce.role)
        return pr
