"""``lesim sensitivity``: Morris screening or Sobol indices (SALib) over the declared
uncertain parameters of a sweep, with confidence intervals, and which assumptions would
change the ranking of the strategies.

* Morris (``SALib.analyze.morris``): μ* (mean absolute elementary effect) with its 95 %
  bootstrap CI, and σ (spread: interactions / non-linearity), per strategy and outcome.
* Sobol (``SALib.analyze.sobol``, no second order): first-order S1 and total ST with 95 % CIs.
* Ranking: for each outcome, the leading strategy is paired with each other strategy on the
  same design points; a parameter "changes the ranking" when it moves the leader's paired
  advantage significantly (95 % interval of the mean elementary effect, or of the slope)
  and, extrapolated to one end of its range, the advantage changes sign
  (:func:`ranking_changes`).

Replicates of a design point are averaged before analysis.

:func:`run_sensitivity` is the whole ``lesim sensitivity`` workflow (sweep an experiment
file if needed, analyse, write the outputs); :func:`top_parameters` and
:func:`changing_assumptions` are what the command prints.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import yaml

from ..outcomes import OUTCOME_BY_NAME
from ..reporting import figure_to_img, page, pyplot, table_html
from . import store
from .compare import CompareError, load_sweep
from .plan import COST_OUTCOME


def _problem(experiment: dict) -> dict:
    params = experiment.get("uncertainties", {}).get("parameters", {})
    return {"num_vars": len(params), "names": list(params), "bounds": [[p["low"], p["high"]] for p in params.values()]}


def analyse(folder: Path, outcomes: list[str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Sensitivity indices and ranking-change table for a sweep folder."""
    experiment, runs = load_sweep(folder)
    design = experiment.get("design", {})
    kind = design.get("type")
    if kind not in ("morris", "sobol"):
        raise CompareError(f"{folder}: sensitivity needs a morris or sobol design; this experiment's design is {kind!r}")
    problem = _problem(experiment)
    names = problem["names"]
    week = int(runs["week"].max())
    at = runs[runs["week"] == week]
    measured = [c for c in runs.columns if c in OUTCOME_BY_NAME and c != COST_OUTCOME]
    outcomes = outcomes or measured
    if not outcomes:
        raise CompareError(f"{folder}: no outcome to analyse; measure at least one outcome in the experiment")
    for o in outcomes:
        if o not in measured:
            raise CompareError(f"outcome {o!r} was not measured; measured: {', '.join(measured)}")
    means = at.groupby(["strategy", "uncertainty"], sort=True)[[*outcomes, *names]].mean().reset_index()
    rows = []
    for strategy, g in means.groupby("strategy"):
        g = g.sort_values("uncertainty")  # p000, p001, … = the sample order
        X = g[names].to_numpy(dtype=float)
        expected = _expected_points(experiment, problem)
        if len(g) != expected:
            raise CompareError(f"{folder}: strategy {strategy!r} has {len(g)} of {expected} design points stored; "
                               "finish the sweep first (run `lesim sweep` again to resume)")
        for o in outcomes:
            Y = g[o].to_numpy(dtype=float)
            if kind == "morris":
                from SALib.analyze import morris

                res = morris.analyze(problem, X, Y, conf_level=0.95, num_resamples=1000,
                                     num_levels=int(design.get("morris_levels", 4)), seed=int(design.get("seed", 0)))
                for i, n in enumerate(names):
                    rows.append({"strategy": strategy, "outcome": o, "parameter": n, "method": "morris",
                                 "mu_star": res["mu_star"][i], "mu_star_conf": res["mu_star_conf"][i],
                                 "sigma": res["sigma"][i]})
            else:
                from SALib.analyze import sobol

                res = sobol.analyze(problem, Y, calc_second_order=False, conf_level=0.95, num_resamples=1000,
                                    seed=int(design.get("seed", 0)))
                for i, n in enumerate(names):
                    rows.append({"strategy": strategy, "outcome": o, "parameter": n, "method": "sobol",
                                 "S1": res["S1"][i], "S1_conf": res["S1_conf"][i], "ST": res["ST"][i],
                                 "ST_conf": res["ST_conf"][i]})
    indices = pd.DataFrame(rows)
    ranking = ranking_changes(means, names, outcomes, kind, problem["bounds"])
    return indices, ranking, experiment


def _expected_points(experiment: dict, problem: dict) -> int:
    d = experiment["design"]
    k = problem["num_vars"]
    return d["samples"] * (k + 1) if d["type"] == "morris" else d["samples"] * (k + 2)


def _elementary_effects(X: np.ndarray, unit_lo: np.ndarray, unit_span: np.ndarray, y: np.ndarray) -> list[list[float]]:
    """Elementary effects of ``y`` per parameter from a Morris design (trajectories of k + 1
    points for k parameters, consecutive points differing in one), in units of the whole range."""
    k = X.shape[1]
    out: list[list[float]] = [[] for _ in range(k)]
    U = (X - unit_lo) / np.where(unit_span > 0, unit_span, 1.0)
    for start in range(0, len(X) - k, k + 1):
        for j in range(start, start + k):
            step = U[j + 1] - U[j]
            i = int(np.argmax(np.abs(step)))
            if step[i] != 0:
                out[i].append(float((y[j + 1] - y[j]) / step[i]))
    return out


