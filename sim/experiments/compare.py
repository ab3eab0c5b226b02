"""``lesim compare``: which strategy is better, by how much, how sure are we, what it costs.

Per strategy, uncertainty scenario and outcome (at one measured week, by default the last):

* mean, standard deviation and 95 % confidence interval of the mean (Student t,
  :func:`sim.economics.t_interval`, the interval the incremental economics use);
* the **paired difference** against the baseline strategy — replicates share seeds (common
  random numbers), so differences are taken replicate by replicate — with its 95 % CI and
  p-value (``scipy.stats.ttest_rel``), the standardised effect size d_z = mean / sd of the
  paired differences, and p-values adjusted for the many strategy × outcome comparisons
  with Benjamini–Hochberg (``scipy.stats.false_discovery_control``);
* the variance ratio var(paired differences) / (var(strategy) + var(baseline)): below 1,
  pairing on common random numbers made the comparison sharper than independent runs;
* rank by mean (1 = best, in the outcome's better direction) and the probability of being
  best, from a bootstrap over replicates (the same resampled replicates for every strategy,
  keeping the pairing);
* the difference in % of the baseline's level (``diff_pct``), what a reader compares;
  intervals of a share or a 0–1 index are clipped to [0, 1];
* cost-effectiveness: the outcome gain over the baseline per $1,000 of extra cumulative L&D
  spend per employee — only when that extra spend is real (its paired interval excludes 0)
  and the outcome is not money itself — and whether the strategy is on the cost–benefit
  Pareto front;
* robustness across uncertainty scenarios: worst-case mean and maximum regret (how far the
  strategy falls short of the best strategy of each scenario, at worst);
* **incremental economics** against the baseline (:mod:`sim.economics`): from the cumulative
  discounted value of output and total cost each run stores, per replicate pair ΔB, ΔC,
  NPV, ROI (not defined when ΔC ≤ 0) and the payback week (resolved to the measured weeks);
  rows ``incremental_benefit``, ``incremental_cost``, ``incremental_npv``,
  ``incremental_roi`` and ``payback_week`` of the same table (mean and 95 % t interval over
  the paired replicates; for the payback week, the median and the range), with the
  valuation assumptions of the base scenario beside them in the HTML report.

A "pooled" row set pairs runs across all uncertainty points (for sampled designs the only
one). Rows where there are fewer than 10 replicates carry a note that the CI is unreliable.

The table is comparison.csv. What a planner reads is the decision brief built from it
(:mod:`sim.experiments.brief`), the first screen of comparison.html and what ``lesim
compare`` prints; the tables follow in comparison.html as appendices, with labels, units and
significant figures.
"""

from __future__ import annotations

import html
import json
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from .. import economics
from .brief import BOOTSTRAP, FEW_REPLICATES, POOLED, Brief, fmt_prob, no_failure_text, strategy_label
from ..loader import ScenarioError, read_text
from ..outcomes import OUTCOME_BY_NAME
from ..reporting import (figure_to_img, fmt_diff, fmt_interval, fmt_value, is_money, is_share, outcome_label, page, pyplot,
                         unit_of)
from . import store
from .plan import COST_OUTCOME

FACTORS = ("run_key", "experiment", "strategy", "uncertainty", "replicate", "seed", "week")


class CompareError(Exception):
    """A user mistake (no sweep here, unknown baseline …): shown as one line, exit 2."""


def load_sweep(folder: Path) -> tuple[dict, pd.DataFrame]:
    """The resolved experiment and the stored runs of its current plan."""
    exp_file = folder / "experiment.yaml"
    if not exp_file.is_file():
        raise CompareError(f"{folder}: no experiment.yaml; is this a folder written by `lesim sweep`?")
    import yaml

    try:
        experiment = yaml.safe_load(read_text(exp_file))  # bounded, a regular file only
    except ScenarioError as e:
        raise CompareError(str(e)) from None
    except yaml.YAMLError as e:
        raise CompareError(f"{exp_file}: not readable YAML ({type(e).__name__}); rerun `lesim sweep`") from None
    if not isinstance(experiment, dict):
        raise CompareError(f"{exp_file}: not a sweep's experiment file; rerun `lesim sweep`")
    damage = _damaged(experiment)
    if damage:
        raise CompareError(f"{exp_file}: {damage}: damaged; rerun `lesim sweep` to rewrite it")
    keys_file = folder / "plan.keys"
    try:
        keys = set(keys_file.read_text(encoding="ascii").split()) if keys_file.is_file() else None
    except (OSError, UnicodeDecodeError) as e:
        raise CompareError(f"{keys_file}: cannot be read ({type(e).__name__}); rerun `lesim sweep` to rewrite it") from None
    if keys is not None and not all(re.fullmatch(r"[0-9a-f]{32}", k) for k in keys):
        raise CompareError(f"{keys_file}: damaged (not a list of run keys); rerun `lesim sweep` to rewrite it")
    try:
        runs = store.read_runs(folder, keys)
    except store.DamagedRuns as e:
        raise CompareError(str(e)) from None
    except Exception as e:  # a damaged Parquet file (e.g. written by hand or truncated on disk)
        raise CompareError(f"{folder}/runs: cannot read the stored runs ({type(e).__name__}: {e}); "
                           "delete the damaged file and rerun `lesim sweep`") from None
    if runs.empty:
        raise CompareError(f"{folder}: no stored runs yet; run `lesim sweep` first")
    return experiment, runs


