"""The Solara page of ``lesim dashboard`` (served by ``solara run``; see :mod:`sim.dashboard.server`).

Every browser session renders its own :func:`Page`, so each builds its own models with
``solara.use_memo``/``use_state`` — two users never see each other's runs. Controls are
generated from the parameter declarations (levers and uncertainties), with the loaded
scenario's values as defaults; Reset rebuilds the model with the controls' values.
A user's mistake (a broken scenario file, a value the page did not offer or that fails
validation) is shown as the CLI's one line inside the page, and the page keeps working.
Configuration comes from the environment that ``lesim dashboard`` sets:
``LESIM_SCENARIO_DIRS`` and ``LESIM_RESULTS_DIRS`` (folders, ``os.pathsep``-separated) and
``LESIM_SCENARIO`` (the scenario to open).
"""

from __future__ import annotations

import io
import os
import sys
import threading
import time
import weakref
from pathlib import Path
from typing import Any, get_args, get_origin

import reacton.ipywidgets as rw
import solara

from ..loader import ScenarioError
from ..parameters import ParameterInfo
from .charts import (NETWORK_MEASURES, department_figure, difference_figure, headline_figure, network_figure,
                     network_layout, network_sample, skills_figure)
from .session import (TURNS, Loaded, ScenarioFolders, Session, control_parameters, load, scenario_yaml, value_at,
                      with_values)
from .sweeps import SweepFolders, SweepView

PLAY_INTERVAL = 0.15  # seconds between weeks while playing


def _folders(var: str, default: str) -> list[Path]:
    return [Path(p) for p in os.environ.get(var, default).split(os.pathsep) if p]


SCENARIOS = ScenarioFolders(_folders("LESIM_SCENARIO_DIRS", "scenarios"))
SWEEPS = SweepFolders(_folders("LESIM_RESULTS_DIRS", "results"))
INITIAL = os.environ.get("LESIM_SCENARIO", "baseline")
PARAMETERS = control_parameters()


# ----------------------------------------------------------------------------- session lifetime
# Each browser session (a Solara kernel) keeps the models it built here, so that they are
# freed when the kernel closes: at once when the tab closes, after the reconnect window
# (SOLARA_KERNEL_CULL_TIMEOUT, set by `lesim dashboard`) when the connection is lost.
_MODELS: dict[str, weakref.WeakSet] = {}
_MODELS_LOCK = threading.Lock()


def _kernel_id() -> str | None:
    from solara.server import kernel_context

    return kernel_context.get_current_context().id if kernel_context.has_current_context() else None


def _keep(session: Session) -> Session:
    """Register a session's models with the browser session that built them."""
    kernel = _kernel_id()
    if kernel is not None:
        with _MODELS_LOCK:
            _MODELS.setdefault(kernel, weakref.WeakSet()).add(session)
    return session


def _on_kernel_start():
    kernel = _kernel_id()

    def free() -> None:
        """The browser session ended: stop its Play loops and free its models."""
        with _MODELS_LOCK:
            sessions = list(_MODELS.pop(kernel, ()))
            still = len(_MODELS)
        for session in sessions:
            session.close()
        if sessions:
            print(f"lesim dashboard: a browser session ended, its models are freed ({still} with models remain)",
                  file=sys.stderr, flush=True)

    return free


solara.lab.on_kernel_start(_on_kernel_start)


def _section(path: str) -> str:
    parts = path.split(".")
    return ".".join(parts[:2]) if parts[0] == "policies" else parts[0]


def figure_png(make) -> bytes:
    """PNG bytes of the figure that ``make()`` draws (what ``solara.FigureMatplotlib`` sends)."""
    buf = io.BytesIO()
    make().savefig(buf, format="png")
    return buf.getvalue()


@solara.component
def Chart(make, dependencies: list):
    """A matplotlib chart that is built and drawn only when its dependencies change (a
    re-render for any other reason, e.g. a control's new value, reuses the PNG)."""
    def draw() -> bytes:
        with TURNS.turn():  # drawing is the heavy part of a week on the page: one turn per chart
            return figure_png(make)

    png = solara.use_memo(draw, dependencies=dependencies)
    return rw.Image(value=png, format="png")


def typed_number(value: Any, annotation: type) -> Any:
    """A number field's text as the declared number type; anything else is passed on as it
    came, for the scenario validation to refuse with its one-line message."""
    if isinstance(value, str):
        try:
            return annotation(value.strip().replace(",", "."))
        except ValueError:
            return value
    return value


