"""Charts (PNG) and the one-file HTML report of a run.

Charts are drawn with matplotlib's Agg backend (no display needed) and written as PNG
files; the report is built with the shared report layer (:mod:`sim.reporting`), which
embeds them as base64 images and carries the CSS, so it is a single file that can be mailed.
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd

from . import economics
from .outcomes import HEADLINE, OUTCOMES, format_value
from .reporting import (figure_to_img, fmt_diff, fmt_interval, fmt_value, is_share, page, png_to_img, pyplot,
                        save_figure)

plt = pyplot()

DEPT_OUTCOMES = ("skills_gap", "engagement", "turnover", "spend_per_employee")
SINCE_START = ("roi", "cumulative_spend_per_employee")   # cumulative since week 0: the final value is the figure
ANNUALISED = ("learning_hours", "spend_per_employee", "total_cost_per_employee", "hiring_spend_per_employee",
              "internal_mobility")                    # a week's flow × 52: read as a rolling 52-week mean
YEAR = 52


def last_year(ts: pd.DataFrame) -> pd.DataFrame:
    """The rows of the last 52 weeks of a run (weeks 1 … end when the run is shorter): the
    figures a planner reads; week 0 is the start, not a result."""
    last = int(ts["week"].max())
    return ts[(ts["week"] >= max(1, last - YEAR + 1)) | ((ts["week"] == last) & (last == 0))]


def year_value(ts: pd.DataFrame, name: str) -> float:
    """An outcome's figure for the last year of a run: the mean over its last 52 weeks (NaN
    weeks skipped), or for a cumulative outcome (:data:`SINCE_START`) its final value."""
    if name in SINCE_START:
        return float(ts[name].iloc[-1])
    v = last_year(ts)[name].mean(skipna=True)
    return float(v) if v == v else float("nan")


def year_span(ts: pd.DataFrame) -> str:
    body = last_year(ts)
    return f"weeks {int(body['week'].min())}–{int(body['week'].max())}"


def _smooth(series: pd.Series, name: str) -> pd.Series:
    """A rolling 52-week mean of an annualised weekly flow (from 13 weeks on), so a year's
    spend reads as a year's spend rather than a weekly sawtooth; other outcomes as they are."""
    return series.rolling(YEAR, min_periods=min(13, len(series))).mean() if name in ANNUALISED else series


def honest_axis(ax, values, title: str, note: str = "") -> None:
    """Start the y axis at 0 when that does not flatten the line beyond reading (the lowest
    value is at most twice the range); otherwise zoom and say so under the title (with
    ``note``, e.g. how the line is smoothed)."""
    v = pd.Series(values, dtype=float).dropna()
    notes = [note] if note else []
    if not v.empty:
        lo, hi = float(v.min()), float(v.max())
        span = hi - lo
        if lo >= 0 and (lo <= 2 * span or span == 0):
            ax.set_ylim(bottom=0, top=hi * 1.08 if hi > 0 else 1)
        elif lo < 0 < hi or hi <= 0 and abs(hi) <= 2 * span:  # 0 is within the axis, or near its top
            pad = span * 0.08
            ax.set_ylim(lo - pad, max(hi + pad, 0.0))
        else:
            pad = max(span * 0.15, abs(hi) * 0.005, 1e-9)
            ax.set_ylim(lo - pad, hi + pad)
            notes.append("zoomed: axis not from 0")
    ax.set_title(title + ("\n" + " · ".join(notes) if notes else ""), fontsize=9)


def chart_headline(ts: pd.DataFrame, path: Path) -> None:
    """Each headline outcome by week from week 1; annualised flows as rolling 52-week means."""
    n = len(HEADLINE)
    cols = 3
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(12, 3.1 * rows), constrained_layout=True)
    body = ts[ts["week"] >= 1] if len(ts) > 1 else ts
    for ax, o in zip(axes.flat, HEADLINE):
        y = _smooth(body[o.name], o.name)
        ax.plot(body["week"], y, color="#1f5f8b")
        honest_axis(ax, y, f"{o.label} ({o.unit})", "rolling 52-week mean" if o.name in ANNUALISED else "")
        ax.set_xlabel("week", fontsize=8)
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    save_figure(fig, path, dpi=90)