def _slope(x: np.ndarray, y: np.ndarray, kind: str, ee: list[float] | None) -> tuple[float, float]:
    """Change of ``y`` across the whole range of one parameter and the half-width of its 95 %
    interval: the mean elementary effect (Morris) or the least-squares slope (other designs)."""
    from scipy import stats

    from ..economics import t_interval

    if kind == "morris":
        e = np.asarray(ee or [], dtype=float)
        if len(e) < 2:
            return float(e.mean()) if len(e) else 0.0, float("inf")
        mean, low, _ = t_interval(e)
        return mean, mean - low
    if np.ptp(x) == 0 or len(x) < 3:
        return 0.0, float("inf")
    res = stats.linregress(x, y)
    return float(res.slope), float(stats.t.ppf(0.975, len(x) - 2) * res.stderr)


def ranking_changes(means: pd.DataFrame, names: list[str], outcomes: list[str], kind: str = "sobol",
                    bounds: list[list[float]] | None = None) -> pd.DataFrame:
    """Which parameters change which strategy is best, with their evidence.

    For each outcome, the best strategy overall (mean over design points, in the outcome's
    better direction) is paired with each other strategy on the same design points (common
    random numbers): d = how much better the leader is. For each parameter, the change of d
    across the parameter's whole range is estimated — the mean elementary effect for a
    Morris design, the least-squares slope otherwise — with a 95 % interval. A parameter
    *changes the ranking* when that change is significant (its interval excludes 0) and d,
    extrapolated linearly to one end of the range, changes sign there: at that end the
    challenger is best. Differences within noise, or a parameter with no effect, never count.
    """
    rows = []
    strategies = sorted(means["strategy"].unique())
    k = len(names)
    lo = np.array([b[0] for b in bounds]) if bounds else means[names].min().to_numpy(dtype=float)
    span = (np.array([b[1] for b in bounds]) - lo) if bounds else means[names].max().to_numpy(dtype=float) - lo
    for o in outcomes:
        sign = {"higher": 1.0, "lower": -1.0}.get(OUTCOME_BY_NAME[o].better, 0.0)
        if sign == 0 or len(strategies) < 2:
            continue
        wide = means.pivot_table(index="uncertainty", columns="strategy", values=o).sort_index()
        X = means.drop_duplicates("uncertainty").set_index("uncertainty").loc[wide.index, names].to_numpy(dtype=float)
        leader = (wide.mean() * sign).idxmax()
        for challenger in [c for c in strategies if c != leader]:
            d = ((wide[leader] - wide[challenger]) * sign).to_numpy(dtype=float)
            ok = np.isfinite(d)
            ees = _elementary_effects(X, lo, span, np.nan_to_num(d)) if kind == "morris" else [None] * k
            for i, n in enumerate(names):
                x = (X[ok, i] - lo[i]) / (span[i] if span[i] > 0 else 1.0)
                change, half = _slope(x, d[ok], kind, ees[i])
                centre = float(d[ok].mean()) if ok.any() else float("nan")
                x_mean = float(x.mean()) if len(x) else 0.5
                at_low, at_high = centre - change * x_mean, centre + change * (1.0 - x_mean)
                significant = abs(change) > half
                flips = significant and (at_low < 0 or at_high < 0)
                rows.append({
                    "parameter": n, "outcome": o, "leader": leader, "challenger": challenger,
                    "lead": centre, "lead_change_over_range": change, "lead_change_ci": half,
                    "lead_at_low": at_low, "lead_at_high": at_high,
                    "best_when_low": challenger if flips and at_low < 0 else leader,
                    "best_when_high": challenger if flips and at_high < 0 else leader,
                    "changes_ranking": bool(flips)})
    return pd.DataFrame(rows)


def indices_figure(indices: pd.DataFrame, top: int = 15):
    """μ* (Morris) or S1 and ST (Sobol) with 95 % CIs, one panel per strategy and outcome,
    showing the ``top`` most influential parameters of each panel (all are in the table)."""
    plt = pyplot()
    key = "mu_star" if "mu_star" in indices else "ST"
    combos = list(indices.groupby(["strategy", "outcome"]))
    shown = min(top, max(len(g) for _, g in combos))
    cols = 2
    rows = (len(combos) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(12, (0.6 + 0.18 * shown) * rows + 0.5), constrained_layout=True,
                             squeeze=False)
    for ax, ((s, o), g) in zip(axes.flat, combos):
        n = len(g)
        g = g.sort_values(key).tail(top)  # largest at the top
        y = np.arange(len(g))
        if "mu_star" in g:
            ax.barh(y, g["mu_star"], xerr=g["mu_star_conf"], color="#1f5f8b", capsize=2)
            ax.set_xlabel("μ* (95 % CI)", fontsize=8)
        else:
            ax.barh(y - 0.2, g["S1"], 0.4, xerr=g["S1_conf"], label="S1", capsize=2)
            ax.barh(y + 0.2, g["ST"], 0.4, xerr=g["ST_conf"], label="ST", capsize=2)
            ax.legend(fontsize=7)
        ax.set_yticks(y, g["parameter"], fontsize=7)
        ax.set_title(f"{o} — {s}" + (f" (top {len(g)} of {n})" if len(g) < n else ""), fontsize=9)
    for ax in list(axes.flat)[len(combos):]:
        ax.axis("off")
    return fig


