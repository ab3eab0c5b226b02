"""``model.datacollector``: Mesa's :class:`~mesa.DataCollector` over the declared outcomes.

Mesa's tools (``mesa.batch_run``, SolaraViz's ``make_plot_component``, a tutorial's
``model.datacollector.get_model_vars_dataframe()``) read a model's ``datacollector``. Its
model reporters here are the organisation-level columns of ``timeseries.csv`` — ``week``,
``headcount`` and every outcome of :data:`~sim.outcomes.OUTCOMES`, in that order — and each
reads the value the model's :class:`~sim.outcomes.OutcomeCollector` has just computed from
the columns, so collecting costs a few dictionary appends a week, not a second pass over the
agents. The frame's index is Mesa's step, which is the week (week 0 is the state the
strategy starts from).

Agent reporters are optional and sampled (:meth:`OutcomeDataCollector.track_agents`): a
fixed random sample of positions, reported through whoever holds each position that week,
because Mesa's own agent reporters run on every agent (content items, policies, governance
too) and cost seconds a collection at scale (~2.5 s at a million agents).
"""

from __future__ import annotations

from copy import deepcopy
from functools import partial
from typing import TYPE_CHECKING, Any, Callable

import numpy as np
from mesa import DataCollector

from .outcomes import OUTCOMES

if TYPE_CHECKING:
    from .model import LearningEcosystem

TIMESERIES_COLUMNS = ("week", "headcount", *(o.name for o in OUTCOMES))
"""The columns of ``timeseries.csv`` and of :meth:`OutcomeDataCollector.get_model_vars_dataframe`."""


def _week(model: "LearningEcosystem") -> int:
    return int(model.collector.weeks[-1])


def _headcount(model: "LearningEcosystem") -> int:
    return int(model.collector.headcount[-1].sum())


def _outcome(index: int, model: "LearningEcosystem") -> float:
    return float(model.collector.org[-1][index])


class OutcomeDataCollector(DataCollector):
    """Mesa's DataCollector whose model reporters are the columns of ``timeseries.csv``.

    The model calls :meth:`collect` once a week, after its own outcome collector (do not call
    it again from outside: each call appends a row). Reporters are module-level functions
    (``functools.partial``), so the collector pickles, as Mesa's multi-process tools need.
    """

    def __init__(self) -> None:
        reporters: dict[str, Callable] = {"week": partial(_week), "headcount": partial(_headcount)}
        reporters.update({o.name: partial(_outcome, i) for i, o in enumerate(OUTCOMES)})
        super().__init__(model_reporters=reporters)
        self.sample_rows = np.empty(0, dtype=np.int64)

    def track_agents(self, model: "LearningEcosystem", reporters: dict[str, str | Callable[[Any], Any]],
                     sample: int = 100) -> None:
        """Report ``reporters`` (Mesa's form: an attribute name or ``fn(agent)``, e.g.
        ``{"engagement": "engagement", "gap": "skills_gap"}``) for a fixed random sample of
        ``sample`` positions (all of them if fewer), from this week on: each collection
        records the employee who holds each sampled position then (a vacant one is skipped;
        a hire shows as a new AgentID). The sample is drawn from the model's own stream
        ``datacollector_sample``, so it is the same for the same seed and changes no other
        draw. Read with :meth:`get_agent_vars_dataframe` (index Step = week, AgentID)."""
        if isinstance(sample, bool) or not isinstance(sample, (int, np.integer)) or sample < 1:
            raise ValueError(f"sample={sample!r}: expected a whole number of positions, at least 1")
        if not reporters:
            raise ValueError("reporters: expected at least one name → attribute or function")
        n = model.workforce.n
        rng = model.streams["datacollector_sample"]
        self.sample_rows = np.sort(rng.choice(n, size=min(int(sample), n), replace=False))
        for name, reporter in reporters.items():
            self._new_agent_reporter(name, reporter)
        self._agent_records[model.time] = list(self._record_agents(model))

    def _record_agents(self, model: "LearningEcosystem"):
        """One record (time, AgentID, values…) per occupied sampled position, as Mesa's own
        ``_record_agents`` makes for every agent."""
        funcs = list(self.agent_reporters.values())
        records = []
        for row in self.sample_rows:
            agent = model.occupant(int(row))
            if agent is None:
                continue
            values = [rep(agent) for rep in funcs]
            values = [v if isinstance(v, (str, int, bool, float, tuple)) else deepcopy(v) for v in values]
            records.append((model.time, agent.unique_id, *values))
        return records
