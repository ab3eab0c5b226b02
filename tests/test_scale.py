"""Enterprise scale: the lazy Mesa layer, collecting only what is asked, the compiled helpers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as hst

from sim import kernels
from sim.agents import Employee, Executive, Manager
from sim.experiments.plan import RunTask
from sim.loader import ScenarioError
from sim.model import LearningEcosystem
from sim.outcomes import OUTCOMES, Collect
from sim.run import simulate
from sim.state import Ties, dedupe_edges

from .conftest import make_scenario

TURNOVER = {"labour_market": {"annual_turnover": 0.6, "time_to_fill_weeks": 1}}


def lazy_and_eager(monkeypatch, weeks: int = 8):
    sc = make_scenario(weeks=weeks, organisation={"size": 300}, events=[{"type": "reorganisation", "week": 3,
                                                                        "share": 0.2}], **TURNOVER)
    eager = LearningEcosystem(sc)
    monkeypatch.setattr(LearningEcosystem, "EAGER_AGENTS_MAX", 100)
    lazy = LearningEcosystem(sc)
    assert lazy.lazy_agents and not eager.lazy_agents
    return eager, lazy


def test_lazy_agents_give_the_same_run_ids_and_handles(monkeypatch):
    eager, lazy = lazy_and_eager(monkeypatch)
    assert lazy._network is None and not lazy.agents_by_type.get(Employee)
    for _ in range(8):
        eager.step()
        lazy.step()
    np.testing.assert_array_equal(eager.workforce.uid, lazy.workforce.uid)   # hires counted alike
    np.testing.assert_array_equal(np.array(eager.collector.org), np.array(lazy.collector.org))
    assert lazy._network is None, "stepping never built the Mesa network"
    wf = lazy.workforce
    row = int(np.flatnonzero(wf.occupied & ~wf.is_manager)[0])
    a = lazy.occupant(row)
    assert a is lazy.occupant(row) and a.unique_id == wf.uid[row] == eager.occupant(row).unique_id
    assert type(a) is type(eager.occupant(row)) is Employee
    assert isinstance(a.manager, (Manager, Executive)) and a.manager.unique_id == wf.uid[wf.manager[row]]
    a.engagement = 0.321
    assert wf.engagement[row] == 0.321
    # the network is built when first read, with the state's ties (rewired by the reorganisation)
    assert a.cell is lazy.network[row]
    assert sorted(lazy.network.G.edges()) == sorted(eager.network.G.edges())
    assert a in a.cell.agents
    # a handle leaves with its person; a new hire is a new agent when asked for
    ids_before = set(wf.uid[wf.occupied].tolist())
    for _ in range(12):
        lazy.step()
        if not wf.occupied[row]:
            break
    assert not wf.occupied[row], "someone left within 12 weeks at 60 % turnover"
    assert a not in lazy.agents and lazy.occupant(row) is None or lazy.occupant(row).unique_id not in ids_before
    assert lazy.agent_id_counter > max(ids_before)


def test_a_sweep_collects_only_what_it_measures():
    sc = make_scenario(weeks=6, organisation={"size": 200})
    full = simulate(sc)
    asked = simulate(sc, collect=Collect(frozenset({"skills_gap", "roi"}), breakdown=False))
    for name in ("skills_gap", "roi"):
        np.testing.assert_array_equal(asked.timeseries[name], full.timeseries[name])
    others = [o.name for o in OUTCOMES if o.name not in ("skills_gap", "roi")]
    assert asked.timeseries[others].isna().all().all()
    assert asked.departments[[o.name for o in OUTCOMES]].isna().all().all()
    np.testing.assert_array_equal(asked.departments["headcount"], full.departments["headcount"])
    np.testing.assert_array_equal(asked.timeseries["headcount"], full.timeseries["headcount"])
    with pytest.raises(ScenarioError, match="outcomes: unknown nope"):
        Collect(frozenset({"nope"}))


def test_the_sweeps_rows_are_the_full_runs_rows(tmp_path):
    """The runner computes only the measured outcomes and the economics' columns; the rows it
    stores equal a full run's."""
    from sim.economics import cumulative_pv
    from sim.experiments.runner import execute
    from sim.experiments.store import prepare, read_runs

    sc = make_scenario(weeks=6, organisation={"size": 200})
    data = sc.model_dump(mode="json")
    prepare(tmp_path)
    task = RunTask(key="k", experiment="e", strategy="s", uncertainty="u", replicate=0, seed=sc.seed,
                   base_data=data, overrides={}, values={}, weeks=6, measure_weeks=(3, 6),
                   outcomes=("skills_gap", "ld_spend"), out=str(tmp_path))
    assert execute(task)["ok"]
    stored = read_runs(tmp_path).sort_values("week")
    ts = simulate(sc).timeseries
    ts = ts.merge(cumulative_pv(ts, sc.governance.discount_rate), on="week")
    ts = ts[ts["week"].isin([3, 6])]
    for col in ("skills_gap", "ld_spend", "pv_value", "pv_cost"):
        np.testing.assert_array_equal(stored[col].to_numpy(), ts[col].to_numpy())


