"""Experiment files for March's model (``experiments/march_*.yaml``), their runner and outputs.

A file is plain data, validated once when loaded (unknown keys and bad values name the
file, line and key, like scenario files)::

    model: march
    name: march_learning_rates
    title: Equilibrium code knowledge by socialisation rate (p1) and code learning rate (p2)
    reference: March (1991), Figure 1
    replications: 2000          # per point
    seed: 1991                  # every point runs on this seed: common random numbers
    settings: {m: 30, n: 50}    # fixed for every point (any MarchSettings key)
    grid:                       # every combination of these values
      p1: [0.1, 0.3, 0.5, 0.7, 0.9]
      p2: [0.1, 0.5, 0.9]
    points:                     # optional named settings, crossed with the grid
      - {label: mixed, group: heterogeneous, p1: 0.1, p1_fast: 0.9, n_fast: 25}
    periods: null               # null: run to equilibrium; N: knowledge measured in period N
    trace: false                # also keep code knowledge in every period
    plot: {x: p1, series: p2}   # how report.py draws it

:func:`run_experiment` runs every point with the vectorised engine and returns tidy
tables (one row per point; one row per point and period for a trace), whose columns are
the settings and the outcomes; :func:`write_outputs` writes them as CSV with a chart.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Literal

import numpy as np
import pandas as pd
from pydantic import Field, ValidationError, model_validator

from ..loader import ScenarioError, format_error, line_of, load_raw, validate_data
from ..parameters import Section, located
from .charts import plot_experiment
from .march import DEFAULT_MAX_PERIODS, MarchResult, MarchSettings, run, standard_error

SETTING_KEYS = tuple(MarchSettings.model_fields)
OUTCOME_COLUMNS = ("mean_code_knowledge", "se", "mean_code_score", "se_code_score", "mean_individual_knowledge",
                   "reached_equilibrium", "shared_belief", "mean_periods")


class Plot(Section):
    x: str = Field(description="Column on the horizontal axis (a setting, mean_p1, or period for a trace).")
    series: str | list[str] | None = Field(None, description="Column(s) whose values are drawn as separate lines.")
    panels: str | None = Field(None, description="Column whose values get a panel each.")
    y: str = Field("mean_code_knowledge", description="Outcome on the vertical axis.")
    ylabel: str = Field("code knowledge (share of dimensions matching reality)", description="Axis label.")


class MarchExperiment(Section):
    """An experiment with March's model: points (a grid × named points) and what to measure."""

    model: Literal["march"] = Field(description="Which docking model; only `march` so far.")
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=80, description="File-safe name.")
    title: str = Field("", description="One line saying what is shown.")
    reference: str = Field("", description="The published figure this reproduces.")
    replications: int = Field(1000, ge=1, le=1_000_000, description="Replications per point.")
    seed: int = Field(0, ge=0, le=2**63 - 1, description="Seed shared by every point (common random numbers).")
    settings: dict[str, Any] = Field(default_factory=dict, description="Settings fixed for every point.")
    grid: dict[str, list[Any]] = Field(default_factory=dict, description="Setting → values; every combination runs.")
    points: list[dict[str, Any]] = Field(default_factory=list, description="Named settings (label, optional group), "
                                         "crossed with the grid.")
    periods: int | None = Field(None, ge=1, le=100_000, description="null: to equilibrium; N: period-N knowledge.")
    max_periods: int = Field(DEFAULT_MAX_PERIODS, ge=1, le=100_000, description="Cap of a run to equilibrium.")
    trace: bool = Field(False, description="Keep code knowledge measured in every period.")
    plot: Plot | None = Field(None, description="How the report draws the results.")

    @model_validator(mode="after")
    def _keys(self) -> "MarchExperiment":
        for key in self.settings:
            if key not in SETTING_KEYS:
                raise located(("settings", key), f"unknown setting; known: {', '.join(SETTING_KEYS)}")
        for key, values in self.grid.items():
            if key not in SETTING_KEYS:
                raise located(("grid", key), f"unknown setting; known: {', '.join(SETTING_KEYS)}")
            if not values:
                raise located(("grid", key), "needs at least one value")
            if key in self.settings:
                raise located(("grid", key), "is also fixed under settings; give it in one place")
        labels = set()
        for i, point in enumerate(self.points):
            if not isinstance(point.get("label"), str) or not point["label"]:
                raise located(("points", i), "every point needs a `label:` (text)")
            if point["label"] in labels:
                raise located(("points", i, "label"), f"label {point['label']!r} is used twice")
            labels.add(point["label"])
            for key in point:
                if key not in SETTING_KEYS and key not in ("label", "group"):
                    raise located(("points", i, key), f"unknown setting; known: label, group, {', '.join(SETTING_KEYS)}")
                if key in self.grid:
                    raise located(("points", i, key), "is also a grid dimension; give it in one place")
        return self


@dataclass(frozen=True)
class Point:
    """One setting of an experiment, with how it is labelled in tables and charts."""

    label: str
    group: str
    settings: MarchSettings
    coordinates: dict[str, Any]  # the grid values of this point


