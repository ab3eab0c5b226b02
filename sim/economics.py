"""Incremental economics: what a strategy pays back against a counterfactual on the same seeds.

CONCEPT.md "Economics a planner expects": never gross. For a strategy S and its
counterfactual C (doing nothing, or strategy Y), run on the same seeds (common random
numbers), each week t ≥ 1 of the run gives

* benefits B_t — the value of output (:mod:`sim.processes.data`: each person in post valued
  at ``governance.value_per_employee_year`` × skill fit; a vacancy produces nothing, a new
  hire's ramp-up shows as lower fit, so avoided turnover shows up here as well);
* costs C_t — the week's total cost (:data:`sim.outcomes.COST_FIELDS`): direct L&D spend,
  people's time (learners, coaches, mentors, SMEs, managers in training, at
  ``governance.employee_hour_cost``), hiring (``labour_market.hire_cost`` per hire plus
  ``policies.hiring.buy_premium`` when buying) and separations
  (``labour_market.separation_cost`` per leaver).

Discounted at ``governance.discount_rate`` (a week-t flow counts (1 + r)^(−t/52)), summed
over weeks 1 … T:

* ΔB = PV(B_S) − PV(B_C), ΔC = PV(C_S) − PV(C_C), NPV = ΔB − ΔC;
* ROI = (ΔB − ΔC) / ΔC when ΔC > 0. When ΔC ≤ 0 the strategy costs no more than its
  counterfactual: the ratio means nothing, so ROI is reported as not defined ("saves money"
  when ΔC < 0) and NPV carries the answer;
* payback = the first week from which the cumulative discounted net (ΔB − ΔC so far) stays
  ≥ 0 to the end of the horizon; "not within horizon" when it ends below 0. With only some
  weeks stored (a sweep's measured weeks), payback is resolved to those weeks.

Across seeds the per-seed values are paired (the same seed runs both arms); each figure is
reported as the mean and a 95 % Student-t interval over the per-seed values
(mean ± t₀.₉₇₅,ₙ₋₁ · sd / √n). The library API: :func:`cumulative_pv` (per run),
:func:`paired` (one seed), :func:`summarise` (across seeds), :func:`assumptions` (the
valuation shown beside every figure), :func:`check_counterfactual`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .loader import ScenarioError
from .parameters import iter_parameters
from .processes.phase import lookup

WEEKS_PER_YEAR = 52.0
PV_COLUMNS = ("pv_value", "pv_cost")
"""Cumulative discounted value of output and total cost up to a week (stored by sweeps)."""

VALUATION = ("governance.value_per_employee_year", "governance.employee_hour_cost", "governance.discount_rate",
             "labour_market.hire_cost", "labour_market.separation_cost")
"""Valuation assumptions: a strategy and its counterfactual must share them."""
SHOWN = (*VALUATION, "policies.hiring.buy_premium", "labour_market.time_to_fill_weeks")
"""What is shown beside every economic figure (the valuation, and the hiring terms)."""

COST_PARTS = ("ld_spend", "time_cost", "hiring_cost", "separation_cost")
"""The timeseries columns whose sum is ``total_cost`` (an auditor's split)."""


# ---------------------------------------------------------------------------- one run
def discount_factors(weeks: np.ndarray, rate: float) -> np.ndarray:
    """(1 + rate)^(−week / 52): the present value at week 0 of $1 in each week."""
    return (1.0 + rate) ** (-np.asarray(weeks, dtype=float) / WEEKS_PER_YEAR)


def cumulative_pv(ts: pd.DataFrame, rate: float) -> pd.DataFrame:
    """Week, and the cumulative discounted ``output_value`` and ``total_cost`` of weeks 1 … week
    (``pv_value``, ``pv_cost``; 0 at week 0: the run's flows start with its first week)."""
    weeks = ts["week"].to_numpy()
    f = np.where(weeks >= 1, discount_factors(weeks, rate), 0.0)
    return pd.DataFrame({"week": weeks, "pv_value": np.cumsum(ts["output_value"].to_numpy() * f),
                         "pv_cost": np.cumsum(ts["total_cost"].to_numpy() * f)})


# ---------------------------------------------------------------------------- one seed, paired
@dataclass(frozen=True)
class SeedEconomics:
    """Incremental figures of one seed (present values at week 0, $)."""

    seed: int
    delta_benefit: float
    delta_cost: float
    npv: float
    roi: float | None           # None when delta_cost ≤ 0
    payback_week: int | None    # None: not within the horizon


def paired(pv_strategy: pd.DataFrame, pv_counterfactual: pd.DataFrame, seed: int = 0) -> SeedEconomics:
    """Incremental figures of one seed from both arms' :func:`cumulative_pv` tables (the
    weeks both have; the last is the horizon)."""
    both = pv_strategy.merge(pv_counterfactual, on="week", suffixes=("_s", "_c")).sort_values("week")
    if both.empty:
        raise ValueError("the strategy and the counterfactual share no measured week")
    db = (both["pv_value_s"] - both["pv_value_c"]).to_numpy()
    dc = (both["pv_cost_s"] - both["pv_cost_c"]).to_numpy()
    net = db - dc
    weeks = both["week"].to_numpy()
    return SeedEconomics(seed=int(seed), delta_benefit=float(db[-1]), delta_cost=float(dc[-1]), npv=float(net[-1]),
                         roi=float(net[-1] / dc[-1]) if dc[-1] > 0 else None,
                         payback_week=payback_week(weeks, net))


def payback_week(weeks: np.ndarray, net: np.ndarray) -> int | None:
    """The first of ``weeks`` (≥ 1) from which ``net`` stays ≥ 0 to the end; None if it ends below 0."""
    keep = weeks >= 1
    weeks, net = weeks[keep], net[keep]
    if len(net) == 0 or net[-1] < 0:
        return None
    below = np.flatnonzero(net < 0)
    return int(weeks[0] if len(below) == 0 else weeks[below[-1] + 1])


# ---------------------------------------------------------------------------- across seeds
def t_interval(x: Sequence[float]) -> tuple[float, float, float]:
    """Mean and 95 % Student-t interval of ``x`` (NaN bounds for fewer than 2 values)."""
    x = np.asarray(x, dtype=float)
    if len(x) == 0:
        return (math.nan, math.nan, math.nan)
    m = float(x.mean())
    if len(x) < 2:
        return (m, math.nan, math.nan)
    half = float(stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x)))
    return (m, m - half, m + half)


