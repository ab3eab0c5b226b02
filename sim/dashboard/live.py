"""Live charts for the dashboard: ECharts in the browser, fed the new weeks' numbers.

A chart's whole option (axes, series, the data so far) is sent once, when the chart is
built; after that a week sends only its own row (``rows``) or the few values that changed
(``patch``), and the browser redraws. No image is rendered on the server. ECharts is loaded
through Solara's CDN proxy, which :mod:`sim.dashboard.assets` fills at install time, so the
page works offline.

What a chart shows is decided here, from the outcome declarations (:mod:`sim.outcomes`):
labels and units, never key paths; shares in %, money in $; value axes that start at 0
for quantities that cannot be negative (ECharts' default), so a change of 0.01 on a 0–1
index does not look like a collapse; flows (turnover, spend, hours) as a trailing
13-week mean, so the first weeks are not a spike or a ramp of single-week noise.
"""

from __future__ import annotations

import json
import math
from typing import Any

import ipyvuetify
import numpy as np
import traitlets

from ..outcomes import OUTCOME_BY_NAME
from ..report import ANNUALISED
from ..reporting import sig

SMOOTH_WEEKS = 13
SMOOTHED = frozenset((*ANNUALISED, "turnover"))
"""Weekly flows, annualised: shown as a trailing 13-week mean (the first weeks use the weeks
there are), because a single week's leavers or spend is mostly noise."""

COLOURS = ["#1f5f8b", "#c0504d", "#4f7f3f", "#8064a2", "#d08c2b", "#2c9c9c", "#7f7f7f", "#b05a92", "#5a6fb0"]


class LiveChart(ipyvuetify.VuetifyTemplate):
    """One ECharts chart (see ``live_chart.vue``). The data traits are JSON text: the page's
    renderer passes a string on without walking it, where it would walk every number of a
    list on every frame."""

    template_file = (__file__, "live_chart.vue")
    spec = traitlets.Unicode("").tag(sync=True)
    rows = traitlets.Unicode("").tag(sync=True)
    values = traitlets.Unicode("").tag(sync=True)
    patch = traitlets.Unicode("").tag(sync=True)
    height = traitlets.Int(220).tag(sync=True)
    label = traitlets.Unicode("").tag(sync=True)
    on_resync = traitlets.Callable(None, allow_none=True)

    def vue_resync(self, _data=None):
        """The browser found weeks missing from its copy: the chart is built again whole."""
        if self.on_resync is not None:
            self.on_resync()


def dumps(obj: Any) -> str:
    """Compact JSON (NaN and infinities are refused: :func:`clean` makes them null first)."""
    return json.dumps(obj, separators=(",", ":"), allow_nan=False)


# ----------------------------------------------------------------------------- units and labels


def unit_text(name: str) -> str:
    """The unit as a planner reads it on an axis or a card."""
    unit = OUTCOME_BY_NAME[name].unit
    return {"share": "%", "1/year": "%/year", "index 0–1": "index 0–1", "0–1": "0–1"}.get(unit, unit)


def scale(name: str) -> float:
    """Shares and annual rates are shown in %."""
    return 100.0 if OUTCOME_BY_NAME[name].unit in ("share", "1/year") else 1.0


def chart_title(name: str) -> str:
    o = OUTCOME_BY_NAME[name]
    smoothed = f", {SMOOTH_WEEKS}-week mean" if name in SMOOTHED else ""
    return f"{o.label} ({unit_text(name)}{smoothed})"


def fmt(name: str, v: float) -> str:
    """A level in the outcome's unit: 12.3 %, $1,300, 0.118."""
    if v is None or not math.isfinite(v):
        return "–"
    unit = OUTCOME_BY_NAME[name].unit
    if unit in ("share", "1/year"):
        return f"{v * 100:.1f} %" + ("/year" if unit == "1/year" else "")
    if unit.startswith("$"):
        return ("−" if v < 0 else "") + f"${abs(v):,.0f}" + ("/year" if unit.endswith("/year") else "")
    return f"{v:.3g}".replace("-", "−")


def fmt_delta(name: str, v: float) -> str:
    """A difference in the outcome's unit: shares in percentage points."""
    if v is None or not math.isfinite(v):
        return "–"
    sign = "+" if v > 0 else ("−" if v < 0 else "±")
    unit = OUTCOME_BY_NAME[name].unit
    if unit in ("share", "1/year"):
        return f"{sign}{abs(v) * 100:.1f} pp" + ("/year" if unit == "1/year" else "")
    if unit.startswith("$"):
        return f"{sign}${abs(v):,.0f}" + ("/year" if unit.endswith("/year") else "")
    return sign + sig(abs(v), 2)


def clean(v: float, digits: int = 4) -> float | None:
    """A number for JSON: rounded to ``digits`` significant figures, None for NaN/inf."""
    if v is None or not math.isfinite(v):
        return None
    return float(f"{v:.{digits}g}")


# ----------------------------------------------------------------------------- series from a model


