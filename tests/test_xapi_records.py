"""`lesim run --records xapi`: the learning activity as xAPI 1.0.3 statements (``xapi.jsonl``),
checked by an independent validator (Learning Locker's ``@learninglocker/xapi-validation``,
installed by ``make install`` into ``tools/xapi-validator``), deterministic, pseudonymous and
true to the model (one formal-learning statement per use of a catalogue item)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections import Counter
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from sim.loader import load_scenario
from sim.model import LearningEcosystem
from sim.records import XAPI_WEEK_1, iso_duration
from sim.run import xapi_log

from .conftest import ROOT, lesim

VALIDATOR = ROOT / "tools" / "xapi-validator"
SMALL = ("--set", "organisation.size=60", "--weeks", "8", "--replicates", "1", "--records", "xapi")
ID = re.compile(r"[0-9]+")  # a person is named by their agent id, never by a name
EXT = "https://lesim.invalid/xapi/extensions"


def run_records(out) -> bytes:
    lesim("run", "scenarios/baseline.yaml", *SMALL, "--seed", "11", "--out", str(out), "--quiet", check=True)
    return (out / "xapi.jsonl").read_bytes()


@pytest.fixture(scope="module")
def records(tmp_path_factory) -> tuple:
    out = tmp_path_factory.mktemp("xapi") / "run"
    data = run_records(out)
    return out, data, [json.loads(line) for line in data.decode("utf-8").split("\n")[:-1]]


@pytest.fixture(scope="module")
def validator() -> list[str]:
    """The command that validates a JSON Lines file; missing, the test fails when
    LESIM_REQUIRE_BROWSER is set (CI), else it is skipped."""
    node = shutil.which("node")
    if node is None or not (VALIDATOR / "node_modules" / "@learninglocker" / "xapi-validation").is_dir():
        message = (f"the xAPI validator is not installed ({VALIDATOR / 'node_modules'}; needs Node.js): "
                   "run `make install`")
        if os.environ.get("LESIM_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    return [node, str(VALIDATOR / "validate.js")]


def validate(validator, path) -> subprocess.CompletedProcess:
    return subprocess.run([*validator, str(path)], capture_output=True, text=True, timeout=120)


def test_run_writes_one_statement_a_line(records):
    out, data, statements = records
    assert data and data.endswith(b"\n")
    assert len(statements) == data.count(b"\n")
    assert all(isinstance(s, dict) for s in statements)
    assert "xapi.jsonl" in json.loads((out / "manifest.json").read_text())["files"]
    weeks = {s["context"]["extensions"][f"{EXT}/week"] for s in statements}
    assert weeks == set(range(1, 9))  # weeks 1 … horizon, none of week 0 or the spin-up


def test_statements_are_valid_xapi(records, validator):
    out, data, statements = records
    proc = validate(validator, out / "xapi.jsonl")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip().endswith(f"{len(statements)} statements valid"), proc.stdout


def test_validator_flags_broken_statements(records, validator, tmp_path):
    """The check can fail: a verb id that is not an IRI, a duration that is not ISO 8601, a
    repeated id and a line that is not JSON are each reported on their line."""
    good = records[2][0]
    not_iri = {**good, "id": "7f3eac16-5cc2-572b-bbbb-4b30459f9bd1", "verb": {"id": "completed"}}
    bad_duration = {**good, "id": "7f3eac16-5cc2-572b-bbbb-4b30459f9bd2",
                    "result": {**good["result"], "duration": "PT1.5H"}}
    path = tmp_path / "broken.jsonl"
    path.write_text("\n".join([json.dumps(good), json.dumps(not_iri), json.dumps(bad_duration), json.dumps(good),
                               "{not json"]) + "\n")
    proc = validate(validator, path)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert not any(line.startswith(f"{path}:1:") for line in lines)
    assert any(line.startswith(f"{path}:2: statement.verb.id:") for line in lines), proc.stdout
    assert any(line.startswith(f"{path}:3: statement.result.duration:") for line in lines), proc.stdout
    assert any(line.startswith(f"{path}:4: id: used before, on line 1") for line in lines), proc.stdout
    assert any(line.startswith(f"{path}:5: not JSON") for line in lines), proc.stdout
    assert lines[-1] == f"{path}: 4 of 5 statements invalid"


def test_same_seed_same_file(records, tmp_path):
    assert run_records(tmp_path / "again") == records[1]


def test_people_are_pseudonymous_ids(records):
    agents = [s["actor"] for s in records[2]] + [s["context"]["instructor"] for s in records[2]
                                                  if "instructor" in s["context"]]
    for a in agents:
        assert set(a) == {"objectType", "account"} and a["objectType"] == "Agent"
        assert a["account"]["homePage"] == "https://lesim.invalid/people"
        assert ID.fullmatch(a["account"]["name"]), a


def test_ids_times_and_iris(records):
    statements = records[2]
    assert len({s["id"] for s in statements}) == len(statements)
    for s in statements:
        week = s["context"]["extensions"][f"{EXT}/week"]
        start = XAPI_WEEK_1 + timedelta(weeks=week - 1)
        assert s["timestamp"].endswith("Z")
        stamp = datetime.strptime(s["timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
        assert start <= stamp < start + timedelta(days=7)
        assert s["verb"]["id"].startswith("http://adlnet.gov/expapi/verbs/")
        assert s["object"]["definition"]["type"].startswith("http://adlnet.gov/expapi/activities/")
        assert s["object"]["id"].startswith("https://lesim.invalid/activities/")
        for key in [*s["context"]["extensions"], *s["result"].get("extensions", {})]:
            assert key.startswith("https://"), key
        assert re.fullmatch(r"PT(\d+H)?(\d+M)?(\d+S)?", s["result"]["duration"])
    assert XAPI_WEEK_1.weekday() == 0  # week 1 starts on a Monday


def test_iso_duration():
    assert [iso_duration(h) for h in (0, 1.5, 2 / 3, 0.99999, 10, 1 / 3600)] == \
        ["PT0S", "PT1H30M", "PT40M", "PT1H", "PT10H", "PT1S"]


def simulated(path: str, weeks: int = 4) -> tuple[LearningEcosystem, np.ndarray, list[dict]]:
    """A 60-person model of ``path`` run ``weeks`` weeks with its xAPI log: (model, catalogue
    usage at week 0, statements)."""
    model = LearningEcosystem(load_scenario(ROOT / path, ["organisation.size=60", f"weeks={weeks}"]))
    usage = model.catalogue.usage_total.copy()
    log = xapi_log(model)
    for _ in range(weeks):
        model.step()
    log.seek(0)
    return model, usage, [json.loads(line) for line in log]


def test_statements_are_what_the_model_did():
    """One formal-learning statement per use of a catalogue item that the model counted (its
    usage record), on that item; no mentoring statement where there is no mentoring."""
    model, usage, statements = simulated("scenarios/baseline.yaml")
    cat = model.catalogue
    used = cat.usage_total[: cat.size] - usage[: cat.size]
    per_item = Counter(s["object"]["id"] for s in statements)
    assert per_item == {f"https://lesim.invalid/activities/item/{cat.uid[r]}": int(used[r])
                        for r in np.flatnonzero(used)}
    assert {s["verb"]["display"]["en-US"] for s in statements} == {"completed", "attempted"}
    for s in statements:
        assert s["result"]["completion"] == (s["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed")


def test_mentoring_meetings():
    """With the mentoring programme on, each mentee attends a meeting with their mentor (the
    instructor) for the programme's hours a week."""
    model, _, statements = simulated("scenarios/mentoring_programme.yaml", weeks=2)
    meetings = [s for s in statements if s["verb"]["id"] == "http://adlnet.gov/expapi/verbs/attended"]
    assert meetings
    hours = model.spec.policies.mentoring.hours_per_week
    for s in meetings:
        mentor, mentee = s["context"]["instructor"]["account"]["name"], s["actor"]["account"]["name"]
        assert mentor != mentee
        assert s["object"]["id"] == f"https://lesim.invalid/activities/mentoring/{mentor}/{mentee}"
        assert s["result"]["duration"] == iso_duration(hours)


def test_records_takes_only_xapi(tmp_path):
    proc = lesim("run", "scenarios/baseline.yaml", "--records", "csv", "--out", str(tmp_path / "r"))
    assert proc.returncode == 2
    assert "--records" in proc.stderr and "xapi" in proc.stderr
    assert not (tmp_path / "r").exists()
