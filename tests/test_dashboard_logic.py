"""Dashboard logic without a browser: sessions, controls from declarations, export, folders."""

from __future__ import annotations

from pathlib import Path

import pytest
import solara

from sim.dashboard.live import line_rows
from sim.dashboard.session import (SETTINGS_AS_CONTROLS, ScenarioFolders, Session, control_parameters, load,
                                   scenario_yaml, with_values)
from sim.loader import ScenarioError, load_scenario
from sim.parameters import iter_parameters
from sim.scenario import Scenario

from .conftest import ROOT

FOLDERS = ScenarioFolders([ROOT / "scenarios"])


def test_controls_are_the_declared_levers_and_uncertainties_but_not_the_rules_constants():
    declared = {p.path: p for p in iter_parameters(Scenario)
                if p.kind in ("lever", "uncertainty") and not p.path.startswith("rules.")}
    controls = {p.path: p for p in control_parameters()}
    assert controls.keys() == declared.keys() | set(SETTINGS_AS_CONTROLS) and len(controls) > 20
    assert list(controls)[:2] == ["organisation.size", "seed"]  # size and seed are controls too, shown first
    assert not any(path.startswith("rules.") for path in controls)
    assert controls["policies.mentoring.ratio"].low == 0 and controls["policies.mentoring.ratio"].high == 1
    assert "policies.mentoring.enabled" in controls and "culture.psychological_safety" in controls


def test_session_steps_and_resets_with_new_values():
    loaded = load(FOLDERS, "baseline")
    a = Session(loaded, {"policies.mentoring.enabled": True}, compare=True)
    a.step(3)
    assert a.week == 3 and a.reference.week == 3
    assert a.model.policy("mentoring") is not None and a.reference.policy("mentoring") is None
    assert a.model.seed == a.reference.seed
    assert "changed from the file: Mentoring: switched on = yes (file: no)" in a.status()
    rows = line_rows([a.model, a.reference], "skills_gap", -1)
    assert [r[0] for r in rows] == [0, 1, 2, 3] and all(len(r) == 3 for r in rows)
    assert line_rows([a.model], "turnover", 1) and line_rows([a.model], "turnover", -1)[0][0] == 1  # flows from week 1
    b = Session(loaded, {})
    assert b.week == 0 and "changed" not in b.status()


def test_bad_control_value_is_a_scenario_error():
    loaded = load(FOLDERS, "baseline")
    with pytest.raises(ScenarioError, match="control policies.mentoring.ratio"):
        with_values(loaded, {"policies.mentoring.ratio": 3.0})


def test_exported_yaml_is_a_valid_scenario(tmp_path: Path):
    loaded = load(FOLDERS, "mentoring_programme")
    text = scenario_yaml(loaded, {"policies.mentoring.ratio": 0.4, "culture.growth_mindset": 0.7})
    f = tmp_path / "export.yaml"
    f.write_text(text)
    sc = load_scenario(f)
    assert sc.policies.mentoring.ratio == 0.4 and sc.culture.growth_mindset == 0.7
    assert sc.name == "mentoring_programme"


def test_folders_only_serve_their_own_files():
    assert "baseline" in FOLDERS.files()
    for name in ("../pyproject", "/etc/passwd", "nope"):
        with pytest.raises(ScenarioError):
            FOLDERS.path_of(name)


def test_page_renders_and_step_advances(monkeypatch):
    import ipyvuetify as v

    from sim.dashboard import app

    monkeypatch.setattr(app, "SCENARIOS", FOLDERS)
    box, rc = solara.render(app.Page(), handle_error=False)

    def status() -> str:
        return rc.find(v.Html, tag="span", style_="font-weight:bold;").widget.children[0]

    assert status().startswith("Week 0 of 260")
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert status().startswith("Week 1 of 260")
    rc.find(v.Btn, children=["Reset"]).widget.click()
    assert status().startswith("Week 0 of 260")
    rc.close()


def test_a_band_over_seeds_is_the_same_strategy_on_the_next_seeds():
    from sim.dashboard.live import band_rows
    from sim.model import LearningEcosystem

    loaded = load(FOLDERS, "baseline")
    s = Session(loaded, {"policies.mentoring.enabled": True}, compare=True, seeds=3)
    s.step(4)
    assert [m.seed for m in s.band] == [s.model.seed + 1, s.model.seed + 2]
    assert all(m.week == 4 for m in s.band + s.reference_band)
    main = line_rows([s.model, s.reference], "engagement", -1)
    band = band_rows([[s.model, *s.band], [s.reference, *s.reference_band]], "engagement", -1)
    assert [r[0] for r in band] == [r[0] for r in main] == [0, 1, 2, 3, 4]
    for r, b in zip(main, band):
        assert b[1] <= r[1] <= b[2] and b[3] <= r[2] <= b[4]
    assert any(b[2] > b[1] for b in band[1:])  # the seeds differ
    alone = LearningEcosystem(with_values(loaded, {"policies.mentoring.enabled": True}).model_copy(
        update={"seed": s.model.seed + 2}))
    for _ in range(4):
        alone.step()
    assert line_rows([alone], "engagement", -1) == line_rows([s.band[1]], "engagement", -1)


def test_a_slider_is_offered_only_where_it_keeps_the_value_exactly():
    """Vuetify 2 rounds a slider's value to its step when the slider appears (and clamps it):
    for any value a number control can hold, either the slider keeps it exactly or there is no
    slider (the number field shows it). Values with up to 6 decimals always get a slider."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from sim.dashboard.app import PARAMETERS, slider_range, vuetify_round

    floats = [p for p in PARAMETERS if p.annotation is float and slider_range(p, p.default) is not None]
    assert len(floats) > 30

    @settings(max_examples=400, deadline=None, derandomize=True)
    @given(st.sampled_from(floats), st.integers(0, 9), st.floats(0, 1))
    def one(p, places, where):
        lo, hi = p.plausible or (p.low, p.high)
        value = round(lo + where * (hi - lo), places)
        span = slider_range(p, value)
        if span is None:
            assert places > 6 or value != float(f"{value:.6f}")
            return
        low, high, step = span
        assert low <= value <= high and vuetify_round(value, low, high, step) == value

    one()
    for p in floats:  # the declared defaults, and odd values typed by hand
        for value in (p.default, 0.1 + 0.2, 1e-7):
            span = slider_range(p, value)
            assert span is None or vuetify_round(value, *span) == value