def chart_departments(dep: pd.DataFrame, path: Path) -> None:
    """Outcomes by department from week 1: turnover and spend as rolling 52-week means (a
    department's weekly figures are mostly noise)."""
    labels = {o.name: f"{o.label} ({o.unit})" for o in OUTCOMES}
    fig, axes = plt.subplots(2, 2, figsize=(12, 6.5), constrained_layout=True)
    body = dep[dep["week"] >= 1] if dep["week"].max() >= 1 else dep
    for ax, name in zip(axes.flat, DEPT_OUTCOMES):
        shown = []
        for dept, g in body.groupby("department", sort=False):
            y = (g[name].rolling(YEAR, min_periods=min(13, len(g))).mean() if name in ("spend_per_employee", "turnover")
                 else g[name])
            # staffed but never an engagement figure: suppressed (an imported organisation's small group)
            hidden = (g["headcount"] > 0).any() and g["engagement"].isna().all()
            ax.plot(g["week"], y, label=f"{dept} (suppressed for privacy)" if hidden else dept)
            shown.append(y)
        honest_axis(ax, pd.concat(shown) if shown else [], labels[name],
                    "rolling 52-week mean" if name in ("spend_per_employee", "turnover") else "")
        ax.set_xlabel("week", fontsize=8)
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
    axes.flat[0].legend(fontsize=8)
    save_figure(fig, path, dpi=90)


def chart_skills(sk: pd.DataFrame, path: Path) -> None:
    first_week, last_week = sk["week"].min(), sk["week"].max()
    start = sk[sk["week"] == first_week].set_index("skill")["mean_gap"]
    end = sk[sk["week"] == last_week].set_index("skill")["mean_gap"]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4), constrained_layout=True)
    idx = range(len(end))
    before = start.reindex(end.index)
    ax1.barh([i + 0.2 for i in idx], before.fillna(0), height=0.4, label=f"week {first_week}", color="#b0c4de")
    ax1.barh([i - 0.2 for i in idx], end.fillna(0), height=0.4, label=f"week {last_week}", color="#1f5f8b")
    for i, (skill, v) in enumerate(before.items()):
        if v != v:  # the skill did not exist at the start (an event added it)
            ax1.annotate("new since the start", (0, i + 0.2), xytext=(3, 0), textcoords="offset points",
                         va="center", fontsize=7, color="#555")
    ax1.set_yticks(list(idx), end.index, fontsize=8)
    ax1.set_title("Mean gap to requirement by skill (levels, people who need it)", fontsize=10)
    ax1.legend(fontsize=8)
    for skill, g in sk.groupby("skill", sort=False):
        ax2.plot(g["week"], g["mean_proficiency"], label=skill)
    ax2.set_title("Mean proficiency by skill (level 0–5)", fontsize=10)
    ax2.set_xlabel("week", fontsize=8)
    ax2.legend(fontsize=7, ncol=2)
    ax2.grid(alpha=0.3)
    save_figure(fig, path, dpi=90)


def write_charts(result, folder: Path) -> dict[str, Path]:
    """Write the PNG charts; returns name → path."""
    paths = {"headline": folder / "chart_headline.png", "departments": folder / "chart_departments.png",
             "skills": folder / "chart_skills.png"}
    chart_headline(result.timeseries, paths["headline"])
    chart_departments(result.departments, paths["departments"])
    chart_skills(result.skills, paths["skills"])
    return paths


