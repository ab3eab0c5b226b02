"""Mesa agents for people and content: thin handles onto rows of the model's columns.

An :class:`Employee` (and its subclasses :class:`Manager` and :class:`Executive`) sits in
the cell of its position on the org :class:`~mesa.discrete_space.Network`; its attributes
read and write that row of :class:`~sim.state.Workforce`, the same pattern Mesa uses for
``PropertyLayer``. The weekly processes act on whole columns at once, so handles carry no
behaviour of their own beyond describing themselves; they exist so that the dashboard, tests
and users can reach "this person" with Mesa's agent API (``model.agents_by_type``,
``AgentSet.select``, cell neighbourhoods).

Policies and governance are agents too: see :mod:`sim.policies` and :mod:`sim.governance`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from mesa import Agent
from mesa.discrete_space import FixedAgent

if TYPE_CHECKING:
    from .model import LearningEcosystem


def _column(name: str, doc: str):
    def get(self):
        return getattr(self.model.workforce, name)[self.row]

    def set_(self, value):
        getattr(self.model.workforce, name)[self.row] = value

    return property(get, set_, doc=doc)


class Employee(FixedAgent):
    """A person in a position. Attributes are views of the model's workforce columns."""

    model: "LearningEcosystem"

    def __init__(self, model: "LearningEcosystem", row: int, unique_id: int | None = None):
        """A new person in position ``row`` (a new Mesa id, placed in the position's cell);
        with ``unique_id``, the handle of the person the model already counts under that id
        (an enterprise-scale model creates handles when asked, :meth:`~sim.model.LearningEcosystem.occupant`;
        the cell is then found when first read)."""
        if unique_id is None:
            super().__init__(model)
            model.workforce.uid[row] = self.unique_id
        else:
            counter = model.agent_id_counter
            super().__init__(model)
            model.agent_id_counter = counter  # the id was counted when the person was hired
            self.unique_id = int(unique_id)
        self.row = int(row)
        if unique_id is None:
            self.cell = model.network[row]

    @property
    def cell(self):
        """The position's cell on the org network (found when first read for a handle
        created on demand)."""
        if self._mesa_cell is None and self.model.has_agent(self.row, self):
            FixedAgent.cell.fset(self, self.model.network[self.row])
        return self._mesa_cell

    @cell.setter
    def cell(self, cell) -> None:
        FixedAgent.cell.fset(self, cell)

    def remove(self) -> None:
        if self._mesa_cell is not None:
            super().remove()
        else:
            Agent.remove(self)

    mindset = _column("mindset", "Growth mindset, 0 fixed … 1 growth.")
    engagement = _column("engagement", "Engagement, 0–1.")
    motivation = _column("motivation", "Motivation to learn, 0–1.")
    sharing = _column("sharing", "Knowledge-sharing propensity, 0–1.")
    tenure = _column("tenure", "Weeks in the organisation.")
    learning_hours = _column("hours", "Formal learning hours this week.")

    @property
    def proficiency(self) -> np.ndarray:
        """Proficiency per skill (a writable view of the row)."""
        return self.model.workforce.prof[self.row]

    @property
    def department(self) -> str:
        return self.model.structure.dept_names[self.model.workforce.dept[self.row]]

    @property
    def role(self) -> str:
        return self.model.structure.role_names[self.model.workforce.role[self.row]]

    @property
    def location(self) -> str:
        """Where the seat works: "on-site", "hybrid" or "remote" (docs/ODD.md, work location)."""
        from .state import LOCATIONS

        return LOCATIONS[int(self.model.workforce.location[self.row])]

    @property
    def manager(self) -> "Employee | None":
        m = self.model.workforce.manager[self.row]
        return self.model.occupant(m) if m >= 0 else None

    @property
    def skills_gap(self) -> float:
        """Criticality-weighted shortfall against the role's requirements (0–1)."""
        from .outcomes import row_gap

        return float(row_gap(self.model.workforce, self.model.structure, np.array([self.row]))[0])

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.unique_id} row={self.row} {self.department}/{self.role}>"


class Manager(Employee):
    """An employee who leads a team: support for learning and coaching capacity."""

    support = _column("support", "Leadership support for learning, 0–1.")
    coaching_hours = _column("coaching_hours", "Coaching hours per week, shared by the direct reports.")


class Executive(Manager):
    """An executive sponsor: heads the line of one or more departments."""


def employee_class(wf, row: int) -> type[Employee]:
    """The agent class for the position at ``row``."""
    if wf.is_exec[row]:
        return Executive
    if wf.is_manager[row]:
        return Manager
    return Employee


class ContentItem(Agent):
    """A content item: a handle onto a row of the model's catalogue columns."""

    model: "LearningEcosystem"

    def __init__(self, model: "LearningEcosystem", row: int):
        super().__init__(model)
        self.row = int(row)
        model.catalogue.uid[row] = self.unique_id

    @property
    def skill(self) -> str:
        return self.model.structure.skill_names[self.model.catalogue.skill[self.row]]

    @property
    def level(self) -> int:
        return int(self.model.catalogue.level[self.row])

    @property
    def quality(self) -> float:
        return float(self.model.catalogue.quality[self.row])

    @property
    def freshness(self) -> float:
        return float(self.model.catalogue.freshness[self.row])

    @property
    def active(self) -> bool:
        return bool(self.model.catalogue.active[self.row])

    def retire(self) -> None:
        """Take the item out of the catalogue (its row stays for the records)."""
        self.model.catalogue.active[self.row] = False
        self.model.state.catalogue_changed = True
        self.model._content_agents.pop(self.row, None)
        self.remove()