def summarise(seeds: Sequence[SeedEconomics]) -> dict:
    """Mean and 95 % t interval of ΔB, ΔC, NPV and ROI over paired seeds, the ROI's status and
    the payback weeks. JSON-ready (None for what is not defined)."""
    n = len(seeds)
    out: dict = {"n": n, "interval": "95 % Student-t interval over the paired per-seed values"}
    for key in ("delta_benefit", "delta_cost", "npv"):
        out[key] = _triple(t_interval([getattr(s, key) for s in seeds]))
    no_extra = sum(s.delta_cost <= 0 for s in seeds)
    if n and no_extra == 0:
        out["roi"] = {**_triple(t_interval([s.roi for s in seeds])), "status": "defined"}
    elif n and all(s.delta_cost == 0 for s in seeds):
        out["roi"] = {"mean": None, "low": None, "high": None,
                      "status": "not defined: no extra cost (ΔC = 0); see NPV"}
    elif n and no_extra == n:
        out["roi"] = {"mean": None, "low": None, "high": None,
                      "status": "not defined: saves money (ΔC ≤ 0 in every seed); see NPV"}
    else:
        out["roi"] = {"mean": None, "low": None, "high": None,
                      "status": f"not defined: ΔC ≤ 0 in {no_extra} of {n} seeds; see NPV"}
    weeks = [s.payback_week for s in seeds if s.payback_week is not None]
    out["payback_week"] = {"median": float(np.median(weeks)) if weeks else None,
                           "min": min(weeks) if weeks else None, "max": max(weeks) if weeks else None,
                           "not_within_horizon": n - len(weeks)}
    out["seeds"] = [asdict(s) for s in seeds]
    return out


def _triple(t: tuple[float, float, float]) -> dict:
    return {k: (None if v != v else float(v)) for k, v in zip(("mean", "low", "high"), t)}


# ---------------------------------------------------------------------------- text
def money(v: float | None) -> str:
    """$ with three significant figures and k/M/B (−$1.23M)."""
    if v is None or v != v:
        return "–"
    if v == 0:
        return "$0"
    sign = "−" if v < 0 else ""
    a = abs(v)
    for div, suf in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if a >= div:
            return f"{sign}${a / div:.3g}{suf}"
    return f"{sign}${a:.3g}" if a >= 1 else f"{sign}${a:.2f}"


def _span(d: dict, fmt) -> str:
    if d.get("mean") is None:
        return "–"
    if d.get("low") is None:
        return f"{fmt(d['mean'])} (one seed: no interval)"
    return f"{fmt(d['mean'])} [{fmt(d['low'])}, {fmt(d['high'])}]"


