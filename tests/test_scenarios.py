"""Every shipped scenario loads and runs; every broken scenario gives its clear error."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from sim.loader import ScenarioError, load_scenario
from sim.model import LearningEcosystem
from sim.scenario import Scenario

from .conftest import ROOT, lesim

SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
BROKEN = ROOT / "tests" / "broken"
EXPECTED = yaml.safe_load((BROKEN / "expected.yaml").read_text())


def test_at_least_eight_scenarios_ship():
    assert len(SCENARIOS) >= 8
    assert (ROOT / "scenarios" / "baseline.yaml").exists()


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_shipped_scenario_loads_and_runs(path: Path):
    sc = load_scenario(path, ["weeks=6"])
    assert sc.name == path.stem
    assert sc.description.strip(), "every shipped scenario explains itself"
    model = LearningEcosystem(sc)
    for _ in range(6):
        model.step()
    org = np.array(model.collector.org)
    assert org.shape == (7, len(model.collector.org[0]))
    assert np.isfinite(model.workforce.prof).all()
    assert (model.workforce.prof >= 0).all() and (model.workforce.prof <= 5).all()


def test_five_line_scenario_runs(tmp_path: Path):
    f = tmp_path / "five.yaml"
    f.write_text("name: five\nweeks: 3\norganisation:\n  size: 60\nseed: 2\n")
    model = LearningEcosystem(load_scenario(f))
    for _ in range(3):
        model.step()
    assert model.week == 3


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
    with pytest.raises(Exception):
        a.weeks = 3  # type: ignore[misc]
    assert Scenario(seed=1).digest() != a.digest()


def test_schema_command_prints_json_schema():
    import json

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
    assert len(sc.organisation.departments) == 5


def test_events_start_in_week_one():
    with pytest.raises(ScenarioError, match="events\\[0\\].week: must be at least 1"):
        load_scenario(ROOT / "scenarios" / "baseline.yaml",
                      ["events=[{type: budget_cut, week: 0, fraction: 0.1}]"])
