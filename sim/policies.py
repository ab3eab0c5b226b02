"""L&D policies as Mesa agents: one agent per policy the scenario switches on.

A policy agent is a handle: its validated configuration (``config``) and, for protected
time, the hours that governance may move (read from and written to the model's state).
What a policy *does* is a declared weekly phase in :mod:`sim.processes` that runs only when
the policy is on (mentoring pairs, job rotation and manager development in
:mod:`sim.processes.programmes`; protected time, the LXP, recognition and the mindset
initiative in the phases they change; what each costs in :mod:`sim.processes.costs`).

Defaults and sources of every setting are declared in :mod:`sim.scenario`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from mesa import Agent

if TYPE_CHECKING:
    from .model import LearningEcosystem


class Policy(Agent):
    """Base class: a named policy with its validated configuration."""

    name: ClassVar[str] = "policy"
    model: "LearningEcosystem"

    def __init__(self, model: "LearningEcosystem", config):
        super().__init__(model)
        self.config = config

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


class ProtectedTimePolicy(Policy):
    """Protected learning time: ``hours`` a week that managers let people take. The hours
    taken depend on manager support (phase 3); governance's steering rules may move
    ``hours`` within their bounds (phase 13). Cost: learners' time (ROI), no direct spend."""

    name = "protected_time"

    @property
    def hours(self) -> float:
        return self.model.state.protected_hours

    @hours.setter
    def hours(self, value: float) -> None:
        self.model.state.protected_hours = float(value)


class PlatformPolicy(Policy):
    """The learning platform: a basic LMS, or an LXP with gap-targeted recommendations,
    peer features (``peer_ties`` extra cross-team ties per employee, opened at week 0) and
    mobile access. Always present. Cost: licence per employee per year."""

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


class MentoringPolicy(Policy):
    """A formal mentoring programme (pairs: phase 2, :func:`sim.processes.programmes.match_mentors`;
    learning: phase 7). Cost per pair; mentors' and mentees' hours count as time cost."""

    name = "mentoring"


class JobRotationPolicy(Policy):
    """Job rotation / job swapping (phase 2, :func:`sim.processes.programmes.rotate_jobs`).
    Cost per rotation."""

    name = "job_rotation"


class ManagerDevelopmentPolicy(Policy):
    """Manager development (phase 2, :func:`sim.processes.programmes.develop_managers`).
    Cost per trained manager."""

    name = "manager_development"


class MindsetInitiativePolicy(Policy):
    """Growth-mindset / psychological-safety initiative: raises the climate leaders signal and
    nudges mindsets (phase 8). Effects deliberately small (Sisk2018; Yeager2019). Cost per
    employee per year."""

    name = "mindset_initiative"


class ContentInvestmentPolicy(Policy):
    """Content investment: governance commissions items (phase 13) and SMEs codify know-how
    (phase 10). Cost: creation cost of commissioned items."""

    name = "content_investment"


class MandatoryTrainingPolicy(Policy):
    """Mandatory/compliance training: ``hours_per_year`` for everyone in one block a year
    (phase 3). Cost per employee per year."""

    name = "mandatory_training"


class RecognitionPolicy(Policy):
    """Recognition of completed learning: ``engagement_boost`` per completion (phase 8).
    Cost per completion."""

    name = "recognition"


class HiringPolicy(Policy):
    """Hiring strategy: ``build`` or ``buy`` (phase 11). Always present."""

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