@solara.component
def Control(p: ParameterInfo, value: Any, on_value):
    """One control, chosen from the declaration: switch, select, slider or number field.

    Plain ipyvuetify widgets, so every value the browser sends reaches ``on_value`` as sent
    (Solara's own sliders convert it first and fail on a tampered value)."""
    label = p.path.split(".")[-1].replace("_", " ")
    tip = f"{p.description} [{p.unit}] — source: {p.source}" if p.unit else f"{p.description} — source: {p.source}"
    ann = p.annotation
    if ann is bool:
        solara.v.Switch(label=label, v_model=bool(value), on_v_model=on_value, hide_details=True)
    elif get_origin(ann) is not None and get_args(ann) and all(isinstance(a, str) for a in get_args(ann)):
        solara.v.Select(label=label, items=list(get_args(ann)), v_model=value, on_v_model=on_value)
    elif ann in (int, float) and p.low is not None and p.high is not None \
            and p.high - p.low <= (200 if ann is int else 100):
        step = 1 if ann is int else (p.high - p.low) / 100
        solara.v.Slider(label=label, v_model=ann(value), min=ann(p.low), max=ann(p.high), step=step,
                        thumb_label=True, hide_details=True, on_v_model=on_value)
    else:
        solara.v.TextField(label=label, v_model=str(value), hide_details=True,
                           on_v_model=lambda text: on_value(typed_number(text, ann)))
    solara.Text(tip, style={"font-size": "11px", "color": "#777"})


def error_text(e: BaseException) -> str:
    """An exception as the CLI would print it: a ScenarioError's own line, anything else as
    its type and first line (the page shows it instead of a traceback)."""
    text = str(e).strip().splitlines()[0] if str(e).strip() else ""
    if isinstance(e, ScenarioError):
        return text
    return f"{type(e).__name__}: {text}" if text else type(e).__name__


@solara.component
def Page():
    """The page; a boundary that turns any error below it into one line and a way back."""
    exception, clear = solara.use_exception()
    if exception is not None:
        solara.Error(error_text(exception), classes=["lesim-error"])
        solara.Button("Back to the dashboard", on_click=clear)
        return
    names = list(SCENARIOS.files())
    if not names:
        solara.Error("No scenario files in the dashboard's folders.")
        return
    Dashboard(names, INITIAL if INITIAL in names else names[0])


def _open(name: Any) -> tuple[Loaded | None, str]:
    """Load the scenario called ``name`` from the dashboard's folders, or say why not in one line."""
    try:
        return load(SCENARIOS, name), ""
    except ScenarioError as e:
        return None, error_text(e)


@solara.component
def Dashboard(names: list[str], initial: str):
    """Which scenario is open. Opening one that fails (a broken file, a name that is not
    offered) keeps the open one and shows the reason in one line."""
    first = solara.use_memo(lambda: _open(initial), dependencies=[])
    # (Loaded or None, message, serial of the opened scenario, number of attempts to open one)
    opened, set_opened = solara.use_state((*first, 0, 0))
    loaded, message, serial, attempts = opened

    def open_scenario(name: Any) -> None:
        new, error = _open(name)
        set_opened((loaded, error, serial, attempts + 1) if new is None else (new, "", serial + 1, attempts + 1))

    if loaded is None:
        with solara.Sidebar():
            solara.Select(label="Scenario", values=names, value=None, on_value=open_scenario).key(f"picker-{attempts}")
        solara.Error(message, classes=["lesim-error"])
        solara.Text("Choose another scenario in the sidebar.")
        return
    ScenarioView(loaded, names, open_scenario, message, attempts).key(f"scenario-{serial}")


