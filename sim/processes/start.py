"""Week 0 — the strategy starts: the levers whose effect is a state set once.

Before week 0 the organisation runs its *status quo* (the spin-up, :mod:`sim.model`;
docs/ODD.md §5): the scenario with its policies and every other lever at their declared
defaults (:meth:`~sim.scenario.Scenario.status_quo`). At week 0 the
scenario's own levers take over. Most of them act through the weekly phases from week 1
on — a programme's phase runs when it is on (mentoring pairs form in week 1, rotations and
manager development start in week 1), a rate or a governance rule is read every week or
review. This phase, run once at week 0 by the model, applies the few whose effect is a
value of the state set once.
"""

from __future__ import annotations

import numpy as np

from ..organisation import platform_ties
from ..state import dedupe_edges, network_ties
from .phase import Phase


def start_strategy(s, p, rng) -> None:
    """At week 0:

    * the LXP's peer features open round(``peer_ties`` × n / 2) random ties across the
      organisation (:func:`~sim.organisation.platform_ties`; assumption: social features
      connect people who would not otherwise meet); none with the basic LMS. A pair already
      tied keeps its stronger tie;
    * protected learning time is ``policies.protected_time.hours_per_week`` (used only when
      the policy is on; steering governance may move it from its first review);
    * every occupied manager seat coaches ``leadership.coaching_hours`` a week (the value a
      hire's draw uses too; no manager is trained during the status quo).
    Writes ``edges``, ``ties``, ``protected_hours`` and ``workforce.coaching_hours``.
    """
    wf = s.workforce
    new = platform_ties(wf.n, p.peer_ties, p.lxp, rng)
    if new.shape[1]:
        s.edges = dedupe_edges(np.hstack([s.edges, new]))
        s.ties = network_ties(wf, s.edges, p)
    s.protected_hours = float(p.hours_per_week)
    wf.coaching_hours[:] = np.where(wf.is_manager & wf.occupied, p.coaching_hours, 0.0)


START = Phase(
    "start", start_strategy,
    params=("lxp=policies.platform.enabled", "policies.platform.peer_ties",
            "policies.protected_time.hours_per_week", "leadership.coaching_hours", "rules.social.*", "rules.location.cross_use_loss"),
    reads=("edges", "workforce.is_manager", "workforce.occupied", "workforce.away"),
    writes=("edges", "ties", "protected_hours", "workforce.coaching_hours"),
    stream="platform")