def outcome_index(name: str) -> int:
    from ..outcomes import OUTCOMES

    return next(i for i, o in enumerate(OUTCOMES) if o.name == name)


def shown_weeks(weeks, value_at, name: str, since: int) -> list[tuple[int, np.ndarray]]:
    """(week, value) for the weeks after ``since`` (all weeks when ``since`` is −1), as the
    charts show an outcome: ``value_at(position)`` as collected (a number, or one per
    department), flows as a trailing 13-week mean over weeks ≥ 1 (week 0 is the start, not a
    week of flows)."""
    smoothed = name in SMOOTHED
    out = []
    for pos in range(len(weeks)):
        w = int(weeks[pos])
        if w <= since or (smoothed and w == 0):
            continue
        if smoothed:
            block = np.array([value_at(p) for p in range(max(pos - SMOOTH_WEEKS + 1, 0), pos + 1) if weeks[p] >= 1],
                             dtype=float)
            with np.errstate(all="ignore"):
                v = np.nanmean(block, axis=0)
        else:
            v = np.asarray(value_at(pos), dtype=float)
        out.append((w, v))
    return out


def weekly(model, name: str, since: int = 0) -> list[tuple[int, float]]:
    """(week, value) of an organisation-level outcome after ``since``, as the chart shows it."""
    col, i = model.collector, outcome_index(name)
    return [(w, float(v)) for w, v in shown_weeks(col.weeks, lambda p: col.org[p][i], name, since)]


def latest(model, name: str) -> float:
    """The value the cards show: the chart's last point."""
    rows = weekly(model, name, since=int(model.collector.weeks[-1]) - 1)
    return rows[-1][1] if rows else float("nan")


def line_rows(models: list, name: str, since: int) -> list[list]:
    """Rows [week, model 1, model 2, …] after week ``since``, in the chart's unit."""
    k = scale(name)
    per = [dict(weekly(m, name, since)) for m in models]
    weeks = sorted(per[0])
    return [[w, *(clean(p.get(w, float("nan")) * k) for p in per)] for w in weeks]


def band_rows(groups: list[list], name: str, since: int) -> list[list]:
    """Rows [week, low, high, …] per group of models (a strategy on several seeds): the range
    of the outcome over the seeds."""
    k = scale(name)
    out: dict[int, list] = {}
    for models in groups:
        per = [dict(weekly(m, name, since)) for m in models]
        for w in sorted(per[0]):
            vals = [p[w] * k for p in per if w in p and math.isfinite(p[w])]
            lo, hi = (min(vals), max(vals)) if vals else (float("nan"), float("nan"))
            out.setdefault(w, []).extend([clean(lo), clean(hi)])
    return [[w, *v] for w, v in sorted(out.items())]


def department_rows(model, name: str, since: int) -> list[list]:
    """Rows [week, department 1, …] of an outcome by department (flows smoothed as above)."""
    col, i, k = model.collector, outcome_index(name), scale(name)
    return [[w, *(clean(float(x) * k) for x in v)]
            for w, v in shown_weeks(col.weeks, lambda p: col.dept[p][:, i], name, since)]


# ----------------------------------------------------------------------------- chart options

BASE = {"animation": False, "aria": {"enabled": True}, "textStyle": {"fontSize": 12}}


def _toolbox() -> dict:
    return {"right": 4, "top": 0, "itemSize": 13,
            "feature": {"dataZoom": {"yAxisIndex": "none", "title": {"zoom": "Zoom", "back": "Undo zoom"}},
                        "restore": {"title": "Reset zoom"},
                        "saveAsImage": {"title": "Save as PNG", "pixelRatio": 2}}}


