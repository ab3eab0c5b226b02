"""Every shipped scenario loads and runs; every broken scenario gives its clear error."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from pydantic import ValidationError

from sim.loader import ScenarioError, load_scenario, scenario_from_data
from sim.model import LearningEcosystem
from sim.run import simulate
from sim.scenario import Scenario

from .conftest import ROOT, lesim, scaled_down

SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
BROKEN = ROOT / "tests" / "broken"
EXPECTED = yaml.safe_load((BROKEN / "expected.yaml").read_text())


def test_at_least_eight_scenarios_ship():
    assert len(SCENARIOS) >= 8
    assert (ROOT / "scenarios" / "baseline.yaml").exists()


# The outcomes docs/ODD.md §4.11 documents, with the range their documented unit allows
# (written out here, not read from sim.outcomes, so that a dropped or renamed outcome fails).
INF = math.inf
DOCUMENTED_OUTCOMES = {
    "skills_gap": (0, 1), "fully_proficient": (0, 1), "critical_coverage": (0, 1), "mean_proficiency": (0, 5),
    "time_to_proficiency": (0, INF), "learning_hours": (0, INF), "completion_rate": (0, 1),
    "transfer_rate": (0, 1), "knowledge_flow": (0, INF), "cross_dept_flow": (0, 1), "culture_index": (0, 1),
    "engagement": (0, 1), "turnover": (0, INF), "skill_loss_ratio": (0, INF), "internal_mobility": (0, INF),
    "content_freshness": (0, 1), "content_utilisation": (0, 1), "ld_spend": (0, INF), "spend_per_employee": (0, INF),
    "cumulative_spend_per_employee": (0, INF), "hiring_spend_per_employee": (0, INF), "productivity": (0, 1),
    "roi": (-INF, INF), "skills_gini": (0, 1),
}
# Undefined in the week-0 row: ROI (ODD §7.14: week 0 books no cost) and the ratios whose
# denominator is this week's activity (nothing is started, applied, discussed or used in week 0).
UNDEFINED_AT_WEEK_0 = {"completion_rate", "transfer_rate", "cross_dept_flow", "content_freshness", "roi"}
# Ratios over hires (ODD §7.14): undefined while there are none, as in a 6-week run.
NEED_HIRES = {"time_to_proficiency", "skill_loss_ratio"}


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_shipped_scenario_loads_and_runs(path: Path):
    """A shipped scenario runs 6 weeks and records, for week 0 and each of the 6 weeks, every
    documented outcome within its documented range, consistent with the documented formulas."""
    weeks = 6
    sc = load_scenario(path, [f"weeks={weeks}", *scaled_down(path)])
    assert sc.name == path.stem
    assert sc.description.strip(), "every shipped scenario explains itself"
    ts = simulate(sc).timeseries

    # one row per week, the starting state (week 0) included
    assert ts["week"].tolist() == list(range(weeks + 1))
    missing = set(DOCUMENTED_OUTCOMES) - set(ts.columns)
    assert not missing, f"documented outcomes not recorded: {sorted(missing)}"

    # every position is occupied when the organisation is drawn; after the spin-up (ODD §5) a few
    # are vacant, as in any week (turnover ~14 %/year, 6 weeks to fill: ~2 % of seats)
    assert 0.95 * sc.organisation.size <= ts["headcount"].iloc[0] <= sc.organisation.size
    assert (ts["headcount"] <= sc.organisation.size).all() and (ts["headcount"] > 0).all()

    for name, (low, high) in DOCUMENTED_OUTCOMES.items():
        col = ts[name].to_numpy(dtype=float)
        may_be_undefined = np.zeros(len(col), dtype=bool)
        if name in UNDEFINED_AT_WEEK_0:
            may_be_undefined[0] = True
        if name in NEED_HIRES:
            may_be_undefined[:] = True
        undefined = np.isnan(col)
        assert not (undefined & ~may_be_undefined).any(), f"{name} undefined in weeks {np.flatnonzero(undefined)}"
        assert not np.isinf(col).any(), f"{name} is infinite"
        ok = col[~undefined]
        assert ((ok >= low) & (ok <= high)).all(), f"{name} outside its documented range [{low}, {high}]: {ok}"

    # documented identities between outcomes (ODD §7.14)
    if not sc.policies.job_rotation.enabled:  # with rotations, output fit counts the fit to the role worked
        np.testing.assert_allclose(ts["productivity"], 1.0 - ts["skills_gap"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(ts["spend_per_employee"], 52.0 * ts["ld_spend"] / ts["headcount"], rtol=1e-9)
    np.testing.assert_allclose(ts["cumulative_spend_per_employee"], ts["ld_spend"].cumsum() / ts["headcount"],
                               rtol=1e-9)
    # week 0 books no spend and no learning; every later week has some learning
    assert ts["ld_spend"].iloc[0] == 0 and ts["learning_hours"].iloc[0] == 0 and np.isnan(ts["roi"].iloc[0])
    assert (ts["learning_hours"].iloc[1:] > 0).all()

    # the same scenario stepped by hand gives the same last week (no hidden state between runs)
    model = LearningEcosystem(sc)
    for _ in range(weeks):
        model.step()
    latest = model.collector.latest()
    last = ts.iloc[-1]
    for name in DOCUMENTED_OUTCOMES:
        assert latest[name] == pytest.approx(float(last[name]), rel=1e-12, nan_ok=True), name
    prof = model.workforce.prof
    assert np.isfinite(prof).all()
    assert (prof >= 0).all() and (prof <= 5).all(), "proficiency is on the 0–5 scale"


def test_five_line_scenario_runs(tmp_path: Path):
    """A five-line file is a complete scenario: what it says is used, everything else is the
    default, and it runs for the weeks it asks for."""
    f = tmp_path / "five.yaml"
    f.write_text("name: five\nweeks: 3\norganisation:\n  size: 60\nseed: 2\n")
    sc = load_scenario(f)
    default = Scenario()
    assert (sc.name, sc.weeks, sc.seed, sc.organisation.size) == ("five", 3, 2, 60)
    assert sc.organisation.model_copy(update={"size": default.organisation.size}) == default.organisation
    assert sc.model_copy(update={"name": default.name, "weeks": default.weeks, "seed": default.seed,
                                 "organisation": default.organisation}) == default
    model = LearningEcosystem(sc)
    assert model.spin_up_weeks == default.start.spin_up_weeks > 0 and model.week == 0
    assert model.workforce.prof.shape[0] == 60 and model.workforce.occupied.mean() > 0.9
    for _ in range(3):
        model.step()
    assert model.week == 3
    ts = simulate(sc).timeseries
    assert ts["week"].tolist() == [0, 1, 2, 3]
    assert ts["headcount"].iloc[0] == model.collector.headcount[0].sum()


def test_corpus_covers_every_file():
    files = {p.name for p in BROKEN.glob("*.yaml")} - {"expected.yaml"}
    assert files == set(EXPECTED), "each broken file needs an expected message, and vice versa"
    assert len(files) >= 20


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_scenario_gives_one_line_error(name: str):
    with pytest.raises(ScenarioError) as info:
        load_scenario(BROKEN / name)
    message = str(info.value)
    assert "\n" not in message
    assert EXPECTED[name] in message


@pytest.mark.parametrize("name", ["bad_ratio.yaml", "alias_bomb.yaml", "not_a_bool.yaml", "empty.yaml"])
def test_cli_reports_broken_file_with_status_2(name: str):
    proc = lesim("validate", str(BROKEN / name))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert EXPECTED[name] in " ".join(proc.stderr.split())


def test_run_on_broken_file_writes_nothing(tmp_path: Path):
    out = tmp_path / "out"
    proc = lesim("run", str(BROKEN / "bad_ratio.yaml"), "--out", str(out))
    assert proc.returncode == 2
    assert not out.exists()
    assert "bad_ratio.yaml:5: policies.mentoring.ratio: must be between 0 and 1, got 1.5" in " ".join(proc.stderr.split())


def test_set_override_is_validated_like_the_file():
    sc = load_scenario(ROOT / "scenarios" / "baseline.yaml",
                       ["policies.mentoring.enabled=true", "policies.mentoring.ratio=0.3", "weeks=10"])
    assert sc.policies.mentoring.enabled and sc.policies.mentoring.ratio == 0.3 and sc.weeks == 10
    with pytest.raises(ScenarioError, match=r"^--set policies.mentoring.ratio=1.5: policies.mentoring.ratio: must be between 0 and 1"):
        load_scenario(ROOT / "scenarios" / "baseline.yaml", ["policies.mentoring.ratio=1.5"])
    with pytest.raises(ScenarioError, match="unknown key"):
        load_scenario(ROOT / "scenarios" / "baseline.yaml", ["policies.mentorship.ratio=0.3"])
    with pytest.raises(ScenarioError, match="expected key.path=value"):
        load_scenario(ROOT / "scenarios" / "baseline.yaml", ["weeks"])


def test_scenario_is_immutable_and_hash_is_stable():
    a, b = Scenario(), Scenario()
    assert a.digest() == b.digest()
    with pytest.raises(ValidationError, match="frozen"):
        a.weeks = 3  # type: ignore[misc]
    with pytest.raises(ValidationError, match="frozen"):
        a.organisation.size = 3  # type: ignore[misc]
    assert a.weeks == Scenario().weeks and a.organisation.size == Scenario().organisation.size
    assert a.digest() == b.digest()
    # any change of an input changes the digest, however deep
    assert Scenario(seed=1).digest() != a.digest()
    changed = scenario_from_data({}, overrides=["organisation.skills.3.open=false"])
    assert changed.digest() != a.digest()
    # the same inputs written in another order, or read back from the dump, give the same digest
    data = {"weeks": 30, "seed": 4, "name": "x", "organisation": {"team_size": 6, "size": 90}}
    reordered = {"organisation": {"size": 90, "team_size": 6}, "name": "x", "seed": 4, "weeks": 30}
    sc = scenario_from_data(data)
    assert scenario_from_data(reordered).digest() == sc.digest()
    assert scenario_from_data(sc.model_dump(mode="json")).digest() == sc.digest()
    # and in another interpreter (string hashing is salted per process, the digest must not be)
    code = ("import json, sys; from sim.loader import scenario_from_data; "
            "print(scenario_from_data(json.loads(sys.argv[1])).digest())")
    for salt in ("1", "2"):
        proc = subprocess.run([sys.executable, "-c", code, json.dumps(data)], cwd=ROOT, capture_output=True,
                              text=True, check=True, env={**os.environ, "PYTHONHASHSEED": salt})
        assert proc.stdout.strip() == sc.digest()


def test_schema_command_prints_json_schema():
    proc = lesim("schema", check=True)
    schema = json.loads(proc.stdout)
    assert "organisation" in schema["properties"]
    assert schema["additionalProperties"] is False


def test_yaml_python_tags_are_never_executed(tmp_path: Path):
    marker = tmp_path / "pwned"
    f = tmp_path / "evil.yaml"
    f.write_text(f'name: x\ndescription: !!python/object/apply:os.system ["touch {marker}"]\n')
    with pytest.raises(ScenarioError):
        load_scenario(f)
    assert not marker.exists()


def test_set_reaches_items_of_lists_left_at_their_defaults():
    sc = load_scenario(ROOT / "scenarios" / "baseline.yaml", ["organisation.departments.0.share=0.5",
                                                               "organisation.skills.7.open=true"])
    assert sc.organisation.departments[0].share == 0.5 and sc.organisation.skills[7].open is True
    # every other item, and every other field of the two items set, keeps its default
    default = Scenario().organisation
    assert sc.organisation.departments[0] == default.departments[0].model_copy(update={"share": 0.5})
    assert sc.organisation.departments[1:] == default.departments[1:]
    assert sc.organisation.skills[7] == default.skills[7].model_copy(update={"open": True})
    assert sc.organisation.skills[:7] == default.skills[:7] and len(sc.organisation.skills) == len(default.skills)


def test_events_start_in_week_one():
    with pytest.raises(ScenarioError, match="events\\[0\\].week: must be at least 1"):
        load_scenario(ROOT / "scenarios" / "baseline.yaml",
                      ["events=[{type: budget_cut, week: 0, fraction: 0.1}]"])
