"""Matplotlib figures for the dashboard (rendered to PNG on the server: no extra JavaScript)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from ..outcomes import OUTCOME_BY_NAME  # noqa: E402

CHART_OUTCOMES = ("skills_gap", "mean_proficiency", "engagement", "turnover", "spend_per_employee", "roi")
NETWORK_MEASURES = {"proficiency": "mean proficiency (0–5)", "engagement": "engagement (0–1)",
                    "mindset": "growth mindset (0–1)"}
MAX_NETWORK_NODES = 250


def _light(ax) -> None:
    """Few ticks and small labels: text layout is most of a chart's drawing time."""
    ax.xaxis.set_major_locator(MaxNLocator(4))
    ax.yaxis.set_major_locator(MaxNLocator(4))
    ax.tick_params(labelsize=7)


def _label(name: str) -> str:
    o = OUTCOME_BY_NAME[name]
    return f"{o.label} ({o.unit})"


def headline_figure(ts: pd.DataFrame, reference: pd.DataFrame | None = None) -> Figure:
    fig = Figure(figsize=(10, 5.2))
    axes = fig.subplots(2, 3)
    fig.subplots_adjust(left=0.06, right=0.98, top=0.94, bottom=0.06, hspace=0.35, wspace=0.25)
    for ax, name in zip(axes.flat, CHART_OUTCOMES):
        x = ts["week"]
        ax.plot(x, ts[name], color="#1f5f8b", label="this strategy" if reference is not None else None)
        if reference is not None:
            ax.plot(reference["week"], reference[name], color="#c0504d", ls="--", label="reference")
        ax.set_title(_label(name), fontsize=9)
        _light(ax)
    if reference is not None:
        axes.flat[0].legend(fontsize=7)
    return fig


def difference_figure(diff: pd.DataFrame) -> Figure:
    fig = Figure(figsize=(10, 2.6))
    axes = fig.subplots(1, 3)
    fig.subplots_adjust(left=0.06, right=0.98, top=0.88, bottom=0.12, wspace=0.25)
    for ax, name in zip(axes, ("skills_gap", "engagement", "total_cost_per_employee")):
        ax.axhline(0, color="grey", lw=0.8)
        ax.plot(diff["week"], diff[name], color="#4f7f3f")
        ax.set_title(f"Δ {OUTCOME_BY_NAME[name].label} (strategy − reference)", fontsize=9)
        _light(ax)
    return fig


def department_figure(dep: pd.DataFrame, outcome: str = "skills_gap") -> Figure:
    fig = Figure(figsize=(5, 3.2))
    ax = fig.subplots()
    fig.subplots_adjust(left=0.12, right=0.97, top=0.9, bottom=0.1)
    for name, g in dep.groupby("department", sort=False):
        ax.plot(g["week"], g[outcome], label=name)
    ax.set_title(f"{_label(outcome)} by department", fontsize=9)
    ax.legend(fontsize=7)
    _light(ax)
    return fig


def skills_figure(names: list[str], gap: np.ndarray, week: int) -> Figure:
    fig = Figure(figsize=(5, 3.2))
    ax = fig.subplots()
    fig.subplots_adjust(left=0.3, right=0.97, top=0.9, bottom=0.1)
    ax.barh(range(len(names)), gap, color="#1f5f8b")
    ax.set_yticks(range(len(names)), names, fontsize=7)
    ax.set_title(f"Mean gap to requirement by skill, week {week} (levels)", fontsize=9)
    ax.tick_params(labelsize=7)
    return fig


def network_sample(model, limit: int = MAX_NETWORK_NODES) -> np.ndarray:
    """Whole teams, in team order, until ``limit`` positions: a readable, stable sample."""
    team = model.workforce.team
    order = np.argsort(team, kind="stable")
    return np.sort(order[:limit])


def network_figure(model, snap, measure: str, layout: dict[int, tuple[float, float]], rows: np.ndarray) -> Figure:
    """The sampled org network (ties are fixed between reorganisations) coloured by a
    measure taken from the snapshot."""
    wf = model.workforce
    values = snap.node_values[measure]
    pos = np.array([layout[int(r)] for r in rows])
    fig = Figure(figsize=(5, 4))
    ax = fig.subplots()
    fig.subplots_adjust(left=0.02, right=0.98, top=0.92, bottom=0.02)
    ties = model.ties
    inside = np.zeros(wf.n, dtype=bool)
    inside[rows] = True
    index = {int(r): i for i, r in enumerate(rows)}
    segs = []
    for r in rows:
        nbrs = ties.indices[ties.indptr[r]:ties.indptr[r + 1]]
        for nb in nbrs[inside[nbrs]]:
            if nb > r:
                segs.append((pos[index[int(r)]], pos[index[int(nb)]]))
    from matplotlib.collections import LineCollection

    ax.add_collection(LineCollection(segs, colors="#cccccc", linewidths=0.4))
    vmax = 5.0 if measure == "proficiency" else 1.0
    sc = ax.scatter(pos[:, 0], pos[:, 1], c=np.where(snap.occupied[rows], values[rows], np.nan), cmap="viridis",
                    vmin=0, vmax=vmax, s=14)
    fig.colorbar(sc, ax=ax, label=NETWORK_MEASURES[measure])
    shown = f"{len(rows)} of {wf.n:,} positions (whole teams)" if len(rows) < wf.n else f"all {wf.n} positions"
    ax.set_title(f"Org network: {shown}", fontsize=9)
    ax.set_axis_off()
    return fig


def network_layout(model, rows: np.ndarray) -> dict[int, tuple[float, float]]:
    """Seeded spring layout of the sampled positions (computed once per model)."""
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(int(r) for r in rows)
    ties = model.ties
    keep = set(int(r) for r in rows)
    for r in rows:
        for nb in ties.indices[ties.indptr[r]:ties.indptr[r + 1]]:
            if int(nb) in keep:
                g.add_edge(int(r), int(nb))
    return {k: (float(v[0]), float(v[1])) for k, v in nx.spring_layout(g, seed=1, iterations=40).items()}
