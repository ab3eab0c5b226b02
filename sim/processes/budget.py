"""Phase 12c — the budget: direct L&D spend against the declared annual budget.

The budget is a constraint unless the scenario says otherwise (CONCEPT.md "Economics a
planner expects"). Finance tracks the week's direct spend — what the costs phase books,
attributable spend plus overhead — against the allowance of the budget year (weeks 1–52,
53–104, …): ``governance.annual_budget_per_employee`` × headcount × the budget cuts so far
(``budget_cut`` events), one 52nd a week. Then, under a ``hard`` budget, it sets the scale
(0–1) at which each cuttable programme may run from next week so that the year's spend
lands within the year's allowance:

* cost estimates: each programme's weekly cost at full scale is a moving average (time
  constant ``rules.budget.estimate_weeks``) of its booked spend divided by the scale it ran
  at (commissioning, booked in quarterly lumps, is taken from the plan: items a year ×
  creation cost / 52); the costs nobody cuts (L&D staff, platform licences, compliance, the mindset
  initiative, recognition) are the "fixed" estimate;
* what is affordable each remaining week of the year (or of the run, when it ends
  mid-year) = (the year's allowance − spend so far) / weeks left − the estimates of the
  fixed costs and of the programmes not listed for cutting;
* ``ordered`` allocation cuts the first programme of ``governance.budget_cut_order`` down
  to nothing before the next is touched (default order: commissioning, job rotation intake,
  manager development intake, mentoring pairs, protected time, self-directed paid content
  hours); ``proportional`` scales every listed programme by the same share; ``evidence``
  spends by the value per dollar governance measured at its last review
  (:func:`allocate_by_evidence`: the least effective is cut first, the most effective
  scaled up to ``rules.budget.max_scale`` × its declared level with the money that frees
  or that is left over). Programmes not listed are never cut. When even the fixed costs
  exceed the budget, every listed programme stops and the year is flagged as overspent.

How the scale acts, in the phases that run the programmes: commissioned items ×scale
(governance), rotation and manager-development intake probability ×scale and mentoring
pairs ×scale (excess pairs end at once; phase 2), protected hours ×scale and self-directed
hours ×scale (phase 3); a scale above 1 (evidence allocation only) runs the programme
beyond its declared level the same way. Under an ``advisory`` budget the scales stay 1 and
the overspend is only recorded. Each budget year is closed with a record (budget, spend,
headcount, mean scale of each programme) in ``state.budget.years``; the governance table
carries the scales in effect at each review; each evidence reallocation is recorded in
``state.budget.reallocations`` (:func:`record_move`).
"""

from __future__ import annotations


from ..scenario import BUDGET_ITEMS
from .phase import Phase

WEEKS_PER_YEAR = 52


def allowance(s, p) -> float:
    """This week's budget: annual budget per employee × headcount × budget cuts / 52."""
    return p.annual_budget_per_employee * float(s.workforce.occupied.sum()) * s.budget_factor / WEEKS_PER_YEAR


def update_estimates(b, items: dict, rate: float) -> None:
    """Each programme's weekly cost at full scale: a moving average of booked spend / the
    scale it ran at (skipped while a programme is (nearly) stopped: nothing to learn from)."""
    for name, spent in items.items():
        scale = 1.0 if name == "fixed" else b.scale.get(name, 1.0)
        if scale < 0.05:
            continue
        full = spent / scale
        old = b.estimate.get(name)
        b.estimate[name] = full if old is None else old + (full - old) * rate


def planned_commissioning(p) -> float:
    """Commissioning's weekly cost at full scale: the plan (items a year × creation cost / 52);
    it is booked in quarterly lumps, so it is taken from the plan, not learned."""
    return p.commission_per_year * p.creation_cost / WEEKS_PER_YEAR if p.content_investment else 0.0


