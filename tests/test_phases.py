"""The weekly phases are declared honestly: parameters that exist, state they really touch.

A phase declares its parameters, the state it reads and writes, and its random stream
(:mod:`sim.processes.phase`). These tests hold the declarations to what the rules do: every
parameter path resolves in the scenario format, and running each phase of a busy week
(every programme on, events, a governance review) through a recording view of the state
touches nothing it did not declare.
"""

from __future__ import annotations

import ast
import copy
import dataclasses
from pathlib import Path

import numpy as np
import pytest

from sim.model import WEEK
from sim.processes.start import START
from sim.parameters import iter_parameters
from sim.processes.phase import lookup
from sim.records import Derived
from sim.scenario import Scenario
from sim.state import Catalogue, State, Workforce

from .conftest import make_model

PROCESSES = Path(__file__).resolve().parents[1] / "sim" / "processes"
SUBSTATES = ("workforce", "catalogue", "structure", "derived", "records", "governance", "budget")


def test_every_phase_parameter_resolves_and_names_are_unique():
    sc = Scenario()
    paths = {p.path for p in iter_parameters(Scenario)}
    for phase in (*WEEK, START):
        phase.resolve(sc)  # raises on a duplicate local name
        for _local, path in phase.parameter_paths():
            if path.endswith(".*"):
                assert hasattr(type(lookup(sc, path[:-2])), "model_fields"), f"{phase.name}: {path}"
            elif path not in ("events", "governance.budget_cut_order"):  # structure (lists), not parameters
                section_or_value = lookup(sc, path)
                assert path in paths or hasattr(type(section_or_value), "model_fields"), f"{phase.name}: {path}"
        if phase.when is not None:
            assert isinstance(lookup(sc, phase.when), bool), phase.when
    assert len({p.name for p in (*WEEK, START)}) == len(WEEK) + 1


def _known_fields() -> set[str]:
    names = {f.name for f in dataclasses.fields(State)} | {"position_req"}
    names |= {f"workforce.{f.name}" for f in dataclasses.fields(Workforce)}
    names |= {f"catalogue.{f.name}" for f in dataclasses.fields(Catalogue)}
    names |= {f"derived.{k}" for k in vars(Derived(1)) if not k.startswith("_")}
    return names


def test_declared_state_fields_exist():
    known = _known_fields()
    for phase in (*WEEK, START):
        for name in (*phase.reads, *phase.writes):
            assert name in known, f"{phase.name} declares unknown state {name!r}"


def test_no_process_takes_the_model_or_looks_up_a_policy_by_name():
    for path in PROCESSES.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                assert "model" not in [a.arg for a in node.args.args], f"{path.name}:{node.lineno} {node.name}"
            if isinstance(node, ast.Attribute):
                assert node.attr not in ("spec", "policy", "policies", "streams"), f"{path.name}:{node.lineno}"


# ----------------------------------------------------------------------------- honesty of reads/writes
class _View:
    """A recording view of the state (or one of its parts): logs attribute reads and writes."""

    def __init__(self, target, prefix: str, log: dict):
        object.__setattr__(self, "_t", target)
        object.__setattr__(self, "_p", prefix)
        object.__setattr__(self, "_log", log)

    def __getattr__(self, name):
        value = getattr(self._t, name)
        if not self._p and name in SUBSTATES:  # a part of the state: log what is read of it
            return _View(value, f"{name}.", self._log)
        self._log["read"].add(f"{self._p}{name}")
        return value

    def __setattr__(self, name, value):
        self._log["write"].add(f"{self._p}{name}")
        setattr(self._t, name, value)


def _snapshot(s: State) -> dict:
    out = {}
    for f in dataclasses.fields(State):
        if f.name in SUBSTATES or f.name.startswith("_"):
            continue
        out[f.name] = copy.deepcopy(getattr(s, f.name))
    for part in SUBSTATES:
        obj = getattr(s, part)
        for k, v in vars(obj).items():
            if not k.startswith("_critical_of"):
                out[f"{part}.{k.lstrip('_')}"] = copy.deepcopy(v)
    return out


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if dataclasses.is_dataclass(a):
        return all(_same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b or (a != a and b != b)


def _covered(name: str, declared: tuple[str, ...]) -> bool:
    return any(name == d or name.startswith(d + ".") for d in declared)


@pytest.fixture(scope="module")
def busy_model():
    """A week in which every phase has work: all programmes on, events, a review."""
    m = make_model(
        weeks=10, organisation={"size": 200},
        policies={"protected_time": {"enabled": True}, "mentoring": {"enabled": True, "rematch_every_weeks": 4, "ratio": 0.5},
                  "job_rotation": {"enabled": True, "share_per_year": 0.9}, "platform": {"enabled": True},
                  "manager_development": {"enabled": True}, "mindset_initiative": {"enabled": True},
                  "recognition": {"enabled": True}},
        governance={"rule": "roi_driven", "review_every_weeks": 5, "data_maturity": 2, "annual_budget_per_employee": 1e5},
        labour_market={"annual_turnover": 0.95, "time_to_fill_weeks": 0},
        environment={"turbulence_per_year": 52},
        rules={"codification": {"expert_review_weeks": 4}},
        events=[{"type": "reorganisation", "week": 5, "share": 0.2},
                {"type": "new_skill", "week": 5, "skill": "ai_literacy", "level": 2.0},
                {"type": "budget_cut", "week": 5, "fraction": 0.2}])
    for _ in range(4):
        m.step()
    return m


def test_each_phase_touches_only_the_state_it_declares(busy_model):
    m = busy_model
    s = m.state
    s.week += 1  # week 5: mentoring rematch, expert review, governance review, events
    touched = {}
    for bound in (*m.phases, START.bind(m.spec)):  # START runs once, at week 0; its rule is held to the same
        phase = bound.phase
        before = _snapshot(s)
        log = {"read": set(), "write": set()}
        phase.fn(_View(s, "", log), bound.pars, m.streams[phase.stream] if phase.stream else None)
        after = _snapshot(s)
        changed = {k for k in before if not _same(before[k], after[k])}
        undeclared_writes = {w for w in changed | log["write"] if not _covered(w, phase.writes)}
        assert not undeclared_writes, f"{phase.name} writes {sorted(undeclared_writes)} without declaring them"
        reads = {r for r in log["read"] if r not in ("workforce.n", "workforce.k")}
        if "position_req" in reads:
            assert _covered("structure", phase.reads) and "workforce.role" in phase.reads, phase.name
            reads.discard("position_req")
        undeclared_reads = {r for r in reads if not _covered(r, phase.reads + phase.writes)}
        assert not undeclared_reads, f"{phase.name} reads {sorted(undeclared_reads)} without declaring them"
        touched[phase.name] = changed
    # the week was busy enough to exercise the rules that write rarely
    for name in ("events", "mentoring", "job_rotation", "codification", "exits", "hiring", "governance", "start"):
        assert touched[name], f"{name} changed nothing in the test week"
