"""The run report a planner reads: an executive summary first (against a counterfactual: each
headline outcome's paired difference with its interval, checked here against the per-seed
runs), last-year figures rather than a week, cumulative outcomes at their end, departments
with intervals, axes that start at 0 or say they are zoomed."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import economics
from sim.loader import scenario_from_data
from sim.report import SINCE_START, honest_axis, last_year, summary_section, year_value
from sim.reporting import fmt_diff, pyplot
from sim.run import Comparison, simulate_seeds

from .conftest import lesim


def scenario(**extra):
    data = {"name": "strategy", "weeks": 60, "seed": 4, "organisation": {"size": 120}, **extra}
    return scenario_from_data(data)


@pytest.fixture(scope="module")
def paired():
    strategy = scenario(policies={"mentoring": {"enabled": True, "ratio": 0.4}})
    base = scenario(name="status_quo")
    runs = simulate_seeds(strategy, 3)
    base_runs = simulate_seeds(base, 3)
    return runs, Comparison.of(runs, base_runs)


def test_year_value_is_the_last_52_weeks_mean_or_the_final_cumulative_value(paired):
    ts = paired[0][0].timeseries
    body = ts[(ts["week"] >= 60 - 51) & (ts["week"] <= 60)]
    assert list(last_year(ts)["week"]) == list(range(9, 61))
    assert year_value(ts, "engagement") == pytest.approx(body["engagement"].mean())
    for name in SINCE_START:
        assert year_value(ts, name) == ts[name].iloc[-1]


def test_the_summary_states_the_paired_differences_with_their_intervals(paired):
    runs, against = paired
    page = summary_section(runs[0], runs, against)
    assert page.startswith("<h2>Summary</h2>") and "status_quo" in page and "weeks 9–60" in page
    for name, label in (("skills_gap", "Skills gap index"), ("engagement", "Engagement")):
        diffs = [year_value(a.timeseries, name) - year_value(b.timeseries, name) for a, b in zip(runs, against.runs)]
        m, lo, hi = economics.t_interval(diffs)
        cell = f"{fmt_diff(name, m)} [{fmt_diff(name, lo)}, {fmt_diff(name, hi)}]"
        row = re.search(rf"<tr><td>{label} \([^<]*\)</td>(.*?)</tr>", page).group(1)
        assert cell in row
        better = -1 if name == "skills_gap" else 1
        low, high = sorted((lo * better, hi * better))
        verdict = "better" if low > 0 else "worse" if high < 0 else "no clear difference"
        assert row.endswith(f"<td>{verdict}</td>")
    npv = against.summary["npv"]
    assert f"Incremental NPV over 60 weeks: {economics.money(npv['mean'])}" in page
    assert "value per employee year = 150,000 $/year" in page  # the assumptions beside the NPV


def test_honest_axes_start_at_zero_or_say_they_are_zoomed():
    plt = pyplot()
    fig, (a, b) = plt.subplots(1, 2)
    honest_axis(a, [0.2, 0.5, 0.4], "share")
    honest_axis(b, [0.496, 0.484, 0.49], "index")
    assert a.get_ylim()[0] == 0 and "zoomed" not in a.get_title()
    assert b.get_ylim()[0] > 0.4 and "zoomed: axis not from 0" in b.get_title()
    plt.close(fig)
    fig, (c, d) = plt.subplots(1, 2)
    honest_axis(c, [-0.9, 0.3, 1.4], "ROI")          # crosses 0: 0 is on the axis, nothing to say
    honest_axis(d, [-5.0, -5.2, -4.9], "net")        # far below 0: zoomed
    assert c.get_ylim()[0] < -0.9 < 1.4 < c.get_ylim()[1] and "zoomed" not in c.get_title()
    assert "zoomed" in d.get_title()
    plt.close(fig)


def test_cli_report_for_a_strategy_against_the_baseline(tmp_path: Path):
    """The round trip a planner makes: run a strategy against the baseline and open the report."""
    import yaml

    base = {"name": "status_quo", "weeks": 60, "seed": 2, "organisation": {"size": 120}}
    (tmp_path / "b.yaml").write_text(yaml.safe_dump(base))
    (tmp_path / "s.yaml").write_text(yaml.safe_dump({**base, "name": "coaching",
                                                     "policies": {"manager_development": {"enabled": True}}}))
    out = tmp_path / "out"
    lesim("run", str(tmp_path / "s.yaml"), "--against", str(tmp_path / "b.yaml"), "--replicates", "3", "--out", str(out),
          "-q", check=True)
    page = (out / "report.html").read_text()
    assert page.index("<h2>Summary</h2>") < page.index("<h2>What was run</h2>") < page.index("<h2>Economics</h2>")
    assert "Difference [95 % interval]" in page and "coaching" in page and "status_quo" in page
    # departments: last-year means with intervals over the three seeds, not a final week
    dept = page[page.index("<h2>By department</h2>"):page.index("<h2>Skills gap by skill</h2>")]
    assert "mean [95 % t interval] over 3 seeds" in dept and dept.count(" [") >= 5
    # outcomes table: shares as %, cumulative outcomes without a "last year" mean
    outcomes = page[page.index("<h2>Outcomes</h2>"):page.index("<h2>Headline outcomes over time</h2>")]
    assert re.search(r"<td>Fully proficient ★</td><td>share</td><td class=n>\d+\.\d %</td>", outcomes)
    assert re.search(r"<td>Gross ROI \(Phillips, since week 0\)</td><td>ratio</td><td class=n>–</td>", outcomes)
    assert "Manager development" in page and "manager_development," not in page
    summary = pd.read_csv(out / "economics.csv")
    assert len(summary) == 3 and np.isfinite(summary["npv"]).all()
