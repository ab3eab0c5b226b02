"""`lesim import`: an organisation's own exports in, a scenario folder out — and that folder used
like any other scenario (run, sweep, dashboard). Real files, the real command line."""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.loader import ScenarioError, load_scenario
from sim.model import LearningEcosystem
from sim.state import TIE_CROSS, TIE_REPORTING, TIE_TEAM

from .conftest import ROOT
from .conftest import lesim as lesim_subprocess


DATA = ROOT / "tests" / "data" / "org"
EXAMPLE = ROOT / "examples" / "ibm_attrition"
PSEUDONYM = re.compile(r"^p[0-9a-f]{16}$")
ROW_ERROR = re.compile(r"^error: \S+:\d+: .+")


def lesim(*args: str, cwd: Path = ROOT, check: bool = False) -> subprocess.CompletedProcess:
    """The real command line, in-process (Typer's runner, from ``cwd``): a subprocess per call
    costs seconds of start-up. An unexpected exception fails the test as a traceback would."""
    from typer.testing import CliRunner
    from sim.cli import app
    here = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200", "NO_COLOR": "1"})
    finally:
        os.chdir(here)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    proc = subprocess.CompletedProcess(["lesim", *args], result.exit_code, result.stdout, result.stderr)
    if check and proc.returncode != 0:
        raise AssertionError(f"lesim {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def import_acme(out: Path, key: Path, *extra: str) -> subprocess.CompletedProcess:
    return lesim("import", str(DATA / "hris.csv"), "--mapping", str(DATA / "mapping.yaml"),
                 "--skills", str(DATA / "skills.csv"), "--requirements", str(DATA / "requirements.csv"),
                 "--assessments", str(DATA / "assessments.csv"), "--completions", str(DATA / "lms.csv"),
                 "--xapi", str(DATA / "statements.jsonl"), "--network", str(DATA / "network.csv"),
                 "--out", str(out), "--key-file", str(key), *extra)


@pytest.fixture(scope="module")
def acme(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("acme")
    proc = import_acme(tmp / "acme", tmp / "acme.key")
    assert proc.returncode == 0, proc.stderr
    return tmp / "acme"


@pytest.fixture(scope="module")
def minimal(tmp_path_factory) -> Path:
    """Only the required columns: every optional one absent, the default mapping."""
    tmp = tmp_path_factory.mktemp("minimal")
    lesim("import", str(DATA / "minimal.csv"), "--out", str(tmp / "minimal"), "--key-file", str(tmp / "k.key"),
          check=True)
    return tmp / "minimal"


def test_the_folder_holds_a_valid_scenario_and_pseudonymised_tables(acme):
    assert sorted(p.name for p in acme.iterdir()) == ["assessments.csv", "import_report.md", "network.csv",
                                                      "people.csv", "scenario.yaml", "targets.yaml"]
    sc = load_scenario(acme / "scenario.yaml")
    assert sc.organisation.size == 39 and sc.organisation.data.min_group_size == 5
    assert [s.name for s in sc.organisation.skills] == ["Python programming", "Negotiation", "People management",
                                                        "Equipment maintenance"]
    assert sc.organisation.skills[0].code.startswith("http://data.europa.eu/esco/skill/")
    roles = {r.name: r for r in sc.organisation.roles}
    # requirements on a 1–4 scale mapped onto 0–5: 3 → 3.33…, 4 → 5
    assert roles["Engineer"].requirements["Python programming"].level == pytest.approx(10 / 3, abs=1e-3)
    assert roles["Account Executive"].requirements["Negotiation"].level == 5.0
    people = pd.read_csv(acme / "people.csv")
    assert people["id"].map(lambda x: bool(PSEUDONYM.match(x))).all()
    assert people["manager"].dropna().isin(people["id"]).all()
    assert people["engagement"].between(0, 1).all()           # a 1–5 survey mapped onto 0–1
    assert set(people["location"]) == {"on-site", "hybrid", "remote"}   # "Office", "WFH" mapped
    for f in ("people.csv", "network.csv", "assessments.csv", "scenario.yaml", "targets.yaml", "import_report.md"):
        text = (acme / f).read_text()
        # no employee id, name or free text of the exports leaves the import
        assert not re.search(r"\bE0\d\d\b|Person E|free text", text), f


def test_drops_are_counted_and_targets_proposed(acme):
    report = (acme / "import_report.md").read_text()
    for line in ("1 people's managers are not in hris.csv: they report to the top", "1 requirements of roles nobody holds in the people export (Intern)",
                 "1 requirements of skills not in the taxonomy (S9)", "1 assessments of people not in the people export",
                 "1 learning records outside the year before 2026-11-30", "1 ties with someone not in the people export",
                 "1 ties of a person with themselves"):
        assert line in report
    targets = yaml.safe_load((acme / "targets.yaml").read_text())["targets"]
    hris = pd.read_csv(DATA / "hris.csv")
    left = pd.to_datetime(hris["Termination Date"])
    leavers = int(((left > "2025-11-30") & (left <= "2026-11-30")).sum())
    assert targets["turnover"]["value"] == pytest.approx(leavers / len(hris), abs=1e-4)
    lo, hi = targets["turnover"]["interval"]
    assert lo < targets["turnover"]["value"] < hi
    assert targets["learning_hours"]["value"] > 0


def test_the_same_key_gives_the_same_pseudonyms_and_another_key_others(acme, tmp_path):
    key = acme.parent / "acme.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert import_acme(tmp_path / "again", key).returncode == 0
    assert (tmp_path / "again" / "people.csv").read_bytes() == (acme / "people.csv").read_bytes()
    assert import_acme(tmp_path / "other", tmp_path / "other.key").returncode == 0
    mine = set(pd.read_csv(acme / "people.csv")["id"])
    assert not mine & set(pd.read_csv(tmp_path / "other" / "people.csv")["id"])


def test_the_model_is_built_from_the_imported_people_network_and_assessments(acme):
    sc = load_scenario(acme / "scenario.yaml", ["start.spin_up_weeks=0"])
    model = LearningEcosystem(sc)
    wf, st = model.state.workforce, model.state.structure
    people = pd.read_csv(acme / "people.csv")
    row = {pid: i for i, pid in enumerate(people["id"])}
    # departments and roles as in the file, line managers from the file
    assert [st.dept_names[d] for d in wf.dept] == people["department"].tolist()
    assert [st.role_names[r] for r in wf.role] == people["role"].tolist()
    expected_manager = [row[m] if isinstance(m, str) else -1 for m in people["manager"]]
    assert wf.manager.tolist() == expected_manager
    assert wf.is_exec.sum() == 1 and (wf.manager[wf.is_exec] == -1).all()   # the orphan reports to the CEO
    # a person belongs to their manager's team; a manager to the team they lead
    for i in range(wf.n):
        if not wf.is_manager[i]:
            assert wf.team[i] == wf.team[wf.manager[i]]
    # ties: every reporting line, and the file's collaboration ties (no generated ones)
    src, dst, kind = model.state.edges
    pairs = {(min(a, b), max(a, b)): k for a, b, k in zip(src.tolist(), dst.tolist(), kind.tolist())}
    net = pd.read_csv(acme / "network.csv")
    for a, b in zip(net["a"], net["b"]):
        assert (min(row[a], row[b]), max(row[a], row[b])) in pairs
    for i in np.flatnonzero(wf.manager >= 0):
        assert pairs[(min(i, wf.manager[i]), max(i, wf.manager[i]))] in (TIE_REPORTING, TIE_TEAM, TIE_CROSS)
    assert len(pairs) <= len(net) + int((wf.manager >= 0).sum())
    # today's measured state at week 0: the latest assessment, engagement and tenure of everyone still
    # employed; the seat of someone who left in the last year keeps its spun-up occupant
    assessed = pd.read_csv(acme / "assessments.csv")
    k = {s: j for j, s in enumerate(st.skill_names)}
    here = (people["leaver"] != 1).to_numpy()
    assert 0 < (~here).sum() < 10
    for pid, skill, level in assessed.itertuples(index=False):
        if here[row[pid]]:
            assert wf.prof[row[pid], k[skill]] == pytest.approx(level)
    assert np.allclose(wf.engagement[here], people["engagement"][here])
    assert not np.allclose(wf.engagement[~here], people["engagement"][~here])
    assert model.observed == {"engagement": int(here.sum()), "tenure": int(here.sum()),
                              "assessed": int(sum(here[row[p]] for p in assessed["id"]))}
    # the remote / hybrid / on-site seats of the file
    assert [("on-site", "hybrid", "remote")[x] for x in wf.location] == people["location"].tolist()


def test_an_imported_scenario_runs_and_small_departments_are_suppressed(acme, tmp_path):
    proc = lesim("run", str(acme / "scenario.yaml"), "--weeks", "8", "--replicates", "2", "--out", str(tmp_path / "r"))
    assert proc.returncode == 0, proc.stderr
    dep = pd.read_csv(tmp_path / "r" / "departments.csv")
    # Facilities (3) and the CEO's office (1) hold 4 people together: the smallest other department
    # (Sales) is hidden too, so that the organisation's figure less Engineering's covers ≥ 5 people
    hidden = dep[dep["department"].isin(["Facilities", "Office of the CEO", "Sales"])]
    assert hidden.drop(columns=["week", "department", "headcount"]).isna().all().all()
    assert dep[dep["department"] == "Engineering"]["skills_gap"].notna().all()
    # no breakdown by location: it could be subtracted from the departments'
    locations = pd.read_csv(tmp_path / "r" / "locations.csv")
    assert locations.drop(columns=["week", "location", "headcount"]).isna().all().all()
    report = (tmp_path / "r" / "report.html").read_text()
    assert "Figures of fewer than 5 people are suppressed" in report
    assert "By work location</h2><p class=muted>Not shown for an imported organisation" in report
    assert re.search(r"<th>Imported</th><td>people\.csv, network\.csv, assessments\.csv: .*engagement set at week 0 "
                     r"for \d+ people.* \d+ assessed proficiencies set at week 0", report)


def test_every_optional_column_absent_imports_runs_and_sweeps(minimal, tmp_path):
    report = (minimal / "import_report.md").read_text()
    assert "no manager column" in report and "no assessments" in report and "no engagement column" in report
    assert not (minimal / "targets.yaml").exists()     # no leaver or hours column: nothing observed to fit
    sc = load_scenario(minimal / "scenario.yaml", ["start.spin_up_weeks=0"])
    model = LearningEcosystem(sc)
    wf = model.state.workforce
    assert wf.n == 30 and wf.is_exec.sum() == 1 and (wf.manager[~wf.is_exec] >= 0).all()
    # teams formed by department: a manager leads people of their own department
    assert (wf.dept[wf.manager[~wf.is_exec]] == wf.dept[~wf.is_exec]).sum() >= 30 - 1 - 3
    # a shipped strategy file applies to it unchanged, in a sweep
    exp = tmp_path / "exp.yaml"
    exp.write_text(yaml.safe_dump({
        "name": "imported", "base": str(minimal / "scenario.yaml"), "baseline": "status_quo",
        "strategies": {"status_quo": {}, "mentoring": str(ROOT / "scenarios" / "mentoring_programme.yaml")},
        "design": {"type": "factorial", "replicates": 2, "seed": 5},
        "measure": {"outcomes": ["skills_gap", "turnover"], "every": 4}}))
    proc = lesim("sweep", str(exp), "--workers", "1", "--weeks", "8", "--out", str(tmp_path / "sweep"))
    assert proc.returncode == 0, proc.stderr + proc.stdout
    proc = lesim("compare", str(tmp_path / "sweep"))
    assert proc.returncode == 0, proc.stderr
    comparison = pd.read_csv(tmp_path / "sweep" / "comparison.csv")
    assert {"status_quo", "mentoring"} <= set(comparison["strategy"])
    # the shipped strategy file brought its levers, not its 500-person organisation
    from sim.experiments.spec import load_experiment
    levers = load_experiment(exp).spec.strategies["mentoring"]
    assert levers["policies.mentoring.enabled"] is True and not any(k.startswith("organisation") for k in levers)


def test_the_shipped_example_imports_and_validates(tmp_path):
    proc = lesim_subprocess("import", str(EXAMPLE / "hris.csv"), "--mapping", str(EXAMPLE / "mapping.yaml"),
                 "--out", str(tmp_path / "ibm"), "--key-file", str(tmp_path / "k.key"))
    assert proc.returncode == 0, proc.stderr
    assert "1,470 people" in proc.stdout
    sc = load_scenario(tmp_path / "ibm" / "scenario.yaml")
    assert sc.organisation.size == 1470
    assert {d.name for d in sc.organisation.departments} == {"Research & Development", "Sales", "Human Resources"}
    targets = yaml.safe_load((tmp_path / "ibm" / "targets.yaml").read_text())["targets"]
    assert targets["turnover"]["value"] == pytest.approx(237 / 1470, abs=1e-4)
    # TrainingTimesLastYear × 12 h (the mapping's hours_per_training)
    hris = pd.read_csv(EXAMPLE / "hris.csv")
    assert targets["learning_hours"]["value"] == pytest.approx(hris["TrainingTimesLastYear"].mean() * 12, abs=1e-3)
    assert lesim("validate", str(tmp_path / "ibm" / "scenario.yaml")).returncode == 0


BAD_ROWS = [
    ("id,department,role\na,Ops,clerk\na,Ops,clerk\n", "x.csv:3: id: duplicate id (first on line 2)"),
    ("id,department,role\na,Ops,\nb,Ops,clerk\n", "x.csv:2: role: empty; every person needs one"),
    ("id,department,role,engagement\na,Ops,clerk,0.5\nb,Ops,clerk,lots\n", "x.csv:3: engagement: expected a number, got 'lots'"),
    ("id,department,role,engagement\na,Ops,clerk,4\nb,Ops,clerk,0.2\n", "x.csv:2: engagement: expected 0–1 (map another scale"),
    ("id,department,role,leaver\na,Ops,clerk,maybe\nb,Ops,clerk,no\n", "x.csv:2: leaver: expected yes/no, got 'maybe'"),
    ("id,department,role,hire_date\na,Ops,clerk,31/12/2020\nb,Ops,clerk,\n", "x.csv:2: hire_date: expected a date YYYY-MM-DD"),
    ("id,department,role,location\na,Ops,clerk,moon\nb,Ops,clerk,remote\n", "x.csv:2: location: expected on-site, hybrid or remote, got 'moon'"),
    ("id,department,role,manager\na,Ops,clerk,b\nb,Ops,clerk,a\nc,Ops,clerk,\n", "x.csv:2: manager: the management chain never reaches the top"),
    ("id,department\na,Ops\n", "x.csv:1: role: no such column (mapping people.columns.role)"),
    # blank lines keep later lines' numbers; a row of the wrong width is named by its line
    ("id,department,role,engagement\na,Ops,clerk,0.5\n\nb,Ops,clerk,lots\n", "x.csv:4: engagement: expected a number"),
    ("id,department,role\na,Ops,clerk\n\nb,Ops\n", "x.csv:4: expected 3 fields (as the header), got 2"),
    ("id,department,role\na,Op\xe9,clerk\n", "x.csv: cannot read as CSV (UTF-8, comma-separated)"),
    ("id,department,role,role\na,Ops,clerk,x\n", "x.csv:1: role: the header names this column 2 times"),
    # a quoted value with a line break: rows are named by number, not by a wrong line
    ('id,department,role\na,"X\nY",r\na,X,r\n', "x.csv: row 2 (a quoted value spans lines): id: duplicate id "
                                                   "(first on row 1)"),
]


@pytest.mark.parametrize("text,message", BAD_ROWS, ids=[m.split(": ")[1] for _, m in BAD_ROWS])
def test_row_problems_name_file_line_and_column_and_write_nothing(tmp_path, text, message):
    (tmp_path / "x.csv").write_bytes(text.encode("latin-1"))
    proc = lesim("import", "x.csv", "--out", "out", "--key-file", "k.key", cwd=tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert any(line.startswith(f"error: {message}") for line in lines), proc.stderr
    assert all(ROW_ERROR.match(line) or line == "error: nothing was written" or ": cannot read as CSV" in line
               or "(a quoted value spans lines)" in line for line in lines), proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists() and not (tmp_path / "k.key").exists()


def test_mapping_mistakes_and_the_template(tmp_path):
    (tmp_path / "m.yaml").write_text("people:\n  columns:\n    id: EmpNo\n    departmnt: Dept\n")
    proc = lesim("import", str(DATA / "minimal.csv"), "--mapping", "m.yaml", "--out", "o", "--key-file", "k",
                 cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: m.yaml:4: people.columns.departmnt: unknown field; known: id, department")
    (tmp_path / "s.yaml").write_text("people:\n  scale: {engagement: [5, 1]}\n")
    proc = lesim("import", str(DATA / "minimal.csv"), "--mapping", "s.yaml", "--out", "o", "--key-file", "k",
                 cwd=tmp_path)
    assert proc.returncode == 2 and "s.yaml:2: people.scale.engagement: expected [low, high]" in proc.stderr
    # the template, unchanged, is the default mapping: it imports an export of the default columns
    assert lesim("import", "--template", "t.yaml", cwd=tmp_path).returncode == 0
    assert "required: employee id" in (tmp_path / "t.yaml").read_text()
    proc = lesim("import", str(DATA / "minimal.csv"), "--mapping", "t.yaml", "--out", "o", "--key-file", "k",
                 cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert lesim("import", "--template", "t.yaml", cwd=tmp_path).returncode == 2   # never overwrites


def test_the_key_stays_outside_the_folder_and_must_be_a_key(tmp_path):
    proc = lesim("import", str(DATA / "minimal.csv"), "--out", "o", "--key-file", "o/k.key", cwd=tmp_path)
    assert proc.returncode == 2 and "the key must not be kept in the output folder" in proc.stderr
    (tmp_path / "k.key").write_text("not a key\n")
    proc = lesim("import", str(DATA / "minimal.csv"), "--out", "o", "--key-file", "k.key", cwd=tmp_path)
    assert proc.returncode == 2 and "k.key:1: --key-file: expected 32–128 hex digits" in proc.stderr
    assert not (tmp_path / "o").exists()


def test_tables_edited_after_the_import_or_outside_the_folder_are_refused(minimal, tmp_path):
    import shutil
    copy = tmp_path / "copy"
    shutil.copytree(minimal, copy)
    with open(copy / "people.csv", "a") as f:
        f.write("pdeadbeefdeadbeef,Ops,clerk,,,,,,,\n")
    proc = lesim("run", str(copy / "scenario.yaml"), "--weeks", "2")
    assert proc.returncode == 2
    assert re.match(r"error: .*scenario\.yaml:\d+: organisation\.data\.people\.sha256: .*people\.csv changed since it "
                    r"was imported", proc.stderr), proc.stderr
    text = (minimal / "scenario.yaml").read_text()
    (tmp_path / "out.yaml").write_text(text.replace("file: people.csv", "file: ../people.csv"))
    with pytest.raises(ScenarioError, match=r"out\.yaml:\d+: organisation\.data\.people\.file: must be a path inside "
                                            r"the scenario's folder"):
        load_scenario(tmp_path / "out.yaml")
    (tmp_path / "abs.yaml").write_text(text.replace("file: people.csv", f"file: {minimal / 'people.csv'}"))
    with pytest.raises(ScenarioError, match="must be a path inside the scenario's folder"):
        load_scenario(tmp_path / "abs.yaml")


def test_the_dashboard_opens_an_imported_scenario_and_steps(minimal, page):
    """A real browser on a server given only the imported folder: the page opens the imported
    organisation and Step advances it; the YAML the page exports names the tables relative to
    the folder again (it runs from there)."""
    from playwright.sync_api import expect
    from sim.dashboard.server import command, environment, free_port, wait_ready
    from sim.dashboard.session import ScenarioFolders, load, scenario_yaml
    port = free_port()
    log = minimal.parent / f"server-{port}.log"
    env = {**os.environ, **environment([minimal], [minimal.parent / "results"], "scenario")}
    with open(log, "w") as out:
        proc = subprocess.Popen(command("127.0.0.1", port), cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_ready(proc, url, log)
        page.set_default_timeout(60_000)
        page.goto(url)
        status = page.get_by_text(re.compile(r"^Week \d+ of \d+"))
        expect(status).to_contain_text("Week 0 of 260")
        expect(page.get_by_role("heading", name="minimal")).to_be_visible()
        page.get_by_role("button", name="Step").click()
        expect(status).to_contain_text("Week 1 of 260")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    exported = scenario_yaml(load(ScenarioFolders([minimal]), "scenario"), {})
    assert "file: people.csv" in exported
    (minimal / "exported.yaml").write_text(exported)
    try:
        assert load_scenario(minimal / "exported.yaml").organisation.size == 30
    finally:
        (minimal / "exported.yaml").unlink()


def test_a_million_people_stream_through_the_reader(tmp_path):
    """The import's reader takes the export in blocks (pyarrow's streaming reader) and keeps
    only mapped columns: a 200,000-row export with a wide unmapped text column imports, and
    its figures are exact. (Speed at 1,000,000: benchmarks/bench_import.py.)"""
    n = 200_000
    ids = np.arange(n)
    pd.DataFrame({"id": [f"x{i}" for i in ids], "department": np.where(ids % 2, "A", "B"),
                  "role": "clerk", "notes": "x" * 200, "leaver": np.where(ids % 10 == 0, "yes", "no")}
                 ).to_csv(tmp_path / "big.csv", index=False)
    proc = lesim("import", "big.csv", "--out", "o", "--key-file", "k", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    people = pd.read_csv(tmp_path / "o" / "people.csv")
    assert len(people) == n and people["id"].is_unique
    assert yaml.safe_load((tmp_path / "o" / "targets.yaml").read_text())["targets"]["turnover"]["value"] == 0.1
    summary = json.dumps(yaml.safe_load((tmp_path / "o" / "scenario.yaml").read_text())["organisation"]["departments"])
    assert '"share": 0.5' in summary


def test_calibrate_fits_an_imported_organisation_to_its_own_history(tmp_path):
    """Import an organisation whose exports say 18 % left last year and people learned ~28 h
    formally; `lesim calibrate` on the imported folder moves the exit hazard and discretionary
    hours until the model's last-year turnover and learning hours sit within the observed
    intervals, and writes the fitted scenario beside the tables, where it runs."""
    rng = np.random.default_rng(11)
    n = 200
    pd.DataFrame({
        "id": [f"h{i}" for i in range(n)], "department": rng.choice(["Ops", "Sales", "Tech"], n),
        "role": rng.choice(["analyst", "engineer", "consultant"], n),
        "leaver": np.where(np.arange(n) < 36, "yes", "no"),                 # 36 / 200 = 18 %
        "training_hours": rng.normal(28.0, 14.0, n).clip(0, None).round(1),
    }).to_csv(tmp_path / "hris.csv", index=False)
    lesim("import", "hris.csv", "--out", "org", "--key-file", "k.key", cwd=tmp_path, check=True)
    targets = yaml.safe_load((tmp_path / "org" / "targets.yaml").read_text())["targets"]
    assert targets["turnover"]["value"] == 0.18
    proc = lesim("calibrate", "org/scenario.yaml", "--targets", "org/targets.yaml", "--seeds", "3", "--weeks", "52",
                 "--budget", "10", "--set", "start.spin_up_weeks=52", "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads(proc.stdout)
    assert result["within"] and {t["outcome"]: t["result"] for t in result["targets"]} == {
        "turnover": "within", "learning_hours": "within"}
    for t in result["targets"]:       # the fit moved each figure towards what was observed
        assert abs(t["fitted"]["mean"] - t["value"]) <= abs(t["start"]["mean"] - t["value"])
    fitted = tmp_path / "org" / "scenario_calibrated.yaml"
    assert lesim("run", str(fitted), "--weeks", "4", "--replicates", "1", "--out", str(tmp_path / "run")).returncode == 0


def test_complementary_suppression_leaves_nothing_to_subtract():
    from sim.outcomes import suppressed
    for counts, hidden in (([1, 11], [1, 1]), ([3, 10, 20], [1, 1, 0]), ([2, 2, 10, 20], [1, 1, 1, 0]),
                           ([6, 7], [0, 0]), ([0, 3, 50], [0, 1, 1]), ([5, 9, 4, 30], [1, 0, 1, 0])):
        got = suppressed(np.array(counts), 5)
        assert got.tolist() == [bool(h) for h in hidden], counts
        # what is hidden holds at least 5 people together (or nothing is hidden)
        assert not got.any() or np.array(counts)[got].sum() >= 5


def test_the_organisation_less_the_shown_departments_never_isolates_a_small_group(tmp_path):
    """One person alone in a department: their department is hidden and so is the smallest other
    one, so the organisation's figure less the shown departments' covers at least 5 people."""
    rows = ["id,department,role,engagement"] + ["ceo,Board,chief,0.05"]
    rows += [f"o{i},Ops,clerk,0.6" for i in range(7)] + [f"s{i},Sales,rep,0.7" for i in range(12)]
    (tmp_path / "x.csv").write_text("\n".join(rows) + "\n")
    lesim("import", "x.csv", "--out", "o", "--key-file", "k", cwd=tmp_path, check=True)
    lesim("run", "o/scenario.yaml", "--weeks", "3", "--replicates", "1", "--out", "r", cwd=tmp_path, check=True)
    dep = pd.read_csv(tmp_path / "r" / "departments.csv")
    for _, week in dep.groupby("week"):
        hidden = week[week["engagement"].isna()]
        assert hidden["headcount"].sum() >= 5 or hidden.empty
        assert "Board" in set(hidden["department"])


def test_old_leavers_are_not_imported_and_orphans_report_to_the_top(tmp_path):
    text = ("id,department,role,manager,leave_date\n"
            "ceo,Board,chief,,\n" + "".join(f"a{i},Ops,clerk,ceo,\n" for i in range(6))
            + "old,Ops,clerk,ceo,2019-03-01\nrecent,Ops,clerk,ceo,2026-06-01\n"
            + "".join(f"b{i},Sales,rep,gone_manager,\n" for i in range(4)) + "x1,Later,rep,,2026-11-29\n")
    (tmp_path / "x.csv").write_text(text)
    (tmp_path / "m.yaml").write_text("as_of: 2026-11-30\n")
    lesim("import", "x.csv", "--mapping", "m.yaml", "--out", "o", "--key-file", "k", cwd=tmp_path, check=True)
    report = (tmp_path / "o" / "import_report.md").read_text()
    assert "1 people who left before 2025-11-30 (not in the organisation)" in report
    assert "4 people's managers are not in x.csv: they report to the top" in report
    people = pd.read_csv(tmp_path / "o" / "people.csv")
    assert len(people) == 13 and people["leaver"].sum() == 2          # "recent" and x1 left within the year
    ceo = people["id"][0]
    assert (people["manager"].iloc[8:12] == ceo).all()                  # the Sales orphans: no root in Sales
    targets = yaml.safe_load((tmp_path / "o" / "targets.yaml").read_text())["targets"]
    assert targets["turnover"]["value"] == round(2 / 13, 4)


def test_xapi_exports_in_their_common_shapes(tmp_path):
    st = {"actor": {"account": {"homePage": "https://x", "name": "m0"}},
          "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"}, "object": {"id": "https://x/a/1"},
          "result": {"duration": "PT2H"}, "timestamp": "2026-10-01T09:00:00Z"}
    (tmp_path / "lrs.json").write_text(json.dumps({"statements": [st, st], "more": ""}, indent=2))
    (tmp_path / "bom.jsonl").write_bytes(b"\xef\xbb\xbf" + (json.dumps(st) + "\n").encode())
    for f in ("lrs.json", "bom.jsonl"):
        proc = lesim("import", str(DATA / "minimal.csv"), "--xapi", f, "--out", f"o_{f}", "--key-file", "k",
                     cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        hours = pd.read_csv(tmp_path / f"o_{f}" / "people.csv")["learning_hours"]
        assert hours.max() == (4.0 if f == "lrs.json" else 2.0)
    odd = [{**st, "verb": "completed"}, {**st, "actor": ["m1"]}, {**st, "result": {"duration": 5}},
           {**st, "timestamp": "yesterday"}]
    (tmp_path / "odd.jsonl").write_text("".join(json.dumps(x) + "\n" for x in odd))
    proc = lesim("import", str(DATA / "minimal.csv"), "--xapi", "odd.jsonl", "--out", "o3", "--key-file", "k",
                 cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "odd.jsonl:2: actor: no account name or mbox" in proc.stderr
    assert "odd.jsonl:3: result.duration: not an ISO 8601 duration" in proc.stderr
    assert "odd.jsonl:4: timestamp: expected an ISO 8601 timestamp" in proc.stderr


def test_options_and_limits_give_one_line(tmp_path):
    (tmp_path / "keys").mkdir()
    proc = lesim("import", str(DATA / "minimal.csv"), "--out", "o", "--key-file", "keys", cwd=tmp_path)
    assert proc.returncode == 2 and "keys: --key-file: is a folder" in proc.stderr
    proc = lesim("import", "--template", "no/such/dir/t.yaml", cwd=tmp_path)
    assert proc.returncode == 2 and "--template: cannot write" in proc.stderr
    (tmp_path / "tiny.csv").write_text("id,department,role\na,X,r\nb,Y,r\nc,Y,r\n")
    proc = lesim("import", "tiny.csv", "--out", "o", "--key-file", "k", cwd=tmp_path)
    assert proc.returncode == 2 and "3 people, fewer than the smallest group reports may show" in proc.stderr
    (tmp_path / "wide.csv").write_text("id,department,role\n" + "".join(f"p{i},D{i},r\n" for i in range(2001)))
    proc = lesim("import", "wide.csv", "--out", "o", "--key-file", "k", cwd=tmp_path)
    assert proc.returncode == 2 and "2,001 departments, more than the 2,000 a scenario holds: merge" in proc.stderr
    assert not (tmp_path / "o").exists() and not (tmp_path / "k").exists()
    assert "Traceback" not in proc.stderr


def test_no_one_s_own_value_reaches_the_dashboard_or_an_upload(minimal, tmp_path):
    from sim.dashboard.app import network_sample, node_values
    from sim.dashboard.session import accept_upload
    model = LearningEcosystem(load_scenario(minimal / "scenario.yaml", ["start.spin_up_weeks=0"]))
    rows = network_sample(model)
    values = node_values(model, "engagement", rows)
    wf = model.state.workforce
    for d in np.unique(wf.dept[rows]):      # a node shows its department's mean, never its own value
        mine = wf.dept[rows] == d
        assert np.allclose(values[mine], wf.engagement[wf.occupied & (wf.dept == d)].mean())
    with pytest.raises(ScenarioError, match=r"x\.yaml:\d+: organisation\.data: an uploaded scenario cannot bring"):
        accept_upload("x.yaml", (minimal / "scenario.yaml").read_bytes(), tmp_path / "uploads")
    assert not (tmp_path / "uploads").exists()


def test_xapi_records_of_an_imported_organisation_never_name_a_small_department(acme, tmp_path):
    """The same departments are unnamed in every week (by seats), so no one is named in one week
    and unnamed in another; named ones hold at least the privacy minimum."""
    lesim("run", str(acme / "scenario.yaml"), "--weeks", "6", "--replicates", "1", "--records", "xapi",
          "--out", str(tmp_path / "x"), check=True)
    named: dict[str, set] = {}
    for line in (tmp_path / "x" / "xapi.jsonl").read_text().splitlines():
        st = json.loads(line)
        dept = [v for k, v in st["context"]["extensions"].items() if k.endswith("/department")]
        named.setdefault(st["actor"]["account"]["name"], set()).add(dept[0] if dept else None)
    assert all(len(v) == 1 for v in named.values())             # never both named and unnamed
    shown = {d for v in named.values() for d in v if d is not None}
    assert shown == {"Engineering"}                              # Facilities, the CEO's office and Sales are not