def payback_text(p: dict, n: int) -> str:
    """'week 40 (median; 31–52)', with how many seeds did not pay back."""
    if p["median"] is None:
        return "not within horizon"
    span = f"week {p['median']:g}" + ("" if p["min"] == p["max"] else f" (median; {p['min']}–{p['max']})")
    return span + (f"; not within horizon in {p['not_within_horizon']} of {n} seeds" if p["not_within_horizon"] else "")


def summary_rows(summary: dict) -> list[tuple[str, str]]:
    """(figure, text) rows of a :func:`summarise` result for a terminal or HTML table."""
    roi = summary["roi"]
    return [
        ("Δ benefit (value of output, PV)", _span(summary["delta_benefit"], money)),
        ("Δ cost (all costs, PV)", _span(summary["delta_cost"], money)),
        ("NPV (Δ benefit − Δ cost)", _span(summary["npv"], money)),
        ("ROI ((ΔB − ΔC) / ΔC)", _span(roi, lambda v: f"{v:+.2f}".replace("-", "−")) if roi["status"] == "defined" else roi["status"]),
        ("Payback (cumulative discounted net stays ≥ 0)", payback_text(summary["payback_week"], summary["n"])),
    ]


# ---------------------------------------------------------------------------- assumptions
def assumptions(scenario) -> list[dict]:
    """The valuation behind every economic figure: path, label, value, unit and source."""
    declared = {p.path: p for p in iter_parameters(type(scenario))}
    out = []
    for path in SHOWN:
        p = declared[path]
        out.append({"path": path, "value": lookup(scenario, path), "unit": p.unit, "source": p.source,
                    "description": p.description})
    return out


def valuation_line(items: list[dict]) -> str:
    """The assumptions in one line for a reader: ``value per employee year = 150,000 $/year; …``."""
    return "; ".join(f"{str(a['path']).split('.')[-1].replace('_', ' ')} = {a['value']:,g} {a['unit']}" for a in items)


def assumption_lines(items: list[dict]) -> list[str]:
    """One line per assumption: ``path = value unit (source)``."""
    return [f"{a['path']} = {a['value']:,g} {a['unit']} ({a['source']})" for a in items]


# ---------------------------------------------------------------------------- runs on the same seeds
def compare_runs(strategy_runs: Sequence, counterfactual_runs: Sequence) -> tuple[dict, pd.DataFrame]:
    """The incremental economics of paired runs (:class:`sim.run.RunResult`, the i-th of each
    list on the same seed): the :func:`summarise` result and, per week, the mean and 95 %
    t interval of the cumulative discounted net (columns week, mean, low, high)."""
    seeds, nets = [], []
    for s, c in zip(strategy_runs, counterfactual_runs, strict=True):
        rate = s.scenario.governance.discount_rate
        pv_s, pv_c = cumulative_pv(s.timeseries, rate), cumulative_pv(c.timeseries, rate)
        seeds.append(paired(pv_s, pv_c, s.scenario.seed))
        nets.append((pv_s["pv_value"] - pv_c["pv_value"]) - (pv_s["pv_cost"] - pv_c["pv_cost"]))
    mat = np.vstack([n.to_numpy() for n in nets])
    rows = [t_interval(mat[:, j]) for j in range(mat.shape[1])]
    curve = pd.DataFrame(rows, columns=["mean", "low", "high"])
    curve.insert(0, "week", strategy_runs[0].timeseries["week"].to_numpy())
    return summarise(seeds), curve


def check_counterfactual(strategy, counterfactual, names: tuple[str, str] = ("strategy", "counterfactual")) -> None:
    """A counterfactual must be the same organisation, horizon and valuation; raises
    :class:`~sim.loader.ScenarioError` (one line) naming what differs."""
    a, b = names
    if strategy.weeks != counterfactual.weeks:
        raise ScenarioError(f"{a} and {b} have different horizons ({strategy.weeks} vs {counterfactual.weeks} weeks); "
                            "pass --weeks to run both over the same horizon")
    if strategy.organisation != counterfactual.organisation:
        raise ScenarioError(f"{a} and {b} describe different organisations (the organisation sections differ); "
                            "a counterfactual must be the same organisation")
    for path in VALUATION:
        va, vb = lookup(strategy, path), lookup(counterfactual, path)
        if va != vb:
            raise ScenarioError(f"{a} and {b} value things differently: {path} is {va:g} vs {vb:g}; "
                                "set the same valuation in both files")
