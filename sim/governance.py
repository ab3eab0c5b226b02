"""Governance (L&D leadership) as a Mesa agent: a handle onto what it decided.

Its rule — review, decide, reallocate — is the declared phase
:data:`sim.processes.governance.GOVERNANCE` (phase 13); its memory between reviews and its
decision log live in the model's state (``state.governance``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mesa import Agent

if TYPE_CHECKING:
    from .model import LearningEcosystem


class Governance(Agent):
    """L&D leadership: periodic skills-gap review and reallocation (:mod:`sim.processes.governance`)."""

    model: "LearningEcosystem"

    def __init__(self, model: "LearningEcosystem"):
        super().__init__(model)
        self.config = model.spec.governance

    @property
    def decisions(self) -> list[dict]:
        """One entry per review: week, rule, measured gap index, items retired and
        commissioned, protected hours after the review, and the budget's state (the budget
        year's budget and spend per employee so far, each programme's scale)."""
        return self.model.state.governance.decisions
