"""The decision brief of a strategy comparison: which strategy to fund, how sure, at what
cost, and under which futures the answer fails.

Everything the brief says is computed from the stored runs by :func:`build_brief`; the
HTML (:mod:`sim.experiments.compare`) and the terminal (:mod:`sim.cli`) only render it.

**The criterion** is the incremental net present value against the baseline strategy
(:mod:`sim.economics`: the discounted value of output minus all costs, paired replicate by
replicate on common random numbers), so skills, turnover, vacancies and every cost count
in one figure; ``lesim compare --criterion OUTCOME`` decides on one measured outcome instead
(its paired difference from the baseline, in its better direction).

**The decision rule** is minimax regret (Savage 1951), the rule of robust decision making
(Lempert, Popper & Bankes 2003): in each future the *regret* of a strategy is how far its
mean criterion falls short of the best option's there, the baseline (doing nothing new,
criterion 0) included; the recommendation is the option whose largest regret across the
futures is smallest (ties: the higher probability of being best). With one future this is
simply the best mean.

**How sure**: the probability of being best is a stratified bootstrap over replicates
(replicates resampled within each future, keeping the pairing across strategies; the
futures weighted equally), reported as "> 0.99" rather than 1.00, and flagged when there are
fewer than 10 replicates.

**Where it fails**: for named futures, each future in which another option does better or
the recommendation's criterion interval lies below (or includes) zero; for sampled
uncertainties (Latin hypercube, Sobol, Morris designs), PRIM scenario discovery
(:func:`prim`, Friedman & Fisher 1999, as used in the EMA Workbench; Bryant & Lempert 2010)
finds the box of uncertain parameters in which the recommendation is most often not the best
choice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import economics
from ..loader import one_line
from ..outcomes import OUTCOME_BY_NAME
from ..reporting import fmt_diff, fmt_interval, is_money, outcome_label
from .plan import COST_OUTCOME

NPV = "incremental_npv"
FEW_REPLICATES = 10        # below this, intervals and probabilities are flagged as rough
BOOTSTRAP = 2000
POOLED = "(pooled)"        # the group that pools every future (the only one of a sampled design)
CHOICE = "(choice)"        # stratified_prob_best's key for how often the decision rule picks each option
BUDGET_PATH = "governance.annual_budget_per_employee"
WEEKS_PER_YEAR = 52


# ---------------------------------------------------------------------------- labels and numbers
def strategy_label(name: str) -> str:
    """A strategy's name as a reader sees it: a snake_case key reads as words
    (``peer_learning_platform`` → "Peer learning platform"); any other name is kept as written,
    control characters shown escaped (as everywhere a user's text is shown)."""
    text = one_line(str(name))
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9_.]*", text):
        text = text.replace("_", " ")
        return text[:1].upper() + text[1:]
    return text


def fmt_prob(p: float) -> str:
    if p != p:
        return "–"
    if p > 0.99:
        return "> 0.99"
    if p < 0.01:
        return "< 0.01"
    return f"{p:.2f}"


# ---------------------------------------------------------------------------- paired criterion
class BriefError(ValueError):
    """The runs cannot support a decision (no criterion, no baseline values, nothing paired):
    a user-facing one-line message (``lesim compare`` shows it with exit status 2)."""