def write_outputs(folder: Path, indices: pd.DataFrame, ranking: pd.DataFrame, experiment: dict) -> None:
    """Write sensitivity.csv, ranking_sensitivity.csv and the one-file sensitivity.html."""
    store.write_text(folder / "sensitivity.csv", indices.to_csv(index=False))
    store.write_text(folder / "ranking_sensitivity.csv", ranking.to_csv(index=False))
    changing = changing_assumptions(ranking)
    parts = [f"<p>{html.escape(indices['method'].iloc[0])} analysis over {indices['parameter'].nunique()} uncertain "
             "parameters (SALib), 95 % confidence intervals.</p>",
             "<h2>Assumptions that change the ranking of strategies</h2>"
             + (table_html(changing) if not changing.empty else "<p>None: the ranking holds across "
                "every parameter's range.</p>"),
             "<h2>Indices</h2>" + figure_to_img(indices_figure(indices), "sensitivity indices", dpi=80),
             table_html(indices)]
    store.write_text(folder / "sensitivity.html", page(f"sensitivity: {experiment.get('name')}", parts,
                                                      heading=f"Sensitivity: {experiment.get('name')}"))


@dataclass
class SensitivityRun:
    """What :func:`run_sensitivity` did: the sweep folder and, unless the sweep was
    interrupted, the indices, the ranking table and the resolved experiment."""

    folder: Path
    indices: pd.DataFrame | None = None
    ranking: pd.DataFrame | None = None
    experiment: dict | None = None
    interrupted: bool = False


def run_sensitivity(target: Path, outcomes: list[str] | None = None, *, workers: int | None = None,
                    out: Path | None = None, on_sweep: Callable[[str, Path], None] | None = None) -> SensitivityRun:
    """Analyse a sweep folder, or an experiment file with a morris/sobol design (swept first
    into ``out`` or ``results/<experiment-name>/``, resuming what is stored), and write
    sensitivity.csv, ranking_sensitivity.csv and sensitivity.html into the folder.

    ``on_sweep(experiment name, folder)`` is called before a sweep starts. User mistakes
    raise :class:`~sim.loader.ScenarioError` or :class:`CompareError` (one line each).
    """
    folder = target
    if not target.is_dir():
        from ..loader import ScenarioError
        from .spec import load_experiment
        from .sweep import default_out, sweep

        exp = load_experiment(target)
        if exp.spec.design.type not in ("morris", "sobol"):
            raise ScenarioError(f"{target}: sensitivity needs a morris or sobol design; this experiment's design is "
                                f"{exp.spec.design.type!r}")
        unknown = [o for o in outcomes or [] if o not in exp.spec.measure.outcomes]
        if unknown:
            raise ScenarioError(f"--outcome {unknown[0]}: not measured by {target}; measured: "
                                f"{', '.join(exp.spec.measure.outcomes)}")
        folder = out if out is not None else default_out(exp)
        if on_sweep is not None:
            on_sweep(exp.spec.name, folder)
        if sweep(exp, folder, workers=workers).interrupted:
            return SensitivityRun(folder, interrupted=True)
    indices, ranking, experiment = analyse(folder, outcomes or None)
    try:
        write_outputs(folder, indices, ranking, experiment)
    except OSError as e:  # a full disk or a read-only folder
        raise CompareError(f"{folder}: cannot write the sensitivity results ({store.storage_reason(e)}); free space "
                           "or copy the folder elsewhere") from None
    return SensitivityRun(folder, indices, ranking, experiment)


def top_parameters(indices: pd.DataFrame, n: int = 3) -> list[str]:
    """One line per outcome and strategy: the ``n`` most influential parameters with their
    index (μ*, or ST for Sobol) ± its 95 % CI half-width."""
    key = "mu_star" if "mu_star" in indices else "ST"
    conf = f"{key}_conf"
    lines = []
    for (strategy, o), g in indices.groupby(["strategy", "outcome"]):
        top = g.sort_values(key, ascending=False).head(n)
        parts = ", ".join(f"{r.parameter} {getattr(r, key):.3g}±{getattr(r, conf):.2g}" for r in top.itertuples())
        lines.append(f"{o} / {strategy}: {parts}")
    return lines


def changing_assumptions(ranking: pd.DataFrame) -> pd.DataFrame:
    """The rows of the ranking table whose parameter changes which strategy is best."""
    return ranking[ranking["changes_ranking"]] if not ranking.empty else ranking


def sweep_folder_for(path: Path) -> Path | None:
    """The sweep folder of an experiment file (None if the path is already a folder)."""
    if path.is_dir():
        return None
    data = yaml.safe_load(path.read_text()) if path.is_file() else None
    return Path("results") / str((data or {}).get("name", path.stem)).replace(" ", "_")