def allocate(estimates: dict, affordable: float, order, allocation: str) -> dict:
    """Scales (0–1) of the programmes in ``order`` so that their estimated cost fits
    ``affordable`` (see the module docstring)."""
    cost = {name: max(estimates.get(name, 0.0), 0.0) for name in order}
    total = sum(cost.values())
    scale = {name: 1.0 for name in order}
    if total <= affordable or total <= 0:
        return scale
    if allocation == "proportional":
        share = max(affordable, 0.0) / total
        return {name: share for name in order}
    deficit = total - max(affordable, 0.0)
    for name in order:
        if deficit <= 0:
            break
        cut = min(cost[name], deficit)
        scale[name] = 1.0 - cut / cost[name] if cost[name] > 0 else 1.0
        deficit -= cut
    return scale


def allocate_by_evidence(estimates: dict, affordable: float, order, value: dict, min_scale: float,
                         max_scale: float) -> dict:
    """Scales of the programmes in ``order`` that spend ``affordable`` by measured value per
    dollar (``value``, governance's last review; assumption: a planner's greedy reallocation,
    which is optimal when each programme's return per dollar stays what was measured).
    Money is given out in tranches until it runs out:

    1. each measured programme up to ``min_scale`` (a pilot share that keeps it measurable),
       best value first;
    2. each programme not (yet) measured up to its declared level (scale 1), in the reverse
       of the cut order (so the first listed is the first cut, as in ``ordered``);
    3. each measured programme with a positive value from ``min_scale`` up to ``max_scale``,
       best value first.

    So cuts fall first on the programme with the lowest measured value per dollar, and the
    money it frees (or any headroom) goes to the most effective ones beyond their declared
    level. Money left over (every programme worth anything at ``max_scale``) is not spent.
    Programmes without a cost estimate keep scale 1."""
    cost = {name: max(estimates.get(name, 0.0), 0.0) for name in order}
    measured = sorted((n for n in order if n in value and cost[n] > 0), key=lambda n: -value[n])
    if not measured:
        return allocate(estimates, affordable, order, "ordered")
    scale = {name: (0.0 if cost[name] > 0 else 1.0) for name in order}
    tranches = [(n, min_scale) for n in measured]
    tranches += [(n, 1.0) for n in reversed(order) if n not in measured and cost[n] > 0]
    tranches += [(n, max_scale) for n in measured if value[n] > 0]
    money = max(affordable, 0.0)
    for name, upto in tranches:
        take = min(money, max(upto - scale[name], 0.0) * cost[name])
        scale[name] += take / cost[name]
        money -= take
    return scale


def record_move(b, week: int, before: dict, heads: float) -> None:
    """Record an evidence reallocation (the first budget week after a review with new
    measurements): the review it follows, the programmes whose scale fell (``from``) and rose
    (``to``), the money moved (the estimated cost of the rises, $ per employee-year) and, per
    programme, the measured value (gap closed per $1,000; none when not measured) and the
    scale before and after."""
    up = {n: b.scale[n] - before.get(n, 1.0) for n in b.scale}
    record = {"week": week, "review_week": b.value_week,
              "from": ", ".join(n for n, d in up.items() if d < -1e-3),
              "to": ", ".join(n for n, d in up.items() if d > 1e-3),
              "moved_per_employee_year": round(sum(max(d, 0.0) * b.estimate.get(n, 0.0) for n, d in up.items())
                                               * WEEKS_PER_YEAR / max(heads, 1.0), 2)}
    for name in BUDGET_ITEMS:
        v = b.value.get(name)
        record[f"value_{name}"] = None if v is None else round(v * 1000.0, 6)
        record[f"scale_before_{name}"] = round(before.get(name, 1.0), 3)
        record[f"scale_after_{name}"] = round(b.scale.get(name, 1.0), 3)
    b.reallocations.append(record)


def year_record(b, p, year: int) -> dict:
    """The record of budget year ``year`` as tracked so far: its weeks, the mode, budget and
    spend per employee (annualised over the weeks tracked), whether it is over budget (beyond
    ``rules.budget.tolerance``) and each programme's mean scale."""
    heads = b.year_heads / max(b.year_weeks, 1)
    record = {
        "year": year, "weeks": b.year_weeks, "mode": p.budget_mode,
        "budget_per_employee": b.year_allowance / max(heads, 1e-9) * WEEKS_PER_YEAR / max(b.year_weeks, 1),
        "spend_per_employee": b.year_spend / max(heads, 1e-9) * WEEKS_PER_YEAR / max(b.year_weeks, 1),
        "over_budget": b.year_spend > b.year_allowance * (1.0 + p.tolerance),
    }
    for name in BUDGET_ITEMS:
        record[f"scale_{name}"] = b.year_scale_sum.get(name, 0.0) / max(b.year_weeks, 1)
    return record