def criterion_matrix(runs: pd.DataFrame, baseline: str, criterion: str, week: int) -> tuple[pd.DataFrame, list[str]]:
    """The criterion per paired replicate, and notes on what was left out: rows (uncertainty,
    replicate), one column per strategy, the baseline's column 0. For :data:`NPV`, each run's
    incremental NPV against the baseline of the same future and replicate at ``week``; for an
    outcome, its difference from the baseline at ``week``, signed so that higher is better.
    A strategy with no value in some future (a sweep not finished, an outcome undefined) is
    left out rather than the future; replicates missing a strategy are left out."""
    if criterion == NPV:
        upto = runs[runs["week"] <= week]
        arms = {k: g[["week", *economics.PV_COLUMNS]] for k, g in upto.groupby(["strategy", "uncertainty", "replicate"])}
        rows = {}
        for (s, u, rep), pv in arms.items():
            base = arms.get((baseline, u, rep))
            if base is not None:
                rows[(u, rep, s)] = 0.0 if s == baseline else economics.paired(pv, base, rep).npv
        ser = pd.Series(rows, dtype=float)
        if ser.empty:
            raise BriefError(f"no run is paired with a run of the baseline {baseline!r}: finish the sweep")
        ser.index.names = ["uncertainty", "replicate", "strategy"]
        wide = ser.unstack("strategy")
    else:
        o = OUTCOME_BY_NAME[criterion]
        sign = {"higher": 1.0, "lower": -1.0}[o.better]
        at = runs[runs["week"] == week]
        wide = at.pivot_table(index=["uncertainty", "replicate"], columns="strategy", values=criterion,
                              aggfunc="first", dropna=False)
        if baseline not in wide.columns or wide[baseline].isna().all():
            raise BriefError(f"{criterion} has no value for the baseline {baseline!r} at week {week} (it is undefined "
                             "there): choose another --criterion")
        wide = wide.sub(wide[baseline], axis=0) * sign
    notes = []
    futures = list(dict.fromkeys(wide.index.get_level_values("uncertainty")))
    for s in [c for c in wide.columns if c != baseline]:
        empty = [u for u in futures if wide.xs(u, level="uncertainty")[s].isna().all()]
        if empty:
            notes.append(f"{strategy_label(s)} has no value in {', '.join(empty)} (unfinished sweep or undefined "
                         "outcome) and is left out")
            wide = wide.drop(columns=s)
    complete = wide.dropna()
    if len(complete) < len(wide):
        notes.append(f"{len(wide) - len(complete)} replicate(s) missing a strategy are left out")
    if complete.empty or set(dict.fromkeys(complete.index.get_level_values("uncertainty"))) != set(futures):
        raise BriefError("no future has every strategy paired with the baseline: finish the sweep (`lesim sweep` "
                         "resumes)")
    order = [baseline] + sorted(c for c in complete.columns if c != baseline)
    return complete.reindex(columns=order), notes


def stratified_prob_best(mat: pd.DataFrame, seed: int) -> dict[str, dict[str, float]]:
    """From a bootstrap of replicates within each future (rows resampled whole: the pairing
    is kept): per future, each strategy's probability of the highest mean; and under :data:`CHOICE`,
    how often the decision rule (minimax regret across the futures, :func:`build_brief`)
    picks each strategy — the probability that it is the choice, which with one future is the
    probability of being best. Ties share the draw."""
    rng = np.random.default_rng(seed)
    futures = list(dict.fromkeys(mat.index.get_level_values("uncertainty")))
    per = []
    for u in futures:
        b = mat.xs(u, level="uncertainty").to_numpy(dtype=float)
        idx = rng.integers(0, len(b), size=(BOOTSTRAP, len(b)))
        per.append(b[idx].mean(axis=1))  # BOOTSTRAP × strategies
    cube = np.stack(per)  # futures × BOOTSTRAP × strategies
    out = {}
    for name, means in zip(futures, per):
        top = means >= means.max(axis=1, keepdims=True)
        out[name] = dict(zip(mat.columns, (top / top.sum(axis=1, keepdims=True)).mean(axis=0)))
    worst = (cube.max(axis=2, keepdims=True) - cube).max(axis=0)  # BOOTSTRAP × strategies: max regret
    pick = worst <= worst.min(axis=1, keepdims=True)
    out[CHOICE] = dict(zip(mat.columns, (pick / pick.sum(axis=1, keepdims=True)).mean(axis=0)))
    return out


# ---------------------------------------------------------------------------- PRIM
@dataclass
class Box:
    """A PRIM box: bounds on the parameters it restricts, and how well it captures the cases."""

    limits: dict[str, tuple[float, float]]
    density: float      # share of cases inside the box that are of interest
    coverage: float     # share of all cases of interest that are inside the box
    mass: float         # share of all cases inside the box
    base_rate: float    # share of cases of interest overall


