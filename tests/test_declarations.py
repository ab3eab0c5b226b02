"""Declared once, used everywhere: plausible ranges, strategies referred to by file, the ODD."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.experiments.spec import load_experiment
from sim.loader import ScenarioError, load_scenario
from sim.model import WEEK
from sim.odd import ODD_PHASE, render
from sim.parameters import iter_parameters
from sim.scenario import Scenario

from .conftest import ROOT, lesim

PARAMS = list(iter_parameters(Scenario))


def test_every_uncertainty_has_a_plausible_range_inside_its_valid_range_around_its_default():
    uncertainties = [p for p in PARAMS if p.kind == "uncertainty"]
    assert len(uncertainties) > 80  # the former code constants are among them
    for p in uncertainties:
        assert p.plausible is not None, p.path
        lo, hi = p.plausible
        assert lo <= p.default <= hi, p.path
        assert p.low is None or lo >= p.low, p.path
        assert p.high is None or hi <= p.high, p.path


def test_former_code_constants_are_parameters_with_their_old_values():
    by_path = {p.path: p.default for p in PARAMS}
    old = {"rules.formal.zpd_width": 0.75, "rules.data.proficient_tolerance": 0.25, "rules.transfer.weight_support": 0.31,
           "rules.culture.fail_loss": 0.05, "rules.social.strength_cross": 0.5, "rules.governance.noise_level_1": 0.30,
           "rules.turnover.engagement_norm": 0.7, "rules.catalogue.modalities.job_aid.completion": 0.95,
           "rules.time.uptake_base": 0.4, "rules.social.coaching_support_factor": 2.0}
    for path, value in old.items():
        assert by_path[path] == value, path


def test_odd_generated_blocks_are_fresh():
    text = (ROOT / "docs" / "ODD.md").read_text()
    for name in ("parameters", "rules", "phases"):
        assert f"<!-- generated:{name} -->" in text
    assert render(text) == text, "docs/ODD.md is stale: run `python -m sim.odd docs/ODD.md`"


def test_odd_staleness_check_catches_a_drifted_row():
    text = (ROOT / "docs" / "ODD.md").read_text()
    drifted = text.replace("| `rules.formal.zpd_width` | 0.75 |", "| `rules.formal.zpd_width` | 0.7 |")
    assert drifted != text and render(drifted) == text


def test_every_phase_has_its_odd_number():
    assert set(ODD_PHASE) == {p.name for p in WEEK}


# ----------------------------------------------------------------------------- experiments
def write(tmp: Path, name: str, text: str) -> Path:
    f = tmp / name
    f.write_text(text)
    return f


BASE = f"base: {ROOT / 'scenarios' / 'baseline.yaml'}\n"


def test_strategies_of_shipped_experiments_are_the_levers_of_their_scenario_files():
    exp = load_experiment(ROOT / "experiments" / "strategy_comparison.yaml")
    assert exp.spec.strategies["mentoring_programme"] == {"policies.mentoring.enabled": True,
                                                          "policies.mentoring.ratio": 0.25,
                                                          "governance.annual_budget_per_employee": 1500.0}
    assert exp.spec.strategies["baseline"] == {}
    for name, levers in exp.spec.strategies.items():
        direct = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
        from sim.experiments.spec import resolve_scenario

        via_levers = resolve_scenario(exp.base_data, levers)
        assert via_levers.model_copy(update={"name": direct.name, "description": direct.description}).digest() \
            == direct.digest(), name


def test_equal_budget_gives_every_strategy_the_baseline_budget(tmp_path):
    """`equal_budget: true` replaces each strategy's own budget (here the one its scenario
    file declares) by the baseline strategy's; without it each keeps its own."""
    text = (ROOT / "experiments" / "strategy_comparison.yaml").read_text()
    for flag, expect in (("true", {1300.0}), ("false", None)):
        f = tmp_path / f"eq_{flag}.yaml"
        f.write_text(text.replace("base: ../scenarios/baseline.yaml", BASE.strip()).replace(
            "../scenarios/", f"{ROOT / 'scenarios'}/").replace("equal_budget: false", f"equal_budget: {flag}"))
        exp = load_experiment(f)
        budgets = {ov.get("governance.annual_budget_per_employee", 1300.0) for ov in exp.spec.strategies.values()}
        if expect is None:
            assert budgets >= {1300.0, 3150.0, 1500.0}
        else:
            assert budgets == expect


def test_a_strategy_file_that_changes_a_non_lever_is_refused(tmp_path: Path):
    write(tmp_path, "s.yaml", "name: s\nlabour_market: {annual_turnover: 0.2}\n")
    f = write(tmp_path, "e.yaml", "name: e\n" + BASE + "strategies:\n  baseline: {}\n  s: s.yaml\n")
    with pytest.raises(ScenarioError, match=r"e.yaml:5: strategies.s: .*labour_market.annual_turnover.*not a lever"):
        load_experiment(f)


