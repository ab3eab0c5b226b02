"""L&D policies as Mesa agents: one agent per policy the scenario switches on.

Each policy acts once a week in phase 2 (:meth:`Policy.act`) and states what it costs
(:meth:`Policy.spend`: direct L&D spend per position this week, plus an unattributed part).
Costs are computed from state, never accumulated in counters. Processes read a policy's
settings through ``model.policy(name)`` (``None`` when the policy is off).

Defaults and sources of every setting are declared in :mod:`sim.scenario`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np
from mesa import Agent

from .organisation import TIE_PLATFORM

if TYPE_CHECKING:
    from .model import LearningEcosystem

WEEKS_PER_YEAR = 52.0


def weekly_probability(share_per_year: float) -> float:
    """Weekly probability that gives ``share_per_year`` over a year: 1 − (1 − s)^(1/52)."""
    return 1.0 - (1.0 - min(share_per_year, 1.0)) ** (1.0 / WEEKS_PER_YEAR) if share_per_year < 1 else 1.0


class Policy(Agent):
    """Base class: a named policy with its validated configuration."""

    name: ClassVar[str] = "policy"
    model: "LearningEcosystem"

    def __init__(self, model: "LearningEcosystem", config):
        super().__init__(model)
        self.config = config

    def act(self) -> None:
        """Weekly action (phase 2). Most policies act through the processes that read them."""

    def spend(self) -> tuple[np.ndarray | None, float]:
        """(direct spend per position this week or None, unattributed spend this week) in $."""
        return None, 0.0

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


class ProtectedTimePolicy(Policy):
    """Protected learning time: ``hours`` a week that managers let people take.

    The hours actually taken depend on manager support (phase 3). Governance may move
    ``hours`` within its bounds. Cost: learners' time (counted in ROI), no direct spend.
    """

    name = "protected_time"

    def __init__(self, model, config):
        super().__init__(model, config)
        self.hours = float(config.hours_per_week)


class PlatformPolicy(Policy):
    """The learning platform: a basic LMS, or an LXP with gap-targeted recommendations,
    peer features (extra cross-team ties) and mobile access.

    Always present (every organisation has at least an LMS). Opening the LXP adds
    ``peer_ties`` random cross-team ties per employee to the network at the start
    (assumption: social features connect people who would not otherwise meet).
    Cost: licence per employee per year.
    """

    name = "platform"

    @property
    def lxp(self) -> bool:
        return bool(self.config.enabled)

    @property
    def recommendation_quality(self) -> float:
        return self.config.recommendation_quality if self.lxp else self.config.basic_recommendation_quality

    @property
    def mobile(self) -> bool:
        return self.lxp and self.config.mobile

    def peer_edges(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """The ties peer features open: (3, m) array of src, dst, kind."""
        m = int(round(self.config.peer_ties * n / 2)) if self.lxp else 0
        s, d = rng.integers(0, n, m), rng.integers(0, n, m)
        keep = s != d
        return np.vstack([s[keep], d[keep], np.full(keep.sum(), TIE_PLATFORM)])

    def spend(self):
        wf = self.model.workforce
        per_year = self.config.lms_per_employee_year + (self.config.licence_per_employee_year if self.lxp else 0.0)
        return wf.occupied * (per_year / WEEKS_PER_YEAR), 0.0


class MentoringPolicy(Policy):
    """A formal mentoring programme.

    In week 1 and every ``rematch_every_weeks`` weeks after, a share ``ratio`` of employees (those with the
    largest skills gaps first, ties broken at random) get a mentor among the most proficient
    colleagues, each mentor taking two mentees (more only when mentees outnumber twice the
    remaining colleagues, i.e. ratio above two thirds). Matching: ``skill_gap`` picks the
    mentor strongest in the mentee's largest-gap skill; ``same_department`` a strong mentor
    from the mentee's department; ``random`` any mentor. The learning itself happens in the
    social-learning phase. Sources: Allen2004, Eby2013 (small objective effects).
    Cost: programme cost per pair; mentors' and mentees' hours count as time cost (ROI),
    booked in phase 7.
    """

    name = "mentoring"

    def act(self) -> None:
        m = self.model
        if (m.week - 1) % self.config.rematch_every_weeks:  # weeks 1, 1 + r, 1 + 2r, …
            return
        wf = m.workforce
        rng = m.streams["mentoring"]
        wf.mentor[:] = -1
        occ = np.flatnonzero(wf.occupied & ~wf.is_exec)
        if len(occ) < 2:
            return
        from .outcomes import row_gap

        gaps = row_gap(m, occ) + 1e-6 * rng.random(len(occ))
        n_mentees = min(int(round(self.config.ratio * len(occ))), len(occ) - 1)
        if n_mentees == 0:
            return
        order = np.argsort(-gaps)
        mentees = occ[order[:n_mentees]]
        pool = occ[order[n_mentees:]]
        strength = wf.prof[pool].mean(axis=1) + 1e-6 * rng.random(len(pool))
        per_mentor = max(2, -(-n_mentees // len(pool)))  # ceil division
        n_mentors = min(len(pool), -(-n_mentees // per_mentor))
        mentors = pool[np.argsort(-strength)[:n_mentors]]
        slots = np.repeat(mentors, per_mentor)
        rule = self.config.matching
        if rule == "random":
            wf.mentor[mentees] = slots[rng.permutation(len(slots))[:n_mentees]]
            return
        # greedy matching: mentees in order of gap take the free mentor slot that fits best
        free = np.ones(len(slots), dtype=bool)
        req = m.structure.req[wf.role[mentees]]
        crit = m.structure.crit[wf.role[mentees]]
        top_skill = np.argmax(crit * np.maximum(req - wf.prof[mentees], 0), axis=1)
        for j, mentee in enumerate(mentees):
            cand = np.flatnonzero(free)
            if rule == "same_department":
                same = cand[wf.dept[slots[cand]] == wf.dept[mentee]]
                cand = same if len(same) else cand
                pick = cand[0]
            else:
                pick = cand[np.argmax(wf.prof[slots[cand], top_skill[j]])]
            wf.mentor[mentee] = slots[pick]
            free[pick] = False

    def spend(self):
        wf = self.model.workforce
        pairs = (wf.mentor >= 0) & wf.occupied
        return pairs * (self.config.programme_cost_per_pair_year / WEEKS_PER_YEAR), 0.0


class JobRotationPolicy(Policy):
    """Job rotation / job swapping.

    Each week an eligible non-manager (not rotating already) starts a rotation of
    ``duration_weeks`` with probability 1 − (1 − share_per_year)^(1/52) — a share_per_year
    chance over a year of eligibility — into another role (``rotation``) or swapping roles
    with a colleague of a different role (``swap``). While rotating, people work — and learn by doing — the other
    role's skills; their skills gap is still measured against their home role. Cost per
    rotation.
    """

    name = "job_rotation"

    def act(self) -> None:
        m = self.model
        wf = m.workforce
        rng = m.streams["rotation"]
        ending = wf.rotation_end == m.week
        wf.work_role[ending] = wf.role[ending]
        wf.rotation_end[ending] = -1
        r = rng.random(wf.n)
        other = rng.random(wf.n)
        eligible = wf.occupied & ~wf.is_manager & (wf.rotation_end < 0)
        start = eligible & (r < weekly_probability(self.config.share_per_year))
        rows = np.flatnonzero(start)
        n_roles = len(m.structure.role_names)
        if len(rows) == 0 or n_roles < 2:
            return
        if self.config.mode == "swap":
            # order starters by role (at random within a role) and pair the first with the last,
            # so that pairs mostly join different roles
            rows = rows[np.argsort(other[rows], kind="stable")]
            rows = rows[np.argsort(wf.role[rows], kind="stable")]
            half = len(rows) // 2
            a, b = rows[:half], rows[len(rows) - half:][::-1]
            diff = wf.role[a] != wf.role[b]
            a, b = a[diff], b[diff]
            wf.work_role[a], wf.work_role[b] = wf.role[b], wf.role[a]
            rows = np.concatenate([a, b])
        else:
            shift = 1 + np.floor(other[rows] * (n_roles - 1)).astype(np.int32)
            new_role = (wf.role[rows] + shift) % n_roles
            wf.work_role[rows] = new_role
        wf.rotation_end[rows] = m.week + self.config.duration_weeks
        m.records.rotations_started(rows)

    def spend(self):
        m = self.model
        wf = m.workforce
        started = wf.rotation_end == m.week + self.config.duration_weeks
        return started * float(self.config.cost_per_rotation), 0.0


class ManagerDevelopmentPolicy(Policy):
    """Manager development: each week an untrained manager finishes the programme with
    probability 1 − (1 − share_per_year)^(1/52) (a share_per_year chance over a year), which
    raises their support for learning by ``support_gain`` and their
    coaching hours by ``coaching_hours_gain`` (assumption; support is the strongest work-
    environment predictor of transfer, Blume2010). Cost per trained manager.
    """

    name = "manager_development"

    def __init__(self, model, config):
        super().__init__(model, config)
        self._trained_now = np.zeros(model.workforce.n, dtype=bool)

    def act(self) -> None:
        m = self.model
        wf = m.workforce
        r = m.streams["manager_development"].random(wf.n)
        train = wf.occupied & wf.is_manager & ~wf.trained_manager & (r < weekly_probability(self.config.share_per_year))
        wf.support[train] = np.minimum(1.0, wf.support[train] + self.config.support_gain)
        wf.coaching_hours[train] += self.config.coaching_hours_gain
        wf.trained_manager[train] = True
        self._trained_now = train

    def spend(self):
        return self._trained_now * float(self.config.cost_per_manager), 0.0


class MindsetInitiativePolicy(Policy):
    """Growth-mindset / psychological-safety initiative: raises the climate that leaders
    signal by ``climate_target_gain`` and nudges individual mindsets toward growth by
    ``mindset_nudge`` a week (phase 8). Effects deliberately small (Sisk2018; Yeager2019).
    Cost per employee per year.
    """

    name = "mindset_initiative"

    def spend(self):
        wf = self.model.workforce
        return wf.occupied * (self.config.cost_per_employee_year / WEEKS_PER_YEAR), 0.0


class ContentInvestmentPolicy(Policy):
    """Content investment: governance commissions ``commission_per_year`` new items (placed
    by its rule) and SMEs spend ``sme_hours_per_week`` codifying know-how (phase 10).
    Cost: creation cost of commissioned items (unattributed). Governance commissions in
    phase 13, after the week's records, so the cost is booked in the following week.
    """

    name = "content_investment"

    def __init__(self, model, config):
        super().__init__(model, config)
        self.commissioned: dict[int, int] = {}

    def record_commission(self, count: int) -> None:
        week = self.model.week
        self.commissioned[week] = self.commissioned.get(week, 0) + count

    def spend(self):
        count = self.commissioned.get(self.model.week - 1, 0)
        return None, count * float(self.model.spec.content.creation_cost)


class MandatoryTrainingPolicy(Policy):
    """Mandatory/compliance training: ``hours_per_year`` for everyone, taken in one block in
    the week of the year matching the position (spreads load evenly; assumption). Counts as
    formal hours but builds none of the taxonomy's skills. Cost per employee per year.
    """

    name = "mandatory_training"

    def due(self) -> np.ndarray:
        wf = self.model.workforce
        return wf.occupied & ((np.arange(wf.n) % 52) == (self.model.week % 52))

    def spend(self):
        wf = self.model.workforce
        return wf.occupied * (self.config.cost_per_employee_year / WEEKS_PER_YEAR), 0.0


class RecognitionPolicy(Policy):
    """Recognition of completed learning: ``engagement_boost`` per completion (phase 8).
    Cost per completion."""

    name = "recognition"

    def spend(self):
        wf = self.model.workforce
        return wf.completed * float(self.config.cost_per_completion), 0.0


class HiringPolicy(Policy):
    """Hiring strategy: ``build`` hires at market proficiency and develops people; ``buy``
    hires ``buy_proficiency_gain`` more proficient people at ``buy_premium`` each (phase 11).
    The premium is hiring spend, not L&D spend. Always present."""

    name = "hiring"


POLICY_CLASSES: dict[str, type[Policy]] = {
    cls.name: cls
    for cls in (ProtectedTimePolicy, PlatformPolicy, MentoringPolicy, JobRotationPolicy, ManagerDevelopmentPolicy,
                MindsetInitiativePolicy, ContentInvestmentPolicy, MandatoryTrainingPolicy, RecognitionPolicy, HiringPolicy)
}
ALWAYS_ON = {"platform", "hiring"}


def create_policies(model: "LearningEcosystem") -> dict[str, Policy]:
    """One agent per policy that the scenario switches on (platform and hiring always)."""
    out: dict[str, Policy] = {}
    for name, cls in POLICY_CLASSES.items():
        cfg = getattr(model.spec.policies, name)
        if name in ALWAYS_ON or getattr(cfg, "enabled", True):
            out[name] = cls(model, cfg)
    return out