def prim(X: np.ndarray, y: np.ndarray, names: list[str], *, alpha: float = 0.05, min_mass: float = 0.05,
         min_coverage: float = 0.5) -> Box | None:
    """Patient Rule Induction Method (Friedman & Fisher 1999), top-down peeling as in the EMA
    Workbench's scenario discovery (Bryant & Lempert 2010): repeatedly cut the ``alpha``
    quantile slice, at the low or high end of one parameter, whose removal most raises the
    share of cases of interest (``y`` true) left in the box, until the box holds less than
    ``min_mass`` of the cases. Of the boxes along that trajectory, the densest one that still
    covers at least ``min_coverage`` of the cases of interest is returned (a planner reads
    "in this region it usually fails" and "most failures are here"). None when no case, or
    every case, is of interest."""
    y = np.asarray(y, dtype=bool)
    X = np.asarray(X, dtype=float)
    n = len(y)
    if n == 0 or not y.any() or y.all():
        return None
    inside = np.ones(n, dtype=bool)
    lo, hi = X.min(axis=0).copy(), X.max(axis=0).copy()
    full = (lo.copy(), hi.copy())
    trajectory = [(inside.copy(), lo.copy(), hi.copy())]
    while inside.sum() / n > min_mass:
        best = None
        for j in range(X.shape[1]):
            xs = X[inside, j]
            for side, cut in (("low", np.quantile(xs, alpha)), ("high", np.quantile(xs, 1 - alpha))):
                keep = inside & ((X[:, j] > cut) if side == "low" else (X[:, j] < cut))
                if keep.sum() == 0 or keep.sum() == inside.sum():
                    continue
                gain = y[keep].mean()
                if best is None or gain > best[0]:
                    best = (gain, j, side, cut, keep)
        if best is None:
            break
        _, j, side, cut, keep = best
        inside = keep
        if side == "low":
            lo[j] = X[inside, j].min()
        else:
            hi[j] = X[inside, j].max()
        trajectory.append((inside.copy(), lo.copy(), hi.copy()))
    total = y.sum()
    chosen = None
    for box, blo, bhi in trajectory:
        coverage = y[box].sum() / total
        density = y[box].mean()
        if coverage >= min_coverage and (chosen is None or density > chosen[0] + 1e-12):
            chosen = (density, coverage, box.mean(), blo, bhi)
    density, coverage, mass, blo, bhi = chosen
    limits = {names[j]: (float(blo[j]), float(bhi[j])) for j in range(len(names))
              if blo[j] > full[0][j] or bhi[j] < full[1][j]}
    return Box(limits=limits, density=float(density), coverage=float(coverage), mass=float(mass),
               base_rate=float(y.mean()))


# ---------------------------------------------------------------------------- the brief
@dataclass
class Option:
    """One strategy's standing on the criterion."""

    strategy: str
    by_future: dict[str, tuple[float, float, float]]   # future → mean, 95 % low, high of the criterion
    best_in: list[str]
    max_regret: float
    p_best: float                                       # how often the rule picks it (one future: P(best))
    p_best_by_future: dict[str, float]
    annual_spend: float | None                          # direct L&D spend per employee-year, mean over the horizon
    budget: float | None                                # its declared budget per employee-year


@dataclass
class Brief:
    question: str
    baseline: str
    criterion: str
    week: int
    futures: list[str]
    replicates: int
    options: list[Option]
    recommended: str
    headline: str
    certainty: str
    cost: str
    fails: list[str] = field(default_factory=list)
    tradeoffs: list[str] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)
    discovery: Box | None = None
    valuation: str = ""
    sign: float = 1.0       # −1 when the criterion is an outcome for which lower is better
    sampled: bool = False   # the futures are sampled points, pooled as one group (POOLED)

    @property
    def first_label(self) -> str:
        """How the first future is named to a reader."""
        return "pooled over the sampled points" if self.sampled else self.futures[0]

    @property
    def probability_label(self) -> str:
        """The options' probability column: chosen by the rule (several futures) or best (one)."""
        return "P(chosen)" if len(self.futures) > 1 else "P(best)"

    def option(self, strategy: str) -> Option:
        return next(o for o in self.options if o.strategy == strategy)

    def shown(self, triple: tuple[float, float, float]) -> tuple[float, float, float]:
        """A criterion value (mean, low, high) as a reader sees it: options are ranked on the
        criterion signed so that higher is better; a "lower is better" outcome's difference is
        shown in its own direction (a gap that falls shows as negative)."""
        m, lo, hi = triple
        return (m * self.sign, *sorted((lo * self.sign, hi * self.sign))) if self.sign < 0 else (m, lo, hi)


