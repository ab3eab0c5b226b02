"""``lesim sensitivity``: Morris screening or Sobol indices (SALib) over the declared
uncertain parameters of a sweep, with confidence intervals, and which assumptions would
change the ranking of the strategies.

* Morris (``SALib.analyze.morris``): μ* (mean absolute elementary effect) with its 95 %
  bootstrap CI, and σ (spread: interactions / non-linearity), per strategy and outcome.
* Sobol (``SALib.analyze.sobol``, no second order): first-order S1 and total ST with 95 % CIs.
* Ranking: for each parameter and outcome, the best strategy (mean over design points, in
  the outcome's better direction) in the lower and the upper half of the parameter's range;
  a parameter "changes the ranking" when the two differ.

Replicates of a design point are averaged before analysis.
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..outcomes import OUTCOME_BY_NAME
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
    ranking = ranking_changes(means, names, outcomes)
    return indices, ranking, experiment


def _expected_points(experiment: dict, problem: dict) -> int:
    d = experiment["design"]
    k = problem["num_vars"]
    return d["samples"] * (k + 1) if d["type"] == "morris" else d["samples"] * (k + 2)


def ranking_changes(means: pd.DataFrame, names: list[str], outcomes: list[str]) -> pd.DataFrame:
    """Best strategy in the lower vs upper half of each parameter's sampled range."""
    rows = []
    for o in outcomes:
        sign = {"higher": 1.0, "lower": -1.0}.get(OUTCOME_BY_NAME[o].better, 0.0)
        if sign == 0 or means["strategy"].nunique() < 2:
            continue
        for n in names:
            cut = means[n].median()
            best = {}
            for half, sel in (("low", means[n] <= cut), ("high", means[n] > cut)):
                m = means[sel].groupby("strategy")[o].mean() * sign
                best[half] = m.idxmax() if len(m) else None
            rows.append({"parameter": n, "outcome": o, "best_when_low": best["low"], "best_when_high": best["high"],
                         "changes_ranking": best["low"] != best["high"]})
    return pd.DataFrame(rows)


def _chart(indices: pd.DataFrame) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    combos = list(indices.groupby(["strategy", "outcome"]))
    cols = 2
    rows = (len(combos) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(12, 2.8 * rows + 0.5), constrained_layout=True, squeeze=False)
    for ax, ((s, o), g) in zip(axes.flat, combos):
        y = np.arange(len(g))
        if "mu_star" in g:
            ax.barh(y, g["mu_star"], xerr=g["mu_star_conf"], color="#1f5f8b", capsize=2)
            ax.set_xlabel("μ* (95 % CI)", fontsize=8)
        else:
            ax.barh(y - 0.2, g["S1"], 0.4, xerr=g["S1_conf"], label="S1", capsize=2)
            ax.barh(y + 0.2, g["ST"], 0.4, xerr=g["ST_conf"], label="ST", capsize=2)
            ax.legend(fontsize=7)
        ax.set_yticks(y, g["parameter"], fontsize=7)
        ax.set_title(f"{o} — {s}", fontsize=9)
    for ax in list(axes.flat)[len(combos):]:
        ax.axis("off")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80)
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def write_outputs(folder: Path, indices: pd.DataFrame, ranking: pd.DataFrame, experiment: dict) -> None:
    store.write_text(folder / "sensitivity.csv", indices.to_csv(index=False))
    store.write_text(folder / "ranking_sensitivity.csv", ranking.to_csv(index=False))
    changing = ranking[ranking["changes_ranking"]] if not ranking.empty else ranking
    body = (f"<h1>Sensitivity: {html.escape(str(experiment.get('name')))}</h1>"
            f"<p>{html.escape(indices['method'].iloc[0])} analysis over {indices['parameter'].nunique()} uncertain "
            "parameters (SALib), 95 % confidence intervals.</p>"
            "<h2>Assumptions that change the ranking of strategies</h2>"
            + (changing.to_html(index=False, border=0) if not changing.empty else "<p>None: the ranking holds across "
               "every parameter's range.</p>")
            + f"<h2>Indices</h2><img src='data:image/png;base64,{_chart(indices)}'>"
            + indices.to_html(index=False, float_format=lambda v: f"{v:.4g}", border=0))
    store.write_text(folder / "sensitivity.html",
                     "<!DOCTYPE html><html><head><meta charset='utf-8'><title>sensitivity</title><style>"
                     "body{font-family:system-ui,Arial,sans-serif;max-width:1200px;margin:2em auto}img{max-width:100%}"
                     "table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:2px 6px}"
                     f"</style></head><body>{body}</body></html>")


def sweep_folder_for(path: Path) -> Path | None:
    """The sweep folder of an experiment file (None if the path is already a folder)."""
    if path.is_dir():
        return None
    data = yaml.safe_load(path.read_text()) if path.is_file() else None
    return Path("results") / str((data or {}).get("name", path.stem)).replace(" ", "_")