@settings(max_examples=60, deadline=None)
@given(hst.integers(2, 40), hst.lists(hst.tuples(hst.integers(0, 39), hst.integers(0, 39), hst.integers(0, 5)),
                                      max_size=120))
def test_ties_are_in_lexsort_order(n, pairs):
    """The compiled counting sort lists each position's ties as np.lexsort((dst, src)) would."""
    pairs = [(a % n, b % n, k) for a, b, k in pairs]
    edges = np.array(pairs, dtype=np.int64).T.reshape(3, -1)
    ties = Ties.from_edges(n, edges, np.linspace(0.1, 0.6, 6))
    s = np.concatenate([edges[0], edges[1]])
    d = np.concatenate([edges[1], edges[0]])
    w = np.linspace(0.1, 0.6, 6)[np.concatenate([edges[2], edges[2]])]
    order = np.lexsort((d, s))
    np.testing.assert_array_equal(ties.indices, d[order])
    np.testing.assert_array_equal(ties.strength, w[order])
    np.testing.assert_array_equal(ties.indptr, np.concatenate([[0], np.cumsum(np.bincount(s, minlength=n))]))


@settings(max_examples=80, deadline=None)
@given(hst.lists(hst.tuples(hst.integers(0, 30), hst.integers(0, 30), hst.integers(0, 5)), min_size=1, max_size=150))
def test_dedupe_keeps_the_first_tie_of_each_pair(triples):
    """As np.unique(return_index) finds them: the first occurrence of each unordered pair,
    as (lower, higher, kind), in the order listed."""
    edges = np.array(triples, dtype=np.int64).T
    a, b = np.minimum(edges[0], edges[1]), np.maximum(edges[0], edges[1])
    _, first = np.unique(a * (edges[:2].max() + 1) + b, return_index=True)
    first.sort()
    np.testing.assert_array_equal(dedupe_edges(edges), np.vstack([a[first], b[first], edges[2][first]]))


def test_a_hub_with_many_ties_is_ordered_too():
    """A position with thousands of ties (merge sort, not insertion) in the same order."""
    rng = np.random.default_rng(3)
    other = rng.permutation(np.arange(1, 5001))
    edges = np.vstack([np.zeros(5000, np.int64), other, np.zeros(5000, np.int64)])
    edges = np.hstack([edges, edges[:, :100]])                # repeated pairs are dropped
    kept = Ties.from_edges(5001, dedupe_edges(edges), np.ones(6))
    np.testing.assert_array_equal(kept.indices[kept.indptr[0]:kept.indptr[1]], np.arange(1, 5001))


@pytest.mark.parametrize("k", [1, 5, 8, 13, 64, 129, 200])
def test_pairwise_sum_adds_as_numpy_does(k):
    a = np.random.default_rng(k).random((50, k)) * 10.0 ** np.random.default_rng(k + 1).integers(-8, 3, (50, 1))
    np.testing.assert_array_equal([kernels.pairwise_sum(a[i], k) for i in range(50)], a.sum(axis=1))