def _budgets(experiment: dict, strategies: list[str]) -> dict[str, float | None]:
    base = (experiment.get("budget") or {}).get("annual_budget_per_employee")
    out = {}
    for s in strategies:
        levers = (experiment.get("strategies") or {}).get(s) or {}
        value = levers.get(BUDGET_PATH, base) if isinstance(levers, dict) else base
        out[s] = float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    return out


def _annual_spend(runs: pd.DataFrame, week: int) -> dict[str, float]:
    """Mean direct L&D spend per employee-year over weeks 1 … ``week`` (the cumulative spend
    per employee over the years), per strategy, over every future and replicate."""
    if COST_OUTCOME not in runs.columns or week < 1:
        return {}
    at = runs[runs["week"] == week]
    return (at.groupby("strategy")[COST_OUTCOME].mean() / (week / WEEKS_PER_YEAR)).to_dict()


def _years(week: int) -> str:
    y = week / WEEKS_PER_YEAR
    return f"{y:g} year{'s' if y != 1 else ''}" if abs(y - round(y)) < 1e-9 else f"{week} weeks"


def build_brief(runs: pd.DataFrame, table: pd.DataFrame, experiment: dict, baseline: str, *,
                criterion: str | None = None, week: int | None = None) -> Brief:
    """The decision brief (see the module docstring) from the stored runs and the comparison
    table of :func:`sim.experiments.compare.compare_frame` (plus its economics rows)."""
    week = int(runs["week"].max()) if week is None else int(week)
    has_npv = set(economics.PV_COLUMNS) <= set(runs.columns) and not runs[list(economics.PV_COLUMNS)].isna().all().all()
    if criterion is None:
        criterion = NPV if has_npv else next(
            (o for o in runs.columns if o in OUTCOME_BY_NAME and OUTCOME_BY_NAME[o].better != "neither"
             and o != COST_OUTCOME), None)
    if criterion is None:
        raise BriefError("no measured outcome has a better direction to decide on, and the runs do not store the "
                         "economics: measure e.g. skills_gap, or sweep again with this version")
    mat, dropped = criterion_matrix(runs, baseline, criterion, week)
    futures = list(dict.fromkeys(mat.index.get_level_values("uncertainty")))
    # sampled uncertainties: the points are draws, not futures to name; they are pooled and
    # PRIM finds where the recommendation fails (more than 12 named futures are pooled too)
    sampled = (experiment.get("design") or {}).get("type", "factorial") != "factorial" or len(futures) > 12
    groups = [POOLED] if sampled else futures
    strategies = list(mat.columns)
    seed = int((experiment.get("design") or {}).get("seed", 0))
    pbest = stratified_prob_best(mat, seed) if not sampled else stratified_prob_best(
        pd.concat({POOLED: mat.droplevel("uncertainty")}, names=["uncertainty"]), seed)
    stats_by = {}
    for g in groups:
        block = mat if g == POOLED else mat.xs(g, level="uncertainty")
        stats_by[g] = {s: economics.t_interval(block[s].to_numpy()) for s in strategies}
    regret = {s: max(max(stats_by[g][x][0] for x in strategies) - stats_by[g][s][0] for g in groups) for s in strategies}
    budgets = _budgets(experiment, strategies)
    spend = _annual_spend(runs, week)
    options = [Option(strategy=s, by_future={g: stats_by[g][s] for g in groups},
                      best_in=[g for g in groups if stats_by[g][s][0] >= max(stats_by[g][x][0] for x in strategies)],
                      max_regret=regret[s], p_best=pbest[CHOICE][s],
                      p_best_by_future={g: pbest[g][s] for g in groups},
                      annual_spend=spend.get(s), budget=budgets.get(s)) for s in strategies]
    options.sort(key=lambda o: (o.max_regret, -o.p_best, o.strategy != baseline))
    rec = options[0]
    n_rep = int(mat.groupby(level="uncertainty").size().min())  # per future, or per sampled point
    brief = Brief(question=_question(experiment, criterion), baseline=baseline, criterion=criterion, week=week,
                  futures=groups, replicates=n_rep, options=options, recommended=rec.strategy, headline="",
                  certainty="", cost="", sampled=sampled,
                  sign=-1.0 if criterion != NPV and OUTCOME_BY_NAME[criterion].better == "lower" else 1.0)
    brief.valuation = valuation_text(experiment) if criterion == NPV else ""
    brief.headline = _headline(brief, rec)
    brief.certainty = _certainty(brief, rec)
    brief.cost = _cost(brief, rec, table)
    brief.fails = _fails(brief, rec)
    brief.tradeoffs = _tradeoffs(brief, table)
    brief.caveats = _caveats(brief, table, sampled) + [f"Left out: {d}." for d in dropped]
    if sampled:
        brief.fails += _discover(brief, runs, mat, experiment, rec.strategy)
    return brief


