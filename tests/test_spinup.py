"""The spin-up cache (sim/spinup.py): a model that starts from a cached spin-up runs bit for bit
as one that spun up itself; the key misses when anything the spin-up depends on changes and
hits when only the strategy does; nothing a run does leaks into the cache; the cache is bounded."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from sim import spinup
from sim.model import WEEK, LearningEcosystem
from sim.run import tables
from sim.state import State

from .conftest import make_scenario

SPIN = {"spin_up_weeks": 30}
STRATEGY = {"policies": {"mentoring": {"enabled": True}, "platform": {"enabled": True},
                         "protected_time": {"enabled": True}},
            "governance": {"rule": "gap_driven", "review_every_weeks": 4}, "leadership": {"executive_support": 0.8},
            "events": [{"type": "new_skill", "week": 3, "skill": "ai_literacy", "level": 2.5}]}


@pytest.fixture
def cache():
    """The process's cache, emptied and at its default cap for the test, restored after."""
    saved = spinup.CACHE.cap_bytes
    spinup.CACHE.configure(spinup.DEFAULT_CAP_MB)
    spinup.CACHE.clear()
    yield spinup.CACHE
    spinup.CACHE.clear()
    spinup.CACHE.cap_bytes = saved


def key_of(sc, seed: int) -> str:
    return spinup.spin_up_key(sc.status_quo(), seed)


def cold(sc, **kw) -> LearningEcosystem:
    """A model that runs its own spin-up (the cache switched off while it is built)."""
    saved = spinup.CACHE.cap_bytes
    spinup.CACHE.cap_bytes = 0.0
    try:
        return LearningEcosystem(sc, **kw)
    finally:
        spinup.CACHE.cap_bytes = saved


def run(model: LearningEcosystem) -> LearningEcosystem:
    while model.running:
        model.step()
    return model


def assert_same(a, b, path: str = "state") -> None:
    """Every column and value reachable from ``a`` equals ``b``'s, dtype and bits included."""
    assert type(a) is type(b), path
    if isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape, path
        assert np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"), path
    elif isinstance(a, dict):
        assert list(a) == list(b), path
        for k in a:
            assert_same(a[k], b[k], f"{path}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{path}[{i}]")
    elif dataclasses.is_dataclass(a):
        for f in dataclasses.fields(a):
            assert_same(getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}")
    elif hasattr(a, "__dict__"):
        assert_same(vars(a), vars(b), path)
    elif isinstance(a, float) and np.isnan(a):
        assert np.isnan(b), path
    else:
        assert a == b, path


def assert_same_streams(a: LearningEcosystem, b: LearningEcosystem) -> None:
    assert sorted(a.streams._streams) == sorted(b.streams._streams)
    for name, gen in a.streams._streams.items():
        assert gen.bit_generator.state == b.streams[name].bit_generator.state, name


def assert_same_run(a: LearningEcosystem, b: LearningEcosystem) -> None:
    """Every outcome of every week (and the department, skill and governance tables) and every
    final state column and stream are identical."""
    for x, y in zip(tables(a), tables(b)):
        pd.testing.assert_frame_equal(x, y, check_exact=True)
    assert_same(a.state, b.state)
    assert_same_streams(a, b)


def test_warm_start_runs_bit_for_bit_as_a_cold_one(cache):
    """Two strategies on one seed: the first builds the entry, the second starts from it, a
    third model of the first strategy too; each equals its cold twin week by week."""
    quo, strategy = make_scenario(start=SPIN, weeks=10), make_scenario(start=SPIN, weeks=10, **STRATEGY)
    refs = [run(cold(quo)), run(cold(strategy))]
    assert len(cache) == 0 and cache.hits == 0
    warm = [run(LearningEcosystem(quo)), run(LearningEcosystem(strategy)), run(LearningEcosystem(quo))]
    assert (cache.misses, cache.hits, len(cache)) == (1, 2, 1)
    for model, ref in zip(warm, refs + refs[:1]):
        assert_same_run(model, ref)
    # the strategy changed the run (the comparison is not between identical runs)
    assert not np.array_equal(warm[0].state.workforce.prof, warm[1].state.workforce.prof)


def test_a_run_cannot_alter_the_cached_start(cache):
    """A model's state and streams are its own: mutating them, drawing from the streams and
    running on leave the next model's start as a cold start's."""
    sc = make_scenario(start=SPIN, weeks=6, **STRATEGY)
    first = LearningEcosystem(sc)
    s = first.state
    s.workforce.prof[:] = 0.0
    s.workforce.occupied[::2] = False
    s.catalogue.quality[:] = 1.0
    s.team_climate += 0.3
    s.structure.req[:] += 1.0
    s.budget.years.append({"year": 99})
    s.governance.decisions.append("tampered")
    s.edges[0, :] = 0
    for name in list(first.streams._streams):
        first.streams[name].random(17)
    run(first)
    second = LearningEcosystem(sc)
    assert cache.hits == 1
    ref = cold(sc)
    assert_same(second.state, ref.state)
    assert_same_streams(second, ref)
    assert_same_run(run(second), run(ref))