@dataclass
class LoadedExperiment:
    spec: MarchExperiment
    points: list[Point]
    path: Path | None = None


def load_experiment(path: str | Path) -> LoadedExperiment:
    """Read and validate a March experiment file; every point's settings are checked now."""
    path = Path(path)
    data, node = load_raw(path)
    spec = validate_data(data, str(path), node, model_cls=MarchExperiment)
    return LoadedExperiment(spec, expand_points(spec, str(path), node), path)


def experiment_from_data(data: dict, origin: str = "<experiment>") -> LoadedExperiment:
    """Validate an experiment given as a mapping (tests, notebooks)."""
    spec = validate_data(data, origin, None, model_cls=MarchExperiment)
    return LoadedExperiment(spec, expand_points(spec, origin, None))


def expand_points(spec: MarchExperiment, origin: str, node) -> list[Point]:
    """Every combination of the grid, crossed with the named points (or alone)."""
    keys = list(spec.grid)
    named = spec.points or [{"label": "", "group": ""}]
    out = []
    for combo in itertools.product(*(spec.grid[k] for k in keys)):
        coordinates = dict(zip(keys, combo))
        for j, point in enumerate(named):
            values = {**spec.settings, **coordinates, **{k: v for k, v in point.items() if k not in ("label", "group")}}
            try:
                settings = MarchSettings.model_validate(values)
            except ValidationError as exc:
                err = exc.errors(include_url=False)[0]
                key = str(err["loc"][0]) if err["loc"] else ""
                if key in coordinates:
                    loc: tuple = ("grid", key, spec.grid[key].index(coordinates[key]))
                elif spec.points and key in point:
                    loc = ("points", j, key)
                else:
                    loc = ("settings", key)
                line = line_of(node, loc)
                where = f"{origin}:{line}" if line else origin
                shown = ".".join(str(p) for p in loc)
                raise ScenarioError(f"{where}: {shown}: {format_error(err, MarchSettings)}") from None
            grid_label = ", ".join(f"{k}={v}" for k, v in coordinates.items())
            label = ", ".join(p for p in (point.get("label", ""), grid_label) if p)
            out.append(Point(label or "default", str(point.get("group", "")), settings, coordinates))
    return out


@dataclass
class ExperimentResult:
    experiment: LoadedExperiment
    table: pd.DataFrame  # one row per point
    trace: pd.DataFrame | None  # one row per point and period
    results: list[tuple[Point, MarchResult]]


def run_experiment(exp: LoadedExperiment, *, replications: int | None = None, seed: int | None = None,
                   on_point: Callable[[int, int, Point], None] | None = None) -> ExperimentResult:
    """Run every point (same seed for all: common random numbers) and tabulate."""
    spec = exp.spec
    reps = replications if replications is not None else spec.replications
    base_seed = seed if seed is not None else spec.seed
    rows, traces, results = [], [], []
    for i, point in enumerate(exp.points):
        if on_point is not None:
            on_point(i, len(exp.points), point)
        result = run(point.settings, replications=reps, seed=base_seed, periods=spec.periods,
                     max_periods=spec.max_periods, trace=spec.trace)
        results.append((point, result))
        summary = result.summary()
        rows.append({"experiment": spec.name, "label": point.label, "group": point.group,
                     **point.settings.model_dump(), "mean_p1": point.settings.mean_p1,
                     "replications": reps, "seed": base_seed, "measured_at": summary["measured_at"],
                     **{k: summary[k] for k in OUTCOME_COLUMNS}})
        if result.trace is not None:
            t = result.trace
            traces.append(pd.DataFrame({
                "experiment": spec.name, "label": point.label, "group": point.group,
                **{k: v for k, v in point.settings.model_dump().items()},
                "period": np.arange(1, t.shape[0] + 1), "mean_code_knowledge": t.mean(axis=1),
                "se": t.std(axis=1, ddof=1) / np.sqrt(t.shape[1]) if t.shape[1] > 1 else np.nan}))
    trace = pd.concat(traces, ignore_index=True) if traces else None
    return ExperimentResult(exp, pd.DataFrame(rows), trace, results)


def paired_difference(a: MarchResult, b: MarchResult) -> tuple[float, float]:
    """Mean and standard error of a − b over replications run on the same seed (paired)."""
    if a.replications != b.replications or a.seed != b.seed:
        raise ValueError("a paired difference needs the same replications and seed")
    d = a.code_knowledge - b.code_knowledge
    return float(d.mean()), standard_error(d)


def write_outputs(result: ExperimentResult, out_dir: str | Path) -> list[Path]:
    """Write ``<name>.csv`` (and ``<name>_trace.csv``) and ``<name>.png`` into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    name = result.experiment.spec.name
    written = []
    table_path = out / f"{name}.csv"
    result.table.to_csv(table_path, index=False)
    written.append(table_path)
    if result.trace is not None:
        trace_path = out / f"{name}_trace.csv"
        result.trace.to_csv(trace_path, index=False)
        written.append(trace_path)
    if result.experiment.spec.plot is not None:
        png = out / f"{name}.png"
        plot_experiment(result, png)
        written.append(png)
    return written