def valuation_text(experiment: dict) -> str:
    """The valuation assumptions in one line (what NPV and ROI rest on)."""
    return economics.valuation_line(experiment.get("valuation") or [])


def _question(experiment: dict, criterion: str) -> str:
    q = str(experiment.get("description") or "").strip()
    goal = ("which strategy pays back most against the status quo" if criterion == NPV
            else f"which strategy does best on {outcome_label(criterion).lower()}")
    return q + (" " if q else "") + f"The brief asks {goal}, and whether the answer holds in every future."


def _money_or(criterion: str, m: float, lo: float, hi: float) -> str:
    return fmt_interval(criterion, m, lo, hi, diff=criterion != NPV)


def _headline(b: Brief, rec: Option) -> str:
    crit = outcome_label(b.criterion) if b.criterion != NPV else "incremental NPV"
    horizon = _years(b.week)
    n = len(b.futures)
    k = len(rec.best_in)
    first = b.futures[0]
    at = "" if b.sampled else f"{first}: "
    if rec.strategy == b.baseline:
        runner = next((o for o in b.options if o.strategy != b.baseline), None)
        tail = ""
        if runner is not None:
            tail = (f"; the closest alternative, {strategy_label(runner.strategy)}, has {crit} "
                    f"{_money_or(b.criterion, *b.shown(runner.by_future[first]))}" + (f" ({first})" if n > 1 else ""))
        if k == n:
            where = " in any future" if n > 1 else ""
            return f"Keep {strategy_label(b.baseline)}: no strategy beats it on {crit} over {horizon}{where}{tail}."
        beaters = sorted({strategy_label(max(b.options, key=lambda o: o.by_future[u][0]).strategy)
                          for u in b.futures if u not in rec.best_in})
        return (f"Keep {strategy_label(b.baseline)}: {', '.join(beaters)} beat{'s' if len(beaters) == 1 else ''} it on "
                f"{crit} in {n - k} of {n} futures but lose{'s' if len(beaters) == 1 else ''} more elsewhere; doing "
                f"nothing new has the smallest worst-case shortfall over {horizon}{tail}.")
    if n == 1:
        where = "over the sampled futures" if b.sampled else ""
    elif k == n:
        where = "in both futures" if n == 2 else f"in all {n} futures"
    elif k == 0:
        where = None
    else:
        where = f"in {k} of {n} futures and the smallest worst-case shortfall across them"
    figure = f"({at}{_money_or(b.criterion, *b.shown(rec.by_future[first]))} against {strategy_label(b.baseline)})"
    claim = (f"the highest {crit} over {horizon} {where}" if where is not None else
             f"never the highest {crit} but the smallest worst-case shortfall across the {n} futures over {horizon}")
    _, lo, _ = rec.by_future[first]
    if not (lo == lo and lo > 0):  # the advantage is within the noise: no "Fund"
        return (f"No clear winner: {strategy_label(rec.strategy)} has {claim} "
                f"{figure}, but its advantage over {strategy_label(b.baseline)} is not distinguishable from zero"
                f"{'' if lo == lo else ' (one replicate: no interval)'}.").replace("  ", " ")
    return f"Fund {strategy_label(rec.strategy)}: it has {claim} {figure}.".replace("  ", " ")