def test_a_missing_strategy_file_is_one_line_exit_2(tmp_path: Path):
    f = write(tmp_path, "e.yaml", "name: e\n" + BASE + "strategies:\n  baseline: {}\n  s: nowhere.yaml\n")
    proc = lesim("sweep", str(f), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2
    assert "strategies.s: no scenario file at" in proc.stderr + proc.stdout
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()


def test_uncertainties_take_declared_plausible_ranges(tmp_path: Path):
    f = write(tmp_path, "e.yaml", "name: e\n" + BASE + """strategies: {baseline: {}, m: {policies.mentoring.enabled: true}}
uncertainties:
  parameters: {learning.formal_rate: plausible, learning.social_rate: {low: 0.001, high: 0.002}}
  plausible: [rules.culture, rules.time]
design: {type: morris, samples: 2}
""")
    params = load_experiment(f).spec.uncertainties.parameters
    declared = {p.path: p for p in PARAMS}
    assert (params["learning.formal_rate"].low, params["learning.formal_rate"].high) == declared["learning.formal_rate"].plausible
    assert params["learning.social_rate"].high == 0.002  # an explicit range wins
    expanded = {k for k in params if k.startswith("rules.")}
    assert expanded == {p.path for p in PARAMS if p.kind == "uncertainty" and p.path.startswith(("rules.culture.", "rules.time."))}
    assert params["rules.time.onboarding_weeks"].integer


def test_plausible_for_an_unknown_prefix_or_a_parameter_without_a_range_is_refused(tmp_path: Path):
    f = write(tmp_path, "e.yaml", "name: e\n" + BASE + "strategies: {baseline: {}}\nuncertainties:\n  plausible: [rules.nothing]\n"
              "design: {type: morris}\n")
    with pytest.raises(ScenarioError, match="no uncertainty is declared under 'rules.nothing'"):
        load_experiment(f)
    f = write(tmp_path, "e2.yaml", "name: e\n" + BASE + "strategies: {baseline: {}}\nuncertainties:\n  parameters: "
              "{organisation.size: plausible}\ndesign: {type: morris}\n")
    with pytest.raises(ScenarioError, match="e2.yaml:5: uncertainties.parameters.organisation.size: declares no plausible"):
        load_experiment(f)


@pytest.mark.parametrize("kind", ["morris", "latin_hypercube"])
def test_ranking_changes_flag_a_parameter_that_flips_the_leader_and_never_one_without_effect(kind):
    """Strategy a has a constant skills gap of 0.10; b's is 0.17 − 0.10 x1 (x1 scaled to 0–1),
    so a leads on average but b is better where x1 > 0.7; x2 and x3 do nothing."""
    import numpy as np
    import pandas as pd
    from SALib.sample import morris

    from sim.experiments.sensitivity import ranking_changes

    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[0.0, 2.0], [5.0, 6.0], [0.0, 1.0]]}
    rng = np.random.default_rng(0)
    if kind == "morris":
        X = morris.sample(problem, 10, num_levels=4, seed=1)
    else:
        X = np.column_stack([rng.uniform(lo, hi, 200) for lo, hi in problem["bounds"]])
    names = problem["names"]
    noise = 0.002 * rng.standard_normal(len(X))
    rows = []
    for i, x in enumerate(X):
        point = {"uncertainty": f"p{i:03d}", **dict(zip(names, x))}
        rows.append({**point, "strategy": "a", "skills_gap": 0.10})
        rows.append({**point, "strategy": "b", "skills_gap": 0.17 - 0.10 * x[0] / 2.0 + noise[i]})
    r = ranking_changes(pd.DataFrame(rows), names, ["skills_gap"], kind, problem["bounds"]).set_index("parameter")
    assert r.loc["x1", "leader"] == "a" and r.loc["x1", "changes_ranking"]
    assert (r.loc["x1", "best_when_low"], r.loc["x1", "best_when_high"]) == ("a", "b")
    assert r.loc["x1", "lead_change_over_range"] == pytest.approx(-0.10, abs=0.01)
    assert not r.loc["x2", "changes_ranking"] and not r.loc["x3", "changes_ranking"]
    # a close race decided by noise alone: no parameter has an effect, so none changes the ranking
    close = pd.DataFrame(rows)
    close.loc[close.strategy == "b", "skills_gap"] = 0.1005 + 0.002 * rng.standard_normal(len(X))
    r = ranking_changes(close, names, ["skills_gap"], kind, problem["bounds"])
    assert not r["changes_ranking"].any()


def test_plausible_prefixes_beside_an_empty_parameters_key_give_one_line_exit_2(tmp_path: Path):
    f = write(tmp_path, "e.yaml", "name: e\n" + BASE + "strategies: {baseline: {}}\nuncertainties:\n  parameters:\n"
              "  plausible: [rules.time]\ndesign: {type: morris}\n")
    proc = lesim("sweep", str(f), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "e.yaml:5: uncertainties.parameters: must be a mapping" in proc.stderr + proc.stdout
