"""The decision brief of ``lesim compare``: its recommendation, certainty, cost, failures and
caveats checked against numbers computed here from the stored runs; PRIM scenario
discovery; the comparison table's reader-facing fixes; the sweep's progress line."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

from sim import economics
from sim.experiments.brief import NPV, build_brief, prim, strategy_label
from sim.reporting import fmt_diff
from sim.experiments.compare import POOLED, compare, compare_frame
from sim.experiments.runner import SweepStats
from sim.experiments.spec import load_experiment
from sim.experiments.sweep import sweep
from sim.terminal import SweepProgress, eta_seconds

from .test_economics import in_process

EXPERIMENT = """\
name: brief
base: base.yaml
baseline: baseline
strategies:
  baseline: {}
  mentoring: {policies.mentoring.enabled: true, governance.annual_budget_per_employee: 1400}
  protected: {policies.protected_time.enabled: true, policies.protected_time.hours_per_week: 2.0,
              governance.annual_budget_per_employee: 1000}
  platform: {policies.platform.enabled: true}
uncertainties:
  scenarios:
    central: {}
    churn: {labour_market.annual_turnover: 0.3}
design: {type: factorial, replicates: 4, seed: 11}
measure: {outcomes: [skills_gap, engagement, turnover], every: 13}
"""


@pytest.fixture(scope="module")
def stored(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("brief")
    (folder / "base.yaml").write_text("name: base\nweeks: 52\nseed: 1\norganisation: {size: 120}\n"
                                      "governance: {budget_mode: advisory}\n")  # overspend is flagged, not cut
    (folder / "brief.yaml").write_text(EXPERIMENT)
    out = folder / "sw"
    stats = sweep(load_experiment(folder / "brief.yaml"), out, workers=2)
    assert stats.failed == 0
    return out


def npv_by_hand(runs: pd.DataFrame, baseline: str, per_replicate: bool = False) -> pd.DataFrame:
    """Mean incremental NPV per future and strategy, from the stored runs, the baseline 0
    (``per_replicate``: the paired values, one row per future, replicate and strategy)."""
    rows = []
    for (u, rep), g in runs.groupby(["uncertainty", "replicate"]):
        base = g[g["strategy"] == baseline].sort_values("week")
        for s, gs in g.groupby("strategy"):
            gs = gs.sort_values("week")
            net = (gs["pv_value"].to_numpy() - base["pv_value"].to_numpy()) - (
                gs["pv_cost"].to_numpy() - base["pv_cost"].to_numpy())
            rows.append({"uncertainty": u, "replicate": rep, "strategy": s, "npv": net[-1]})
    frame = pd.DataFrame(rows)
    return frame if per_replicate else frame.groupby(["uncertainty", "strategy"])["npv"].mean().unstack("strategy")


def test_the_recommendation_is_the_minimax_regret_option_of_the_stored_numbers(stored: Path):
    table, runs, experiment, brief = compare(stored)
    means = npv_by_hand(runs, "baseline")                      # futures × strategies
    regret = (means.max(axis=1).to_numpy()[:, None] - means).max(axis=0)
    assert brief.criterion == NPV and brief.recommended == regret.idxmin()
    rec = brief.option(brief.recommended)
    for u in means.index:
        assert rec.by_future[u][0] == pytest.approx(means.loc[u, brief.recommended], rel=1e-9, abs=1e-6)
    best_in = [u for u in means.index if means.loc[u].idxmax() == brief.recommended]
    assert sorted(rec.best_in) == sorted(best_in)
    assert rec.max_regret == pytest.approx(regret.min(), abs=1e-6)
    # the sentence states what the numbers say
    label = strategy_label(brief.recommended)
    if brief.recommended == "baseline":
        assert brief.headline.startswith("Keep Baseline")
    else:  # "Fund" only when its advantage in the first future excludes zero
        long = npv_by_hand(runs, "baseline", per_replicate=True)
        _, lo, _ = economics.t_interval(long[(long["uncertainty"] == "central")
                                             & (long["strategy"] == brief.recommended)]["npv"])
        verb = f"Fund {label}: it has" if lo > 0 else f"No clear winner: {label} has"
        where = "in both futures" if len(best_in) == 2 else f"in {len(best_in)} of 2 futures"
        assert brief.headline.startswith(verb) and where in brief.headline, brief.headline
        assert economics.money(means.loc["central", brief.recommended]) in brief.headline
    for u in means.index:  # a future in which another option does better is named as a failure
        other = means.loc[u].idxmax()
        if other != brief.recommended:
            assert any(f.startswith(f"{u}: {strategy_label(other)} does better") for f in brief.fails)
    # four replicates: the caveat says so
    assert any(c.startswith("Only 4 replicates per future") for c in brief.caveats)


def test_spend_is_checked_against_each_strategys_budget(stored: Path):
    _, runs, _, brief = compare(stored)
    at = runs[runs["week"] == runs["week"].max()]
    spend = at.groupby("strategy")["cumulative_spend_per_employee"].mean() / (at["week"].max() / 52)
    protected = brief.option("protected")
    assert protected.budget == 1000.0 and brief.option("platform").budget == 1300.0
    assert protected.annual_spend == pytest.approx(spend["protected"])
    over = [c for c in brief.caveats if c.startswith("Over budget")]
    assert spend["protected"] > 1.02 * 1000  # two protected hours a week cost more than $1,000 a year
    assert over and f"Protected spends {economics.money(spend['protected'])}" in over[0]
    assert ("Platform spends" in over[0]) == (spend["platform"] > 1.02 * 1300)


def test_the_brief_comes_first_in_the_html_and_the_terminal(stored: Path):
    proc = in_process("compare", str(stored))
    assert proc.exit_code == 0, proc.output
    _, _, _, brief = compare(stored)
    first = proc.stdout.splitlines()[0]
    assert len(first) > 20 and brief.headline.startswith(first.rstrip())
    assert "Full comparison:" in proc.stdout and "comparison.html" in proc.stdout
    assert proc.stdout.count("┏") == 0  # one compact table, not nine boxed ones
    page = (stored / "comparison.html").read_text()
    assert page.index(brief.headline.replace("&", "&amp;")) < page.index("<table")
    assert page.index("<h2>Decision brief") < page.index("<h2>Appendix A") < page.index("<h2>Appendix B")
    assert 'class="sortable"' in page and "@media print" in page and 'lang="en"' in page
    assert "gain_per_1000_usd" not in page and "ci_low" not in page and "True" not in page


def test_criterion_can_be_an_outcome(stored: Path):
    _, runs, _, brief = compare(stored, criterion="skills_gap")
    at = runs[runs["week"] == runs["week"].max()]
    gap = at.groupby(["uncertainty", "strategy"])["skills_gap"].mean().unstack("strategy")
    better = -(gap.sub(gap["baseline"], axis=0))      # lower gap is better
    regret = (better.max(axis=1).to_numpy()[:, None] - better).max(axis=0)
    assert brief.recommended == regret.idxmin()
    if brief.recommended != "baseline":  # the difference is shown in the outcome's own direction
        raw = gap.loc["central", brief.recommended] - gap.loc["central", "baseline"]
        assert fmt_diff("skills_gap", raw) in brief.headline
    proc = in_process("compare", str(stored), "--criterion", "happiness")
    assert proc.exit_code == 2 and "--criterion 'happiness'" in proc.output


def test_prim_finds_the_box_where_failures_concentrate():
    rng = np.random.default_rng(3)
    X = rng.random((400, 3))
    y = (X[:, 0] > 0.7) & (X[:, 2] < 0.5)
    box = prim(X, y, ["a", "b", "c"])
    assert set(box.limits) >= {"a", "c"} and "b" not in box.limits
    assert box.limits["a"][0] > 0.6 and box.limits["c"][1] < 0.6
    assert box.density > 0.8 and box.coverage >= 0.5
    assert prim(X, np.zeros(400, bool), ["a", "b", "c"]) is None


def test_sampled_futures_get_scenario_discovery():
    """A Latin-hypercube-like sweep: strategy a pays 100 except where u1 > 0.7 (0 there), b
    pays 50 everywhere. a is recommended (mean 70) and PRIM puts its failures at high u1."""
    rng = np.random.default_rng(5)
    rows = []
    for i in range(60):
        u1, u2 = rng.random(2)
        for rep in range(2):
            for s, npv in (("baseline", 0.0), ("a", 0.0 if u1 > 0.7 else 100.0), ("b", 50.0)):
                for week, pv in ((0, 0.0), (52, 1000.0)):
                    rows.append({"run_key": f"{i}{rep}{s}", "strategy": s, "uncertainty": f"p{i:02d}",
                                 "replicate": rep, "week": week, "u1": u1, "u2": u2, "skills_gap": 0.1,
                                 "pv_value": pv + (npv if week else 0.0), "pv_cost": pv,
                                 "cumulative_spend_per_employee": 100.0 * week / 52})
    runs = pd.DataFrame(rows)
    experiment = {"design": {"type": "latin_hypercube", "seed": 1}, "uncertainties": {"parameters": {"u1": {"low": 0, "high": 1},
                                                                          "u2": {"low": 0, "high": 1}}}}
    table = compare_frame(runs, "baseline")
    brief = build_brief(runs, table, experiment, "baseline")
    assert brief.futures == [POOLED] and brief.sampled and brief.recommended == "a"
    box = brief.discovery
    assert list(box.limits) == ["u1"] and box.limits["u1"][0] > 0.65 and box.density == 1.0
    n_fail = int((runs.drop_duplicates("uncertainty")["u1"] > 0.7).sum())
    assert brief.fails[0].startswith(f"Another option beats A at {n_fail} of 60 sampled points")
    assert "Scenario discovery (PRIM): where u1 0.7" in brief.fails[0]
    assert "from 2 paired replicates per sampled point" in brief.certainty


def synthetic_runs(npv: dict[str, dict[str, float]]) -> pd.DataFrame:
    """Stored-run rows whose incremental NPV against "baseline" is ``npv[future][strategy]``
    on average over three replicates (each replicate ±0.5 around it, so intervals are not empty)."""
    rows = []
    for u, by in npv.items():
        for rep in range(3):
            for s, v in {"baseline": 0.0, **by}.items():
                for week, pv in ((0, 0.0), (52, 1000.0 + rep)):
                    rows.append({"run_key": f"{u}{rep}{s}", "strategy": s, "uncertainty": u, "replicate": rep,
                                 "week": week, "skills_gap": 0.1, "pv_value": pv + (v + (0.5 * (rep - 1) if s != "baseline" else 0.0) if week else 0.0),
                                 "pv_cost": pv, "cumulative_spend_per_employee": 100.0 * week / 52})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("npv,recommended,phrase", [
    # a compromise that is never the best but falls least short anywhere
    ({"f1": {"a": 100, "b": 0, "c": 70}, "f2": {"a": 0, "b": 100, "c": 70}, "f3": {"a": 80, "b": 80, "c": 70}},
     "c", "Fund C: it has never the highest incremental NPV but the smallest worst-case shortfall across the 3 "
          "futures over 1 year"),
    # best in two futures, close behind in the third
    ({"f1": {"a": 100, "b": 0}, "f2": {"a": 100, "b": 0}, "f3": {"a": 90, "b": 100}},
     "a", "Fund A: it has the highest incremental NPV over 1 year in 2 of 3 futures and the smallest worst-case "
          "shortfall across them"),
    # nothing pays back anywhere
    ({"f1": {"a": -10, "b": -5}, "f2": {"a": -1, "b": -50}},
     "baseline", "Keep Baseline: no strategy beats it on incremental NPV over 1 year in any future"),
])
def test_the_headline_says_what_the_decision_rule_found(npv, recommended, phrase):
    runs = synthetic_runs(npv)
    brief = build_brief(runs, compare_frame(runs, "baseline"), {"design": {"type": "factorial", "seed": 1}}, "baseline")
    assert brief.recommended == recommended and brief.headline.startswith(phrase), brief.headline
    rec = brief.option(recommended)
    for u, by in npv.items():  # every future where another option is better is named, with both figures
        best = max({"baseline": 0, **by}.items(), key=lambda kv: kv[1])[0]
        if best != recommended:
            assert any(f.startswith(f"{u}: {strategy_label(best)} does better") for f in brief.fails)
        assert rec.by_future[u][0] == pytest.approx({"baseline": 0, **by}[recommended], abs=1e-9)


def test_the_probability_is_that_of_the_rule_picking_the_same_option():
    """B is never the best but always close: the rule picks it in almost every resample,
    though its probability of being best in each future is ~0."""
    runs = synthetic_runs({"f1": {"a": 100, "b": 45, "c": 0}, "f2": {"a": 0, "b": 45, "c": 60}})
    brief = build_brief(runs, compare_frame(runs, "baseline"), {"design": {"type": "factorial", "seed": 1}}, "baseline")
    b = brief.option("b")
    assert brief.recommended == "b" and b.p_best > 0.99 and max(b.p_best_by_future.values()) < 0.01
    assert brief.certainty.startswith("Probability it is the choice when the replicates are resampled: > 0.99")


def test_keeping_the_status_quo_names_who_beats_it_where():
    runs = synthetic_runs({"f1": {"a": 10}, "f2": {"a": -100}})
    brief = build_brief(runs, compare_frame(runs, "baseline"), {"design": {"type": "factorial", "seed": 1}}, "baseline")
    assert brief.recommended == "baseline"
    assert brief.headline.startswith("Keep Baseline: A beats it on incremental NPV in 1 of 2 futures but loses more "
                                     "elsewhere")
    assert brief.fails == ["f1: A does better ($10 against $0)."]


def test_a_partial_sweep_leaves_out_the_strategy_not_the_future():
    runs = synthetic_runs({"f1": {"a": 10, "b": 20}, "f2": {"a": 30, "b": 5}})
    runs = runs[~((runs["strategy"] == "b") & (runs["uncertainty"] == "f2"))]
    brief = build_brief(runs, compare_frame(runs, "baseline"), {"design": {"type": "factorial", "seed": 1}}, "baseline")
    assert brief.futures == ["f1", "f2"] and [o.strategy for o in brief.options if o.strategy == "b"] == []
    assert brief.recommended == "a"
    assert "Left out: B has no value in f2 (unfinished sweep or undefined outcome) and is left out." in brief.caveats


def test_an_undefined_criterion_for_the_baseline_is_a_one_line_error():
    from sim.experiments.brief import BriefError

    runs = synthetic_runs({"f1": {"a": 10}})
    runs["completion_rate"] = np.where(runs["strategy"] == "baseline", np.nan, 0.5)
    with pytest.raises(BriefError, match="completion_rate has no value for the baseline"):
        build_brief(runs, compare_frame(runs, "baseline"), {"design": {"type": "factorial"}}, "baseline",
                    criterion="completion_rate")


def test_reader_facing_statistics():
    """Shares' intervals stay within [0, 1]; no gain per $1,000 when the extra cost is noise or
    the outcome is money; the difference in % of the baseline's level."""
    rows = []
    rng = np.random.default_rng(0)
    for rep in range(3):
        for s, share, cost in (("base", 0.02, 100.0), ("x", 0.01, 100.0 + rng.normal(0, 5)), ("y", 0.05, 200.0 + rep)):
            rows.append({"strategy": s, "uncertainty": "c", "replicate": rep, "week": 4, "run_key": f"{s}{rep}",
                         "fully_proficient": share + rng.normal(0, 0.01), "spend_per_employee": cost,
                         "cumulative_spend_per_employee": cost})
    table = compare_frame(pd.DataFrame(rows), "base")
    share = table[(table["outcome"] == "fully_proficient") & (table["uncertainty"] == "c")].set_index("strategy")
    assert (share["ci_low"] >= 0).all() and (share["ci_high"] <= 1).all()
    assert np.isnan(share.loc["x", "gain_per_1000_usd"]) and np.isfinite(share.loc["y", "gain_per_1000_usd"])
    spend = table[(table["outcome"] == "spend_per_employee") & (table["uncertainty"] == "c")].set_index("strategy")
    assert spend["gain_per_1000_usd"].isna().all()
    assert share.loc["y", "diff_pct"] == pytest.approx(100 * share.loc["y", "diff"] / share.loc["base", "mean"])
    assert set(table["uncertainty"]) == {"c", POOLED}