def _certainty(b: Brief, rec: Option) -> str:
    if len(b.futures) > 1:
        text = (f"Probability it is the choice when the replicates are resampled: {fmt_prob(rec.p_best)}; "
                "probability of being best in each future: " + ", ".join(
                    f"{u} {fmt_prob(p)}" for u, p in rec.p_best_by_future.items()))
    else:
        text = f"Probability it is the best choice: {fmt_prob(rec.p_best)}"
    per = "per sampled point" if b.sampled else "per future"
    text += f"; from {b.replicates} paired replicate{'s' if b.replicates != 1 else ''} {per}."
    runner = next((o for o in b.options if o.strategy != rec.strategy), None)
    if runner is not None:
        text += f" Runner-up: {strategy_label(runner.strategy)} (probability {fmt_prob(runner.p_best)})."
    if b.replicates < FEW_REPLICATES:
        text += f" With fewer than {FEW_REPLICATES} replicates this is rough."
    return text


def _cost(b: Brief, rec: Option, table: pd.DataFrame) -> str:
    first = b.futures[0]
    parts = []
    econ = table[(table["strategy"] == rec.strategy) & (table["uncertainty"] == first)].set_index("outcome")
    if rec.strategy == b.baseline:
        parts.append("No extra cost: the status quo.")
    elif "incremental_cost" in econ.index:
        dc = econ.loc["incremental_cost"]
        saves = dc["ci_high"] == dc["ci_high"] and dc["ci_high"] < 0
        parts.append(f"{'Cost difference' if saves else 'Extra cost'} {economics.money(dc['mean'])} "
                     f"[{economics.money(dc['ci_low'])}, {economics.money(dc['ci_high'])}] over {_years(b.week)} "
                     f"(all costs, present value{'; it saves money' if saves else ''})")
        noise = dc["ci_low"] == dc["ci_low"] and dc["ci_low"] <= 0 <= dc["ci_high"]
        if noise:
            parts.append("no ROI: the extra cost is not distinguishable from zero (read the NPV)")
        elif "incremental_roi" in econ.index and econ.loc["incremental_roi", "mean"] == econ.loc["incremental_roi", "mean"]:
            r = econ.loc["incremental_roi"]
            parts.append(f"ROI {r['mean']:+.2f} [{r['ci_low']:+.2f}, {r['ci_high']:+.2f}]".replace("-", "−"))
        if "payback_week" in econ.index:
            pb = econ.loc["payback_week"]
            never = next((t for t in str(pb["note"]).split("; ") if t.startswith("not within")), "")
            if pb["mean"] == pb["mean"]:
                parts.append(f"payback in week {pb['mean']:g} (median"
                             + (f" of the replicates that pay back; {never}" if never else "") + ")")
            elif never:
                parts.append(f"no payback within the horizon ({never})")
        parts = ["; ".join(parts) + "."]
    if rec.annual_spend is not None:
        spend = f"Direct L&D spend {economics.money(rec.annual_spend)} per employee-year"
        if rec.budget:
            ratio = rec.annual_spend / rec.budget
            spend += (f" against its budget of {economics.money(rec.budget)}"
                      + (f": {ratio:.1f} × over budget" if ratio > 1.02 else ": within budget"))
        base = b.option(b.baseline)
        if rec.strategy != b.baseline and base.annual_spend is not None:
            spend += f" (the status quo spends {economics.money(base.annual_spend)})"
        parts.append(spend + ".")
    return " ".join(parts)


