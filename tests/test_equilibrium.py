"""Every run starts from the status quo's settled state (docs/ODD.md §5, "Initialisation").

Before week 0 the organisation runs ``start.spin_up_weeks`` weeks under its status quo
(policies and every other lever at their defaults, no events, requirements held still); the strategy starts at
week 0. These tests hold that to what it promises: the status quo is flat over five
reported years, strategies for the same organisation and seed start from the identical
state, scheduled events happen at their reported week, and nothing of the spin-up is
reported.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sim.loader import ScenarioError, load_scenario
from sim.model import LearningEcosystem
from sim.processes.start import START
from sim.run import simulate
from sim.scenario import Scenario
from sim.state import State

from .conftest import ROOT, make_scenario

BASELINE = ROOT / "scenarios" / "baseline.yaml"


# ----------------------------------------------------------------------------- a flat status quo
def _yearly_slopes(spin_up: int | None, seeds) -> dict[str, np.ndarray]:
    """Per seed, the least-squares slope (per year) of the five yearly means of the skills gap
    and of the fully-proficient share of the status quo: the baseline organisation at 250
    people (the point survives at this size; 500 only narrows the noise) in a stationary
    environment (no turbulence: random requirement shifts go up twice as often as down, a
    real upward trend in demand that is not the start's doing)."""
    extra = [] if spin_up is None else [f"start.spin_up_weeks={spin_up}"]
    out: dict[str, list[float]] = {"skills_gap": [], "fully_proficient": []}
    for seed in seeds:
        sc = load_scenario(BASELINE, [f"seed={seed}", "organisation.size=250", "environment.turbulence_per_year=0",
                                      "weeks=260", *extra])
        ts = simulate(sc).timeseries
        body = ts[ts.week >= 1]
        for name, slopes in out.items():
            yearly = body[name].to_numpy().reshape(5, 52).mean(axis=1)
            slopes.append(np.polyfit(np.arange(5), yearly, 1)[0])
    return {k: np.array(v) for k, v in out.items()}


# Tolerances (per year) on the mean slope. Without a spin-up the same measurement gives
# about −0.0064/year on the gap and +0.09/year on the fully-proficient share (the start
# artefact, seeds 1–6); the tolerances are under a quarter of that, about the size of the
# upward drift of demand that turbulence adds (≈ +0.0013/year on the gap), and three times
# what the default spin-up leaves (measured at 500 people, seeds 1–6: −0.0004 and +0.0035).
TOLERANCE = {"skills_gap": 0.0015, "fully_proficient": 0.015}
T_CRITICAL = 2.571  # two-sided 5 % point of Student's t with 5 degrees of freedom (6 seeds)
SEEDS = (1, 2, 3, 4, 5, 6)


def test_status_quo_has_no_trend_over_five_years():
    """Across six fixed seeds, the mean slope of the yearly means is not significantly
    different from zero (|t| below the 5 % two-sided critical value) and is small in absolute
    terms (:data:`TOLERANCE`)."""
    for name, slopes in _yearly_slopes(None, SEEDS).items():
        mean, se = slopes.mean(), slopes.std(ddof=1) / np.sqrt(len(slopes))
        assert abs(mean) <= T_CRITICAL * se, f"{name}: slope {mean:+.5f}/year is significant (se {se:.5f})"
        assert abs(mean) <= TOLERANCE[name], f"{name}: slope {mean:+.5f}/year exceeds {TOLERANCE[name]}"


def test_without_spin_up_the_same_measurement_sees_the_start_drift():
    """The trend test can fail: starting from the initial draws (``start.spin_up_weeks`` 0)
    the gap falls and the fully-proficient share rises far beyond the tolerance."""
    slopes = _yearly_slopes(0, SEEDS[:3])
    assert slopes["skills_gap"].mean() < -2 * TOLERANCE["skills_gap"]
    assert slopes["fully_proficient"].mean() > 2 * TOLERANCE["fully_proficient"]


# ----------------------------------------------------------------------------- common start
STRATEGIES = {
    "baseline": {},
    "mentoring": {"policies": {"mentoring": {"enabled": True, "ratio": 0.3}}},
    "coaching": {"leadership": {"coaching_hours": 1.0}, "policies": {"manager_development": {"enabled": True}}},
    "platform": {"policies": {"platform": {"enabled": True}}},
    "protected_time": {"policies": {"protected_time": {"enabled": True, "hours_per_week": 3.0}}},
    "steering": {"governance": {"rule": "roi_driven", "data_maturity": 3}, "culture": {"failure_tolerance": 0.8}},
    "rotation_and_buy": {"policies": {"job_rotation": {"enabled": True}, "hiring": {"strategy": "buy"},
                                      "content_investment": {"enabled": False}}},
    "dearer_lms": {"policies": {"platform": {"lms_per_employee_year": 300.0}}},
}


def _strategy(name: str, **extra) -> LearningEcosystem:
    return LearningEcosystem(make_scenario(start={"spin_up_weeks": 30}, weeks=4, **STRATEGIES[name], **extra))


def _fields(s: State) -> dict:
    out = {}
    for f in dataclasses.fields(State):
        value = getattr(s, f.name)
        if f.name in ("workforce", "catalogue", "structure", "derived", "governance"):
            out.update({f"{f.name}.{k}": v for k, v in vars(value).items() if not k.startswith("_")})
        elif f.name == "records":
            out.update({f"records.{k}": v for k, v in vars(value).items()})
        elif not f.name.startswith("_"):
            out[f.name] = value
    return out


def _equal(a, b) -> bool:
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(a, b, equal_nan=np.asarray(a).dtype.kind == "f")
    if dataclasses.is_dataclass(a):
        return _equal(vars(a), vars(b))
    return a == b or (a != a and b != b)


def test_strategies_on_the_same_seed_start_from_the_identical_state():
    """Bit for bit, every strategy's week-0 state (and every random stream's position) equals
    the baseline's, except the state the week-0 start declares it sets from the levers
    (:data:`~sim.processes.start.START`: LXP ties, protected hours, coaching hours)."""
    base = _strategy("baseline")
    ref = _fields(base.state)
    own = set(START.writes)
    for name in STRATEGIES:
        m = _strategy(name)
        assert m.week == 0
        mine = _fields(m.state)
        differ = [k for k in ref if k not in own and not _equal(ref[k], mine[k])]
        assert not differ, f"{name}: week-0 state differs from the baseline's in {differ}"
        for stream in set(base.streams._streams) | set(m.streams._streams):
            if stream != "platform":  # drawn at week 0 by the start, only with the LXP
                assert base.streams[stream].bit_generator.state == m.streams[stream].bit_generator.state, stream


def test_levers_take_effect_at_week_0_and_programmes_start_in_week_1():
    """What the start sets, and the programmes' first week: coaching hours, protected hours
    and LXP ties at week 0; mentoring pairs form in week 1 (not at the first re-match)."""
    coaching = _strategy("coaching")
    managers = coaching.workforce.is_manager & coaching.workforce.occupied
    assert (coaching.workforce.coaching_hours[managers] == 1.0).all()
    assert (_strategy("baseline").workforce.coaching_hours[managers] == 0.5).all()
    assert _strategy("protected_time").state.protected_hours == 3.0
    assert _strategy("platform").state.edges.shape[1] > _strategy("baseline").state.edges.shape[1]
    mentoring = _strategy("mentoring")
    assert (mentoring.workforce.mentor < 0).all()  # the status quo had no programme
    mentoring.step()
    assert (mentoring.workforce.mentor >= 0).sum() == round(0.3 * (mentoring.workforce.occupied
                                                                   & ~mentoring.workforce.is_exec).sum())


def test_uncertainties_change_the_spin_up_levers_do_not():
    """The status quo keeps what describes the organisation and its world and resets the
    policies (programmes and their prices) and every other lever."""
    sc = make_scenario(labour_market={"annual_turnover": 0.2}, governance={"rule": "gap_driven"},
                       policies={"mentoring": {"enabled": True}, "platform": {"lms_per_employee_year": 90.0}},
                       leadership={"executive_support": 0.9}, events=[{"type": "budget_cut", "week": 2}])
    quo = sc.status_quo()
    assert quo.labour_market.annual_turnover == 0.2
    assert quo.policies == Scenario().policies and quo.governance.rule == "static"
    assert quo.leadership.executive_support == Scenario().leadership.executive_support
    assert quo.events == [] and quo.environment.turbulence_per_year == 0
    assert quo.status_quo() == quo


# ----------------------------------------------------------------------------- reported weeks
def test_scheduled_events_happen_at_their_reported_week():
    """An event's week counts from week 0, whatever the spin-up."""
    for spin_up in (0, 7, 30):
        m = LearningEcosystem(make_scenario(
            start={"spin_up_weeks": spin_up}, weeks=6,
            events=[{"type": "new_skill", "week": 3, "skill": "ai_literacy", "level": 2.5},
                    {"type": "budget_cut", "week": 2, "fraction": 0.5}]))
        k = m.structure.skill_names.index("ai_literacy")
        seen = {}
        for _ in range(6):
            m.step()
            seen[m.week] = (float(m.structure.req[:, k].max()), m.state.budget_factor)
        assert [w for w in seen if seen[w][0] == 2.5] == [3, 4, 5, 6], spin_up
        assert [w for w in seen if seen[w][1] == 0.5] == [2, 3, 4, 5, 6], spin_up


def test_nothing_of_the_spin_up_is_reported():
    """Weeks 0 … weeks are reported; week 0 books no flow and no cost; the records, governance
    log and costs start at week 0; spin-up 0 starts from the draws (every seat occupied)."""
    sc = make_scenario(start={"spin_up_weeks": 40}, weeks=14, governance={"review_every_weeks": 13},
                       labour_market={"annual_turnover": 0.5})
    result = simulate(sc, keep_model=True)
    ts, m = result.timeseries, result.model
    assert ts["week"].tolist() == list(range(15))
    w0 = ts.iloc[0]
    assert w0.ld_spend == 0 and w0.learning_hours == 0 and w0.turnover == 0 and np.isnan(w0.roi)
    assert ts.headcount.iloc[0] < sc.organisation.size  # the spin-up's leavers left vacancies
    np.testing.assert_allclose(ts.cumulative_spend_per_employee, ts.ld_spend.cumsum() / ts.headcount, rtol=1e-9)
    assert m.records.first == 0 and m.records.week == 14
    assert [d["week"] for d in m.governance.decisions] == [13]
    assert min(m.state.commissioned, default=1) >= 1
    fresh = LearningEcosystem(make_scenario(start={"spin_up_weeks": 0}))
    assert fresh.workforce.occupied.all() and (fresh.workforce.tenure < 520).all()


def test_spin_up_is_a_declared_setting():
    from sim.parameters import iter_parameters

    info = {p.path: p for p in iter_parameters(Scenario)}["start.spin_up_weeks"]
    assert info.kind == "setting" and info.default > 0 and info.low == 0
    with pytest.raises(ScenarioError, match="start.spin_up_weeks"):
        make_scenario(start={"spin_up_weeks": -1})
