"""The Solara page of ``lesim dashboard`` (served by ``solara run``; see :mod:`sim.dashboard.server`).

Every browser session renders its own :func:`Page`, so each builds its own models with
``solara.use_memo``/``use_state`` — two users never see each other's runs. Controls are
generated from the parameter declarations (levers and uncertainties), with the loaded
scenario's values as defaults; Reset rebuilds the model with the controls' values.
A user's mistake (a broken scenario file or upload, a value the page did not offer or that
fails validation) is shown as the CLI's one line inside the page, and the page keeps working.

A week re-renders only :func:`LivePanel` (the status, the cards and the charts); the charts
are ECharts in the browser (:mod:`sim.dashboard.live`), sent a week's numbers, never images.
Configuration comes from the environment that ``lesim dashboard`` sets:
``LESIM_SCENARIO_DIRS`` and ``LESIM_RESULTS_DIRS`` (folders, ``os.pathsep``-separated) and
``LESIM_SCENARIO`` (the scenario to open).
"""

from __future__ import annotations

import base64
import binascii
import math
import os
import re
import sys
import threading
import time
import weakref
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, get_args, get_origin

import ipyvuetify
import numpy as np
import solara
import traitlets

from ..loader import MAX_BYTES, ScenarioError
from ..outcomes import OUTCOME_BY_NAME, suppressed
from ..parameters import ParameterInfo
from .charts import network_layout, network_sample
from .live import (SMOOTHED, LiveChart, band_rows, bar_option, chart_title, clean, department_rows, dumps, fmt,
                   fmt_delta, latest, line_option, line_rows, network_option, option_json, scale, unit_text)
from .session import (Loaded, ScenarioFolders, Session, accept_upload, control_label, control_parameters, describe,
                      load, scenario_yaml, section_of, show_value, value_at, with_values)
from .sweeps import SweepFolders, SweepView, Table


def _folders(var: str, default: str) -> list[Path]:
    return [Path(p) for p in os.environ.get(var, default).split(os.pathsep) if p]


SCENARIOS = ScenarioFolders(_folders("LESIM_SCENARIO_DIRS", "scenarios"))
SWEEPS = SweepFolders(_folders("LESIM_RESULTS_DIRS", "results"))
INITIAL = os.environ.get("LESIM_SCENARIO", "baseline")


def uploads_folder() -> Path | None:
    """Where uploaded scenarios are kept: ``uploads/`` in the first results folder (never
    anywhere else); None when the dashboard was given no results folder."""
    return SWEEPS.roots[0] / "uploads" if SWEEPS.roots else None


def all_scenarios() -> ScenarioFolders:
    """The scenario folders and the uploads folder."""
    uploads = uploads_folder()
    return ScenarioFolders(SCENARIOS.folders + ([uploads] if uploads is not None else []))
PARAMETERS = control_parameters()
SECTIONS: dict[str, list[ParameterInfo]] = {}
for _p in PARAMETERS:
    SECTIONS.setdefault(section_of(_p.path), []).append(_p)


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


def plain(text: str) -> str:
    """A declaration's description as the page shows it: no Markdown backticks."""
    return text.replace("`", "")


def decimals(x: float) -> int:
    """Digits after the decimal point of ``x`` as written (0.55 → 2, 1e-05 → 5)."""
    exponent = Decimal(repr(float(x))).normalize().as_tuple().exponent
    return max(0, -int(exponent)) if isinstance(exponent, int) else 0


def slider_range(p: ParameterInfo, value: Any) -> tuple[Any, Any, Any] | None:
    """(low, high, step) of a number's slider, or None when a slider would not help (no
    bounds, or a span no slider can pick from; the number field is there for any value).

    The span is the declared plausible range where there is one, else the valid range; it
    always contains the current value. The step is a power of ten fine enough that the
    current value and the low end lie on it, so the slider never moves a value nobody
    touched (Vuetify rounds its value to the step when it appears)."""
    if p.annotation not in (int, float) or isinstance(value, bool) or p.low is None or p.high is None:
        return None
    lo, hi = p.plausible if p.plausible else (p.low, p.high)
    if p.plausible is None and hi - lo > (200 if p.annotation is int else 100):
        return None
    lo, hi = min(lo, value), max(hi, value)
    if p.annotation is int:
        return int(lo), int(hi), 1
    raw = (hi - lo) / 100
    d = max(decimals(value), decimals(lo), -math.floor(math.log10(raw)) if raw > 0 else 0)
    step = f"{10.0 ** -d:.{d}f}" if d > 0 else "1"
    if d > 12 or vuetify_round(float(value), float(lo), float(hi), step) != value:
        return None  # no step would keep this value: the number field alone shows it
    return float(lo), float(hi), step