def _damaged(experiment: dict) -> str | None:
    """The first field of a stored experiment.yaml that does not have the shape the
    comparison and sensitivity read (a damaged file can still parse as YAML)."""
    def number(x) -> bool:
        return isinstance(x, (int, float)) and not isinstance(x, bool)

    shapes = {"name": str, "baseline": str, "description": str, "design": dict, "uncertainties": dict, "valuation": list,
              "budget": dict}
    for key, kind in shapes.items():
        if key in experiment and experiment[key] is not None and not isinstance(experiment[key], kind):
            return key
    design = experiment.get("design") or {}
    for key in ("seed", "samples"):
        if key in design and not (isinstance(design[key], int) and not isinstance(design[key], bool)):
            return f"design.{key}"
    if "type" in design and not isinstance(design["type"], str):
        return "design.type"
    params = (experiment.get("uncertainties") or {}).get("parameters", {})
    if not isinstance(params, dict) or not all(isinstance(r, dict) and number(r.get("low")) and number(r.get("high"))
                                               for r in params.values()):
        return "uncertainties.parameters"
    budget = experiment.get("budget") or {}
    if "annual_budget_per_employee" in budget and not number(budget["annual_budget_per_employee"]):
        return "budget.annual_budget_per_employee"
    if not all(isinstance(a, dict) and isinstance(a.get("path"), str) and number(a.get("value"))
               and isinstance(a.get("unit"), str) for a in experiment.get("valuation") or []):
        return "valuation"
    return None


def _better_sign(outcome: str) -> float:
    o = OUTCOME_BY_NAME.get(outcome)
    return {"higher": 1.0, "lower": -1.0}.get(o.better if o else "neither", 0.0)


def _paired(x: np.ndarray, b: np.ndarray) -> dict:
    d = x - b
    out = {"diff": float(np.mean(d)), "diff_low": np.nan, "diff_high": np.nan, "p": np.nan, "effect_size": np.nan,
           "variance_ratio": np.nan}
    if len(d) < 2:
        return out
    sd = float(np.std(d, ddof=1))
    if sd == 0:
        out.update(diff_low=out["diff"], diff_high=out["diff"], p=1.0 if out["diff"] == 0 else 0.0,
                   effect_size=0.0 if out["diff"] == 0 else np.inf * np.sign(out["diff"]))
    else:
        res = stats.ttest_rel(x, b)
        ci = res.confidence_interval(0.95)
        out.update(diff_low=float(ci.low), diff_high=float(ci.high), p=float(res.pvalue), effect_size=out["diff"] / sd)
    unpaired = float(np.var(x, ddof=1) + np.var(b, ddof=1))
    out["variance_ratio"] = float(np.var(d, ddof=1)) / unpaired if unpaired > 0 else np.nan
    return out


def _matrix(frame: pd.DataFrame, outcome: str, strategies: list[str]) -> np.ndarray:
    """Replicates × strategies matrix of an outcome, rows paired (same uncertainty and replicate)."""
    wide = frame.pivot_table(index=["uncertainty", "replicate"], columns="strategy", values=outcome, aggfunc="first")
    wide = wide.dropna(subset=[s for s in strategies if s in wide.columns])
    return wide.reindex(columns=strategies).to_numpy(dtype=float)


def _prob_best(mat: np.ndarray, sign: float, rng: np.random.Generator) -> np.ndarray:
    n = mat.shape[0]
    if sign == 0 or n == 0:
        return np.full(mat.shape[1], np.nan)
    idx = rng.integers(0, n, size=(BOOTSTRAP, n))
    means = mat[idx].mean(axis=1) * sign  # BOOTSTRAP × strategies
    means = np.where(np.isnan(means), -np.inf, means)
    top = means >= means.max(axis=1, keepdims=True)  # ties share the win
    return (top / top.sum(axis=1, keepdims=True)).mean(axis=0)