def _fails(b: Brief, rec: Option) -> list[str]:
    """Each named future in which another option does better, or in which the
    recommendation's advantage over the baseline is not established (below zero, not
    distinguishable from zero, or one replicate). Sampled futures: see :func:`_discover`."""
    out = []
    if b.sampled:
        return out
    for u in b.futures:
        m, lo, hi = rec.by_future[u]
        best = max(b.options, key=lambda o: o.by_future[u][0])
        if best.by_future[u][0] > m:
            out.append(f"{u}: {strategy_label(best.strategy)} does better "
                       f"({_money_or(b.criterion, b.shown(best.by_future[u])[0], np.nan, np.nan)} against "
                       f"{_money_or(b.criterion, b.shown(rec.by_future[u])[0], np.nan, np.nan)}).")
        elif rec.strategy == b.baseline:
            continue
        elif lo != lo:
            out.append(f"{u}: one replicate, so no interval: whether it beats {strategy_label(b.baseline)} is not "
                       "known.")
        elif hi < 0:
            out.append(f"{u}: it does worse than {strategy_label(b.baseline)} "
                       f"({_money_or(b.criterion, *b.shown((m, lo, hi)))}).")
        elif lo <= 0:
            out.append(f"{u}: its advantage over {strategy_label(b.baseline)} is not distinguishable from zero "
                       f"({_money_or(b.criterion, *b.shown((m, lo, hi)))}).")
    return out


def no_failure_text(b: Brief) -> str:
    """What to say when nothing was found where the recommendation fails."""
    if b.sampled:
        return "At no sampled point does another option beat it."
    if b.recommended == b.baseline:
        return "In no future does another strategy beat it."
    return "In no future: it is the best option in each, and its advantage over the baseline excludes zero."


def _tradeoffs(b: Brief, table: pd.DataFrame) -> list[str]:
    """What funding the recommendation gives up: per other strategy, the outcomes on which it
    is clearly best in the first future (its paired difference from the baseline beats every
    other strategy's and its interval excludes zero), with the first such outcome's figures
    and, under the NPV criterion, what that strategy pays back."""
    first = b.futures[0]
    sub = table[(table["uncertainty"] == first) & table["outcome"].isin(list(OUTCOME_BY_NAME))]
    leads: dict[str, list[tuple[str, pd.Series, pd.Series]]] = {}
    for o, g in sub.groupby("outcome", sort=False):
        meta = OUTCOME_BY_NAME[o]
        if meta.better == "neither" or o in (COST_OUTCOME, "roi") or is_money(o):
            continue
        sign = 1.0 if meta.better == "higher" else -1.0
        g = g.set_index("strategy")
        if b.recommended not in g.index:
            continue
        leader = (g["diff"] * sign).idxmax()
        lead = g.loc[leader]
        if leader == b.recommended or not min(lead["diff_low"] * sign, lead["diff_high"] * sign) > 0:
            continue  # the recommendation leads, or the leader's effect is not distinguishable from zero
        leads.setdefault(leader, []).append((o, lead, g.loc[b.recommended]))
    out = []
    for leader, items in leads.items():
        o, lead, mine = items[0]
        others = [OUTCOME_BY_NAME[x].label.lower() for x, _, _ in items[1:]]
        mine_text = "" if b.recommended == b.baseline else f"; {strategy_label(b.recommended)} {fmt_diff(o, mine['diff'])}"
        text = (f"{strategy_label(leader)} does best on {OUTCOME_BY_NAME[o].label.lower()} "
                f"({fmt_interval(o, lead['diff'], lead['diff_low'], lead['diff_high'])} against "
                f"{strategy_label(b.baseline)}{mine_text})")
        if others:
            text += " and on " + ", ".join(others[:-1]) + (" and " if len(others) > 1 else "") + others[-1]
        opt = next((x for x in b.options if x.strategy == leader), None)
        if b.criterion == NPV and opt is not None:
            text += f"; its incremental NPV is {economics.money(opt.by_future[b.futures[0]][0])}"
        out.append(text + (f" ({first})" if len(b.futures) > 1 else " (pooled)" if b.sampled else "") + ".")
    return out


