"""The Solara page of ``lesim dashboard`` (served by ``solara run``; see :mod:`sim.dashboard.server`).

Every browser session renders its own :func:`Page`, so each builds its own models with
``solara.use_memo``/``use_state`` — two users never see each other's runs. Controls are
generated from the parameter declarations (levers and uncertainties), with the loaded
scenario's values as defaults; Reset rebuilds the model with the controls' values.
Configuration comes from the environment that ``lesim dashboard`` sets:
``LESIM_SCENARIO_DIRS`` and ``LESIM_RESULTS_DIRS`` (folders, ``os.pathsep``-separated) and
``LESIM_SCENARIO`` (the scenario to open).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any, get_args, get_origin

import solara

from ..loader import ScenarioError
from ..parameters import ParameterInfo
from .charts import (NETWORK_MEASURES, department_figure, difference_figure, headline_figure, network_figure,
                     network_layout, network_sample, skills_figure)
from .session import ScenarioFolders, Session, control_parameters, load, scenario_yaml, value_at
from .sweeps import SweepFolders, SweepView

PLAY_INTERVAL = 0.15  # seconds between weeks while playing


def _folders(var: str, default: str) -> list[Path]:
    return [Path(p) for p in os.environ.get(var, default).split(os.pathsep) if p]


SCENARIOS = ScenarioFolders(_folders("LESIM_SCENARIO_DIRS", "scenarios"))
SWEEPS = SweepFolders(_folders("LESIM_RESULTS_DIRS", "results"))
INITIAL = os.environ.get("LESIM_SCENARIO", "baseline")
PARAMETERS = control_parameters()


def _section(path: str) -> str:
    parts = path.split(".")
    return ".".join(parts[:2]) if parts[0] == "policies" else parts[0]


@solara.component
def Control(p: ParameterInfo, value: Any, on_value):
    """One control, chosen from the declaration: switch, select, slider or number field."""
    label = p.path.split(".")[-1].replace("_", " ")
    tip = f"{p.description} [{p.unit}] — source: {p.source}" if p.unit else f"{p.description} — source: {p.source}"
    ann = p.annotation
    if ann is bool:
        solara.Switch(label=label, value=bool(value), on_value=on_value)
    elif get_origin(ann) is not None and get_args(ann) and all(isinstance(a, str) for a in get_args(ann)):
        solara.Select(label=label, values=list(get_args(ann)), value=value, on_value=on_value)
    elif ann is int:
        if p.low is not None and p.high is not None and p.high - p.low <= 200:
            solara.SliderInt(label=label, value=int(value), min=int(p.low), max=int(p.high), on_value=on_value)
        else:
            solara.InputInt(label=label, value=int(value), on_value=on_value)
    else:
        if p.low is not None and p.high is not None and p.high - p.low <= 100:
            step = (p.high - p.low) / 100
            solara.SliderFloat(label=label, value=float(value), min=float(p.low), max=float(p.high), step=step,
                               on_value=on_value)
        else:
            solara.InputFloat(label=label, value=float(value), on_value=on_value)
    solara.Text(tip, style={"font-size": "11px", "color": "#777"})


@solara.component
def Page():
    names = list(SCENARIOS.files())
    if not names:
        solara.Error("No scenario files in the dashboard's folders.")
        return
    Dashboard(names, INITIAL if INITIAL in names else names[0])


@solara.component
def Dashboard(names: list[str], initial: str):
    scenario_name, set_scenario_name = solara.use_state(initial)
    error, set_error = solara.use_state("")
    loaded = solara.use_memo(lambda: load(SCENARIOS, scenario_name), dependencies=[scenario_name])
    defaults = {p.path: value_at(loaded.scenario, p.path) for p in PARAMETERS}
    values, set_values = solara.use_state(defaults, key=f"values-{scenario_name}")
    compare, set_compare = solara.use_state(False)
    version, set_version = solara.use_state(0)          # bumps on Reset
    tick = solara.use_reactive(0)                        # bumps when the model advances
    playing = solara.use_reactive(False)
    measure, set_measure = solara.use_state("proficiency")

    def build():
        try:
            return Session(loaded, values, compare)
        except ScenarioError as e:
            set_error(str(e))
            return Session(loaded, defaults, compare)

    session: Session = solara.use_memo(build, dependencies=[scenario_name, version, compare])
    rows = solara.use_memo(lambda: network_sample(session.model), dependencies=[session])
    layout = solara.use_memo(lambda: network_layout(session.model, rows), dependencies=[session])

    def play_loop():
        """While playing: a week, a re-render, a short pause (the pattern of Mesa's SolaraViz)."""
        while playing.value and not session.finished:
            session.step()
            tick.value += 1
            time.sleep(PLAY_INTERVAL)
        if session.finished:
            playing.value = False

    solara.lab.use_task(play_loop, dependencies=[playing.value, session], prefer_threaded=True)

    def do_step():
        session.step()
        tick.value += 1

    def do_reset():
        playing.value = False
        set_error("")
        set_version(version + 1)

    def set_value(path):
        return lambda v: set_values({**values, path: v})

    with solara.Sidebar():
        solara.Select(label="Scenario", values=names, value=scenario_name,
                      on_value=lambda n: (playing.set(False), set_scenario_name(n)))
        solara.Switch(label="Compare with the scenario as loaded", value=compare,
                      on_value=lambda v: (playing.set(False), set_compare(v)))
        solara.Markdown("**Levers and uncertainties** — applied on Reset.")
        sections: dict[str, list[ParameterInfo]] = {}
        for p in PARAMETERS:
            sections.setdefault(_section(p.path), []).append(p)
        for section, params in sections.items():
            with solara.Details(summary=section):
                for p in params:
                    Control(p, values.get(p.path, defaults[p.path]), set_value(p.path))

    solara.Title(f"lesim — {loaded.scenario.name}")
    with solara.Column(style={"padding": "8px"}):
        solara.Markdown(f"## {loaded.scenario.name}")
        solara.Markdown(loaded.scenario.description or "_(no description)_")
        with solara.Row():
            solara.Button("Step", on_click=do_step, disabled=playing.value or session.finished)
            solara.Button("Pause" if playing.value else "Play", on_click=lambda: playing.set(not playing.value),
                          disabled=session.finished and not playing.value)
            solara.Button("Reset", on_click=do_reset)
            solara.FileDownload(lambda: scenario_yaml(loaded, values), filename=f"{loaded.scenario.name}-dashboard.yaml",
                                label="Download scenario YAML")
            solara.FileDownload(lambda: session.timeseries().to_csv(index=False),
                                filename=f"{loaded.scenario.name}-timeseries.csv", label="Download CSV")
        if error:
            solara.Error(error)
        _week_seen = tick.value  # reading the reactive tick makes every week of Play re-render the page
        snap = session.snapshot()
        solara.Text(snap.status, classes=["lesim-status"], style={"font-weight": "bold"})
        with solara.Card("Headline outcomes" + (" — strategy vs reference (same seeds)" if compare else "")):
            solara.FigureMatplotlib(headline_figure(snap.timeseries, snap.reference), format="png",
                                    dependencies=[snap.week, version, compare])
            if snap.differences is not None:
                solara.FigureMatplotlib(difference_figure(snap.differences), format="png",
                                        dependencies=[snap.week, version])
        with solara.Columns([1, 1, 1]):
            with solara.Card("By department"):
                solara.FigureMatplotlib(department_figure(snap.departments), format="png",
                                        dependencies=[snap.week, version])
            with solara.Card("Skills gap by skill"):
                solara.FigureMatplotlib(skills_figure(snap.skill_names, snap.skill_gap, snap.week), format="png",
                                        dependencies=[snap.week, version])
            with solara.Card("Org network"):
                solara.Select(label="Colour by", values=list(NETWORK_MEASURES), value=measure, on_value=set_measure)
                solara.FigureMatplotlib(network_figure(session.model, snap, measure, layout, rows), format="png",
                                        dependencies=[snap.week, version, measure])
        SweepView(SWEEPS)