def compare_frame(runs: pd.DataFrame, baseline: str, outcomes: list[str] | None = None, week: int | None = None,
                  seed: int = 0) -> pd.DataFrame:
    """The comparison table (one row per strategy × uncertainty × outcome)."""
    if baseline not in set(runs["strategy"]):
        raise CompareError(f"baseline strategy {baseline!r} has no runs; strategies: {', '.join(sorted(set(runs['strategy'])))}")
    week = int(runs["week"].max()) if week is None else week
    if week not in set(runs["week"]):
        raise CompareError(f"week {week} was not measured; measured weeks: {sorted(set(runs['week']))}")
    at = runs[runs["week"] == week]
    measured = [c for c in runs.columns if c in OUTCOME_BY_NAME]
    outcomes = outcomes or [c for c in measured if c != COST_OUTCOME] + ([COST_OUTCOME] if COST_OUTCOME in measured else [])
    for o in outcomes:
        if o not in measured:
            raise CompareError(f"outcome {o!r} was not measured; measured: {', '.join(measured)}")
    strategies = [baseline] + sorted(set(at["strategy"]) - {baseline})
    uncertainties = list(dict.fromkeys(at["uncertainty"]))
    groups = [(u, at[at["uncertainty"] == u]) for u in uncertainties] if len(uncertainties) <= 12 else []
    groups.append((POOLED, at))
    rng = np.random.default_rng(seed)
    rows = []
    for u, frame in groups:
        cost = _matrix(frame, COST_OUTCOME, strategies) if COST_OUTCOME in measured else None
        for o in outcomes:
            mat = _matrix(frame, o, strategies)
            sign = _better_sign(o)
            pbest = _prob_best(mat, sign, rng)
            means = np.nanmean(mat, axis=0) if len(mat) else np.full(len(strategies), np.nan)
            order = (-means * sign).argsort(kind="stable") if sign else None
            ranks = np.empty(len(strategies)) if sign else np.full(len(strategies), np.nan)
            if sign:
                ranks[order] = np.arange(1, len(strategies) + 1)
            for j, s in enumerate(strategies):
                x = mat[:, j]
                _, lo, hi = economics.t_interval(x)
                row = {"strategy": s, "uncertainty": u, "outcome": o, "week": week, "n": int(len(x)),
                       "mean": float(np.mean(x)) if len(x) else np.nan,
                       "sd": float(np.std(x, ddof=1)) if len(x) > 1 else np.nan, "ci_low": lo, "ci_high": hi,
                       "rank": ranks[j], "prob_best": pbest[j]}
                if s == baseline:
                    row.update(diff=0.0, diff_low=0.0, diff_high=0.0, p=np.nan, effect_size=0.0, variance_ratio=np.nan)
                else:
                    row.update(_paired(x, mat[:, 0]))
                base_mean = float(np.mean(mat[:, 0])) if len(mat) else np.nan
                row["diff_pct"] = (100 * row["diff"] / abs(base_mean) if base_mean == base_mean and base_mean != 0
                                   else np.nan)
                if is_share(o):  # a share or a 0–1 index: its interval never leaves [0, 1]
                    row["ci_low"], row["ci_high"] = max(row["ci_low"], 0.0), min(row["ci_high"], 1.0)
                if cost is not None and s != baseline:
                    extra, extra_lo, extra_hi = economics.t_interval(cost[:, j] - cost[:, 0])
                    gain = sign * row["diff"]
                    row["extra_cost_per_employee"] = extra
                    # per $1,000 only when the extra cost is real (its interval excludes 0) and the
                    # outcome is not money itself
                    real = extra > 0 and not (extra_lo == extra_lo and extra_lo <= 0)
                    row["gain_per_1000_usd"] = gain / extra * 1000 if real and not is_money(o) else np.nan
                else:
                    row["extra_cost_per_employee"] = 0.0 if s == baseline else np.nan
                    row["gain_per_1000_usd"] = np.nan
                row["note"] = (f"only {len(x)} replicates: CI unreliable" if len(x) < FEW_REPLICATES else "")
                rows.append(row)
    table = pd.DataFrame(rows)
    # Benjamini–Hochberg across the strategy × outcome comparisons of each uncertainty group
    table["p_adj"] = np.nan
    for u, idx in table.groupby("uncertainty").groups.items():
        sub = table.loc[idx, "p"]
        ok = sub.notna()
        if ok.any():
            table.loc[sub[ok].index, "p_adj"] = stats.false_discovery_control(sub[ok].to_numpy(), method="bh")
    table["pareto"] = _pareto(table)
    table = _robustness(table)
    cols = ["strategy", "uncertainty", "outcome", "week", "n", "mean", "sd", "ci_low", "ci_high", "diff", "diff_low",
            "diff_high", "diff_pct", "effect_size", "p", "p_adj", "variance_ratio", "rank", "prob_best", "extra_cost_per_employee",
            "gain_per_1000_usd", "pareto", "worst_case", "max_regret", "note"]
    return table[cols]


ECONOMICS = ("incremental_benefit", "incremental_cost", "incremental_npv", "incremental_roi", "payback_week")
ECONOMICS_LABELS = {"incremental_benefit": "Δ benefit (PV, $)", "incremental_cost": "Δ cost (PV, $)",
                    "incremental_npv": "NPV (PV, $)", "incremental_roi": "ROI ((ΔB − ΔC) / ΔC)",
                    "payback_week": "payback week"}


def economics_frame(runs: pd.DataFrame, baseline: str, week: int | None = None) -> pd.DataFrame:
    """Incremental economics of each strategy against ``baseline`` at ``week`` (default the
    last measured): rows as in :data:`ECONOMICS`, per uncertainty scenario and pooled. Empty
    when the runs do not store :data:`sim.economics.PV_COLUMNS` (a sweep of an older model)."""
    if not set(economics.PV_COLUMNS) <= set(runs.columns) or runs[list(economics.PV_COLUMNS)].isna().all().all():
        return pd.DataFrame()
    week = int(runs["week"].max()) if week is None else week
    upto = runs[runs["week"] <= week]
    strategies = sorted(set(upto["strategy"]) - {baseline})
    uncertainties = list(dict.fromkeys(upto["uncertainty"]))
    groups = [(u, upto[upto["uncertainty"] == u]) for u in uncertainties] if len(uncertainties) <= 12 else []
    groups.append((POOLED, upto))
    rows = []
    for u, frame in groups:
        arms = {k: g[["week", *economics.PV_COLUMNS]] for k, g in frame.groupby(["strategy", "uncertainty", "replicate"])}
        for s in strategies:
            seeds = [economics.paired(arms[(s, uu, rep)], arms[(baseline, uu, rep)], rep)
                     for (st, uu, rep) in arms if st == s and (baseline, uu, rep) in arms]
            if not seeds:
                continue
            summ = economics.summarise(seeds)
            n = summ["n"]
            few = f"only {n} replicates: CI unreliable" if n < FEW_REPLICATES else ""
            base = {"strategy": s, "uncertainty": u, "week": week, "n": n}
            for name, key in (("incremental_benefit", "delta_benefit"), ("incremental_cost", "delta_cost"),
                              ("incremental_npv", "npv")):
                vals = [getattr(x, key) for x in seeds]
                rows.append({**base, "outcome": name, "mean": summ[key]["mean"], "sd": _sd(vals),
                             "ci_low": summ[key]["low"], "ci_high": summ[key]["high"], "note": few})
            roi = summ["roi"]
            rows.append({**base, "outcome": "incremental_roi", "mean": roi["mean"],
                         "sd": _sd([x.roi for x in seeds]) if roi["status"] == "defined" else np.nan,
                         "ci_low": roi["low"], "ci_high": roi["high"],
                         "note": "; ".join(t for t in (few, "" if roi["status"] == "defined" else roi["status"]) if t)})
            pb = summ["payback_week"]
            rows.append({**base, "outcome": "payback_week", "mean": pb["median"], "sd": np.nan, "ci_low": pb["min"],
                         "ci_high": pb["max"],
                         "note": "median and range over replicates, at measured weeks"
                                 + (f"; not within horizon in {pb['not_within_horizon']} of {n}"
                                    if pb["not_within_horizon"] else "")})
    return pd.DataFrame(rows).astype({"mean": float, "ci_low": float, "ci_high": float}) if rows else pd.DataFrame()