def _table(header: tuple[str, ...], rows) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def net_figure(curve: pd.DataFrame, name: str, counterfactual: str):
    """Cumulative discounted net (Δ benefit − Δ cost) by week: mean and 95 % interval over seeds."""
    fig, ax = plt.subplots(figsize=(8, 3.6), constrained_layout=True)
    ax.plot(curve["week"], curve["mean"] / 1e3, color="#1f5f8b", label="mean over seeds")
    if curve["low"].notna().any():
        ax.fill_between(curve["week"], curve["low"] / 1e3, curve["high"] / 1e3, alpha=0.2, color="#1f5f8b",
                        label="95 % t interval")
    ax.axhline(0, color="grey", lw=1)
    ax.set_xlabel("week", fontsize=9)
    ax.set_ylabel("$ thousand (present value)", fontsize=9)
    ax.set_title(f"Cumulative discounted net of {name} against {counterfactual}", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return fig


def economics_section(result, replicates=(), against=None) -> str:
    """The answer first: the incremental economics against the counterfactual (if any), the
    valuation assumptions beside it, the week's cost split, and the gross ROI labelled as such."""
    sc = result.scenario
    ts = result.timeseries
    parts = ["<h2>Economics</h2>"]
    valuation = "<h3>Valuation assumptions</h3>" + _table(
        ("Parameter", "Value", "Unit", "Source"),
        [(a["path"], f"{a['value']:,g}", a["unit"], a["source"]) for a in economics.assumptions(sc)])
    if against is not None:
        s = against.summary
        parts.append(f"<p>Against <b>{html.escape(against.counterfactual.name)}</b> on the same {s['n']} seed(s) "
                     f"({', '.join(str(x['seed']) for x in s['seeds'])}), weeks 1–{sc.weeks}, present values at week 0. "
                     f"Intervals: {html.escape(s['interval'])}.</p>")
        parts.append(_table(("Figure", "Mean [95 % interval]"), economics.summary_rows(s)))
        parts.append(valuation)
        parts.append(figure_to_img(net_figure(against.curve, sc.name, against.counterfactual.name),
                                   "cumulative discounted net by week"))
    else:
        parts.append("<p>This run alone says nothing about what the strategy pays back: that needs a "
                     "counterfactual on the same seeds (<code>lesim run THIS.yaml --against BASELINE.yaml "
                     "--replicates 5</code>).</p>")
    rate = sc.governance.discount_rate
    f = economics.discount_factors(ts["week"], rate) * (ts["week"] >= 1)
    labels = {o.name: o.label for o in OUTCOMES}
    flows = [*economics.COST_PARTS, "total_cost", "output_value", "vacancy_cost"]
    split = [(labels[o] + (" (inside the value of output; not a cost)" if o == "vacancy_cost" else ""), o,
              economics.money(float((ts[o] * f).sum()))) for o in flows]
    parts.append(f"<h3>This run's flows (seed {sc.seed}; present value at week 0 of weeks 1–{sc.weeks})</h3>"
                 + _table(("Flow", "Column of timeseries.csv", "PV"), split))
    if against is None:
        parts.append(valuation)
    roi = ts["roi"].iloc[-1]
    g = sc.governance
    parts.append(f"<p class=muted>Gross ROI (Phillips, since week 0): {format_value(roi)} — the fit gained since week 0 "
                 f"valued at ${g.value_per_employee_year:,.0f} per employee-year, over L&amp;D spend and learners' "
                 f"time at ${g.employee_hour_cost:,.0f}/h. It is not against a counterfactual and leaves out hiring and "
                 "turnover costs: do not read it as what a strategy pays back.</p>")
    return "".join(parts)


def _interval(name: str, values, diff: bool = False) -> tuple[float, float, float, str]:
    """Mean, 95 % t interval over seeds (NaN values skipped) and "mean [low, high]" in the
    outcome's unit (one seed: the value alone); a share's interval stays within [0, 1]."""
    vals = [v for v in values if v == v]
    m, lo, hi = economics.t_interval(vals)
    if not vals:
        return m, lo, hi, "–"
    lo, hi = (lo, hi) if diff or not is_share(name) else (max(lo, 0.0), min(hi, 1.0))
    return m, lo, hi, fmt_interval(name, m, lo, hi, diff=diff)


def summary_section(result, replicates=(), against=None) -> str:
    """The executive summary at the top of the report: against a counterfactual, each
    headline outcome's last-year figure for both and their paired difference with its 95 %
    interval, what is clearly better or worse, and the incremental NPV with the assumptions it
    rests on; without one, the last-year figures over the seeds with their intervals."""
    sc = result.scenario
    runs = list(replicates) if len(replicates) else [result]
    span = year_span(result.timeseries)
    rows, better, worse, same = [], [], [], []
    if against is not None:
        cf = against.counterfactual.name
        for o in HEADLINE:
            mine = [year_value(r.timeseries, o.name) for r in runs]
            theirs = [year_value(r.timeseries, o.name) for r in against.runs]
            d, lo, hi, dtext = _interval(o.name, [a - b for a, b in zip(mine, theirs)], diff=True)
            verdict = ""
            if o.better != "neither" and lo == lo:
                sign = 1 if o.better == "higher" else -1
                low, high = sorted((lo * sign, hi * sign))
                verdict = "better" if low > 0 else "worse" if high < 0 else ""
                name = o.label if o.label[:2].isupper() else o.label[:1].lower() + o.label[1:]
                (better if verdict == "better" else worse if verdict == "worse" else same).append(
                    f"{name} {fmt_diff(o.name, d)}" if verdict else name)
            rows.append((f"{o.label} ({o.unit})", _interval(o.name, mine)[-1], _interval(o.name, theirs)[-1], dtext,
                         verdict or ("–" if o.better == "neither" else
                                     "one seed: no interval" if lo != lo else "no clear difference")))
        s = against.summary
        npv = s["npv"]
        lines = [f"<p><b>{html.escape(sc.name)}</b> against <b>{html.escape(cf)}</b>, the same {s['n']} seed(s), "
                 f"{span} (the last year of {sc.weeks} weeks; cumulative figures at the end).</p>"]
        verdicts = []
        if better:
            verdicts.append("Clearly better: " + "; ".join(better) + ".")
        if worse:
            verdicts.append("Clearly worse: " + "; ".join(worse) + ".")
        if same:
            verdicts.append("No difference distinguishable from zero: " + ", ".join(same) + ".")
        lines.append("<ul>" + "".join(f"<li>{html.escape(v)}</li>" for v in verdicts) + "</ul>")
        if npv.get("mean") is not None:
            span_npv = ("" if npv.get("low") is None else
                        f" [{economics.money(npv['low'])}, {economics.money(npv['high'])}]")
            roi = s["roi"]
            roi_text = (f"ROI {roi['mean']:+.2f}".replace("-", "−") if roi["status"] == "defined" else roi["status"])
            lines.append(f"<p class=rec>Incremental NPV over {sc.weeks} weeks: {economics.money(npv['mean'])}"
                         f"{span_npv} (present value at week 0); {html.escape(roi_text)}; payback "
                         f"{html.escape(economics.payback_text(s['payback_week'], s['n']))}.</p>")
        lines.append("<p class=muted>Valued at " + html.escape(economics.valuation_line(economics.assumptions(sc)))
                     + " (see Economics).</p>")
        table = _table(("Outcome", sc.name, cf, "Difference [95 % interval]", "Verdict"), rows)
        return "<h2>Summary</h2>" + "".join(lines) + table
    for o in HEADLINE:
        rows.append((f"{o.label} ({o.unit})", _interval(o.name, [year_value(r.timeseries, o.name) for r in runs])[-1]))
    seeds = (f"mean [95 % t interval] over {len(runs)} seeds" if len(runs) > 1 else
             "one seed, no interval: <code>--replicates 5</code> gives one")
    return ("<h2>Summary</h2>"
            f"<p>{span} of {sc.weeks} (the last year; cumulative figures at the end): {seeds}. What a strategy "
            "changes needs a counterfactual on the same seeds: <code>lesim run THIS.yaml --against "
            "BASELINE.yaml</code>.</p>" + _table(("Outcome", "Last year"), rows))


def department_section(result, replicates=()) -> str:
    """Departments' last-year figures (mean over the last 52 weeks, per seed), with their 95 %
    interval over the seeds: a department's final week alone is mostly noise."""
    runs = list(replicates) if len(replicates) else [result]
    cols = ("skills_gap", "fully_proficient", "engagement", "turnover")
    by_name = {o.name: o for o in OUTCOMES}
    per_seed = []
    for r in runs:
        d = r.departments
        last = int(d["week"].max())
        body = d[d["week"] >= max(1, last - YEAR + 1)] if last >= 1 else d
        per_seed.append(body.groupby("department", sort=False)[["headcount", *cols]].mean())
    rows = []
    for dept in per_seed[0].index:
        cells = [str(dept), f"{np.mean([p.loc[dept, 'headcount'] for p in per_seed if dept in p.index]):,.0f}"]
        cells += [_interval(c, [p.loc[dept, c] for p in per_seed if dept in p.index])[-1] for c in cols]
        rows.append(cells)
    note = (f"mean [95 % t interval] over {len(runs)} seeds" if len(runs) > 1 else "one seed, no interval")
    data = result.scenario.organisation.data
    if data is not None:
        note += (f". Figures of fewer than {data.min_group_size} people are suppressed (–) to protect the people of "
                 "this imported organisation (organisation.data.min_group_size)")
    head = ("Department", "Headcount", *(f"{by_name[c].label} ({by_name[c].unit})" for c in cols))
    return (f"<p class=muted>Each department over {year_span(result.timeseries)} (the last year): {note}.</p>"
            + _table(head, rows))


LOCATION_COLUMNS = ("skills_gap", "time_to_proficiency", "knowledge_flow", "cross_dept_flow", "learning_hours",
                    "engagement", "turnover")


def location_section(locations: pd.DataFrame) -> str:
    """The report's "By work location" table: each location's outcomes averaged over the last
    52 weeks of the run (weeks 1 … end if shorter; NaN weeks skipped), so the reader sees who
    is being left out. Empty when everyone works in one place."""
    if locations is None or locations.empty or locations["location"].nunique() < 2:
        return ""
    if locations[list(LOCATION_COLUMNS)].isna().all().all():
        return ("<h2>By work location</h2><p class=muted>Not shown for an imported organisation: figures by "
                "location and by department could be subtracted from each other to give a group smaller than "
                "the privacy minimum (organisation.data.min_group_size).</p>")
    last = int(locations["week"].max())
    body = locations[(locations["week"] >= max(1, last - 51)) | (locations["week"] == last)]
    by_name = {o.name: o for o in OUTCOMES}
    head = "".join(f"<th>{html.escape(by_name[c].label)}<br><span class=muted>{html.escape(by_name[c].unit)}</span></th>"
                   for c in LOCATION_COLUMNS)
    rows = []
    for loc, part in body.groupby("location", sort=False):
        final = part[part["week"] == last]
        cells = "".join(f"<td class=n>{format_value(part[c].mean(skipna=True))}</td>" for c in LOCATION_COLUMNS)
        rows.append(f"<tr><td>{html.escape(str(loc))}</td><td class=n>{int(final['headcount'].sum())}</td>{cells}</tr>")
    weeks = f"weeks {max(1, last - 51)}–{last}"
    return (f"<h2>By work location</h2><p class=muted>Mean over {weeks} (headcount in the final week); "
            "per-location figures in locations.csv. Locations mix departments and roles: where one department "
            "works mostly in one place, read its row in departments.csv before putting a difference down to "
            "location.</p>"
            f"<table><tr><th>Location</th><th>Headcount</th>{head}</tr>{''.join(rows)}</table>")


def imported_row(result) -> str:
    """For an imported organisation (``lesim import``), what came from its data and what was
    assumed: its tables, the measured state set at week 0 (:func:`sim.organisation.apply_observed`)
    and where proficiency was drawn instead of assessed."""
    sc = result.scenario
    data = sc.organisation.data
    if data is None:
        return ""
    observed = result.observed
    tables = ", ".join(Path(t.file).name for t in (data.people, data.network, data.assessments) if t is not None)
    k = len(sc.organisation.skills)
    assessed = observed.get("assessed", 0)
    drawn = ("every proficiency is drawn from the role's requirements with the declared spread "
             "(organisation.initial_proficiency) and settled by the spin-up: no assessments were imported"
             if data.assessments is None else
             f"{assessed:,} assessed proficiencies set at week 0; the other person-skill pairs (of "
             f"{sc.organisation.size * k:,}) are drawn from the role's requirements with the declared spread "
             "(organisation.initial_proficiency)")
    network = ("the collaboration ties of network.csv" if data.network is not None
               else "no network imported: team and cross-team ties generated")
    return (f"<tr><th>Imported</th><td>{html.escape(tables)}: structure and line management from the data; "
            f"{html.escape(network)}; engagement set at week 0 for {observed.get('engagement', 0):,} people, "
            f"tenure for {observed.get('tenure', 0):,}; {html.escape(drawn)}. Groups under "
            f"{data.min_group_size} people are suppressed.</td></tr>")


def write_report(result, path: Path, charts: dict[str, Path], *, replicates=(), against=None) -> None:
    """The self-contained HTML report: what was run, the economics (incremental against a
    counterfactual when given), the budget, headline outcomes, charts, tables."""
    from .run import budget_lines

    sc = result.scenario
    ts = result.timeseries
    rows = []
    for o in OUTCOMES:
        star = " ★" if o.headline else ""
        year = "–" if o.name in SINCE_START else fmt_value(o.name, year_value(ts, o.name))
        rows.append(f"<tr><td>{html.escape(o.label)}{star}</td><td>{html.escape(o.unit)}</td>"
                    f"<td class=n>{year}</td><td class=n>{fmt_value(o.name, ts[o.name].iloc[-1])}</td>"
                    f"<td>{o.better}</td><td class=muted>{html.escape(o.description)}</td></tr>")
    policies = [name.replace("_", " ").capitalize() for name, cfg in sc.policies if getattr(cfg, "enabled", True)]
    events = "".join(f"<li>week {e.week}: {html.escape(e.type)} "
                     f"{html.escape(str({k: v for k, v in e.model_dump().items() if k not in ('type', 'week')}))}</li>"
                     for e in sc.events) or "<li>none</li>"
    location_rows = location_section(result.locations)
    budget_items = "".join(f"<li{' class=warn' if 'OVER BUDGET' in line else ''}>{html.escape(line)}</li>"
                           for line in budget_lines(result)) or "<li>no budget year tracked</li>"
    body = f"""<p>{html.escape(sc.description) or '<span class=muted>(no description)</span>'}</p>
{summary_section(result, replicates, against)}
<h2>What was run</h2>
<table><tr><th>Organisation</th><td>{sc.organisation.size:,} people, {len(sc.organisation.departments)} departments,
{len(sc.organisation.skills)} skills, {len(sc.organisation.roles)} roles</td></tr>
{imported_row(result)}
<tr><th>Horizon</th><td>{sc.weeks} weeks (seed {sc.seed})</td></tr>
<tr><th>Policies on</th><td>{html.escape(', '.join(policies) or 'none')}</td></tr>
<tr><th>Governance</th><td>{sc.governance.rule}, review every {sc.governance.review_every_weeks} weeks,
data maturity L{sc.governance.data_maturity}, {sc.governance.budget_mode} budget ${sc.governance.annual_budget_per_employee:,.0f}/employee/year</td></tr>
<tr><th>Events</th><td><ul>{events}</ul></td></tr>
<tr><th>Scenario hash</th><td><code>{sc.digest()[:16]}</code></td></tr>
<tr><th>Wall time</th><td>{result.wall_seconds:.1f} s</td></tr></table>
<h2>Budget</h2>
<p>{html.escape(sc.governance.budget_mode)} budget of ${sc.governance.annual_budget_per_employee:,.0f} per employee-year
(direct L&amp;D spend: attributable spend + overhead; {'programmes are cut in the order ' + html.escape(', '.join(n.replace('_', ' ') for n in sc.governance.budget_cut_order) or 'none') + ' (' + sc.governance.budget_allocation + ')' if sc.governance.budget_mode == 'hard' else 'nothing is cut, overspend is only flagged'}).</p>
<ul>{budget_items}</ul>
{economics_section(result, replicates, against)}
<h2>Outcomes</h2>
<p class=muted>Seed {sc.seed}: mean over {year_span(ts)} (the last year) and the value in the final week; a
cumulative figure (since week 0) has only its final value. ★ headline outcomes.</p>
<table><tr><th>Outcome</th><th>Unit</th><th>Last year</th><th>Final week</th><th>Better</th><th>Meaning</th></tr>
{''.join(rows)}</table>
<h2>Headline outcomes over time</h2>{png_to_img(charts['headline'], 'headline outcomes over time')}
<h2>By department</h2>{png_to_img(charts['departments'], 'outcomes by department')}
{department_section(result, replicates)}
{location_rows}
<h2>Skills gap by skill</h2>{png_to_img(charts['skills'], 'skills gap by skill')}
<p class=muted>Generated by learning-ecosystem-sim. One run is one possible future: compare strategies over
replicates with <code>lesim sweep</code> before deciding.</p>"""
    doc = page(f"lesim report: {sc.name}", [body], heading=f"Learning-ecosystem simulation: {sc.name}")
    Path(path).write_text(doc, encoding="utf-8")