def vuetify_round(value: float, low: float, high: float, step: str) -> float:
    """What Vuetify 2's slider makes of ``value`` when it appears (``VSlider.roundValue`` after
    clamping to [low, high]): JavaScript's ``%``, ``Math.round`` and ``toFixed`` with the
    step's decimals. A slider is offered only where this returns the value unchanged."""
    v = min(max(value, low), high)
    s = float(step)
    places = len(step.split(".")[1]) if "." in step else 0
    offset = math.fmod(low, s)
    rounded = math.floor((v - offset) / s + 0.5) * s + offset
    return float(Decimal(min(rounded, high)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def typed_number(value: Any, annotation: type) -> Any:
    """A number field's text as the declared number type (``150,000`` with thousands
    separators, ``0,5`` with a decimal comma); anything else is passed on as it came, for the
    scenario validation to refuse with its one-line message."""
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"[-+]?\d{1,3}(,\d{3})+(\.\d*)?", text):  # 150,000 or 1,234.5: thousands separators
            text = text.replace(",", "")
        elif text.count(",") == 1 and "." not in text:    # 0,5: a decimal comma
            text = text.replace(",", ".")
        try:
            return annotation(text)
        except ValueError:
            return value
    return value


@solara.component
def Control(p: ParameterInfo, value: Any, on_value, pending: bool):
    """One control, chosen from the declaration: a switch, a select, or a number field with
    its unit beside a slider that shows its two ends. The description sits above the control
    it describes; an assumption (an uncertainty) says so. ``pending``: changed since the model
    was built (applied on Reset).

    Plain ipyvuetify widgets, so every value the browser sends reaches ``on_value`` as sent
    (Solara's own sliders convert it first and fail on a tampered value)."""
    label = control_label(p.path)
    ann = p.annotation
    kind = "assumption" if p.kind == "uncertainty" else ("lever" if p.kind == "lever" else "setting")
    with solara.Div(classes=["lesim-control"] + (["lesim-pending"] if pending else [])):
        help_text = f"{plain(p.description)} ({kind}; source: {plain(p.source)})"
        if ann is bool:
            solara.v.Switch(label=label, v_model=bool(value), on_v_model=on_value, hide_details=True, dense=True,
                            class_="mt-0")
            solara.Text(help_text, classes=["lesim-help"])
        elif get_origin(ann) is not None and get_args(ann) and all(isinstance(a, str) for a in get_args(ann)):
            solara.v.Select(label=label, items=list(get_args(ann)), v_model=value, on_v_model=on_value,
                            hide_details=True, dense=True)
            solara.Text(help_text, classes=["lesim-help"])
        elif ann in (int, float):
            solara.InputText(label=label, value=show_value(value), continuous_update=False, dense=True,
                             on_value=lambda text: on_value(typed_number(text, ann)), suffix=p.unit or None,
                             hide_details=True)
            solara.Text(help_text, classes=["lesim-help"])
            span = slider_range(p, value)
            if span is not None:
                lo, hi, step = span
                with solara.Div(classes=["lesim-slider-row"]):
                    solara.Text(show_value(lo), classes=["lesim-end"])
                    solara.v.Slider(label=label, v_model=ann(value), min=lo, max=hi, step=step, hide_details=True,
                                    dense=True, on_v_model=on_value, class_="lesim-slider"
                                    ).key(f"slider-{p.path}-{lo}-{hi}-{step}")
                    solara.Text(show_value(hi), classes=["lesim-end"])
        else:
            solara.InputText(label=label, value=str(value), continuous_update=False, dense=True,
                             on_value=on_value, hide_details=True)
            solara.Text(help_text, classes=["lesim-help"])


def error_text(e: BaseException) -> str:
    """An exception as the CLI would print it: a ScenarioError's own line, anything else as
    its type and first line (the page shows it instead of a traceback)."""
    text = str(e).strip().splitlines()[0] if str(e).strip() else ""
    if isinstance(e, ScenarioError):
        return text
    return f"{type(e).__name__}: {text}" if text else type(e).__name__


NARROW = solara.reactive(False)  # per browser session: a screen narrower than the sidebar's breakpoint
NARROW_PX = 960                  # Solara's AppLayout makes the sidebar an overlay below this width


@solara.component
def Layout(children=[]):
    """Solara's app layout, with the sidebar closed on a narrow screen (a phone), where it
    would cover the page; its menu button opens it."""
    return solara.AppLayout(children=children, sidebar_open=not NARROW.value)


class Viewport(ipyvuetify.VuetifyTemplate):
    """Reports the browser window's width once, when the page opens."""

    width = traitlets.Int(0).tag(sync=True)
    template = traitlets.Unicode('<template><span style="display:none"></span></template>'
                                 '<script>module.exports = {mounted() { this.width = window.innerWidth; }};'
                                 '</script>').tag(sync=True)


@solara.component
def Page():
    """The page; a boundary that turns any error below it into one line and a way back."""
    Viewport.element(on_width=lambda w: NARROW.set(isinstance(w, int) and 0 < w < NARROW_PX))
    exception, clear = solara.use_exception()
    if exception is not None:
        solara.Error(error_text(exception), classes=["lesim-error"])
        solara.Button("Back to the dashboard", on_click=clear)
        return
    names = list(all_scenarios().files())
    if not names:
        solara.Error("No scenario files in the dashboard's folders.")
        return
    Dashboard(names, INITIAL if INITIAL in names else names[0])


def _open(name: Any) -> tuple[Loaded | None, str]:
    """Load the scenario called ``name`` from the dashboard's folders, or say why not in one line."""
    try:
        return load(all_scenarios(), name), ""
    except ScenarioError as e:
        return None, error_text(e)


@solara.component
def Dashboard(names: list[str], initial: str):
    """Which scenario is open. Opening one that fails (a broken file, a name that is not
    offered) keeps the open one and shows the reason in one line."""
    names = list(all_scenarios().files()) or names  # listed again at each render: an upload adds one
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


SPEEDS = {"1 week/s": 1.0, "2 weeks/s": 2.0, "5 weeks/s": 5.0, "10 weeks/s": 10.0, "25 weeks/s": 25.0,
          "as fast as possible": math.inf}
DEFAULT_SPEED = "10 weeks/s"
BANDS = {"off": 1, "5 seeds": 5, "10 seeds": 10}
"""The band of outcomes over seeds the charts can draw: this run's seed and the next ones,
stepped together (each seed costs a model's week, so a band slows Step and Play)."""
FRAME = 0.1       # seconds between frames while playing
MAX_FRAME = 0.25  # at most this long stepping before a frame is drawn (weeks in between are not drawn)
CATCH_UP = 1.0    # Play makes up at most this many seconds of weeks after a slow stretch


@solara.component
def ScenarioView(loaded: Loaded, names: list[str], open_scenario, message: str, attempts: int):
    """One opened scenario: its controls, its session's models, the live panel."""
    defaults = {p.path: value_at(loaded.scenario, p.path) for p in PARAMETERS}
    error, set_error = solara.use_state("")
    values, set_values = solara.use_state(defaults)
    compare, set_compare = solara.use_state(False)
    version, set_version = solara.use_state(0)          # bumps on Reset
    tick = solara.use_reactive(0)                        # bumps when the model advances (one frame)
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(DEFAULT_SPEED)
    ended = solara.use_reactive(False)  # the model reached its horizon (re-renders the buttons once)
    seeds, set_seeds = solara.use_state(1)

    applied, set_applied = solara.use_state(defaults)  # the values the model runs: set on Reset only

    def build():
        try:
            return _keep(Session(loaded, applied, compare, seeds))
        except ScenarioError as e:
            set_error(error_text(e))
            return _keep(Session(loaded, defaults, compare, seeds))

    session: Session = solara.use_memo(build, dependencies=[version, compare, seeds])
    solara.use_effect(lambda: session.close, dependencies=[session])  # frees the models it replaces

    def advance(weeks: int = 1) -> bool:
        """Weeks (one turn each: other sessions' weeks come in between). A model that refuses
        to go on (an outcome became infinite) stops with its one line in the page."""
        try:
            session.step(weeks)
        except ScenarioError as e:
            playing.value = False
            set_error(error_text(e))
            return False
        if session.closed:  # replaced, or the browser session ended
            return False
        ended.value = session.finished
        return True

    def play_loop():
        """While playing: step the weeks due at the chosen speed, then draw one frame. When
        drawing falls behind, the weeks in between are stepped but not drawn (frames are
        skipped, never queued); Pause is seen before every week."""
        rate = SPEEDS.get(speed.value, SPEEDS[DEFAULT_SPEED])
        with session.lock:
            session.play_generation += 1  # a loop started before (another speed) ends at its next week
            generation = session.play_generation
            if session.closed:
                return
            t0, w0 = time.perf_counter(), session.model.week

        def mine() -> bool:
            return playing.value and session.play_generation == generation and not session.finished

        while mine():
            start = time.perf_counter()
            due = w0 + (start - t0) * rate if math.isfinite(rate) else math.inf
            stepped = 0
            while mine() and (stepped == 0 or (session.week < due and time.perf_counter() - start < MAX_FRAME)):
                if not advance():
                    return
                stepped += 1
            if stepped:
                tick.value += 1  # one frame for the weeks stepped
            if math.isfinite(rate) and mine():
                behind = (time.perf_counter() - t0) - (session.week - w0) / rate
                if behind > CATCH_UP:  # stalled (a busy machine): go on from here rather than race
                    t0, w0 = time.perf_counter(), session.week
                time.sleep(min(max(0.0, -behind), 1.0))
        if session.finished and not session.closed:
            playing.value = False

    solara.lab.use_task(play_loop, dependencies=[playing.value, session, speed.value], prefer_threaded=True)

    def do_step():
        if advance():
            tick.value += 1

    def do_reset():
        playing.value = False
        ended.value = False
        set_error("")
        set_applied(dict(values))
        set_version(version + 1)

    def run_to_end():
        speed.value = "as fast as possible"
        playing.value = True

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

    def upload(name: str, content: bytes | None):
        """A scenario file from the user's computer: checked like ``lesim run`` checks a file,
        saved in the results folder's uploads/ only when valid, then opened (``None``: larger
        than a scenario may be)."""
        try:
            name = accept_upload(name, content if content is not None else b" " * (MAX_BYTES + 1), uploads_folder(),
                                 taken=set(ScenarioFolders(SCENARIOS.folders).files()))
        except ScenarioError as e:
            set_error(error_text(e))
            return
        except OSError as e:
            set_error(f"upload: cannot save in {uploads_folder()}: {e.strerror or e}")
            return
        playing.set(False)
        open_scenario(name)

    def set_compare_checked(v):
        playing.set(False)
        if isinstance(v, bool):
            set_compare(v)
        else:
            set_error(f"compare: {str(v)[:80]!r} is not true or false")

    _ = ended.value  # subscribes the buttons to the end of the run
    pending = [p.path for p in PARAMETERS if values.get(p.path) != session.values.get(p.path, defaults[p.path])]
    opened, set_opened = solara.use_state([])

    def open_sections(v):
        """The open sections (the browser sends their positions)."""
        if isinstance(v, list) and all(isinstance(i, int) and not isinstance(i, bool) and 0 <= i < len(SECTIONS)
                                       for i in v):
            set_opened(sorted(set(v)))
        else:
            set_error(f"sections: {str(v)[:80]!r} is not a list of section positions")
    with solara.Sidebar():
        # re-created after each attempt, so a refused choice does not stay shown in the picker
        solara.Select(label="Scenario", values=names, value=loaded.name,
                      on_value=lambda n: (playing.set(False), open_scenario(n))).key(f"picker-{attempts}")
        if uploads_folder() is not None:
            UploadButton.element(label="Upload a scenario YAML", on_upload=upload)
        solara.Switch(label="Compare with the scenario as loaded", value=compare, on_value=set_compare_checked)
        solara.Markdown("**Levers and assumptions** — applied on Reset. A lever is the strategy's to set; an "
                        "assumption is a belief about the organisation, within its plausible range.")
        with solara.v.ExpansionPanels(v_model=opened, on_v_model=open_sections, multiple=True, accordion=True,
                                      class_="lesim-sections"):
            for i, (section, params) in enumerate(SECTIONS.items()):
                n_pending = sum(p.path in pending for p in params)
                with solara.v.ExpansionPanel():
                    solara.v.ExpansionPanelHeader(
                        children=[section + (f" ({n_pending} not applied)" if n_pending else "")])
                    with solara.v.ExpansionPanelContent():
                        if i in opened:  # a closed section's controls are not built: every frame walks the page
                            for p in params:
                                Control(p, values.get(p.path, defaults[p.path]), set_value(p.path), p.path in pending)

    solara.Title(f"lesim — {loaded.scenario.name}")
    Lang()
    solara.Style(CSS)
    # scenario text is shown as text, never rendered as Markdown or HTML
    with solara.Column(style={"padding": "8px"}, classes=["lesim-main"]):
        solara.v.Html(tag="h2", children=[loaded.scenario.name])
        solara.v.Html(tag="p", children=[plain(loaded.scenario.description or "(no description)")])
        with solara.Row(classes=["lesim-buttons"], style={"flex-wrap": "wrap", "align-items": "center"}):
            solara.Button("Step", on_click=do_step, disabled=playing.value or session.finished)
            solara.Button("Pause" if playing.value else "Play", on_click=lambda: playing.set(not playing.value),
                          disabled=session.finished and not playing.value)
            solara.Button("Run to end", on_click=run_to_end, disabled=playing.value or session.finished)
            solara.Select(label="Speed", values=list(SPEEDS), value=speed.value,
                          on_value=choose("Speed", SPEEDS, speed.set, set_error), style={"max-width": "190px"})
            solara.Select(label="Band over seeds", values=list(BANDS), value=next(k for k, n in BANDS.items() if n == seeds),
                          on_value=choose("Band over seeds", BANDS, lambda k: (playing.set(False), set_seeds(BANDS[k])),
                                          set_error), style={"max-width": "170px"})
            solara.Button("Reset", on_click=do_reset, color="primary" if pending else None)
            solara.FileDownload(lambda: scenario_yaml(loaded, values), filename=f"{loaded.scenario.name}-dashboard.yaml",
                                label="Download scenario YAML")
            solara.FileDownload(lambda: session.timeseries().to_csv(index=False),
                                filename=f"{loaded.scenario.name}-timeseries.csv", label="Download CSV")
        with solara.Column(gap="0px"):  # one fixed slot, so an error line does not remount the charts below
            for line in (message, error):
                if line:
                    solara.Error(line, classes=["lesim-error"])
            if pending:
                solara.Warning(f"{len(pending)} unapplied change{'s' if len(pending) > 1 else ''} "
                               f"({', '.join(describe(p) for p in pending[:4])}{', …' if len(pending) > 4 else ''}): "
                               "the model still runs the previous settings; press Reset to apply.",
                               classes=["lesim-pending-note"])
        LivePanel(session, tick, compare, set_error)
        SweepView(SWEEPS)


def choose(label: str, allowed, setter, set_error):
    """A picker's handler that accepts only the values it offered."""
    def check(v):
        if isinstance(v, str) and v in allowed:
            setter(v)
        else:
            set_error(f"{label}: {str(v)[:80]!r} is not one of the offered choices")
    return check


@solara.component
def Lang():
    """Sets the page's language (``<html lang="en">``): Solara's page template has none."""
    return LangWidget.element()


class UploadButton(ipyvuetify.VuetifyTemplate):
    """A button that opens the browser's file chooser (keyboard operable) and sends the chosen
    file to ``on_upload(name, content)``. Anything sent that is not a file name and base64
    content is ignored."""

    label = traitlets.Unicode("Upload").tag(sync=True)
    on_upload = traitlets.Callable(None, allow_none=True)
    template = traitlets.Unicode("""
<template>
  <div class="lesim-upload">
    <v-btn small outlined @click="$refs.file.click()">{{ label }}</v-btn>
    <input ref="file" type="file" accept=".yaml,.yml" style="display:none" :aria-label="label" @change="picked" />
  </div>
</template>
<script>
module.exports = {
  methods: {
    picked(e) {
      const file = e.target.files[0];
      if (!file) return;
      if (file.size > 5000000) {  // larger than a scenario may be: not read, not sent
        this.upload({ name: file.name, too_large: true });
        e.target.value = "";
        return;
      }
      const reader = new FileReader();
      reader.onload = () => {
        this.upload({ name: file.name, content: String(reader.result).split(",")[1] || "" });
        e.target.value = "";
      };
      reader.readAsDataURL(file);
    },
  },
};
</script>""").tag(sync=True)

    def vue_upload(self, data):
        if self.on_upload is None or not isinstance(data, dict):
            return
        name, content = data.get("name"), data.get("content")
        if isinstance(name, str) and data.get("too_large") is True:
            self.on_upload(name, None)
            return
        if not isinstance(name, str) or not isinstance(content, str):
            return  # not what the page sends
        if len(content) > 4 * (MAX_BYTES // 3 + 1):  # larger than the loader reads: refused without decoding
            self.on_upload(name, None)
            return
        try:
            raw = base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError):
            return
        self.on_upload(name, raw)


class LangWidget(ipyvuetify.VuetifyTemplate):
    template = traitlets.Unicode('<template><span style="display:none"></span></template>'
                                 '<script>module.exports = {mounted() { document.documentElement.lang = "en"; }};'
                                 '</script>').tag(sync=True)


CARDS = ("skills_gap", "fully_proficient", "mean_proficiency", "engagement", "turnover", "spend_per_employee",
         "productivity", "roi")
CHARTS = ("skills_gap", "fully_proficient", "engagement", "turnover", "spend_per_employee", "productivity")
DIFFERENCES = ("skills_gap", "engagement", "total_cost_per_employee")
DEPARTMENT_OUTCOMES = ("skills_gap", "fully_proficient", "mean_proficiency", "engagement", "turnover",
                       "learning_hours")
ROI_FROM_WEEK = 13  # gross ROI since week 0 is dominated by start-up costs before this


@solara.component
def LivePanel(session: Session, tick, compare: bool, set_err):
    """Everything that changes with the week: status, cards and charts. It alone reads the
    tick, so a week re-renders this panel, not the controls."""
    _ = tick.value  # reading the reactive tick subscribes this panel (only) to every frame
    dept_outcome, set_dept_outcome = solara.use_state("skills_gap")
    department, set_department = solara.use_state(None)
    measure, set_measure = solara.use_state("skills gap")
    with session.lock:
        closed = session.closed
        if not closed:
            models = [session.model] + ([session.reference] if session.reference is not None else [])
            now = session.model.week
            status = session.status()
            cards = [(name, latest(session.model, name),
                      latest(session.reference, name) if session.reference is not None else None) for name in CARDS]
            dept_names = list(session.model.structure.dept_names)
            dept_table = department_table(session.model, department) if department in dept_names else None
    if closed:  # replaced by a new session: the next render shows that one
        return
    solara.Text(status, classes=["lesim-status"], style={"font-weight": "bold"})
    with solara.Div(classes=["lesim-cards"]):
        for name, v, ref in cards:
            Card(name, v, ref, now)
    names = ["your settings", "scenario as loaded"] if compare else ["this run"]
    with solara.Card("Headline outcomes" + (" — your settings vs the scenario as loaded (same seeds)" if compare else "")):
        with solara.Div(classes=["lesim-grid"]):
            for name in CHARTS:
                OutcomeChart(session, models, name, names, now).key(f"chart-{name}")
    if compare:
        with solara.Card("Difference: your settings − the scenario as loaded (same seeds)"):
            with solara.Div(classes=["lesim-grid"]):
                for name in DIFFERENCES:
                    DifferenceChart(session, name, now).key(f"diff-{name}")
    with solara.Div(classes=["lesim-grid lesim-grid-wide"]):
        with solara.Card("By department"):
            solara.Select(label="Outcome", values=[OUTCOME_BY_NAME[n].label for n in DEPARTMENT_OUTCOMES],
                          value=OUTCOME_BY_NAME[dept_outcome].label,
                          on_value=choose("Outcome", {OUTCOME_BY_NAME[n].label: n for n in DEPARTMENT_OUTCOMES},
                                          lambda lab: set_dept_outcome(
                                              {OUTCOME_BY_NAME[n].label: n for n in DEPARTMENT_OUTCOMES}[lab]),
                                          set_err))
            DepartmentChart(session, dept_outcome, now).key(f"dept-{dept_outcome}")
            solara.Select(label="Department (drill down)", values=dept_names, value=department,
                          on_value=choose("Department", dept_names, set_department, set_err))
            if dept_table is not None:
                Table(["Outcome", "Department", "Organisation"], dept_table[1], dept_table[0])
        with solara.Card("Skills gap by skill"):
            SkillChart(session, now)
        with solara.Card("Org network"):
            solara.Select(label="Colour by", values=list(NETWORK_MEASURES), value=measure,
                          on_value=choose("Colour by", NETWORK_MEASURES, set_measure, set_err))
            NetworkChart(session, measure, now)


@solara.component
def Card(name: str, value: float, reference: float | None, week: int):
    """A headline figure with its unit; with a reference run, the difference and whether it
    is better or worse (the outcome's declared direction)."""
    o = OUTCOME_BY_NAME[name]
    early = name == "roi" and week < ROI_FROM_WEEK
    text = f"after week {ROI_FROM_WEEK}" if early else fmt(name, value)
    with solara.Div(classes=["lesim-card"], attributes={"role": "group", "aria-label": o.label}):
        solara.Text(o.label, classes=["lesim-card-label"])
        solara.Text(text, classes=["lesim-card-value"])
        if reference is not None and not early and math.isfinite(value) and math.isfinite(reference):
            d = value - reference
            better = (d > 0) == (o.better == "higher") if d != 0 else None
            tone = "" if better is None or abs(d) < 1e-12 else ("lesim-better" if better else "lesim-worse")
            solara.Text(f"{fmt_delta(name, d)} vs as loaded", classes=["lesim-card-delta", tone])


def _use_rows(session: Session, key, full, since_fn, week: int):
    """(option, rows, resync) for an incrementally fed chart: the option with every week so far
    is built once per ``key``; afterwards each frame sends only the weeks after the last frame
    that reached the page (plus the one before it, merged by week in the browser, so a lost
    message costs nothing). If the browser finds weeks missing all the same (its view of the
    chart was re-created from the last update, e.g. after a reconnect), it calls ``resync`` and
    the option is built again."""
    sent = solara.use_ref(-1)
    resyncs, set_resyncs = solara.use_state(0)
    key = [*key, resyncs]
    option = solara.use_memo(lambda: full(), dependencies=key)
    built = solara.use_memo(lambda: {"week": week}, dependencies=key)
    since = max(sent.current, built["week"]) - 1
    rows = since_fn(since) if week > since + 1 else []

    def remember():
        sent.current = week
    solara.use_effect(remember, dependencies=[week, *key])
    return option, rows, lambda: set_resyncs(resyncs + 1)


@solara.component
def OutcomeChart(session: Session, models: list, name: str, names: list[str], week: int):
    """An outcome by week for the strategy (and the reference); with several seeds, the range
    over them (lowest and highest, dotted)."""
    title = chart_title(name)
    several = session.seeds > 1
    bands = ([f"{n}: {session.seeds} seeds" for n in names] if len(names) > 1
             else [f"range over {session.seeds} seeds"]) if several else []

    def rows(w):
        with session.lock:
            if session.closed:
                return []
            out = line_rows(models, name, w)
            if several:
                groups = [[session.model, *session.band]]
                if session.reference is not None:
                    groups.append([session.reference, *session.reference_band])
                extra = {r[0]: r[1:] for r in band_rows(groups, name, w)}
                out = [r + extra.get(r[0], [None] * (2 * len(groups))) for r in out]
            return out

    option, new, resync = _use_rows(session, [session, name, len(models)],
                                    lambda: option_json(line_option(title, names, rows(-1), dashed=(1,),
                                                                    warm_up=name in SMOOTHED, bands=bands)), rows, week)
    return LiveChart.element(spec=option, rows=dumps(new), height=240 + (40 if several else 0), on_resync=resync,
                             label=f"Line chart: {title}, by week")


@solara.component
def DifferenceChart(session: Session, name: str, week: int):
    title = f"Δ {OUTCOME_BY_NAME[name].label} ({unit_text(name)})"

    def diff_rows(w):
        with session.lock:
            if session.closed or session.reference is None:
                return []
            a = line_rows([session.model, session.reference], name, w)
        return [[r[0], None if r[1] is None or r[2] is None else clean(r[1] - r[2])] for r in a]

    option, rows, resync = _use_rows(session, [session, name], lambda: option_json(
        line_option(title, ["difference"], diff_rows(-1), zero_line=True, min_zero=False)),
        diff_rows, week)
    return LiveChart.element(spec=option, rows=dumps(rows), height=200, on_resync=resync,
                             label=f"Line chart: {title}, by week")


@solara.component
def DepartmentChart(session: Session, name: str, week: int):
    title = chart_title(name)

    def full():
        with session.lock:
            if session.closed:
                return option_json(line_option(title, [], []))
            depts = list(session.model.structure.dept_names)
            return option_json(line_option(title, depts, department_rows(session.model, name, -1), warm_up=name in SMOOTHED))

    def since(w):
        with session.lock:
            return department_rows(session.model, name, w) if not session.closed else []

    option, rows, resync = _use_rows(session, [session, name], full, since, week)
    return LiveChart.element(spec=option, rows=dumps(rows), height=260, on_resync=resync,
                             label=f"Line chart: {title} by department")


@solara.component
def SkillChart(session: Session, week: int):
    title = "Mean gap to the required level (levels; no bar: no one needs it yet)"
    with session.lock:
        closed = session.closed
        names = [] if closed else [n.replace("_", " ") for n in session.model.structure.skill_names]
        gap = [] if closed else [clean(float(v), 3) for v in np.asarray(session.model.collector.skill_gap[-1])]
    option = solara.use_memo(lambda: option_json(bar_option(title, names, gap, "levels")),
                             dependencies=[session, tuple(names)])
    return LiveChart.element(spec=option, values=dumps(gap), patch=dumps({"title": {"text": f"{title}, week {week}"}}),
                             height=260, label=f"Bar chart: {title} by skill, week {week}")


NETWORK_MEASURES = {"skills gap": ("skills gap index (0–1)", 1.0, True),
                    "proficiency": ("mean proficiency (0–5)", 5.0, False),
                    "engagement": ("engagement (0–1)", 1.0, False),
                    "growth mindset": ("growth mindset (0–1)", 1.0, False)}


def node_values(model, measure: str, rows: np.ndarray) -> np.ndarray:
    """Each sampled position's value of ``measure`` (NaN when vacant). In an imported
    organisation no person's value is shown: a node takes its department's mean, and
    departments suppressed for privacy (:func:`sim.outcomes.suppressed`) are grey."""
    wf = model.workforce
    if measure == "skills gap":
        every = np.asarray(model.derived.gap, dtype=float)
    elif measure == "proficiency":
        every = wf.prof.mean(axis=1)
    elif measure == "engagement":
        every = wf.engagement.astype(float)
    else:
        every = wf.mindset.astype(float)
    data = model.spec.organisation.data
    if data is None:
        return np.where(wf.occupied[rows], every[rows], np.nan)
    n_dept = len(model.structure.dept_names)
    occ = wf.occupied
    count = np.bincount(wf.dept[occ], minlength=n_dept)
    mean = np.bincount(wf.dept[occ], weights=every[occ], minlength=n_dept) / np.maximum(count, 1)
    mean[suppressed(count, data.min_group_size) | (count == 0)] = np.nan
    return np.where(occ[rows], mean[wf.dept[rows]], np.nan)


@solara.component
def NetworkChart(session: Session, measure: str, week: int):
    """The sampled org network (whole teams, fixed layout) coloured by a measure, with its
    legend; a vacant position is grey."""
    label, vmax, reverse = NETWORK_MEASURES[measure]
    def locked(make, empty):
        with session.lock:
            return make() if not session.closed else empty

    sample = solara.use_memo(lambda: locked(lambda: network_sample(session.model), np.empty(0, int)),
                             dependencies=[session])
    layout = solara.use_memo(lambda: locked(lambda: network_layout(session.model, sample), {}), dependencies=[session])
    with session.lock:
        closed = session.closed
        imported = False
        if closed:
            sample, values, n, dept, dept_names = np.empty(0, int), np.empty(0), 0, np.empty(0, int), []
        else:
            imported = session.model.spec.organisation.data is not None
            values = node_values(session.model, measure, sample)
            n = session.model.workforce.n
            dept = session.model.workforce.dept[sample]
            dept_names = session.model.structure.dept_names

    def nodes(vals):
        return [{"name": f"{dept_names[int(d)]}, position {int(r)}",
                 "value": [round(layout[int(r)][0], 4), round(layout[int(r)][1], 4), clean(float(v), 3)]}
                for r, v, d in zip(sample, vals, dept)]

    def edges():
        if closed:
            return []
        inside = set(int(r) for r in sample)
        ties = session.model.ties
        out = []
        for r in sample:
            for nb in ties.indices[ties.indptr[r]:ties.indptr[r + 1]]:
                if int(nb) > int(r) and int(nb) in inside:
                    out.append({"coords": [list(layout[int(r)]), list(layout[int(nb)])]})
        return out

    shown = f"{len(sample)} of {n:,} positions (whole teams)" if len(sample) < n else f"all {n} positions"
    title = f"Org network: {shown}"
    if imported:
        title += ", coloured by department means (imported organisation: no one's own value is shown)"
    option = solara.use_memo(lambda: option_json(network_option(title, nodes(values), edges(), label, vmax, reverse)),
                             dependencies=[session, measure])
    patch = {"visualMap": {"max": vmax, "text": [f"{vmax:g}", f"0  {label}"]}}
    return LiveChart.element(spec=option, values=dumps([clean(float(v), 3) for v in values]), patch=dumps(patch),
                             height=320,
                             label=f"Network of {shown}, coloured by {label}, week {week}")


def department_table(model, department: str) -> tuple[str, list[list[str]]]:
    """A department's headline figures beside the organisation's, as the cards and charts show
    them (flows as the 13-week mean): a caption and rows of text (shown as text, never markup:
    a department's name is the scenario author's text)."""
    d = list(model.structure.dept_names).index(department)
    week = model.week
    rows = []
    for name in DEPARTMENT_OUTCOMES:
        here = department_rows(model, name, week - 1)
        value = here[-1][1 + d] if here else None
        value = float("nan") if value is None else value / scale(name)
        rows.append([OUTCOME_BY_NAME[name].label, fmt(name, value), fmt(name, latest(model, name))])
    return f"{department}: {int(model.collector.headcount[-1][d])} people, week {week}", rows


CSS = """
.lesim-help { font-size: 12px; color: #555; display: block; margin: 2px 0 4px; line-height: 1.3; }
.lesim-control { border-bottom: 1px solid #e4e4e4; padding: 6px 0 8px; }
.lesim-pending { border-left: 3px solid #d08c2b; padding-left: 6px; }
.lesim-slider-row { display: flex; align-items: center; gap: 6px; }
.lesim-slider-row .v-input { flex: 1 1 auto; }
.lesim-slider .v-label { display: none; }
.lesim-end { font-size: 12px; color: #555; white-space: nowrap; }
.lesim-cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 8px; margin: 8px 0; }
.lesim-card { border: 1px solid #d8dee6; border-radius: 6px; padding: 6px 10px; background: #fafcfe; }
.lesim-card-label { display: block; font-size: 12px; color: #444; }
.lesim-card-value { display: block; font-size: 20px; font-weight: 600; color: #1f3b57; }
.lesim-card-delta { display: block; font-size: 12px; color: #555; }
.lesim-better { color: #2e7d32 !important; }
.lesim-worse { color: #b23c17 !important; }
.lesim-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 10px; width: 100%; }
.lesim-grid-wide { grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); margin-top: 10px; }
.lesim-status { display: block; margin: 6px 0; }
.lesim-main { max-width: 100%; min-width: 0; }
.lesim-table { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
.lesim-table td, .lesim-table th { border: 1px solid #d8dee6; padding: 3px 8px; text-align: left; }
.lesim-table th { background: #eef3f8; }
.lesim-table caption { text-align: left; font-weight: 600; padding: 4px 0; }
.lesim-num { text-align: right !important; white-space: nowrap; }
.lesim-rec { font-size: 1.1em; font-weight: 600; }
.lesim-brief { max-width: 70em; }
@media (max-width: 600px) {
  .lesim-grid, .lesim-grid-wide { grid-template-columns: 1fr; }
  .lesim-cards { grid-template-columns: repeat(2, 1fr); }
}
"""