def _sd(values) -> float:
    return float(np.std(values, ddof=1)) if len(values) > 1 else np.nan


def _pareto(table: pd.DataFrame) -> pd.Series:
    """On the cost–benefit front: no other strategy is at least as good on the outcome and
    at least as cheap, and strictly better on one (per uncertainty group and outcome)."""
    out = pd.Series(False, index=table.index)
    costs = table[table["outcome"] == COST_OUTCOME].set_index(["uncertainty", "strategy"])["mean"]
    if costs.empty:
        return out
    for (u, o), g in table.groupby(["uncertainty", "outcome"]):
        sign = _better_sign(o)
        if sign == 0 or o == COST_OUTCOME:
            continue
        ben = (g["mean"] * sign).to_numpy()
        cst = np.array([costs.get((u, s), np.nan) for s in g["strategy"]])
        for i, ix in enumerate(g.index):
            dominated = ((ben >= ben[i]) & (cst <= cst[i]) & ((ben > ben[i]) | (cst < cst[i]))).any()
            out[ix] = not dominated and np.isfinite(ben[i]) and np.isfinite(cst[i])
    return out


def _robustness(table: pd.DataFrame) -> pd.DataFrame:
    """Worst case and maximum regret of each strategy and outcome across uncertainty scenarios."""
    table["worst_case"] = np.nan
    table["max_regret"] = np.nan
    per = table[table["uncertainty"] != POOLED]
    for o, g in per.groupby("outcome"):
        sign = _better_sign(o)
        if sign == 0:
            continue
        best = g.groupby("uncertainty")["mean"].transform(lambda m: (m * sign).max())
        regret = best - g["mean"] * sign
        for s, gs in g.groupby("strategy"):
            worst = (gs["mean"] * sign).min() * sign
            mreg = regret[gs.index].max()
            mask = (table["outcome"] == o) & (table["strategy"] == s)
            table.loc[mask, "worst_case"] = worst
            table.loc[mask, "max_regret"] = mreg
    return table


# ---------------------------------------------------------------------------- charts, HTML
def chart_label(strategy: str) -> str:
    """A strategy's label on a chart: a user's "$" is text, never matplotlib's math mode."""
    return strategy_label(strategy).replace("$", r"\$")


def trajectory_figure(runs: pd.DataFrame, outcomes: list[str], uncertainty: str):
    """Mean and 95 % CI of each outcome over the weeks, one line per strategy (a matplotlib figure)."""
    plt = pyplot()
    frame = runs if uncertainty == POOLED else runs[runs["uncertainty"] == uncertainty]
    cols = 2
    rows_n = (len(outcomes) + cols - 1) // cols
    fig, axes = plt.subplots(rows_n, cols, figsize=(12, 3.2 * rows_n), constrained_layout=True, squeeze=False)
    for ax, o in zip(axes.flat, outcomes):
        for s, g in frame.groupby("strategy"):
            agg = g.groupby("week")[o].agg(["mean", "std", "count"])
            half = stats.t.ppf(0.975, np.maximum(agg["count"] - 1, 1)) * agg["std"] / np.sqrt(agg["count"])
            ax.plot(agg.index, agg["mean"], label=chart_label(s))
            ax.fill_between(agg.index, agg["mean"] - half.fillna(0), agg["mean"] + half.fillna(0), alpha=0.15)
        label = OUTCOME_BY_NAME[o].label if o in OUTCOME_BY_NAME else o
        ax.set_title(f"{label} — mean and 95 % CI", fontsize=10)
        ax.set_xlabel("week", fontsize=8)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(outcomes):]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7)
    return fig


KEY_OUTCOMES = ("skills_gap", "engagement", "turnover", "fully_proficient", "productivity")
COLOURS = {"recommended": "#1f5f8b", "other": "#7a7a7a", "baseline": "#b0b0b0"}


def _key_outcomes(table: pd.DataFrame, n: int = 3) -> list[str]:
    """The outcomes the forest plot shows beside the criterion: the headline ones measured."""
    measured = [o for o in dict.fromkeys(table["outcome"]) if o in OUTCOME_BY_NAME and _better_sign(o)
                and o not in (COST_OUTCOME, "roi") and not is_money(o)]
    return ([o for o in KEY_OUTCOMES if o in measured] + [o for o in measured if o not in KEY_OUTCOMES])[:n]