def close_year(b, p, year: int) -> None:
    """Record the budget year just ended and start the next."""
    b.years.append(year_record(b, p, year))
    b.year_spend = b.year_allowance = b.year_heads = 0.0
    b.year_scale_sum = {}
    b.year_weeks = 0


def track_budget(s, p, rng) -> None:
    """Book this week's spend against the budget year and, under a hard budget, set next
    week's programme scales (module docstring)."""
    b = s.budget
    if not b.scale:
        b.scale = {name: 1.0 for name in BUDGET_ITEMS}
    spent = float(sum(s.spend_items.values()))
    for name, amount in s.spend_items.items():
        b.spent[name] = b.spent.get(name, 0.0) + amount
    for name in BUDGET_ITEMS:
        b.year_scale_sum[name] = b.year_scale_sum.get(name, 0.0) + b.scale[name]
    b.year_spend += spent
    b.year_allowance += allowance(s, p)
    b.year_heads += float(s.workforce.occupied.sum())
    b.year_weeks += 1
    update_estimates(b, {k: v for k, v in s.spend_items.items() if k != "commissioning"}, 1.0 / p.estimate_weeks)
    b.estimate["commissioning"] = planned_commissioning(p)
    weeks_left = WEEKS_PER_YEAR - b.year_weeks
    if weeks_left == 0:
        close_year(b, p, (s.week - 1) // WEEKS_PER_YEAR + 1)
        weeks_left = WEEKS_PER_YEAR
    if p.budget_mode != "hard":
        return
    weeks_left = min(weeks_left, max(p.weeks - s.week, 1))  # a run that ends mid-year lands at its end
    per_week = allowance(s, p)
    year_allowance = b.year_allowance + per_week * weeks_left
    order = list(p.budget_cut_order)
    uncut = sum(v for k, v in b.estimate.items() if k not in order)  # fixed costs and programmes never cut
    affordable = (year_allowance - b.year_spend) / weeks_left - uncut
    if p.budget_allocation == "evidence":
        before = dict(b.scale)
        b.scale.update(allocate_by_evidence(b.estimate, affordable, order, b.value, p.min_scale, p.max_scale))
        if b.value and b.value_week != b.planned_week:
            b.planned_week = b.value_week
            record_move(b, s.week, before, float(s.workforce.occupied.sum()))
    else:
        b.scale.update(allocate(b.estimate, affordable, order, p.budget_allocation))


def budget_status(s, p) -> dict:
    """The budget as governance reports it at a review: the budget year's allowance and spend
    so far (per employee, annualised; the year just closed at a year's last week) and the
    scale each programme runs at from next week."""
    b = s.budget
    if b.year_weeks:
        heads = b.year_heads / b.year_weeks
        per_employee = lambda spend: round(spend / max(heads, 1e-9) * WEEKS_PER_YEAR / b.year_weeks, 2)  # noqa: E731
        out = {"budget_per_employee": per_employee(b.year_allowance), "spend_per_employee": per_employee(b.year_spend)}
    elif b.years:  # a budget year has just closed: report it
        out = {k: round(b.years[-1][k], 2) for k in ("budget_per_employee", "spend_per_employee")}
    else:
        out = {"budget_per_employee": None, "spend_per_employee": None}
    for name in BUDGET_ITEMS:
        out[f"scale_{name}"] = round(b.scale.get(name, 1.0), 3)
    return out


BUDGET = Phase(
    "budget", track_budget,
    params=("governance.annual_budget_per_employee", "governance.budget_mode", "governance.budget_allocation",
            "governance.budget_cut_order", "weeks", "content.creation_cost",
            "content_investment=policies.content_investment.enabled",
            "policies.content_investment.commission_per_year", "rules.budget.*"),
    reads=("week", "workforce.occupied", "spend_items", "budget_factor", "budget"),
    writes=("budget",),
)
