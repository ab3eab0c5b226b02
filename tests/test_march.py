"""March (1991) docking model: exact small cases, each rule on a hand-built state, the
published qualitative findings, the Mesa model against the vectorised engine, the
experiment files and `lesim march`.

How the statistical bounds are set: every comparison runs both settings on the same seed,
so they start from the same reality and beliefs (common random numbers) and the
difference is taken replication by replication. We assert that the mean paired difference
exceeds Z = 4 of its standard errors. The seeds are fixed, so each test is deterministic;
the bound is what makes the claim meaningful. With these seeds the measured differences
are 19–38 of their standard errors (the effects docs/validation.md reports from 2,000
replications per point), so a run of this size falls below 4 SE with probability far
below 10⁻⁶, while an implementation without the effect (a true difference of 0) would
pass with probability about 3 × 10⁻⁵.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.rng import Streams
from sim.validation.experiments import experiment_from_data, load_experiment, run_experiment
from sim.validation.march import (MarchModel, MarchSettings, MarchState, at_equilibrium, initial_state, learn_code,
                                  run, shared_belief, socialise, standard_error, superior_counts, views_and_scores)
from sim.validation.report import WORKIEWICZ_SCORE

from .conftest import ROOT, lesim

Z = 4.0


def paired(a, b) -> tuple[float, float]:
    d = a.code_knowledge - b.code_knowledge
    return float(d.mean()), standard_error(d)


def state_of(reality, beliefs, code, p1=0.5) -> MarchState:
    """A hand-built state: one replication per row of the given arrays."""
    reality = np.asarray(reality, dtype=np.int8)
    beliefs = np.asarray(beliefs, dtype=np.int8)
    return MarchState(reality, beliefs, np.asarray(code, dtype=np.int8), np.full(beliefs.shape[1], p1))


# ----------------------------------------------------------------------------- exact small cases
def test_no_socialisation_and_no_code_learning_change_nothing():
    settings = MarchSettings(p1=0, p2=0)
    start = initial_state(settings, 40, Streams(11))
    result = run(settings, replications=40, seed=11, periods=60, keep_state=True)
    assert np.array_equal(result.state.beliefs, start.beliefs)
    assert np.array_equal(result.state.reality, start.reality)
    assert not result.state.code.any()  # the code stays all 0
    assert np.all(result.code_knowledge == 0)
    # the Mesa model: every agent's beliefs are as drawn
    model = MarchModel(settings, seed=11, periods=30)
    drawn = [a.beliefs.copy() for a in model.individuals]
    model.run_to_end()
    assert model.period == 30 and not model.running
    assert all(np.array_equal(a.beliefs, b) for a, b in zip(model.individuals, drawn))
    assert not model.code.beliefs.any()


def test_initial_state_follows_march():
    s = initial_state(MarchSettings(), 2000, Streams(3))
    assert set(np.unique(s.reality)) == {-1, 1} and set(np.unique(s.beliefs)) == {-1, 0, 1}
    assert not s.code.any()
    # uniform over {-1, 0, +1}: each value a third of 3,000,000 draws (SE of a share ≈ 0.0003)
    shares = np.array([(s.beliefs == v).mean() for v in (-1, 0, 1)])
    assert np.all(np.abs(shares - 1 / 3) < Z * np.sqrt((1 / 3) * (2 / 3) / s.beliefs.size))
    assert abs((s.reality == 1).mean() - 0.5) < Z * np.sqrt(0.25 / s.reality.size)


@pytest.mark.parametrize("superior", ["performance", "knowledge"])
@pytest.mark.parametrize("socialisation", ["gradual", "immediate"])
def test_closed_system_converges_to_one_shared_belief(superior, socialisation):
    settings = MarchSettings(p1=0.5, p2=0.5, superior=superior, socialisation=socialisation)
    result = run(settings, replications=300, seed=5)
    assert result.equilibrium.all() and result.shared.all()
    assert result.periods.max() < 500
    # equilibrium knowledge is the code's, and every individual holds it
    assert np.allclose(result.individual_knowledge, result.code_knowledge)
    for seed in range(3):
        model = MarchModel(settings, seed=seed)
        model.run_to_end()
        assert model.equilibrium and not model.running
        assert all(np.array_equal(a.beliefs, model.code.beliefs) for a in model.individuals)


# ----------------------------------------------------------------------------- rules on hand-built states
def test_gradual_socialisation_moves_one_step_immediate_jumps():
    reality = [[1, 1, 1]]
    beliefs = [[[-1, 0, 1], [-1, -1, 0]]]
    code = [[1, 1, 0]]
    s = state_of(reality, beliefs, code, p1=1.0)
    socialise(s, "gradual", np.random.default_rng(0))
    assert s.beliefs.tolist() == [[[0, 1, 1], [0, 0, 0]]]  # the code's 0 on dimension 3 leaves beliefs alone
    socialise(s, "gradual", np.random.default_rng(0))
    assert s.beliefs.tolist() == [[[1, 1, 1], [1, 1, 0]]]
    s = state_of(reality, beliefs, code, p1=1.0)
    socialise(s, "immediate", np.random.default_rng(0))
    assert s.beliefs.tolist() == [[[1, 1, 1], [1, 1, 0]]]
    s = state_of(reality, beliefs, code, p1=0.0)
    socialise(s, "gradual", np.random.default_rng(0))
    assert s.beliefs.tolist() == beliefs


def test_socialisation_rate_is_p1_per_eligible_belief():
    R = 20_000
    s = state_of(np.ones((R, 1)), -np.ones((R, 4, 1)), np.ones((R, 1)), p1=0.3)
    socialise(s, "immediate", np.random.default_rng(1))
    share = (s.beliefs == 1).mean()
    assert abs(share - 0.3) < Z * np.sqrt(0.3 * 0.7 / s.beliefs.size)


def _code_change_rate(views, code, p2, k_rule, R=20_000):
    """Share of R identical one-dimension replications whose code changes, all individuals superior."""
    views = np.asarray(views, dtype=np.int8)
    beliefs = np.broadcast_to(views[None, :, None], (R, views.size, 1)).copy()
    s = state_of(np.ones((R, 1)), beliefs, np.full((R, 1), code), p1=0.0)
    plus, minus, size = superior_counts(s.beliefs, np.ones((R, views.size), dtype=np.int16))
    learn_code(s, plus, minus, size, p2, np.random.default_rng(2), k_rule)
    return (s.code[:, 0] != code).mean(), s.code[:, 0]


@pytest.mark.parametrize("views,code,p2,k_rule,k", [
    ([1, 1, 1, -1, -1], 0, 0.5, "footnote", 5),   # code 0: every opinion differs from it
    ([1, 1, 1, -1, -1], 0, 0.5, "majority", 1),   # 3 holders of the dominant view − 2 of the opposite
    ([1, 1, 1, 0], -1, 0.3, "footnote", 4),       # differ: 3 (+1) and 1 (0); agree: none
    ([1, 1, 1, 0], -1, 0.3, "majority", 3),
    ([1, 1, 1, 0, 0, 0, 0], 0, 0.5, "footnote", -1),  # 4 agree with the code's 0, 3 differ: k ≤ 0, no change
])
def test_code_learning_probability_is_one_minus_one_minus_p2_to_the_k(views, code, p2, k_rule, k):
    rate, new = _code_change_rate(views, code, p2, k_rule)
    expected = 1 - (1 - p2) ** k if k > 0 else 0.0
    assert abs(rate - expected) < Z * np.sqrt(max(expected * (1 - expected), 1e-12) / new.size) + 1e-12
    assert set(np.unique(new)) <= {code, 1}  # it can only adopt the dominant view


def test_no_change_on_a_tie_or_when_the_code_already_holds_the_dominant_view():
    assert _code_change_rate([1, -1], 0, 1.0, "footnote")[0] == 0
    assert _code_change_rate([1, 1, -1], 1, 1.0, "footnote")[0] == 0
    assert _code_change_rate([1, 1, -1], -1, 1.0, "footnote")[0] == 1  # p2 = 1 always learns when k > 0


def test_superior_group_by_knowledge_and_by_performance():
    reality = [[1, 1, 1, 1]]
    code = [[1, 1, 0, 0]]  # knowledge 2, score 2
    beliefs = [[[1, 1, 1, 0],    # knowledge 3 > 2: superior; performance 3 + coin
                [1, 1, -1, -1],  # knowledge 2: not superior; performance 0
                [-1, 1, 1, 1]]]  # knowledge 3: superior; performance 2: not superior
    s = state_of(reality, beliefs, code)
    _, margin = views_and_scores(s, "knowledge", np.random.default_rng(0))
    assert (margin > 0).tolist() == [[True, False, True]]
    views, margin = views_and_scores(s, "performance", np.random.default_rng(0))
    assert (margin[0, 1:] > 0).tolist() == [False, False] and margin[0, 0] in (0, 2)
    assert set(np.unique(views)) <= {-1, 1}  # actions: a 0 belief is a coin flip


def test_equilibrium_definition():
    reality = [[1, -1, 1]]
    # everyone shares the code, which has no 0: final for both definitions of superior
    s = state_of(reality, [[[1, -1, -1]] * 3], [[1, -1, -1]])
    assert at_equilibrium(s, "knowledge")[0] and at_equilibrium(s, "performance")[0] and shared_belief(s)[0]
    # shared, but the code is 0 on a dimension: a lucky coin flip can still outscore it
    s = state_of(reality, [[[1, -1, 0]] * 3], [[1, -1, 0]])
    assert at_equilibrium(s, "knowledge")[0] and not at_equilibrium(s, "performance")[0]
    # someone still differs where the code is non-zero: socialisation can act
    s = state_of(reality, [[[1, -1, -1], [0, -1, -1]]], [[1, -1, -1]])
    assert not at_equilibrium(s, "knowledge")[0] and not shared_belief(s)[0]
    # differs only where the code is 0, and is right there: it outscores the code
    s = state_of(reality, [[[1, -1, 1], [1, -1, 0]]], [[1, -1, 0]])
    assert not at_equilibrium(s, "knowledge")[0]


# ----------------------------------------------------------------------------- reproducibility, Mesa
def test_same_seed_same_result_and_different_seeds_differ():
    s = MarchSettings(p1=0.3, p2=0.7, p3=0.05, p4=0.02)
    a, b = run(s, replications=200, seed=9, periods=30), run(s, replications=200, seed=9, periods=30)
    assert np.array_equal(a.code_knowledge, b.code_knowledge) and np.array_equal(a.code_score, b.code_score)
    assert not np.array_equal(a.code_knowledge, run(s, replications=200, seed=10, periods=30).code_knowledge)


@pytest.mark.parametrize("superior,socialisation,k_rule", [("performance", "gradual", "footnote"),
                                                            ("knowledge", "immediate", "majority")])
def test_mesa_model_and_vectorised_engine_agree(superior, socialisation, k_rule):
    settings = MarchSettings(p1=0.3, p2=0.6, n_fast=10, superior=superior, socialisation=socialisation, k_rule=k_rule)
    for seed in range(4):
        model = MarchModel(settings, seed=seed)
        model.run_to_end()
        engine = run(settings, replications=1, seed=seed)
        assert model.period == engine.periods[0] and model.equilibrium == engine.equilibrium[0]
        assert model.code.knowledge == engine.code_knowledge[0] and model.code.score == engine.code_score[0]
        series = model.datacollector.get_model_vars_dataframe()["code_knowledge"]
        assert len(series) == model.period + 1
    # with turnover and turbulence, over fixed periods: the whole state agrees
    open_settings = settings.model_copy(update={"p3": 0.1, "p4": 0.05})
    model = MarchModel(open_settings, seed=7, periods=25)
    model.run_to_end()
    engine = run(open_settings, replications=1, seed=7, periods=25, keep_state=True)
    assert np.array_equal(model.state.beliefs, engine.state.beliefs)
    assert np.array_equal(model.state.code, engine.state.code)
    assert np.array_equal(model.state.reality, engine.state.reality)
    assert engine.code_knowledge[0] == model.state.measured_code_knowledge[0]  # measured in period 25


def test_agents_are_handles_onto_the_arrays():
    model = MarchModel(MarchSettings(n=5, m=4, n_fast=2), seed=1)
    assert len(model.agents) == 6
    person = model.individuals[3]
    person.beliefs[:] = model.state.reality[0]
    assert np.array_equal(model.state.beliefs[0, 3], model.state.reality[0]) and person.knowledge == 1.0
    assert [a.p1 for a in model.individuals] == [0.9, 0.9, 0.5, 0.5, 0.5]


# ----------------------------------------------------------------------------- March's findings
@pytest.mark.parametrize("superior,socialisation", [("performance", "gradual"), ("performance", "immediate"),
                                                    ("knowledge", "gradual"), ("knowledge", "immediate")])
def test_slow_socialisation_beats_fast_when_the_code_learns_fast(superior, socialisation):
    """March (1991), Figure 1: at p2 = 0.9, p1 = 0.1 ends with more code knowledge than p1 = 0.9
    (docs: +0.12 at 2,000 replications, performance/gradual; +0.09 to +0.17 for the others)."""
    slow = run(MarchSettings(p1=0.1, p2=0.9, superior=superior, socialisation=socialisation), replications=250, seed=21)
    fast = run(MarchSettings(p1=0.9, p2=0.9, superior=superior, socialisation=socialisation), replications=250, seed=21)
    d, se = paired(slow, fast)
    assert d > Z * se, (d, se)


def test_a_mix_of_slow_and_fast_learners_beats_a_uniform_population_with_the_same_mean():
    """March (1991), Figure 2: 25 at p1 = 0.1 and 25 at 0.9 vs everyone at 0.5 (p2 = 0.5):
    docs measure +0.055 with a paired SE of 0.001 at 2,000 replications."""
    mixed = run(MarchSettings(p1=0.1, p1_fast=0.9, n_fast=25, p2=0.5), replications=300, seed=22)
    uniform = run(MarchSettings(p1=0.5, p2=0.5), replications=300, seed=22)
    assert mixed.settings.mean_p1 == pytest.approx(uniform.settings.mean_p1)
    d, se = paired(mixed, uniform)
    assert d > Z * se, (d, se)


def test_moderate_turnover_beats_none_under_turbulence_and_a_fixed_equilibrium_decays():
    """March (1991), turbulence figures: p4 = 0.02, p1 = p2 = 0.5. Without turnover code knowledge
    peaks and decays; with p3 = 0.1 it is sustained (docs, period 100: 0.51 vs 0.78)."""
    none = run(MarchSettings(p1=0.5, p2=0.5, p3=0.0, p4=0.02), replications=200, seed=23, periods=100, trace=True)
    some = run(MarchSettings(p1=0.5, p2=0.5, p3=0.1, p4=0.02), replications=200, seed=23, periods=100, trace=True)
    d, se = paired(some, none)
    assert d > Z * se, (d, se)
    decay = none.trace[9] - none.trace[99]  # period 10 vs period 100, same replications
    assert decay.mean() > Z * standard_error(decay)


def test_moderate_turnover_adds_knowledge_and_too_much_loses_it():
    """March (1991), turnover figure: period 20, p1 = 0.9, p2 = 0.5, no turbulence (docs: p3 = 0
    0.85, p3 = 0.3 0.92, p3 = 1 0.79)."""
    results = {p3: run(MarchSettings(p1=0.9, p2=0.5, p3=p3), replications=300, seed=24, periods=20)
               for p3 in (0.0, 0.3, 1.0)}
    for other in (0.0, 1.0):
        d, se = paired(results[0.3], results[other])
        assert d > Z * se, (other, d, se)


@pytest.mark.parametrize("p2", [0.1, 0.9])
def test_code_score_docks_with_a_published_recreation(p2):
    """Workiewicz's recreation of March's program (gradual, performance, k counted as
    majority − minority; 10,000 runs per point) against ours with the same choices: the
    difference must be within Z combined standard errors (theirs estimated from our spread)."""
    for i, p1 in ((0, 0.1), (8, 0.9)):
        ours = run(MarchSettings(p1=p1, p2=p2, k_rule="majority"), replications=400, seed=25)
        se = standard_error(ours.code_score)
        theirs_se = float(ours.code_score.std(ddof=1)) / np.sqrt(10_000)
        gap = float(ours.code_score.mean()) - WORKIEWICZ_SCORE[p2][i]
        assert abs(gap) < Z * np.hypot(se, theirs_se), (p1, p2, gap, se)


# ----------------------------------------------------------------------------- experiments and CLI
@pytest.mark.parametrize("path", sorted((ROOT / "experiments").glob("march_*.yaml")), ids=lambda p: p.stem)
def test_shipped_march_experiments_load_and_run(path: Path):
    exp = load_experiment(path)
    assert exp.spec.plot is not None and exp.points
    result = run_experiment(exp, replications=2)
    assert len(result.table) == len(exp.points)
    assert result.table["mean_code_knowledge"].between(0, 1).all()
    assert (result.trace is not None) == exp.spec.trace


def test_experiment_errors_name_the_file_line_and_key(tmp_path: Path):
    from sim.loader import ScenarioError

    f = tmp_path / "bad.yaml"
    f.write_text("model: march\nname: bad\ngrid:\n  p1: [0.1, 1.5]\n")
    with pytest.raises(ScenarioError, match=r"bad.yaml:4: grid.p1.1: must be between 0 and 1, got 1.5"):
        load_experiment(f)
    f.write_text("model: march\nname: bad\ngrid:\n  p9: [0.1]\n")
    with pytest.raises(ScenarioError, match=r"bad.yaml:4: grid.p9: unknown setting"):
        load_experiment(f)
    with pytest.raises(ScenarioError, match="n_fast"):
        experiment_from_data({"model": "march", "name": "x", "settings": {"n": 10}, "points": [
            {"label": "too many", "n_fast": 11}]})


def test_cli_json_has_the_numbers_and_the_settings():
    proc = lesim("march", "--p1", "0.1", "--p2", "0.9", "--replications", "60", "--seed", "3", "--json", check=True)
    out = json.loads(proc.stdout)
    for key in ("mean_code_knowledge", "se", "replications", "p1", "p2", "p3", "p4", "socialisation", "superior"):
        assert key in out
    assert out["replications"] == 60 and out["p1"] == 0.1 and 0.5 < out["mean_code_knowledge"] <= 1
    same = run(MarchSettings(p1=0.1, p2=0.9), replications=60, seed=3)
    assert out["mean_code_knowledge"] == pytest.approx(same.mean_code_knowledge)
    assert out["se"] == pytest.approx(same.se)


@pytest.mark.parametrize("args,message", [
    (["--p1", "1.5"], "--p1"),
    (["--replications", "0"], "--replications"),
    (["--socialisation", "sideways"], "--socialisation"),
    (["--p3", "0.1"], "no equilibrium; give --periods N"),
    (["--fast", "60"], "--fast: must be at most n (50), got 60"),
    (["--experiment", "nowhere.yaml"], "nowhere.yaml: no such file"),
    (["--experiment", "experiments/march_k_rule.yaml", "--fast", "3"], "error: --fast: settings come from the "
     "experiment file"),
])
def test_cli_bad_options_exit_2_without_a_traceback(args, message):
    proc = lesim("march", *args)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and message in proc.stderr


def test_cli_experiment_writes_a_table_and_a_chart(tmp_path: Path):
    f = tmp_path / "tiny.yaml"
    f.write_text("model: march\nname: tiny\nreplications: 5\nseed: 1\ngrid: {p1: [0.2, 0.8]}\n"
                 "plot: {x: p1}\n")
    lesim("march", "--experiment", str(f), "--out", str(tmp_path / "out"), check=True)
    table = pd.read_csv(tmp_path / "out" / "tiny.csv")
    assert list(table["p1"]) == [0.2, 0.8] and (tmp_path / "out" / "tiny.png").stat().st_size > 0
    assert {"mean_code_knowledge", "se", "replications", "seed"} <= set(table.columns)