def forest_figure(brief, table: pd.DataFrame, outcomes: list[str]):
    """Paired differences from the baseline with 95 % intervals in the first future: the
    criterion and the key outcomes, one panel each, strategies in the brief's order (the
    recommendation first, in blue); a hollow marker's interval includes zero."""
    plt = pyplot()
    from matplotlib.ticker import MaxNLocator

    first = brief.futures[0]
    opts = [o for o in brief.options if o.strategy != brief.baseline]
    panels = [brief.criterion] + [o for o in outcomes if o != brief.criterion]
    fig, axes = plt.subplots(1, len(panels), figsize=(3.4 * len(panels) + 1.6, 0.42 * len(opts) + 1.6),
                             constrained_layout=True, squeeze=False, sharey=True)
    y = np.arange(len(opts))[::-1]
    for k, (ax, o) in enumerate(zip(axes.flat, panels)):
        scale, unit = 1.0, unit_of(o)
        if o == brief.criterion and o == "incremental_npv":
            vals = [opt.by_future[first] for opt in opts]
            scale, unit = 1e6, "$ million (PV)"
        else:
            sub = table[(table["uncertainty"] == first) & (table["outcome"] == o)].set_index("strategy")
            vals = [tuple(sub.loc[opt.strategy, ["diff", "diff_low", "diff_high"]]) if opt.strategy in sub.index
                    else (np.nan, np.nan, np.nan) for opt in opts]
            if unit == "share":
                scale, unit = 0.01, "percentage points"
        for yi, opt, (m, lo, hi) in zip(y, opts, vals):
            colour = COLOURS["recommended"] if opt.strategy == brief.recommended else COLOURS["other"]
            sig_ = lo == lo and (lo > 0 or hi < 0)
            if lo == lo:
                ax.plot([lo / scale, hi / scale], [yi, yi], color=colour, lw=2)
            ax.plot([m / scale], [yi], "o", color=colour, markerfacecolor=colour if sig_ else "white", markersize=7)
        ax.axvline(0, color="#444", lw=1)
        ax.xaxis.set_major_locator(MaxNLocator(4))
        better = OUTCOME_BY_NAME[o].better if o in OUTCOME_BY_NAME else "higher"
        ax.set_title(f"{outcome_label(o)}\n({unit}; {better} is better)", fontsize=10)
        ax.tick_params(labelsize=9)
        ax.grid(axis="x", alpha=0.3)
        if k == 0:
            ax.set_yticks(y, [chart_label(opt.strategy) for opt in opts], fontsize=10)
    where = brief.first_label.replace("$", r"\$")
    fig.suptitle(f"Difference from {chart_label(brief.baseline)} ({where}; mean and 95 % interval; "
                 "hollow: interval includes 0)", fontsize=10)
    return fig


def cost_benefit_figure(brief):
    """The criterion (first future, mean and 95 % interval) against direct L&D spend per
    employee-year, with today's budget as a vertical line; points numbered, names in the
    legend (no overlapping labels)."""
    plt = pyplot()
    first = brief.futures[0]
    npv = brief.criterion == "incremental_npv"
    scale = 1e6 if npv else 1.0
    fig, ax = plt.subplots(figsize=(9, 4.6), constrained_layout=True)
    for i, opt in enumerate(brief.options, start=1):
        if opt.annual_spend is None:
            continue
        m, lo, hi = brief.shown(opt.by_future[first])
        colour = COLOURS["recommended"] if opt.strategy == brief.recommended else (
            COLOURS["baseline"] if opt.strategy == brief.baseline else COLOURS["other"])
        if lo == lo:
            ax.plot([opt.annual_spend] * 2, [lo / scale, hi / scale], color=colour, lw=2)
        ax.plot([opt.annual_spend], [m / scale], "o", color=colour, markersize=16,
                label=f"{i}  {chart_label(opt.strategy)}")
        ax.annotate(str(i), (opt.annual_spend, m / scale), ha="center", va="center", color="white", fontsize=8,
                    fontweight="bold")
    today = brief.option(brief.baseline).budget
    if today:
        ax.axvline(today, color="#a33", ls="--", lw=1)
        ax.annotate(f"today's budget {economics.money(today)}", (today, 1.0), xycoords=("data", "axes fraction"),
                    xytext=(4, -12), textcoords="offset points", color="#a33", fontsize=9)
    ax.axhline(0, color="#444", lw=1)
    ax.set_xlabel("direct L&D spend per employee-year ($, mean over the horizon)", fontsize=10)
    ax.set_ylabel("incremental NPV ($ million, PV)" if npv else f"Δ {outcome_label(brief.criterion)}", fontsize=10)
    where = brief.first_label.replace("$", r"\$")
    ax.set_title(f"What each strategy costs and what it pays back ({where})", fontsize=11)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False, markerscale=0.5)
    return fig


BRIEF_CSS = """<style>
.brief{border:2px solid #1f5f8b;border-radius:6px;padding:0.6em 1.2em;margin:1em 0;background:#f7fafd}
.rec{font-size:1.25em;font-weight:600;color:#123}
.brief li{margin:0.25em 0}.brief h3{margin:0.8em 0 0.2em}
table.sortable th{cursor:pointer}table.sortable th:focus{outline:2px solid #1f5f8b}
td.best{font-weight:700}small{color:#555}
.chart{break-inside:avoid}
@media print{@page{size:A4;margin:1cm}body{max-width:none;margin:0;font-size:11px}td,th{font-size:10px}
.appendix td,.appendix th{font-size:8px;padding:1px 3px}.appendix h3{margin:0.4em 0 0}
.appendix.first{break-before:page}img{max-height:11cm}.brief{break-inside:avoid}table{break-inside:avoid}}
</style>"""