def test_eta_is_from_measured_run_times():
    # two workers started together; the first run finished after 10 s: both are ~10 s in
    assert eta_seconds(10.0, 1, 239, 2) == pytest.approx(239 * 10 / 2)
    assert eta_seconds(100.0, 20, 220, 2) == pytest.approx(220 * 100 / 20)
    assert eta_seconds(5.0, 0, 240, 2) is None


@pytest.mark.parametrize("width,planned,done,skipped,shows", [
    (80, 123456, 5000, 100000, "105012/123456 · 12 failed"), (60, 2400, 1000, 200, "1212/2400 · 12 failed")])
def test_sweep_progress_is_one_line_that_fits(width: int, planned: int, done: int, skipped: int, shows: str):
    buf = io.StringIO()
    console = Console(file=buf, width=width, force_terminal=True, color_system=None)
    bar = SweepProgress("strategy_comparison_with_a_long_name", console=console)
    with bar:
        bar.on_start(planned, 2)
        time.sleep(0.05)
        bar.on_update(SweepStats(planned=planned, done=done, failed=12, skipped=skipped))
        bar.progress.refresh()
    lines = [re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", x) for x in buf.getvalue().replace("\r", "\n").split("\n")]
    shown = [x for x in lines if x.strip()]
    assert shown and max(len(x) for x in lines) < width
    assert re.search(shows + r" · elapsed \d:\d\d · left \d+:\d\d", shown[-1]), shown[-1]


def test_a_sweep_of_an_older_version_still_gets_a_brief(stored: Path, tmp_path: Path):
    """No budgets stored (a sweep written before the brief): the brief says spend is not checked."""
    import shutil

    import yaml

    copy = tmp_path / "old"
    shutil.copytree(stored, copy)
    doc = yaml.safe_load((copy / "experiment.yaml").read_text())
    doc.pop("budget")
    (copy / "experiment.yaml").write_text(yaml.safe_dump(doc))
    _, _, _, brief = compare(copy)
    assert any("Budgets are not known" in c for c in brief.caveats)


def test_the_comparison_text_uses_labels_not_key_paths(stored: Path):
    compare(stored)
    page = (stored / "comparison.html").read_text()
    brief_part = page[page.index("Decision brief"):page.index("Appendix A")]
    assert "policies." not in brief_part and "_" not in re.sub(r"<[^>]+>", "", brief_part).replace(
        "fast_skill_change", "")



def test_comparison_page_in_a_browser_first_screen_sorting_and_print(stored: Path, page):
    """In Chromium: the recommendation is on the first screen (1280 × 800), a column sorts on
    click and on Enter, and the page prints (A4) to a few pages with the tables after the brief."""
    _, _, _, brief = compare(stored)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto((stored / "comparison.html").as_uri())
    rec = page.locator(".rec")
    assert rec.inner_text() == brief.headline
    box = rec.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 800
    table = page.locator("section.brief + p + table.sortable")
    spend_col = [h.inner_text() for h in table.locator("thead th").all()].index("L&D spend per employee-year")
    header = table.locator("thead th").nth(spend_col)

    def column() -> list[float]:
        return [float(c.get_attribute("data-v")) for c in table.locator(f"tbody td:nth-child({spend_col + 1})").all()]

    header.click()
    assert column() == sorted(column())
    header.focus()
    page.keyboard.press("Enter")
    assert column() == sorted(column(), reverse=True)
    pdf = page.pdf(format="A4")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 1 <= pages <= 6