def test_position_requirements_read_role_tables_by_row():
    m = LearningEcosystem(make_scenario(weeks=2, organisation={"size": 150}))
    pr, st, wf = m.state.position_req, m.structure, m.workforce
    rows = np.array([3, 7, 7, 120])
    np.testing.assert_array_equal(pr.req[rows], st.req[wf.role[rows]])
    np.testing.assert_array_equal(pr.crit[rows, np.array([0, 1, 2, 3])], st.crit[wf.role[rows], [0, 1, 2, 3]])
    np.testing.assert_array_equal(pr.required[wf.occupied], st.req[wf.role[wf.occupied]] > 0)
    np.testing.assert_array_equal(np.asarray(pr.use), st.use[wf.role])
    assert pr.req.shape == wf.prof.shape


def test_a_single_departments_figures_are_the_organisations():
    sc = make_scenario(weeks=8, organisation={"size": 300, "departments": [{"name": "Only", "share": 1.0}]})
    m = LearningEcosystem(sc)
    for _ in range(8):
        m.step()
    org, dept = np.array(m.collector.org), np.array(m.collector.dept)[:, 0, :]
    np.testing.assert_array_equal(dept, org)


def test_stacked_figures_are_each_partitions_own():
    """The collector's one pass per outcome (organisation, departments, locations folded from
    record cells) gives what each partition computed on its own with numpy gives: sums to the
    last bits of a different addition order, item use and inequality exactly."""
    from sim.outcomes import N_LOC, Groups, Stacked, _gini

    sc = make_scenario(weeks=5, organisation={"size": 900, "remote_share": 0.3, "hybrid_share": 0.3}, **TURNOVER)
    m = LearningEcosystem(sc)
    for _ in range(5):
        m.step()
    s, wf = m.state, m.workforce
    n_dept = len(s.structure.dept_names)
    stacked = Stacked(wf.dept, wf.location, wf.occupied, n_dept)
    assert n_dept > 1 and stacked.size == 1 + n_dept + N_LOC and (~wf.occupied).any()
    parts = [Groups(np.zeros(wf.n, dtype=np.int64), wf.occupied, 1), Groups(wf.dept.astype(np.int64), wf.occupied,
                                                                           n_dept),
             Groups(wf.location.astype(np.int64), wf.occupied, N_LOC, axis="location")]
    by_name = {o.name: o for o in OUTCOMES}
    for o in OUTCOMES:
        own = np.concatenate([o.fn(s, g) for g in parts])
        got = o.fn(s, stacked)
        if o.name in ("content_utilisation", "skills_gini"):
            np.testing.assert_array_equal(got, own, err_msg=o.name)
        else:
            np.testing.assert_allclose(got, own, rtol=1e-12, atol=1e-12, err_msg=o.name)
    # inequality as the textbook computes it, group by group
    per_row = wf.prof.mean(axis=1)
    for d in range(n_dept):
        mine = np.sort(per_row[wf.occupied & (wf.dept == d)])
        assert by_name["skills_gini"].fn(s, stacked)[1 + d] == _gini(mine, presorted=True)
    # the collector's rows are the stacked values; the organisation's are the same without the breakdown
    np.testing.assert_array_equal(m.collector.org[-1], np.array([o.fn(s, stacked)[0] for o in OUTCOMES]))
    np.testing.assert_array_equal(m.collector.dept[-1][:, 0], by_name["skills_gap"].fn(s, stacked)[1:1 + n_dept])
    alone = Stacked(wf.dept, wf.location, wf.occupied, n_dept, breakdown=False)
    for o in OUTCOMES:
        assert o.fn(s, alone)[0] == o.fn(s, stacked)[0] or np.isnan(o.fn(s, alone)[0]), o.name


def test_forgetting_before_the_weeks_demand_is_refused():
    m = LearningEcosystem(make_scenario(weeks=2, organisation={"size": 60}, start={"spin_up_weeks": 0}))
    with pytest.raises(ValueError, match="run the phases in the week's order"):
        m.phase("forgetting").run(m.state, m.streams)