def _caveats(b: Brief, table: pd.DataFrame, sampled: bool) -> list[str]:
    out = []
    if b.replicates < FEW_REPLICATES:
        out.append(f"Only {b.replicates} replicates per {'sampled point' if sampled else 'future'}: intervals and "
                   "probabilities are rough; sweep with "
                   f"--replicates {FEW_REPLICATES} or more before deciding.")
    today = b.option(b.baseline).budget
    over = [f"{strategy_label(o.strategy)} spends {economics.money(o.annual_spend)}, {o.annual_spend / o.budget:.1f} × "
            f"its budget of {economics.money(o.budget)}" for o in b.options
            if o.annual_spend is not None and o.budget and o.annual_spend > 1.02 * o.budget]
    if over:
        out.append("Over budget (direct L&D spend per employee-year): " + "; ".join(over) + ".")
    more = sorted((o for o in b.options if o.strategy != b.baseline and o.annual_spend is not None and today
                   and o.annual_spend > 1.02 * today), key=lambda o: -o.annual_spend)
    if more:
        out.append(f"Needs more than today's budget of {economics.money(today)} per employee-year: "
                   + ", ".join(f"{strategy_label(o.strategy)} {economics.money(o.annual_spend)} "
                               f"({o.annual_spend / today:.1f} ×)" for o in more) + ".")
    first = b.futures[0]
    flat = [o.strategy for o in b.options if o.strategy != b.baseline
            and o.by_future[first][1] == o.by_future[first][1] and o.by_future[first][1] <= 0 <= o.by_future[first][2]]
    if flat:
        crit = "incremental NPV" if b.criterion == NPV else outcome_label(b.criterion)
        out.append(f"Not distinguishable from {strategy_label(b.baseline)} on {crit}"
                   f"{'' if b.sampled else f' ({first})'}: "
                   + ", ".join(strategy_label(s) for s in flat) + ".")
    if not today:
        out.append("Budgets are not known for this sweep (a sweep of an older version): spend is not checked "
                   "against them.")
    return out


def _discover(b: Brief, runs: pd.DataFrame, mat: pd.DataFrame, experiment: dict, rec: str) -> list[str]:
    """Where the recommendation fails across sampled futures: cases are design points
    (replicates averaged); a case of interest is a point where another option beats the
    recommendation. PRIM (:func:`prim`) names the box of uncertain parameters where that is
    most common; the sentences also say when it happens everywhere or nowhere."""
    means = mat.groupby(level="uncertainty").mean()
    fails = (means.max(axis=1) > means[rec]).to_numpy()
    label = strategy_label(rec)
    if not fails.any():
        return []
    if fails.all():
        return [f"At every one of the {len(fails)} sampled points another option beats {label}: it is chosen for "
                "the smallest worst-case shortfall, not for being best anywhere."]
    names = [n for n in ((experiment.get("uncertainties") or {}).get("parameters") or {}) if n in runs.columns]
    share = f"Another option beats {label} at {fails.sum()} of {len(fails)} sampled points ({fails.mean():.0%})"
    if not names:
        return [share + "."]
    X = runs.drop_duplicates("uncertainty").set_index("uncertainty").loc[means.index, names].to_numpy(dtype=float)
    box = prim(X, fails, names)
    b.discovery = box
    if box is None or not box.limits:
        return [share + "; no region of the uncertain parameters concentrates these points."]
    where = " and ".join(f"{n} {lo:.3g}–{hi:.3g}" for n, (lo, hi) in box.limits.items())
    return [f"{share}. Scenario discovery (PRIM): where {where}, another option beats it at {box.density:.0%} of "
            f"the points; this region holds {box.coverage:.0%} of the points where it is not the best."]