SORT_JS = """<script>
document.querySelectorAll('table.sortable').forEach(function(t){
  t.querySelectorAll('thead th').forEach(function(th,i){
    th.tabIndex=0;th.title='sort by this column';
    function go(){var b=t.tBodies[0],r=Array.from(b.rows),up=th.dataset.up!=='1';th.dataset.up=up?'1':'0';
      r.sort(function(a,c){var x=a.cells[i].dataset.v,y=c.cells[i].dataset.v;
        var d=(x!==undefined&&y!==undefined)?parseFloat(x)-parseFloat(y):a.cells[i].textContent.localeCompare(c.cells[i].textContent);
        return up?d:-d;});r.forEach(function(x){b.appendChild(x);});}
    th.addEventListener('click',go);th.addEventListener('keydown',function(e){if(e.key==='Enter'||e.key===' '){e.preventDefault();go();}});
  });
});
</script>"""


def _cell(text: str, value: float | None = None, cls: str = "") -> str:
    v = f' data-v="{value:.12g}"' if value is not None and value == value else ""
    c = f' class="{cls}"' if cls else ""
    return f"<td{c}{v}>{text}</td>"


def options_table(brief) -> tuple[list[str], list[list[tuple[str, float | None, bool]]]]:
    """The brief's options table: the header, and per option its cells as (text, value to sort
    by, best in its column)."""
    npv = brief.criterion == "incremental_npv"
    crit = "Incremental NPV (PV)" if npv else f"Δ {outcome_label(brief.criterion)}"
    head = ["Strategy", *(f"{crit}: {'pooled' if u == POOLED else u}" for u in brief.futures), "Worst-case shortfall",
            brief.probability_label, "L&D spend per employee-year", "Budget per employee-year"]
    best = {u: max(o.by_future[u][0] for o in brief.options) for u in brief.futures}
    rows = []
    for o in brief.options:
        cells = [(strategy_label(o.strategy) + (" ★" if o.strategy == brief.recommended else ""), None, False)]
        for u in brief.futures:
            m, lo, hi = brief.shown(o.by_future[u])
            text = "–" if o.strategy == brief.baseline else criterion_text(brief.criterion, m, lo, hi)
            cells.append((text, m, o.by_future[u][0] >= best[u]))
        cells += [(shortfall_text(brief.criterion, o.max_regret), o.max_regret, False),
                  (fmt_prob(o.p_best), o.p_best, False),
                  (economics.money(o.annual_spend), o.annual_spend, False),
                  (economics.money(o.budget), o.budget, False)]
        rows.append(cells)
    return head, rows


def brief_record(brief) -> dict:
    """The brief as plain text parts (``brief.json``): what the dashboard's sweep viewer shows."""
    head, table = options_table(brief)
    return {"question": brief.question, "headline": brief.headline, "certainty": brief.certainty,
            "cost": brief.cost, "valuation": brief.valuation,
            "fails": list(brief.fails) or [no_failure_text(brief)], "tradeoffs": list(brief.tradeoffs),
            "caveats": list(brief.caveats), "options_head": head,
            "options": [[text for text, _v, _b in row] for row in table],
            "best": [[bool(b) for _t, _v, b in row] for row in table]}


def brief_html(brief) -> str:
    """The first screen: the question, the recommendation, how sure, what it costs, where it
    fails, what it gives up, the caveats, and the options table."""
    esc = html.escape
    li = lambda items: "<ul>" + "".join(f"<li>{esc(x)}</li>" for x in items) + "</ul>"  # noqa: E731
    parts = ['<section class="brief" aria-label="decision brief">', "<h2>Decision brief</h2>",
             f"<p><b>Question.</b> {esc(brief.question)}</p>",
             f'<p class="rec">{esc(brief.headline)}</p>',
             f"<p><b>How sure.</b> {esc(brief.certainty)}</p>",
             f"<p><b>At what cost.</b> {esc(brief.cost)}</p>",
             f"<p class=muted>NPV and ROI rest on: {esc(brief.valuation)} (Appendix B).</p>" if brief.valuation else "",
             "<h3>Where the recommendation fails</h3>"]
    parts.append(li(brief.fails) if brief.fails else f"<p>{esc(no_failure_text(brief))}</p>")
    if brief.tradeoffs:
        parts.append("<h3>What it gives up</h3>" + li(brief.tradeoffs))
    if brief.caveats:
        parts.append("<h3>Caveats</h3>" + li(brief.caveats))
    parts.append("</section>")
    head, table = options_table(brief)
    rows = ["<tr>" + "".join(_cell(esc(text), value, ("n best" if bold else "n") if i else "")
                             for i, (text, value, bold) in enumerate(row)) + "</tr>" for row in table]
    parts.append(f"<p class=muted>★ recommended. Each future: mean [95 % interval] over {brief.replicates} or more "
                 "paired replicates against the baseline, best in bold; worst-case shortfall = the most it falls "
                 "behind the best option in any future (the recommendation minimises it); P(chosen) = how often the "
                 "rule picks it when the replicates are resampled; click a column to sort.</p>"
                 + _table(head, rows))
    return "".join(parts)


def criterion_text(criterion: str, m: float, lo: float, hi: float) -> str:
    """A criterion value with its interval: money for the NPV, else the outcome's difference."""
    if criterion == "incremental_npv":
        return economics.money(m) + ("" if lo != lo else f" [{economics.money(lo)}, {economics.money(hi)}]")
    return fmt_interval(criterion, m, lo, hi)


def shortfall_text(criterion: str, v: float) -> str:
    """How far an option falls behind the best, in the criterion's unit (shares in pp)."""
    if v != v:
        return "–"
    if v <= 0:
        return "none"
    return economics.money(v) if criterion == "incremental_npv" else fmt_diff(criterion, v).lstrip("+")


