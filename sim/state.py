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

import numpy as np


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
    remote: np.ndarray = field(init=False)
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
    # this week's flows
    hours: np.ndarray = field(init=False)       # all formal hours (compliance included)
    skill_hours: np.ndarray = field(init=False) # formal hours that build taxonomy skills
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
    time_cost: np.ndarray = field(init=False)   # learners' time cost this week

    def __post_init__(self) -> None:
        n, k = self.n, self.k
        i32 = lambda v=0: np.full(n, v, dtype=np.int32)  # noqa: E731
        f64 = lambda v=0.0: np.full(n, v, dtype=np.float64)  # noqa: E731
        b = lambda: np.zeros(n, dtype=bool)  # noqa: E731
        self.dept, self.team, self.role, self.work_role, self.manager = i32(), i32(), i32(), i32(), i32(-1)
        self.is_manager, self.is_exec, self.is_sme, self.is_instructor, self.remote = b(), b(), b(), b(), b()
        self.occupied = b()
        self.uid = np.full(n, -1, dtype=np.int64)
        self.vacant_since, self.hire_week, self.proficient_week, self.tenure = i32(-1), i32(-10**6), i32(-1), i32()
        self.prof = np.zeros((n, k))
        self.pending = np.zeros((n, k))
        self.exposure, self.mindset, self.engagement, self.motivation = f64(1.0), f64(), f64(), f64()
        self.aptitude = f64(1.0)
        self.sharing, self.support, self.coaching_hours, self.learn_ewma = f64(), f64(), f64(), f64()
        self.trained_manager = b()
        self.mentor, self.rotation_end = i32(-1), i32(-1)
        self.skill_hours = f64()
        self.hours, self.formal_gain, self.transferred, self.unapplied_lost = f64(), f64(), f64(), f64()
        self.item = i32(-1)
        self.started, self.completed, self.peer_event, self.peer_cross, self.failed = b(), b(), b(), b(), b()
        self.spend, self.time_cost = f64(), f64()


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
    uid: np.ndarray = field(init=False)

    _COLUMNS = {
        "active": (bool, False), "skill": (np.int32, 0), "level": (np.int32, 1), "modality": (np.int32, 0),
        "quality": (np.float64, 0.0), "duration": (np.float64, 1.0), "mobile": (bool, False),
        "freshness": (np.float64, 1.0), "created": (np.int32, 0), "usage_total": (np.int64, 0),
        "last_used": (np.int32, -10**6), "rating_sum": (np.float64, 0.0), "rating_n": (np.int64, 0),
        "gain_sum": (np.float64, 0.0), "uid": (np.int64, -1),
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
