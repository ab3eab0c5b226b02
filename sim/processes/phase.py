"""How a weekly phase is declared: its parameters, the state it reads and writes, its stream.

A :class:`Phase` is a plain declaration (in the spirit of Starsim's ``pars``/``states`` and
of a SimPy process that sees only its environment)::

    EXPERIENTIAL = Phase(
        "experiential", learn_by_doing,
        params=("learning.experiential_rate", "learning.mindset_effect"),
        reads=("workforce.prof", "workforce.aptitude", …),
        writes=("workforce.prof", "derived.demand"))

* ``params`` — scenario parameters by dotted path (:mod:`sim.scenario`). The rule sees each
  under its last path component (``p.experiential_rate``) or under an alias written
  ``"alias=path"``; ``"rules.formal.*"`` brings every parameter of a section. They are
  resolved once, when the model is built, into a frozen :class:`Pars`.
* ``reads`` / ``writes`` — the :class:`~sim.state.State` fields the rule touches
  (``"workforce.prof"``, ``"team_climate"``, ``"records"`` …). Tests check the declaration
  against what the rule really does, so it stays true.
* ``stream`` — the name of the rule's random stream (:mod:`sim.rng`), or None.
* ``when`` — a boolean parameter that switches the phase on (a policy's ``enabled``); the
  phase does not run at all when it is off.

The function is ``fn(state, p, rng)``: the state, the resolved parameters and the stream.
No rule receives the model, and none looks a policy up by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np


class Pars:
    """The resolved, read-only parameters of one phase (attribute access)."""

    __slots__ = ("_values",)

    def __init__(self, values: dict[str, Any]):
        object.__setattr__(self, "_values", dict(values))

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"parameter {name!r} is not declared by this phase") from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("phase parameters are read-only")

    def __repr__(self) -> str:
        return "Pars(" + ", ".join(f"{k}={v!r}" for k, v in self._values.items()) + ")"


def lookup(scenario, path: str) -> Any:
    """The value at dotted ``path`` of a scenario (or section)."""
    node = scenario
    for part in path.split("."):
        node = getattr(node, part)
    return node


def _fields_of(section) -> dict[str, Any]:
    return {name: getattr(section, name) for name in type(section).model_fields}


@dataclass(frozen=True)
class Phase:
    """One weekly phase: a rule with its declared parameters, state and random stream."""

    name: str
    fn: Callable[..., None]
    params: tuple[str, ...] = ()
    reads: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()
    stream: str | None = None
    when: str | None = None

    def parameter_paths(self) -> list[tuple[str, str]]:
        """(local name, dotted scenario path) pairs; a ``section.*`` entry is expanded by
        :meth:`resolve` (its local name is ``*``)."""
        out = []
        for entry in self.params:
            alias, _, path = entry.rpartition("=")
            out.append((alias or path.rsplit(".", 1)[-1], path))
        return out

    def resolve(self, scenario) -> Pars:
        """This phase's parameters read from ``scenario``."""
        values: dict[str, Any] = {}
        for local, path in self.parameter_paths():
            if path.endswith(".*"):
                section = lookup(scenario, path[:-2])
                for k, v in _fields_of(section).items():
                    _put(values, k, v, self.name)
            else:
                _put(values, local, lookup(scenario, path), self.name)
        return Pars(values)

    def active(self, scenario) -> bool:
        return self.when is None or bool(lookup(scenario, self.when))

    def bind(self, scenario) -> "BoundPhase":
        return BoundPhase(self, self.resolve(scenario))


def _put(values: dict, key: str, value: Any, phase: str) -> None:
    if key in values:
        raise ValueError(f"phase {phase!r}: parameter name {key!r} declared twice (use alias=path)")
    values[key] = value


@dataclass(frozen=True)
class BoundPhase:
    """A phase with its parameters resolved for one scenario."""

    phase: Phase
    pars: Pars

    def run(self, state, streams) -> None:
        rng = streams[self.phase.stream] if self.phase.stream else None
        self.phase.fn(state, self.pars, rng)


def weekly_probability(share_per_year: float) -> float:
    """Weekly probability that gives ``share_per_year`` over a year: 1 − (1 − s)^(1/52)
    (1 when s ≥ 1)."""
    return 1.0 - (1.0 - min(share_per_year, 1.0)) ** (1.0 / 52.0) if share_per_year < 1 else 1.0


def line_support(wf, executive_support: float) -> np.ndarray:
    """Each position's line manager's support for learning (executive support at the top)."""
    return np.where(wf.manager >= 0, wf.support[np.maximum(wf.manager, 0)], executive_support)
