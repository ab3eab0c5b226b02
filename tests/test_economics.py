"""Incremental economics: recorded cost parts, NPV/ROI/payback against a counterfactual on the
same seeds, ``lesim run --against/--replicates`` and the economics of ``lesim compare``."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import economics
from sim.experiments.compare import compare
from sim.experiments.spec import load_experiment
from sim.experiments.sweep import sweep
from sim.loader import scenario_from_data
from sim.run import Comparison, simulate, simulate_seeds

from .conftest import lesim, make_scenario

# a large budget keeps governance's budget pressure at 1, so a pure cost does not change behaviour
BASE = {"name": "base", "weeks": 26, "seed": 4, "organisation": {"size": 60},
        "governance": {"annual_budget_per_employee": 100_000.0}}
EXTRA_LICENCE = 520.0  # $/employee/year on top of the LMS licence: $10 a head a week, nothing else changes


def scenario(**extra) -> object:
    from .conftest import merge

    return scenario_from_data(merge(BASE, extra))


def costly():
    return scenario(name="costly", policies={"platform": {"lms_per_employee_year": 30.0 + EXTRA_LICENCE}})


def in_process(*args: str):
    """The real command line, run in this process (cheaper than a subprocess for quick checks)."""
    from typer.testing import CliRunner

    from sim.cli import app

    return CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1"}).invoke(app, list(args))


def write_yaml(folder: Path, name: str, data: dict) -> Path:
    import yaml

    f = folder / f"{name}.yaml"
    f.write_text(yaml.safe_dump(data))
    return f


def test_total_cost_is_the_sum_of_its_parts_and_value_counts_people_in_post():
    ts = simulate(make_scenario(weeks=30, labour_market={"annual_turnover": 0.4})).timeseries
    parts = ts[list(economics.COST_PARTS)].sum(axis=1)
    assert np.allclose(ts["total_cost"], parts, rtol=1e-12, atol=1e-9)
    assert (ts["hiring_cost"] > 0).any() and (ts["separation_cost"] > 0).any() and (ts["vacancy_cost"] > 0).any()
    # value of output = value per employee-week × Σ fit of the people in post = × headcount × productivity index
    v = 150_000.0 / 52.0
    assert np.allclose(ts["output_value"], v * ts["headcount"] * ts["productivity"], rtol=1e-9)


def test_buy_hiring_premium_appears_in_its_costs():
    sc = make_scenario(weeks=30, labour_market={"annual_turnover": 0.4}, policies={"hiring": {"strategy": "buy"}})
    r = simulate(sc, keep_model=True)
    hires = r.model.records.series("hires").sum()
    assert hires > 5
    assert r.timeseries["hiring_cost"].sum() == pytest.approx(hires * (4700.0 + 15000.0), rel=1e-12)


def test_identical_strategy_gives_exactly_zero():
    runs = simulate_seeds(scenario(), 2)
    again = simulate_seeds(scenario(), 2)
    c = Comparison.of(runs, again)
    for s in c.summary["seeds"]:
        assert s["delta_benefit"] == 0.0 and s["delta_cost"] == 0.0 and s["npv"] == 0.0 and s["roi"] is None
    assert c.summary["roi"]["status"].startswith("not defined: no extra cost")


def test_a_pure_cost_has_negative_npv_equal_to_its_discounted_extra_cost():
    n = 3
    base, dear = simulate_seeds(scenario(), n), simulate_seeds(costly(), n)
    c = Comparison.of(dear, base)
    rate = base[0].scenario.governance.discount_rate
    for s, b, d in zip(c.summary["seeds"], base, dear):
        pd.testing.assert_series_equal(b.timeseries["output_value"], d.timeseries["output_value"])  # behaviour unchanged
        ts = d.timeseries[d.timeseries["week"] >= 1]
        extra = float(np.sum((1 + rate) ** (-ts["week"] / 52.0) * EXTRA_LICENCE / 52.0 * ts["headcount"]))
        assert s["delta_benefit"] == 0.0
        assert s["npv"] == pytest.approx(-extra, rel=1e-9) and s["delta_cost"] == pytest.approx(extra, rel=1e-9)
        assert s["roi"] == pytest.approx(-1.0) and s["payback_week"] is None
    assert c.summary["payback_week"]["not_within_horizon"] == n
    # the other way round the strategy saves money: the ROI is not a ratio then
    saving = Comparison.of(base, dear).summary
    assert saving["npv"]["mean"] == pytest.approx(-c.summary["npv"]["mean"], rel=1e-12)
    assert saving["roi"]["status"].startswith("not defined: saves money") and saving["roi"]["mean"] is None


def test_payback_is_the_first_week_from_which_the_net_stays_non_negative():
    weeks = np.array([0, 1, 2, 3, 4, 5])
    assert economics.payback_week(weeks, np.array([0, -5, 1, -1, 2, 3.0])) == 4
    assert economics.payback_week(weeks, np.array([0, 1, 2, 3, 4, 5.0])) == 1
    assert economics.payback_week(weeks, np.array([0, 1, 2, 3, 4, -1.0])) is None


def test_interval_is_the_student_t_interval_of_the_paired_values():
    x = [1.0, 2.0, 4.0]
    m, lo, hi = economics.t_interval(x)
    half = 4.302652729911275 * np.std(x, ddof=1) / np.sqrt(3)  # t(0.975, 2 df)
    assert (m, lo, hi) == pytest.approx((7 / 3, 7 / 3 - half, 7 / 3 + half))


def test_cli_run_against_writes_the_incremental_figures(tmp_path: Path):
    b = write_yaml(tmp_path, "base", BASE)
    s = write_yaml(tmp_path, "mentor", {**BASE, "name": "mentor", "policies": {"mentoring": {"enabled": True}}})
    out = tmp_path / "out"
    proc = lesim("run", str(s), "--against", str(b), "--replicates", "3", "--weeks", "52", "--out", str(out), "-q",
                 check=True)
    doc = json.loads((out / "summary.json").read_text())
    inc = doc["incremental"]
    assert inc["counterfactual"] == "base" and inc["n"] == 3 and [x["seed"] for x in inc["seeds"]] == [4, 5, 6]
    assert inc["npv"]["mean"] == pytest.approx(inc["delta_benefit"]["mean"] - inc["delta_cost"]["mean"])
    assert inc["npv"]["low"] < inc["npv"]["mean"] < inc["npv"]["high"]
    assert inc["delta_cost"]["mean"] > 0  # mentors' and mentees' hours and the programme cost
    assert {a["path"] for a in doc["valuation"]} >= set(economics.VALUATION)
    assert doc["replicates"]["seeds"] == [4, 5, 6] and doc["replicates"]["outcomes"]["skills_gap"]["n"] == 3
    per_seed = pd.read_csv(out / "economics.csv")
    assert list(per_seed["seed"]) == [4, 5, 6]
    assert per_seed["npv"].mean() == pytest.approx(inc["npv"]["mean"], rel=1e-5)
    curve = pd.read_csv(out / "incremental.csv")
    assert curve["week"].iloc[-1] == 52 and curve["mean"].iloc[-1] == pytest.approx(inc["npv"]["mean"], rel=1e-5)
    html = (out / "report.html").read_text()
    assert "Incremental" not in html or "against <b>base</b>" in html
    assert "Valuation assumptions" in html and "governance.discount_rate" in html and "NPV" in html
    text = " ".join(proc.stdout.split())
    assert "Incremental economics: mentor against base" in text and "NPV" in text and "governance.discount_rate" in text


def test_cli_replicates_report_means_and_intervals(tmp_path: Path):
    b = write_yaml(tmp_path, "base", BASE)
    out = tmp_path / "reps"
    proc = lesim("run", str(b), "--replicates", "3", "--weeks", "8", "--out", str(out), "-q", check=True)
    doc = json.loads((out / "summary.json").read_text())
    gap = doc["replicates"]["outcomes"]["skills_gap"]
    finals = pd.read_csv(out / "replicates.csv")["skills_gap"]
    assert gap["mean"] == pytest.approx(finals.mean(), rel=1e-5) and gap["low"] < gap["mean"] < gap["high"]
    assert "incremental" not in doc and "3 seeds" in proc.stdout and "Mean [95 % t interval]" in proc.stdout


def test_cli_small_organisations_default_to_enough_seeds_for_an_interval(tmp_path: Path):
    """Without --replicates a small organisation runs DEFAULT_REPLICATES seeds (an interval on
    every headline); above SMALL_ORGANISATION one seed, with a hint."""
    from sim.cli import DEFAULT_REPLICATES, SMALL_ORGANISATION

    from .conftest import merge

    small = write_yaml(tmp_path, "small", BASE)
    proc = in_process("run", str(small), "--weeks", "3", "--out", str(tmp_path / "s"), "-q")
    assert proc.exit_code == 0, proc.stderr
    assert len(pd.read_csv(tmp_path / "s" / "replicates.csv")) == DEFAULT_REPLICATES
    assert f"{DEFAULT_REPLICATES} seeds" in proc.stdout
    large = write_yaml(tmp_path, "large", merge(BASE, {"organisation": {"size": SMALL_ORGANISATION + 1},
                                                       "start": {"spin_up_weeks": 0}}))
    proc = in_process("run", str(large), "--weeks", "1", "--out", str(tmp_path / "l"), "-q")
    assert proc.exit_code == 0, proc.stderr
    assert not (tmp_path / "l" / "replicates.csv").exists() and "Week 1" in proc.stdout
    assert f"--replicates {DEFAULT_REPLICATES} gives each outcome as mean and 95 % interval" in " ".join(proc.stderr.split())


@pytest.mark.parametrize("extra,args,expected", [
    ({}, ["--against", "{tmp}/nowhere.yaml"], "nowhere.yaml"),
    ({"organisation": {"size": 70}}, ["--against", "{other}"], "describe different organisations"),
    ({"governance": {"discount_rate": 0.03}}, ["--against", "{other}"], "governance.discount_rate is 0.07 vs 0.03"),
    ({"weeks": 30}, ["--against", "{other}"], "different horizons (26 vs 30 weeks)"),
    ({}, ["--replicates", "0"], "--replicates: must be between 1 and 10,000, got 0"),
])
def test_cli_bad_combinations_give_one_line_and_status_2(tmp_path: Path, extra: dict, args: list[str], expected: str):
    from .conftest import merge

    b = write_yaml(tmp_path, "base", BASE)
    other = write_yaml(tmp_path, "other", merge(BASE, {"name": "other", **extra}))
    proc = in_process("run", str(b), *[a.format(tmp=tmp_path, other=other) for a in args], "--out", str(tmp_path / "o"))
    assert proc.exit_code == 2, proc.stderr
    assert expected in " ".join(proc.stderr.split()) and "Traceback" not in proc.stderr
    assert not (tmp_path / "o").exists()


def test_compare_incremental_table_matches_runs_on_the_same_seeds(tmp_path: Path):
    write_yaml(tmp_path, "base", {**BASE, "weeks": 13})
    f = tmp_path / "exp.yaml"
    f.write_text(textwrap.dedent(f"""\
        name: econ
        base: base.yaml
        strategies:
          baseline: {{}}
          costly: {{policies.platform.lms_per_employee_year: {30.0 + EXTRA_LICENCE}}}
          mentoring: {{policies.mentoring.enabled: true}}
        design: {{type: factorial, replicates: 3, seed: 9}}
        measure: {{outcomes: [skills_gap], every: 4}}
        """))
    out = tmp_path / "sw"
    sweep(load_experiment(f), out, workers=1)
    table, runs, _, _ = compare(out)
    econ = table[table["uncertainty"] == "central"].set_index(["strategy", "outcome"])
    rate = 0.07
    for strategy, overrides in (("costly", {"policies": {"platform": {"lms_per_employee_year": 30.0 + EXTRA_LICENCE}}}),
                                ("mentoring", {"policies": {"mentoring": {"enabled": True}}})):
        npvs = []
        for seed in sorted(set(runs["seed"])):
            b = simulate(scenario(weeks=13, seed=int(seed)))
            s = simulate(scenario(weeks=13, seed=int(seed), **overrides))
            npvs.append(economics.paired(economics.cumulative_pv(s.timeseries, rate),
                                         economics.cumulative_pv(b.timeseries, rate)).npv)
        m, lo, hi = economics.t_interval(npvs)
        row = econ.loc[(strategy, "incremental_npv")]
        assert row["n"] == 3 and row["mean"] == pytest.approx(m, rel=1e-6)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((lo, hi), rel=1e-6)
    assert econ.loc[("costly", "incremental_benefit"), "mean"] == 0.0
    assert econ.loc[("costly", "incremental_roi"), "mean"] == pytest.approx(-1.0)
    assert "not within horizon in 3 of 3" in econ.loc[("costly", "payback_week"), "note"]
    csv = pd.read_csv(out / "comparison.csv")
    assert set(csv["outcome"]) >= {"incremental_npv", "incremental_roi", "payback_week"}
    html = (out / "comparison.html").read_text()
    assert "incremental economics against Baseline" in html and "governance.discount_rate" in html
    proc = in_process("compare", str(out))
    assert proc.exit_code == 0 and "NPV at week 13 against Baseline" in proc.stdout and "discount rate = 0.07" in proc.stdout


def test_managers_time_in_development_is_a_time_cost():
    from .conftest import make_model

    policy = {"manager_development": {"enabled": True, "share_per_year": 1.0}}
    with_time = make_model(policies=policy)
    without = make_model(policies={"manager_development": {**policy["manager_development"], "hours_per_manager": 0.0}})
    with_time.step()
    without.step()
    trained = int(with_time.state.trained_now.sum())
    assert trained > 5 and trained == int(without.state.trained_now.sum())
    extra = with_time.records.series("time_cost")[1].sum() - without.records.series("time_cost")[1].sum()
    assert extra == pytest.approx(trained * 16.0 * 60.0, rel=1e-12)