def line_option(title: str, names: list[str], rows: list[list], dashed: tuple[int, ...] = (),
                legend: bool = True, zero_line: bool = False, min_zero: bool = True, warm_up: bool = False,
                bands: list[str] = ()) -> dict:
    """A line chart over weeks: one series per name, data in ``dataset.source`` rows (the
    unit is in the title)."""
    series = []
    for j, name in enumerate(names):
        s = {"type": "line", "name": name, "showSymbol": False, "encode": {"x": 0, "y": j + 1},
             "lineStyle": {"width": 2, "type": "dashed" if j in dashed else "solid"},
             "itemStyle": {"color": COLOURS[j % len(COLOURS)]}, "connectNulls": False}
        if warm_up and j == 0:  # the trailing mean has fewer than 13 weeks in it here
            s["markArea"] = {"silent": True, "itemStyle": {"color": "rgba(120,120,120,0.10)"},
                             "label": {"show": True, "position": "insideTop", "fontSize": 10, "color": "#666",
                                       "formatter": f"mean of < {SMOOTH_WEEKS} weeks"},
                             "data": [[{"xAxis": 1}, {"xAxis": SMOOTH_WEEKS - 1}]]}
        if zero_line and j == 0:
            s["markLine"] = {"silent": True, "symbol": "none", "data": [{"yAxis": 0}],
                             "lineStyle": {"color": "#888", "type": "solid", "width": 1}, "label": {"show": False}}
        series.append(s)
    for j, name in enumerate(bands):  # after the lines' columns: the low and the high end of each range
        col = len(names) + 1 + 2 * j
        for end in (0, 1):  # two thin lines of one legend entry (same name: one toggle)
            series.append({"type": "line", "name": name, "showSymbol": False, "silent": True,
                           "encode": {"x": 0, "y": col + end}, "tooltip": {"show": False},
                           "lineStyle": {"width": 1, "type": "dotted", "opacity": 0.8},
                           "itemStyle": {"color": COLOURS[j % len(COLOURS)]}})
    head, _, sub = title.partition(" (")
    sub = f"({sub}" if sub else ""
    legend_shown = legend and len(names) + len(bands) > 1
    return {**BASE,
            "title": {"text": head, "subtext": sub, "itemGap": 4, "left": 0, "top": 0,
                      "textStyle": {"fontSize": 13, "fontWeight": 600, "lineHeight": 16},
                      "subtextStyle": {"fontSize": 11, "color": "#555", "lineHeight": 14}},
            "grid": {"left": 8, "right": 14, "top": (66 if sub else 40) + (22 if legend_shown else 0)
                     + (20 if len(names) + len(bands) > 2 else 0), "bottom": 22, "containLabel": True},
            "legend": {"show": legend_shown, "top": 44 if sub else 24, "left": 0, "type": "plain", "itemGap": 6,
                       "textStyle": {"fontSize": 12}},
            "tooltip": {"trigger": "axis"},
            "toolbox": _toolbox(),
            "dataset": {"source": rows},
            "xAxis": {"type": "value", "name": "week", "nameLocation": "middle", "nameGap": 20, "minInterval": 1,
                      "min": "dataMin", "axisLabel": {"fontSize": 11}, "nameTextStyle": {"fontSize": 11}},
            "yAxis": {"type": "value", "scale": not min_zero, "axisLabel": {"fontSize": 11}},
            "series": series}


def bar_option(title: str, categories: list[str], values: list[float | None], unit: str) -> dict:
    return {**BASE,
            "title": {"text": title, "textStyle": {"fontSize": 13, "fontWeight": 600}, "left": 0, "top": 0},
            "grid": {"left": 8, "right": 16, "top": 34, "bottom": 24, "containLabel": True},
            "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
            "toolbox": _toolbox(),
            "xAxis": {"type": "value", "name": unit, "nameLocation": "end", "axisLabel": {"fontSize": 11}},
            "yAxis": {"type": "category", "data": categories, "inverse": True, "axisLabel": {"fontSize": 12}},
            "series": [{"type": "bar", "name": title, "data": values, "itemStyle": {"color": COLOURS[0]}}]}


def network_option(title: str, nodes: list[dict], edges: list[list[list[float]]], label: str, vmax: float,
                   reverse: bool = False) -> dict:
    """The sampled org network at fixed positions, coloured by a measure, with its legend:
    nodes as a scatter series (cheap to recolour every week), ties as a static lines series."""
    colours = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"]
    hidden = {"show": False}
    return {**BASE,
            "title": {"text": title, "textStyle": {"fontSize": 13, "fontWeight": 600}, "left": 0, "top": 0},
            "tooltip": {"trigger": "item"},
            "toolbox": {"right": 4, "top": 0, "itemSize": 13,
                        "feature": {"saveAsImage": {"title": "Save as PNG", "pixelRatio": 2}}},
            "grid": {"left": 4, "right": 4, "top": 28, "bottom": 40},
            "xAxis": {"type": "value", "show": False, "scale": True, "splitLine": hidden},
            "yAxis": {"type": "value", "show": False, "scale": True, "splitLine": hidden},
            "visualMap": {"type": "continuous", "min": 0, "max": vmax, "dimension": 2, "calculable": False,
                          "seriesIndex": 0, "orient": "horizontal", "left": "center", "bottom": 0, "itemHeight": 160,
                          "itemWidth": 10, "text": [f"{vmax:g}", f"0  {label}"], "textStyle": {"fontSize": 11},
                          "inRange": {"color": colours[::-1] if reverse else colours}},
            "series": [{"type": "scatter", "name": label, "symbolSize": 7, "data": nodes, "zlevel": 1,
                        "tooltip": {"formatter": "{b}"}},
                       {"type": "lines", "coordinateSystem": "cartesian2d", "silent": True, "zlevel": 0,
                        "lineStyle": {"color": "#bbb", "width": 0.5, "opacity": 0.7}, "data": edges}]}


def option_json(option: dict[str, Any]) -> str:
    """The option as JSON, without keys whose value is None (ECharts would read a null
    formatter as a function)."""
    def drop(o):
        if isinstance(o, dict):
            return {k: drop(v) for k, v in o.items() if v is not None}
        if isinstance(o, list):
            return [drop(v) for v in o]
        return o
    return dumps(drop(option))
