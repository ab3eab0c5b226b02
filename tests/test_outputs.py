"""Output schema of `lesim run`, determinism, common random numbers, regression baseline."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.outcomes import OUTCOMES
from sim.run import simulate

from .conftest import ROOT, lesim, make_model, make_scenario
from . import regression

NAMES = [o.name for o in OUTCOMES]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("run") / "baseline"
    lesim("run", str(ROOT / "scenarios" / "baseline.yaml"), "--weeks", "30", "--out", str(out), "-q", check=True)
    return out


def test_run_writes_every_file(run_dir: Path):
    for name in ("timeseries.csv", "departments.csv", "skills.csv", "summary.json", "manifest.json", "report.html",
                 "chart_headline.png", "chart_departments.png", "chart_skills.png", "governance.csv"):
        assert (run_dir / name).is_file() and (run_dir / name).stat().st_size > 0, name
    assert not list(run_dir.parent.glob(".*tmp*")), "no temporary folder left behind"


def test_table_schemas(run_dir: Path):
    ts = pd.read_csv(run_dir / "timeseries.csv")
    assert list(ts.columns) == ["week", "headcount", *NAMES]
    assert ts["week"].tolist() == list(range(31))
    dep = pd.read_csv(run_dir / "departments.csv")
    assert list(dep.columns) == ["week", "department", "headcount", *NAMES]
    assert dep.groupby("week")["headcount"].sum().tolist() == ts["headcount"].tolist()
    sk = pd.read_csv(run_dir / "skills.csv")
    assert list(sk.columns) == ["week", "skill", "mean_proficiency", "mean_gap"]
    assert len(sk) == 31 * 8


def test_summary_and_manifest(run_dir: Path):
    summary = json.loads((run_dir / "summary.json").read_text())
    assert set(summary["outcomes"]) == set(NAMES)
    for v in summary["outcomes"].values():
        assert {"final", "average", "unit", "label", "better"} <= set(v)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    from sim.scenario import Scenario

    sc = Scenario.model_validate(manifest["scenario"])
    assert sc.digest() == manifest["scenario_sha256"]
    assert manifest["seed"] == 1 and manifest["weeks"] == 30 and manifest["wall_seconds"] > 0


def test_report_is_one_self_contained_file(run_dir: Path):
    html = (run_dir / "report.html").read_text()
    assert "baseline" in html and "Skills gap index" in html
    assert html.count("data:image/png;base64,") == 3
    assert not re.search(r'(src|href)="https?://', html), "no external resources"


def test_same_seed_gives_identical_timeseries(tmp_path: Path):
    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        lesim("run", str(ROOT / "scenarios" / "mentoring_programme.yaml"), "--weeks", "20", "--out", str(out), "-q",
              check=True)
    assert (a / "timeseries.csv").read_bytes() == (b / "timeseries.csv").read_bytes()
    assert (a / "departments.csv").read_bytes() == (b / "departments.csv").read_bytes()


def test_different_seeds_differ():
    a = simulate(make_scenario(seed=1)).timeseries
    b = simulate(make_scenario(seed=2)).timeseries
    assert not a[NAMES].equals(b[NAMES])


def test_occupied_output_folder_is_refused(tmp_path: Path):
    out = tmp_path / "taken"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    proc = lesim("run", str(ROOT / "scenarios" / "baseline.yaml"), "--weeks", "2", "--out", str(out), "-q")
    assert proc.returncode == 2 and "not an empty folder" in proc.stderr
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_switching_a_policy_does_not_reshuffle_other_streams():
    """Common random numbers: the environment's draws are the same whatever the strategy."""
    env = {"environment": {"turbulence_per_year": 6.0}}
    base = make_model(**env)
    mentoring = make_model(**env, policies={"mentoring": {"enabled": True}, "job_rotation": {"enabled": True}})
    np.testing.assert_array_equal(base.workforce.prof, mentoring.workforce.prof)
    for _ in range(30):
        base.step()
        mentoring.step()
    np.testing.assert_array_equal(base.structure.req, mentoring.structure.req)
    assert not np.array_equal(base.workforce.prof, mentoring.workforce.prof)


def test_regression_baseline_unchanged():
    stored = json.loads(regression.BASELINE.read_text())
    now = regression.current()
    for week, values in stored.items():
        for k, v in values.items():
            assert now[week][k] == v, (f"week {week} {k}: baseline {v!r}, now {now[week][k]!r}. If the change is "
                                       "intended, run `make regression-update` and commit the new baseline.")


def test_outcomes_are_declared_once_with_direction():
    assert len(set(NAMES)) == len(NAMES)
    for o in OUTCOMES:
        assert o.better in ("higher", "lower", "neither") and o.unit and o.label and o.description
