"""Mesa-native use (issue 15): keyword construction, ``model.datacollector``, ``mesa.batch_run``,
SolaraViz's ``make_plot_component`` and the notebook-style example, each against the real CLI
or the real model."""

from __future__ import annotations

import hashlib
import importlib.util
import pickle
import runpy
import subprocess
import sys
from pathlib import Path

import mesa
from typer.testing import CliRunner
import numpy as np
import pandas as pd
import pytest

from sim.cli import app as cli_app
from sim.loader import ScenarioError, load_scenario
from sim.model import LearningEcosystem
from sim.outcomes import OUTCOMES
from sim.run import prepare_run, simulate

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
MENTORING = ROOT / "scenarios" / "mentoring_programme.yaml"
EXAMPLES = ROOT / "docs" / "examples"


def lesim_run(tmp: Path, scenario: Path, *args: str) -> Path:
    """``lesim run`` as a user types it; the folder it wrote."""
    out = tmp / "run"
    proc = subprocess.run([sys.executable, "-m", "sim", "run", str(scenario), *args, "--out", str(out), "-q"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return out


def as_csv(frame: pd.DataFrame) -> str:
    """A frame as ``lesim run`` writes timeseries.csv (sim.run.write_outputs)."""
    return frame.to_csv(index=False, float_format="%.6g")


def test_issue_snippet_rows_equal_lesim_run(tmp_path):
    """The issue's snippet, verbatim: one row per seed (the last week collected), equal to
    ``lesim run``'s for the same seed and weeks, read from its files on disk: seed 1's last row
    of timeseries.csv, and each seed's final outcomes in replicates.csv (baseline.yaml is the
    built-in defaults, bar its name and seed)."""
    rows = mesa.batch_run(LearningEcosystem, parameters={"seed": [1, 2]}, max_steps=3, number_processes=1)
    frame = pd.DataFrame(rows)
    assert sorted(frame["seed"]) == [1, 2] and list(frame["Step"]) == [3, 3]
    out = lesim_run(tmp_path, BASELINE, "--seed", "1", "--weeks", "3", "--replicates", "2")
    csv = (out / "timeseries.csv").read_text()
    columns = csv.splitlines()[0].split(",")
    assert columns == ["week", "headcount", *(o.name for o in OUTCOMES)]
    assert as_csv(frame[frame["seed"] == 1][columns]) == as_csv(pd.read_csv(out / "timeseries.csv").iloc[[-1]])
    replicates = (out / "replicates.csv").read_text()
    assert as_csv(frame.sort_values("seed")[["seed", *columns[2:]]]) == replicates
    assert frame.loc[0, "skills_gap"] != frame.loc[1, "skills_gap"]  # two organisations


def test_datacollector_frame_is_timeseries_csv():
    """``get_model_vars_dataframe()`` written like timeseries.csv is that file, byte for byte,
    for a scenario file with keyword overrides against ``lesim run``'s own preparation
    (sim.run.prepare_run) and tables with the same ``--set`` items."""
    kw = dict(seed=3, weeks=6, organisation__size=120, start__spin_up_weeks=8, policies__mentoring__ratio=0.4)
    model = LearningEcosystem.from_yaml(MENTORING, **kw)
    while model.running:
        model.step()
    assert model.week == 6 and model.steps == 6
    frame = model.datacollector.get_model_vars_dataframe()
    assert list(frame.index) == list(range(7)) and list(frame["week"]) == list(range(7))
    scenario, _ = prepare_run(MENTORING, ["organisation.size=120", "start.spin_up_weeks=8",
                                          "policies.mentoring.ratio=0.4"], seed=3, weeks=6, out=Path("unused"))
    assert scenario == model.spec
    assert as_csv(frame) == as_csv(simulate(scenario).timeseries)
    # the collector pickles (Mesa's multi-process tools send collected data between processes)
    restored = pickle.loads(pickle.dumps(model.datacollector))
    assert restored.get_model_vars_dataframe().equals(frame)


def test_keywords_are_set_overrides():
    """Every keyword form gives the scenario ``--set`` gives; ``rng`` is the seed."""
    want = load_scenario(BASELINE, ["seed=4", "weeks=10", "policies.mentoring.enabled=true",
                                    "policies.mentoring.ratio=0.3", "organisation.skills.0.open=false"])
    got = LearningEcosystem.from_yaml(BASELINE, seed=4, weeks=10, policies__mentoring__enabled=True,
                                      **{"policies.mentoring.ratio": 0.3}, organisation__skills__0__open=False,
                                      start__spin_up_weeks=0)
    assert got.spec == want.model_copy(update={"start": got.spec.start})
    assert got.spec.start.spin_up_weeks == 0
    by_rng = LearningEcosystem(BASELINE, rng=np.int64(4), weeks=10, start__spin_up_weeks=0)
    assert by_rng.spec.seed == 4 and by_rng.seed == 4
    # no keywords: the scenario object itself; None: the built-in defaults
    sc = load_scenario(BASELINE, ["organisation.size=60", "start.spin_up_weeks=0"])
    assert LearningEcosystem(sc).spec is sc
    assert LearningEcosystem(start__spin_up_weeks=0).spec.name == "scenario"


@pytest.mark.parametrize("keyword, value, set_item", [
    ("policies__mentoring__ratio", 1.5, "policies.mentoring.ratio=1.5"),
    ("policies__mentoring__ratoi", 0.3, "policies.mentoring.ratoi=0.3"),
    ("weeks", "ten", "weeks=ten"),
    ("organisation__size", 2.5, "organisation.size=2.5"),
    ("weeks__x", 1, "weeks.x=1"),
])
def test_bad_keywords_fail_like_set(keyword, value, set_item, tmp_path):
    """A bad key or value: the one-line message ``lesim run --set`` prints (exit status 2),
    labelled with the keyword as written, as a ScenarioError without a pydantic chain."""
    result = CliRunner().invoke(cli_app, ["run", str(BASELINE), "--set", set_item, "--out", str(tmp_path)])
    assert result.exit_code == 2
    cli = result.stderr.strip()
    assert cli.startswith(f"error: --set {set_item}: ") and "\n" not in cli
    with pytest.raises(ScenarioError) as err:
        LearningEcosystem.from_yaml(BASELINE, **{keyword: value})
    message = str(err.value)
    assert message == f"{keyword}={value!r}: " + cli.removeprefix(f"error: --set {set_item}: ")
    assert err.value.__cause__ is None and (err.value.__context__ is None or err.value.__suppress_context__)


@pytest.mark.parametrize("call, expected", [
    (lambda: LearningEcosystem(rng=np.random.default_rng(1)), "rng=Generator(PCG64) at"),
    (lambda: LearningEcosystem(rng=1, seed=2), "rng=1, seed=2: give the seed once"),
    (lambda: LearningEcosystem(scenario=42), "scenario=42: expected a Scenario"),
    (lambda: LearningEcosystem.from_yaml(ROOT / "scenarios" / "nope.yaml"), "nope.yaml: no such file"),
    (lambda: LearningEcosystem(**{"policies..ratio": 1}), "policies..ratio=1: expected a key path"),
])
def test_other_construction_mistakes_are_one_line(call, expected):
    with pytest.raises(ScenarioError) as err:
        call()
    assert expected in str(err.value) and "\n" not in str(err.value)


def test_batch_run_sweeps_keywords_on_common_seeds():
    """``rng`` (Mesa 3.5) gives the seeds, keyword overrides are swept like Mesa parameters,
    and a strategy starts from the same settled organisation as the status quo (week 0)."""
    rows = mesa.batch_run(
        LearningEcosystem,
        parameters={"policies__mentoring__enabled": [False, True], "organisation__size": 80,
                    "start__spin_up_weeks": 6, "weeks": 4},
        rng=[5, 6], max_steps=10, data_collection_period=1, number_processes=1, display_progress=False)
    frame = pd.DataFrame(rows)
    assert len(frame) == 2 * 2 * 5  # strategies × seeds × weeks 0…4 (the run stops at its horizon)
    assert set(frame["rng"]) == {5, 6} and frame["headcount"].between(70, 80).all()
    week0 = frame[frame["week"] == 0].pivot(index="rng", columns="policies__mentoring__enabled",
                                            values="skills_gap")
    assert (week0[False] == week0[True]).all()
    last = frame[frame["week"] == 4].pivot(index="rng", columns="policies__mentoring__enabled", values="ld_spend")
    assert (last[True] > last[False]).all()  # mentoring costs coordinators' time and money


def test_sampled_agent_reporters():
    """Agent reporters run on a fixed sample of positions, read from the columns."""
    def build():
        m = LearningEcosystem(seed=2, organisation__size=80, start__spin_up_weeks=4, weeks=3)
        m.datacollector.track_agents(m, {"engagement": "engagement", "gap": "skills_gap"}, sample=10)
        while m.running:
            m.step()
        return m

    model = build()
    agents = model.datacollector.get_agent_vars_dataframe()
    steps = agents.index.get_level_values("Step")
    assert sorted(set(steps)) == [0.0, 1.0, 2.0, 3.0]
    assert all(8 <= n <= 10 for n in agents.groupby(level="Step").size())
    wf = model.workforce
    last = agents.loc[3.0]
    for uid, row in last.iterrows():
        pos = int(np.flatnonzero(wf.uid == uid)[0])
        assert row["engagement"] == wf.engagement[pos]
        assert pos in model.datacollector.sample_rows
    assert agents.equals(build().datacollector.get_agent_vars_dataframe())  # same seed, same sample


def load_example(name: str):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_solaraviz_plots_the_outcomes():
    """Mesa's SolaraViz with ``make_plot_component`` over the outcomes (docs/examples):
    Step advances the model and redraws the charts; a control changes the model on Reset."""
    import ipyvuetify as v
    import ipywidgets
    import solara

    app = load_example("mesa_solaraviz")

    @solara.component
    def Wrapped():  # the app layout a served page has (it holds SolaraViz's sidebar controls)
        with solara.AppLayout():
            app.Page()

    box, rc = solara.render(Wrapped(), handle_error=False)
    try:
        def status() -> str:
            return " ".join(str(c) for h in rc.find(v.Html, tag="span") for c in h.widget.children if "Week" in str(c))

        def charts() -> list[str]:
            return [hashlib.sha256(bytes(i.widget.value)).hexdigest() for i in rc.find(ipywidgets.Image)]

        assert "Week 0 of 260" in status() and "200 employees" in status() and "programmes on: none" in status()
        before = charts()
        assert len(before) == 3
        rc.find(v.Btn, children=["Step"]).widget.click()
        assert "Week 1 of 260" in status()
        assert all(a != b for a, b in zip(before, charts()))
        rc.find(v.Checkbox, label="Mentoring programme").widget.v_model = True
        rc.find(v.Btn, children=["Reset"]).widget.click()
        assert "Week 0 of 260" in status() and "programmes on: mentoring" in status()
        assert "baseline" in status() and "200 employees" in status()
    finally:
        rc.close()


def test_notebook_example_runs(tmp_path, monkeypatch, capsys):
    """docs/examples/mesa_notebook.py, run whole as a user would, writes its figure."""
    monkeypatch.setattr(sys, "argv", [str(EXAMPLES / "mesa_notebook.py"), str(tmp_path)])
    runpy.run_path(str(EXAMPLES / "mesa_notebook.py"), run_name="__main__")
    printed = capsys.readouterr().out
    assert "mentoring − baseline, paired over seeds [1, 2, 3]" in printed
    assert (tmp_path / "mesa_example.png").stat().st_size > 10_000


def test_readme_python_block_runs(monkeypatch):
    """The README's "Use it from Python / Mesa" code block runs as written (from the repository
    root) and gives what its comments say."""
    import re

    text = (ROOT / "README.md").read_text()
    section = text.split("## Use it from Python / Mesa", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    monkeypatch.chdir(ROOT)
    names: dict = {}
    exec(compile(block, "README.md", "exec"), names)
    assert list(names["df"]["week"]) == list(range(53)) and names["model"].spec.policies.mentoring.ratio == 0.3
    finals = names["finals"]
    assert finals.shape == (3, 2) and finals.notna().all().all()