def _table(head: list[str], rows: list[str]) -> str:
    return ('<table class="sortable"><thead><tr>' + "".join(f"<th>{html.escape(h)}</th>" for h in head)
            + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def outcomes_appendix(table: pd.DataFrame, brief) -> str:
    """Per future, strategies × outcomes: the level, and the paired difference from the
    baseline [95 % interval] in the outcome's unit and in % of the baseline's level."""
    order = [o.strategy for o in brief.options]
    outcomes = [o for o in dict.fromkeys(table["outcome"]) if o in OUTCOME_BY_NAME]
    parts = []
    for u in dict.fromkeys(table["uncertainty"]):
        sub = table[table["uncertainty"] == u]
        n = int(sub["n"].min())
        head = ["Strategy", *(f"{outcome_label(o)} ({unit_of(o)})" for o in outcomes)]
        rows = []
        for s in order:
            cells = [_cell(html.escape(strategy_label(s)))]
            for o in outcomes:
                r = sub[(sub["strategy"] == s) & (sub["outcome"] == o)]
                if r.empty:
                    cells.append(_cell("–"))
                    continue
                r = r.iloc[0]
                text = html.escape(fmt_value(o, r["mean"]))
                if s != brief.baseline:
                    pct = "" if r["diff_pct"] != r["diff_pct"] else f"; {r['diff_pct']:+.1f} %".replace("-", "−")
                    sig_ = r["diff_low"] == r["diff_low"] and (r["diff_low"] > 0 or r["diff_high"] < 0)
                    text += (f"<br><small>{html.escape(fmt_interval(o, r['diff'], r['diff_low'], r['diff_high']))}"
                             f"{html.escape(pct)}{'' if sig_ else ' ns'}</small>")
                cells.append(_cell(text, r["mean"], "n"))
            rows.append("<tr>" + "".join(cells) + "</tr>")
        label = "pooled over the futures" if u == POOLED else u
        parts.append(f"<h3>{html.escape(label)} ({n} replicates)</h3>" + _table(head, rows))
    return ("<h2>Appendix A: outcomes by future</h2><p class=muted>Each cell: the level at week "
            f"{int(table['week'].iloc[0])} (mean over replicates), and below it the paired difference from "
            f"{html.escape(strategy_label(brief.baseline))} [95 % interval] and that difference in % of the "
            "baseline's level; <i>ns</i>: the interval includes 0. Shares in %, their differences in percentage "
            "points. Every statistic (standard deviations, effect sizes d_z, Benjamini–Hochberg-adjusted p-values, "
            "variance ratios, rank, Pareto front, regret) is in comparison.csv.</p>" + "".join(parts))


def write_html(path: Path, experiment: dict, runs: pd.DataFrame, table: pd.DataFrame, baseline: str,
               brief=None) -> None:
    """The one-file comparison report: the decision brief and its two charts first, then the
    appendices (outcomes by future, incremental economics, trajectories, method)."""
    from .brief import build_brief

    econ = table[table["outcome"].isin(ECONOMICS)]
    outcomes_table = table[~table["outcome"].isin(ECONOMICS)]
    brief = brief or build_brief(runs, table, experiment, baseline)
    outcomes = [o for o in dict.fromkeys(outcomes_table["outcome"]) if o != COST_OUTCOME] or \
        list(dict.fromkeys(outcomes_table["outcome"]))
    parts = [BRIEF_CSS, brief_html(brief),
             '<div class="chart"><h2>Differences from the baseline</h2>'
             + figure_to_img(forest_figure(brief, outcomes_table, _key_outcomes(outcomes_table)),
                             "paired differences from the baseline with 95 % intervals") + "</div>",
             '<div class="chart"><h2>Cost and pay-back</h2>'
             + figure_to_img(cost_benefit_figure(brief), "criterion against L&D spend per employee-year, with "
                             "today's budget") + "</div>",
             f'<div class="appendix first">{outcomes_appendix(outcomes_table, brief)}</div>',
             f'<div class="appendix">{economics_html(econ, experiment, baseline)}</div>',
             f'<div class="appendix chart"><h2>Appendix C: trajectories ({html.escape(brief.first_label)})</h2>'
             + figure_to_img(trajectory_figure(runs, outcomes, brief.futures[0]),
                             "trajectories of the outcomes by strategy") + "</div>",
             _method_html(experiment, runs, outcomes_table, baseline), SORT_JS]
    store.write_text(path, page(f"comparison: {experiment.get('name')}", parts,
                                heading=f"Strategy comparison: {experiment.get('name')}"))


def _method_html(experiment: dict, runs: pd.DataFrame, table: pd.DataFrame, baseline: str) -> str:
    ratio = table.loc[table["strategy"] != baseline, "variance_ratio"].median()
    pairing = (f" The median variance of the paired differences is {ratio:.2f} × that of independent runs"
               f"{' (common random numbers sharpened the comparison)' if ratio < 1 else ''}." if ratio == ratio else "")
    return ('<div class="appendix"><h2>Appendix D: method</h2><p class=muted>'
            f"{html.escape(str(experiment.get('description', '')))} {runs['run_key'].nunique()} runs. Strategies "
            "share seeds within each future and replicate (common random numbers), so every difference is paired "
            f"replicate by replicate.{pairing} The recommendation minimises the largest shortfall from the best "
            "option across the futures (minimax regret, Savage 1951; Lempert, Popper &amp; Bankes 2003), the baseline "
            "included; the probability of being best is a bootstrap over replicates within each future, futures "
            "weighted equally. Effect sizes d_z (mean / sd of paired differences) in comparison.csv grow without "
            "bound when common random numbers cancel the noise: read the difference in the outcome's unit "
            "instead.</p></div>")


def economics_html(econ: pd.DataFrame, experiment: dict, baseline: str) -> str:
    """The incremental-economics section: one table per uncertainty scenario (strategies ×
    figures, mean [95 % interval]) and the valuation assumptions beside it."""
    if econ.empty:
        return ("<h2>Incremental economics</h2><p class=warn>These runs do not store the discounted value and cost "
                "(a sweep of an older model): run <code>lesim sweep</code> again into a new folder.</p>")
    parts = [f"<h2>Appendix B: incremental economics against {html.escape(strategy_label(baseline))}</h2>",
             "<p class=muted>Per replicate pair (same seed): Δ benefit = value of output (people in post × value per "
             "employee-year × skill fit, so vacancies, ramp-up and avoided turnover count) minus the baseline's; Δ cost "
             "= all costs (direct L&amp;D spend, people's time, hiring fees and premiums, separations) minus the "
             "baseline's; both discounted to week 0. NPV = ΔB − ΔC; ROI = NPV / ΔC, not defined when ΔC ≤ 0; payback = "
             "first measured week from which the cumulative discounted net stays ≥ 0. Mean [95 % Student-t interval "
             "over the paired replicates]; payback: median (range).</p>"]
    for u, g in econ.groupby("uncertainty", sort=False):
        rows = []
        for s, gs in g.groupby("strategy", sort=False):
            cells = {r.outcome: r for r in gs.itertuples()}
            rows.append("<tr>" + _cell(html.escape(strategy_label(s))) + _cell(str(int(gs["n"].iloc[0])), None, "n")
                        + "".join(_cell(html.escape(_econ_cell(o, cells.get(o))),
                                        getattr(cells.get(o), "mean", None), "n") for o in ECONOMICS) + "</tr>")
        label = "pooled over the futures" if u == POOLED else u
        parts.append(f"<h3>{html.escape(label)}</h3>"
                     + _table(["Strategy", "Replicates", *(ECONOMICS_LABELS[o] for o in ECONOMICS)], rows))
    val = experiment.get("valuation") or []
    if val:
        parts.append("<h3>Valuation assumptions (base scenario)</h3>" + _table(
            ["Parameter", "Value", "Unit", "Source"],
            ["<tr>" + "".join(_cell(html.escape(str(x))) for x in (a["path"], f"{a['value']:,g}", a["unit"],
                                                                     a.get("source", ""))) + "</tr>" for a in val]))
    return "".join(parts)


def _econ_cell(outcome: str, r) -> str:
    if r is None:
        return "–"
    if r.mean != r.mean:
        return r.note.split("; ")[-1] if r.note else "–"
    if outcome == "payback_week":
        never = next((t for t in r.note.split("; ") if t.startswith("not within")), "")
        span = "" if r.ci_low == r.ci_high else f" ({r.ci_low:g}–{r.ci_high:g})"
        return f"week {r.mean:g}{span}" + (f"; {never}" if never else "")
    fmt = (lambda v: f"{v:+.2f}".replace("-", "−")) if outcome == "incremental_roi" else economics.money
    span = "" if r.ci_low != r.ci_low else f" [{fmt(r.ci_low)}, {fmt(r.ci_high)}]"
    return fmt(r.mean) + span


def compare(folder: Path, baseline: str | None = None, outcomes: list[str] | None = None,
            week: int | None = None, criterion: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame, dict, "Brief"]:
    """Compute the comparison and the decision brief (:mod:`sim.experiments.brief`) and write
    comparison.csv, brief.json (the brief as text, for the dashboard) and comparison.html into
    ``folder``."""
    from .brief import NPV, BriefError, build_brief

    experiment, runs = load_sweep(folder)
    baseline = baseline or experiment.get("baseline", "baseline")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        table = compare_frame(runs, baseline, outcomes, week, seed=int(experiment.get("design", {}).get("seed", 0)))
        week = int(table["week"].iloc[0])
        econ = economics_frame(runs, baseline, week)
        if not econ.empty:
            table = pd.concat([table, econ.reindex(columns=table.columns)], ignore_index=True)
        if criterion is not None and criterion != NPV:
            o = OUTCOME_BY_NAME.get(criterion)
            if o is None or criterion not in runs.columns or o.better == "neither":
                decidable = [c for c in runs.columns if c in OUTCOME_BY_NAME and OUTCOME_BY_NAME[c].better != "neither"]
                raise CompareError(f"--criterion {criterion!r}: expected {NPV} or a measured outcome with a better "
                                   f"direction: {', '.join(decidable)}")
        if criterion == NPV and econ.empty:
            raise CompareError(f"--criterion {NPV}: these runs do not store the discounted value and cost (a sweep of "
                               "an older model); sweep again into a new folder")
        try:
            brief = build_brief(runs, table, experiment, baseline, criterion=criterion, week=week)
        except BriefError as e:
            raise CompareError(f"{folder}: {e}") from None
        try:
            store.write_text(folder / "comparison.csv", table.to_csv(index=False))
            store.write_text(folder / "brief.json", json.dumps(brief_record(brief), indent=1, ensure_ascii=False))
            write_html(folder / "comparison.html", experiment, runs, table, baseline, brief)
        except OSError as e:  # a full disk or a read-only folder
            raise CompareError(f"{folder}: cannot write comparison.csv, brief.json and comparison.html "
                               f"({store.storage_reason(e)}); free space or copy the folder elsewhere") from None
    return table, runs, experiment, brief


def resolve_baseline(experiment: dict, baseline: str | None = None) -> str:
    """The strategy compared against: the one asked for, else the experiment's baseline."""
    return baseline or experiment.get("baseline", "baseline")