def test_the_key_is_what_the_spin_up_depends_on(cache):
    """A different seed or organisation misses; a different strategy, name or description hits;
    the seed keyword counts as the scenario's seed."""
    base = make_scenario(start={"spin_up_weeks": 5})
    key = key_of(base, base.seed)
    same = [make_scenario(start={"spin_up_weeks": 5}, **STRATEGY),
            make_scenario(start={"spin_up_weeks": 5}, name="other", description="another run",
                          labour_market={"hire_cost": 4700.0}),  # a default written out
            make_scenario(start={"spin_up_weeks": 5}, governance={"annual_budget_per_employee": 300.0})]
    for sc in same:
        assert key_of(sc, sc.seed) == key
    differ = [make_scenario(start={"spin_up_weeks": 5}, seed=4),
              make_scenario(start={"spin_up_weeks": 6}),
              make_scenario(start={"spin_up_weeks": 5}, organisation={"size": 121}),
              make_scenario(start={"spin_up_weeks": 5}, organisation={"remote_share": 0.31}),
              make_scenario(start={"spin_up_weeks": 5}, labour_market={"annual_turnover": 0.12}),
              make_scenario(start={"spin_up_weeks": 5}, rules={"social": {"team_neighbours": 4}}),
              make_scenario(start={"spin_up_weeks": 5}, weeks=19)]  # a horizon under a year
    keys = {key_of(sc, sc.seed) for sc in differ}
    assert key not in keys and len(keys) == len(differ)
    assert key_of(base, 4) == key_of(differ[0], 4)

    LearningEcosystem(base)
    for sc in same:
        LearningEcosystem(sc)
    assert (cache.misses, cache.hits) == (1, len(same))
    for sc in differ[:5]:
        LearningEcosystem(sc)
    assert (cache.misses, cache.hits) == (6, len(same))
    LearningEcosystem(base, seed=4)  # the seed keyword: differ[0]'s entry
    assert cache.hits == len(same) + 1


def test_the_horizon_is_in_the_key_up_to_a_budget_year(cache):
    """The budget phase, the only phase that reads ``weeks``, plans a run that ends within a
    budget year to its end: during the spin-up a horizon under a year changes the status quo
    (here its budget lets governance commission another item), one of a year or more does not.
    So the key holds min(weeks, 52)."""
    assert {ph.name for ph in WEEK if any(p.rpartition("=")[2] == "weeks" for p in ph.params)} == {"budget"}
    spin = {"spin_up_weeks": 60}
    short, year, long = (cold(make_scenario(weeks=w, start=spin)) for w in (4, 52, 300))
    assert short.state.catalogue.size != long.state.catalogue.size
    for f in dataclasses.fields(State):
        if f.name != "records":  # the run's records are as long as its horizon
            assert_same(getattr(year.state, f.name), getattr(long.state, f.name), f.name)
    assert_same_streams(year, long)
    keys = [key_of(m.spec, 3) for m in (short, year, long)]
    assert keys[0] != keys[1] == keys[2] == key_of(make_scenario(weeks=53, start=spin), 3)
    # a 53-week run started from the 52-week run's spin-up is its cold twin
    LearningEcosystem(make_scenario(weeks=52, start=spin, **STRATEGY))
    warm = run(LearningEcosystem(make_scenario(weeks=53, start=spin, **STRATEGY)))
    assert cache.hits == 1
    assert_same_run(warm, run(cold(make_scenario(weeks=53, start=spin, **STRATEGY))))


def test_the_cache_is_bounded_and_least_recently_used_goes_first(cache):
    scs = [make_scenario(seed=seed) for seed in range(6)]  # no spin-up: only the drawn state
    LearningEcosystem(scs[0])
    entry = cache.size_bytes
    assert entry > 0 and len(cache) == 1
    cache.configure(4.5 * entry / 2**20)  # room for four entries
    for sc in scs[1:4]:
        LearningEcosystem(sc)
    assert len(cache) == 4
    LearningEcosystem(scs[0])            # touched: now the most recently used
    LearningEcosystem(scs[4])            # evicts seed 1, the least recently used
    keys = [key_of(sc, sc.seed) for sc in scs]
    assert [k in cache for k in keys] == [True, False, True, True, True, False]
    assert cache.size_bytes <= cache.cap_bytes

    cache.configure(3.9 * entry / 2**20)  # an entry above a quarter of the cap is not kept
    cache.clear()
    LearningEcosystem(scs[5])
    assert len(cache) == 0
    assert not cache.put("x", LearningEcosystem(scs[5]).state, None)

    cache.configure(0)                   # off: nothing kept, nothing found
    LearningEcosystem(scs[0])
    LearningEcosystem(scs[0])
    assert len(cache) == 0 and cache.hits == 0


def test_the_cap_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv(spinup.CAP_ENV, raising=False)
    assert spinup._cap_from_env() == spinup.DEFAULT_CAP_MB * 2**20
    monkeypatch.setenv(spinup.CAP_ENV, "0")
    assert spinup._cap_from_env() == 0
    monkeypatch.setenv(spinup.CAP_ENV, "64")
    assert spinup._cap_from_env() == 64 * 2**20
    for bad in ("lots", "-1", "nan"):
        monkeypatch.setenv(spinup.CAP_ENV, bad)
        with pytest.warns(UserWarning, match=spinup.CAP_ENV):
            assert spinup._cap_from_env() == 0
