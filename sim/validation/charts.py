"""The chart of a March (1991) docking experiment, drawn as its file's ``plot:`` section says.

Used by :func:`sim.validation.experiments.write_outputs` (``lesim march --experiment``) and
by :mod:`sim.validation.report` (the figures of docs/validation.md); drawn and saved with
the shared report layer (:mod:`sim.reporting`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..reporting import pyplot, save_figure

if TYPE_CHECKING:  # the experiments module imports this one
    from .experiments import ExperimentResult


def _series_label(row: pd.Series, series) -> str:
    keys = [series] if isinstance(series, str) else list(series)
    return ", ".join(f"{k}={row[k]}" if k not in ("group", "label") else str(row[k]) for k in keys)


def plot_experiment(result: ExperimentResult, path: str | Path) -> Path:
    """Draw an experiment as its file's ``plot:`` says; error bars and bands are ±1.96 SE."""
    plt = pyplot()
    spec = result.experiment.spec
    plot = spec.plot
    if plot is None:
        raise ValueError(f"{spec.name}: the experiment file has no plot: section")
    path = Path(path)
    data = result.trace if spec.trace else result.table
    panels = [None] if plot.panels is None else sorted(data[plot.panels].unique())
    fig, axes = plt.subplots(1, len(panels), figsize=(6.4 * len(panels), 4.4), squeeze=False, sharey=True)
    for ax, panel in zip(axes[0], panels):
        sub = data if panel is None else data[data[plot.panels] == panel]
        if plot.series is None:
            groups = [("", sub)]
        else:
            keys = [plot.series] if isinstance(plot.series, str) else list(plot.series)
            groups = [(_series_label(g.iloc[0], plot.series), g) for _, g in sub.groupby(keys, sort=True)]
        for name, g in groups:
            g = g.sort_values(plot.x)
            x, y, se = g[plot.x].to_numpy(), g[plot.y].to_numpy(), g["se"].to_numpy()
            if spec.trace:
                ax.plot(x, y, label=name, lw=1.6)
                ax.fill_between(x, y - 1.96 * se, y + 1.96 * se, alpha=0.2)
            else:
                ax.errorbar(x, y, yerr=1.96 * se, marker="o", ms=3.5, capsize=2, lw=1.4, label=name)
        ax.set_xlabel(plot.x)
        if panel is not None:
            ax.set_title(f"{plot.panels} = {panel}", fontsize=10)
        ax.grid(alpha=0.3)
        if plot.series is not None:
            ax.legend(fontsize=8)
    axes[0][0].set_ylabel(plot.ylabel)
    reps = int(result.table["replications"].iloc[0])
    fig.suptitle(f"{spec.title}\n{spec.reference}; {reps:,} replications per point, ±1.96 SE", fontsize=10)
    fig.tight_layout()
    return save_figure(fig, path, dpi=110)
