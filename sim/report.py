"""Charts (PNG) and the one-file HTML report of a run.

Charts are drawn with matplotlib's Agg backend (no display needed) and written as PNG
files; the report is built with the shared report layer (:mod:`sim.reporting`), which
embeds them as base64 images and carries the CSS, so it is a single file that can be mailed.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from . import economics
from .outcomes import HEADLINE, OUTCOMES, format_value
from .reporting import figure_to_img, page, png_to_img, pyplot, save_figure

plt = pyplot()

DEPT_OUTCOMES = ("skills_gap", "engagement", "turnover", "spend_per_employee")


def _smooth(series: pd.Series, weeks: int = 4) -> pd.Series:
    return series.rolling(weeks, min_periods=1).mean()


def chart_headline(ts: pd.DataFrame, path: Path) -> None:
    n = len(HEADLINE)
    cols = 3
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(12, 3.0 * rows), constrained_layout=True)
    for ax, o in zip(axes.flat, HEADLINE):
        y = ts[o.name]
        if o.name in ("learning_hours", "spend_per_employee", "total_cost_per_employee"):
            y = _smooth(y.iloc[1:])
            x = ts["week"].iloc[1:]
        else:
            x = ts["week"]
        ax.plot(x, y, color="#1f5f8b")
        ax.set_title(f"{o.label} ({o.unit})", fontsize=10)
        ax.set_xlabel("week", fontsize=8)
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    save_figure(fig, path, dpi=90)


def chart_departments(dep: pd.DataFrame, path: Path) -> None:
    labels = {o.name: f"{o.label} ({o.unit})" for o in OUTCOMES}
    fig, axes = plt.subplots(2, 2, figsize=(12, 6.5), constrained_layout=True)
    for ax, name in zip(axes.flat, DEPT_OUTCOMES):
        for dept, g in dep.groupby("department", sort=False):
            g = g[g["week"] >= 1] if name == "spend_per_employee" else g
            ax.plot(g["week"], _smooth(g[name]) if name in ("spend_per_employee", "turnover") else g[name], label=dept)
        ax.set_title(labels[name], fontsize=10)
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
    ax1.barh([i + 0.2 for i in idx], start.reindex(end.index).fillna(0), height=0.4, label=f"week {first_week}", color="#b0c4de")
    ax1.barh([i - 0.2 for i in idx], end.fillna(0), height=0.4, label=f"week {last_week}", color="#1f5f8b")
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
    if against is not None:
        s = against.summary
        parts.append(f"<p>Against <b>{html.escape(against.counterfactual.name)}</b> on the same {s['n']} seed(s) "
                     f"({', '.join(str(x['seed']) for x in s['seeds'])}), weeks 1–{sc.weeks}, present values at week 0. "
                     f"Intervals: {html.escape(s['interval'])}.</p>")
        parts.append(_table(("Figure", "Mean [95 % interval]"), economics.summary_rows(s)))
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
    parts.append("<h3>Valuation assumptions</h3>" + _table(
        ("Parameter", "Value", "Unit", "Source"),
        [(a["path"], f"{a['value']:,g}", a["unit"], a["source"]) for a in economics.assumptions(sc)]))
    roi = ts["roi"].iloc[-1]
    parts.append(f"<p class=muted>Gross ROI (Phillips, since week 0): {format_value(roi)} — the fit gained since week 0 "
                 "valued at the value per employee-year, over L&D spend and learners' time. It is not against a "
                 "counterfactual and leaves out hiring and turnover costs: do not read it as what a strategy pays "
                 "back.</p>")
    if len(replicates) > 1:
        from .run import replicate_rows

        parts.append(f"<h3>Headline outcomes over {len(replicates)} seeds (final week; mean [95 % t interval])</h3>"
                     + _table(("Outcome", "Unit", "Mean [95 % interval]"), replicate_rows(replicates)))
    return "".join(parts)


LOCATION_COLUMNS = ("skills_gap", "time_to_proficiency", "knowledge_flow", "cross_dept_flow", "learning_hours",
                    "engagement", "turnover")


def location_section(locations: pd.DataFrame) -> str:
    """The report's "By work location" table: each location's outcomes averaged over the last
    52 weeks of the run (weeks 1 … end if shorter; NaN weeks skipped), so the reader sees who
    is being left out. Empty when everyone works in one place."""
    if locations is None or locations.empty or locations["location"].nunique() < 2:
        return ""
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


def write_report(result, path: Path, charts: dict[str, Path], *, replicates=(), against=None) -> None:
    """The self-contained HTML report: what was run, the economics (incremental against a
    counterfactual when given), the budget, headline outcomes, charts, tables."""
    from .run import budget_lines

    sc = result.scenario
    summary = result.summary()
    rows = []
    for o in OUTCOMES:
        s = summary[o.name]
        star = " ★" if o.headline else ""
        rows.append(f"<tr><td>{html.escape(o.label)}{star}</td><td>{html.escape(o.unit)}</td>"
                    f"<td class=n>{format_value(s['average'])}</td><td class=n>{format_value(s['final'])}</td>"
                    f"<td>{o.better}</td><td class=muted>{html.escape(o.description)}</td></tr>")
    policies = [name for name, cfg in sc.policies if getattr(cfg, "enabled", True)]
    events = "".join(f"<li>week {e.week}: {html.escape(e.type)} "
                     f"{html.escape(str({k: v for k, v in e.model_dump().items() if k not in ('type', 'week')}))}</li>"
                     for e in sc.events) or "<li>none</li>"
    last = result.departments[result.departments["week"] == result.departments["week"].max()]
    dept_rows = "".join(
        f"<tr><td>{html.escape(str(r.department))}</td><td class=n>{int(r.headcount)}</td>"
        f"<td class=n>{format_value(r.skills_gap)}</td><td class=n>{format_value(r.fully_proficient)}</td>"
        f"<td class=n>{format_value(r.engagement)}</td><td class=n>{format_value(r.turnover)}</td></tr>"
        for r in last.itertuples())
    location_rows = location_section(result.locations)
    budget_items = "".join(f"<li{' class=warn' if 'OVER BUDGET' in line else ''}>{html.escape(line)}</li>"
                           for line in budget_lines(result)) or "<li>no budget year tracked</li>"
    body = f"""<p>{html.escape(sc.description) or '<span class=muted>(no description)</span>'}</p>