@solara.component
def ScenarioView(loaded: Loaded, names: list[str], open_scenario, message: str, attempts: int):
    """One opened scenario: its controls, its session's models, the charts."""
    defaults = {p.path: value_at(loaded.scenario, p.path) for p in PARAMETERS}
    error, set_error = solara.use_state("")
    values, set_values = solara.use_state(defaults)
    compare, set_compare = solara.use_state(False)
    version, set_version = solara.use_state(0)          # bumps on Reset
    tick = solara.use_reactive(0)                        # bumps when the model advances
    playing = solara.use_reactive(False)
    measure, set_measure = solara.use_state("proficiency")

    def build():
        try:
            return _keep(Session(loaded, values, compare))
        except ScenarioError as e:
            set_error(error_text(e))
            return _keep(Session(loaded, defaults, compare))

    session: Session = solara.use_memo(build, dependencies=[version, compare])
    solara.use_effect(lambda: session.close, dependencies=[session])  # frees the models it replaces
    rows = solara.use_memo(lambda: network_sample(session.model), dependencies=[session])
    layout = solara.use_memo(lambda: network_layout(session.model, rows), dependencies=[session])

    def advance() -> bool:
        """A week (one turn: other sessions' weeks and charts come in between). A model that
        refuses to go on (an outcome became infinite) stops with its one line in the page."""
        try:
            session.step()
        except ScenarioError as e:
            playing.value = False
            set_error(error_text(e))
            return False
        if session.closed:  # replaced, or the browser session ended
            return False
        tick.value += 1
        return True

    def play_loop():
        """While playing: a week, a re-render, a short pause (the pattern of Mesa's SolaraViz)."""
        while playing.value and not session.finished:
            if not advance():
                return
            time.sleep(PLAY_INTERVAL)
        if session.finished and not session.closed:
            playing.value = False

    solara.lab.use_task(play_loop, dependencies=[playing.value, session], prefer_threaded=True)

    def do_step():
        advance()

    def do_reset():
        playing.value = False
        set_error("")
        set_version(version + 1)

    def set_value(path):
        def check(v):
            """A control's new value, validated like ``--set`` (a tampered value is refused)."""
            try:
                typed = value_at(with_values(loaded, {path: v}), path)
            except ScenarioError as e:
                set_error(error_text(e))
                return
            set_error("")
            set_values({**values, path: typed})
        return check

    def choose(label: str, allowed, setter):
        """A picker's handler that accepts only the values it offered."""
        def check(v):
            if isinstance(v, str) and v in allowed:
                setter(v)
            else:
                set_error(f"{label}: {str(v)[:80]!r} is not one of the offered choices")
        return check

    def set_compare_checked(v):
        playing.set(False)
        if isinstance(v, bool):
            set_compare(v)
        else:
            set_error(f"compare: {str(v)[:80]!r} is not true or false")

    with solara.Sidebar():
        # re-created after each attempt, so a refused choice does not stay shown in the picker
        solara.Select(label="Scenario", values=names, value=loaded.name,
                      on_value=lambda n: (playing.set(False), open_scenario(n))).key(f"picker-{attempts}")
        solara.Switch(label="Compare with the scenario as loaded", value=compare, on_value=set_compare_checked)
        solara.Markdown("**Levers and uncertainties** — applied on Reset.")
        sections: dict[str, list[ParameterInfo]] = {}
        for p in PARAMETERS:
            sections.setdefault(_section(p.path), []).append(p)
        for section, params in sections.items():
            with solara.Details(summary=section):
                for p in params:
                    Control(p, values.get(p.path, defaults[p.path]), set_value(p.path))

    # scenario text is shown as text, never rendered as Markdown or HTML
    solara.Title(f"lesim — {loaded.scenario.name}")
    with solara.Column(style={"padding": "8px"}):
        solara.v.Html(tag="h2", children=[loaded.scenario.name])
        solara.v.Html(tag="p", children=[loaded.scenario.description or "(no description)"])
        with solara.Row():
            solara.Button("Step", on_click=do_step, disabled=playing.value or session.finished)
            solara.Button("Pause" if playing.value else "Play", on_click=lambda: playing.set(not playing.value),
                          disabled=session.finished and not playing.value)
            solara.Button("Reset", on_click=do_reset)
            solara.FileDownload(lambda: scenario_yaml(loaded, values), filename=f"{loaded.scenario.name}-dashboard.yaml",
                                label="Download scenario YAML")
            solara.FileDownload(lambda: session.timeseries().to_csv(index=False),
                                filename=f"{loaded.scenario.name}-timeseries.csv", label="Download CSV")
        with solara.Column(gap="0px"):  # one fixed slot, so an error line does not remount the charts below
            for line in (message, error):
                if line:
                    solara.Error(line, classes=["lesim-error"])
        week_seen = tick.value  # reading the reactive tick makes every week of Play re-render the page
        snap = solara.use_memo(session.snapshot, dependencies=[session, week_seen])
        solara.Text(snap.status, classes=["lesim-status"], style={"font-weight": "bold"})
        with solara.Card("Headline outcomes" + (" — strategy vs reference (same seeds)" if compare else "")):
            Chart(lambda: headline_figure(snap.timeseries, snap.reference), [session, snap.week])
            if snap.differences is not None:
                Chart(lambda: difference_figure(snap.differences), [session, snap.week])
        with solara.Columns([1, 1, 1]):
            with solara.Card("By department"):
                Chart(lambda: department_figure(snap.departments), [session, snap.week])
            with solara.Card("Skills gap by skill"):
                Chart(lambda: skills_figure(snap.skill_names, snap.skill_gap, snap.week), [session, snap.week])
            with solara.Card("Org network"):
                solara.Select(label="Colour by", values=list(NETWORK_MEASURES), value=measure,
                              on_value=choose("Colour by", NETWORK_MEASURES, set_measure))
                Chart(lambda: network_figure(session.model, snap, measure, layout, rows), [session, snap.week, measure])
        SweepView(SWEEPS)