<h2>What was run</h2>
<table><tr><th>Organisation</th><td>{sc.organisation.size:,} people, {len(sc.organisation.departments)} departments,
{len(sc.organisation.skills)} skills, {len(sc.organisation.roles)} roles</td></tr>
<tr><th>Horizon</th><td>{sc.weeks} weeks (seed {sc.seed})</td></tr>
<tr><th>Policies on</th><td>{html.escape(', '.join(policies))}</td></tr>
<tr><th>Governance</th><td>{sc.governance.rule}, review every {sc.governance.review_every_weeks} weeks,
data maturity L{sc.governance.data_maturity}, {sc.governance.budget_mode} budget ${sc.governance.annual_budget_per_employee:,.0f}/employee/year</td></tr>
<tr><th>Events</th><td><ul>{events}</ul></td></tr>
<tr><th>Scenario hash</th><td><code>{sc.digest()[:16]}</code></td></tr>
<tr><th>Wall time</th><td>{result.wall_seconds:.1f} s</td></tr></table>
<h2>Budget</h2>
<p>{html.escape(sc.governance.budget_mode)} budget of ${sc.governance.annual_budget_per_employee:,.0f} per employee-year
(direct L&amp;D spend: attributable spend + overhead; {'programmes are cut in the order ' + html.escape(', '.join(sc.governance.budget_cut_order) or 'none') + ' (' + sc.governance.budget_allocation + ')' if sc.governance.budget_mode == 'hard' else 'nothing is cut, overspend is only flagged'}).</p>
<ul>{budget_items}</ul>
{economics_section(result, replicates, against)}
<h2>Outcomes</h2>
<p class=muted>Seed {sc.seed}: average over weeks 1–{sc.weeks} and value in the final week. ★ headline outcomes.</p>
<table><tr><th>Outcome</th><th>Unit</th><th>Average</th><th>Final</th><th>Better</th><th>Meaning</th></tr>
{''.join(rows)}</table>
<h2>Headline outcomes over time</h2>{png_to_img(charts['headline'], 'headline outcomes over time')}
<h2>By department</h2>{png_to_img(charts['departments'], 'outcomes by department')}
<table><tr><th>Department (final week)</th><th>Headcount</th><th>Skills gap</th><th>Fully proficient</th>
<th>Engagement</th><th>Turnover</th></tr>{dept_rows}</table>
{location_rows}
<h2>Skills gap by skill</h2>{png_to_img(charts['skills'], 'skills gap by skill')}
<p class=muted>Generated by learning-ecosystem-sim. One run is one possible future: compare strategies over
replicates with <code>lesim sweep</code> before deciding.</p>"""
    doc = page(f"lesim report: {sc.name}", [body], heading=f"Learning-ecosystem simulation: {sc.name}")
    Path(path).write_text(doc, encoding="utf-8")
