"""Each rule on a small organisation, with a closed-form expectation."""

from __future__ import annotations

import numpy as np
import pytest

from sim.agents import Employee, Executive, Manager
from sim.policies import MentoringPolicy
from sim.processes import experiential, transfer, turnover
from sim.processes.formal import level_fit
from sim.processes.transfer import transfer_multiplier
from sim.scenario import Scenario

from .conftest import make_model

NO_LEARNING = {
    "learning": {"formal_rate": 0, "experiential_rate": 0, "social_rate": 0, "coaching_rate": 0},
    "environment": {"turbulence_per_year": 0},
    "labour_market": {"annual_turnover": 0},
}


def test_no_learning_channel_means_no_skill_rises():
    m = make_model(**NO_LEARNING)
    start = m.workforce.prof.copy()
    for _ in range(15):
        m.step()
    assert (m.workforce.prof <= start + 1e-12).all()
    assert (m.workforce.pending == 0).all()


def test_unused_skill_loses_half_in_one_half_life():
    m = make_model(learning={"decay_half_life_months": 12.0})
    wf = m.workforce
    row = int(np.flatnonzero(~wf.is_manager)[0])
    unused = int(np.flatnonzero(m.structure.req[wf.work_role[row]] == 0)[0])
    wf.prof[row, unused] = 4.0
    m.derived.demand = experiential.work_demand(m.state)
    for _ in range(52):  # 12 months = 52 weeks
        m.phase("forgetting").run(m.state, m.streams)
    assert wf.prof[row, unused] == pytest.approx(2.0, rel=1e-12)


def test_practised_skill_does_not_decay_below_work_demand():
    m = make_model()
    m.derived.demand = demand = experiential.work_demand(m.state)
    m.workforce.prof[:] = np.minimum(demand, 5.0)
    before = m.workforce.prof.copy()
    m.phase("forgetting").run(m.state, m.streams)
    np.testing.assert_array_equal(m.workforce.prof, before)


def test_experiential_learning_closes_a_tenth_of_the_gap_each_week():
    """Closed form: with rate 0.1, aptitude 1 and no mindset effect, a gap of 1 level below
    the work demand is 0.9^w after w weeks of doing the work (learning alone at full rate:
    ``solo_share`` 1, so know-how nearby does not matter)."""
    m = make_model(learning={"experiential_rate": 0.1, "mindset_effect": 0.0},
                   rules={"experiential": {"solo_share": 1.0}})
    wf = m.workforce
    wf.aptitude[:] = 1.0
    demand = experiential.work_demand(m.state)
    used = demand >= 1.0
    wf.prof[:] = np.where(used, demand - 1.0, 5.0)  # unused skills above demand: nothing to learn
    for _ in range(3):
        m.phase("experiential").run(m.state, m.streams)
    np.testing.assert_allclose((demand - wf.prof)[used], 0.9**3, rtol=1e-12)
    assert (wf.prof[~used] == 5.0).all()


def test_no_learning_time_means_no_formal_learning():
    m = make_model(learning={"discretionary_hours": 0.0},
                   policies={"protected_time": {"enabled": False}, "mandatory_training": {"enabled": False},
                             "hiring": {"onboarding_hours": 0.0}})
    for _ in range(10):
        m.step()
        assert m.workforce.hours.sum() == 0
        assert not m.workforce.started.any()
    assert (m.workforce.pending == 0).all()
    assert m.collector.latest()["learning_hours"] == 0


def test_protected_time_taken_is_thirty_percent_without_support_and_all_with_full_support():
    """Closed-form ends of the uptake rule: no manager support → 0.3 of the protected hours
    (``rules.time.uptake_base``), full support → all of them (0.3 + 0.8 capped at 1)."""
    def extra_hours(support: float) -> np.ndarray:
        sections = dict(learning={"crunch_probability": 0.0},
                        leadership={"manager_support": support, "manager_support_sd": 0.0, "executive_support": support})
        base = make_model(**sections)
        pt = make_model(**sections, policies={"protected_time": {"enabled": True, "hours_per_week": 2.0}})
        base.step()
        pt.step()
        return pt.workforce.skill_hours - base.workforce.skill_hours
    np.testing.assert_allclose(extra_hours(0.0), 0.6, rtol=1e-12)
    np.testing.assert_allclose(extra_hours(1.0), 2.0, rtol=1e-12)


def test_full_transfer_rate_applies_every_pending_gain_at_once():
    m = make_model(learning={"transfer_rate": 1.0}, leadership={"manager_support": 1.0, "manager_support_sd": 0.0},
                   rules={"transfer": {"opportunity_probability": 1.0}})
    wf = m.workforce
    wf.motivation[:] = 1.0
    m.team_climate[:] = 1.0
    wf.prof[:] = 1.0
    wf.pending[:] = 0.5
    m.phase("transfer").run(m.state, m.streams)
    np.testing.assert_allclose(wf.prof, 1.5)
    assert (wf.pending == 0).all()


def test_gains_are_applied_only_where_the_work_offers_an_opportunity():
    """With opportunity probability q, a share q of (person, skill) cells is applied in a
    week, each at transfer_rate / q × the moderators: the mean is unchanged."""
    m = make_model(learning={"transfer_rate": 0.2}, leadership={"manager_support": 0.5, "manager_support_sd": 0.0},
                   rules={"transfer": {"opportunity_probability": 0.25}}, organisation={"size": 2000})
    wf = m.workforce
    wf.motivation[:] = 0.5
    m.team_climate[:] = 0.5
    wf.prof[:] = 1.0
    wf.pending[:] = 0.5
    m.phase("transfer").run(m.state, m.streams)
    applied = wf.prof - 1.0
    assert abs((applied > 0).mean() - 0.25) < 0.01
    np.testing.assert_allclose(applied[applied > 0], 0.5 * 0.2 / 0.25, rtol=1e-9)


def test_unapplied_gains_halve_in_their_half_life():
    m = make_model(learning={"transfer_rate": 0.0, "unapplied_half_life_weeks": 4.0})
    wf = m.workforce
    wf.pending[:] = 1.0
    for _ in range(4):
        m.phase("transfer").run(m.state, m.streams)
    np.testing.assert_allclose(wf.pending, 0.5, rtol=1e-12)


def test_supervisor_support_raises_transfer_more_for_open_skills():
    s = np.array([0.2, 0.8])
    mult = transfer_multiplier(s, np.full(2, 0.5), np.full(2, 0.5), np.array([True, False]),
                               transfer.TRANSFER.resolve(Scenario()))
    assert mult[1, 0] > mult[0, 0] and mult[1, 1] > mult[0, 1]
    assert mult[1, 0] - mult[0, 0] == pytest.approx(3 * (mult[1, 1] - mult[0, 1]))


def test_level_fit_peaks_one_level_above_current():
    levels = np.arange(1, 6, dtype=float)
    fit = level_fit(levels, np.full(5, 2.0), 0.75)
    assert np.argmax(fit) == 2 and fit[2] == pytest.approx(1.0)


def test_zero_turnover_means_no_exits_and_no_hires():
    m = make_model(labour_market={"annual_turnover": 0.0})
    for _ in range(20):
        m.step()
    assert m.workforce.occupied.all()
    assert m.records.series("exits").sum() == 0 and m.records.series("hires").sum() == 0


def test_exit_rate_matches_the_hazard():
    """50 %/year base hazard, no modifiers: weekly exits ~ Binomial(n, 1 - 0.5**(1/52))."""
    m = make_model(organisation={"size": 20000}, labour_market={
        "annual_turnover": 0.5, "first_year_multiplier": 1.0, "engagement_sensitivity": 0.0,
        "growth_sensitivity": 0.0, "time_to_fill_weeks": 0})
    n = m.workforce.n
    p = 1 - 0.5 ** (1 / 52)
    np.testing.assert_allclose(turnover.exit_hazard(m.workforce, m.phase("exits").pars), p)
    exits = 0
    weeks = 10
    for _ in range(weeks):
        m.step()
        exits += m.records.series("exits")[-1].sum()
    mean, sd = n * weeks * p, np.sqrt(n * weeks * p * (1 - p))
    assert abs(exits - mean) < 5 * sd  # 5 sd: a false alarm about once in 3.5 million runs


def test_hiring_freeze_stops_hiring_then_vacancies_fill():
    m = make_model(organisation={"size": 400}, labour_market={"annual_turnover": 0.6, "time_to_fill_weeks": 0},
                   events=[{"type": "hiring_freeze", "week": 1, "weeks": 10}])
    for _ in range(10):
        m.step()
    assert m.records.series("hires").sum() == 0
    assert (~m.workforce.occupied).sum() > 0
    for _ in range(3):
        m.step()
    assert m.records.series("hires")[11:].sum() > 0


def test_new_skill_event_raises_requirements_and_stales_content():
    m = make_model(events=[{"type": "new_skill", "week": 2, "skill": "ai_literacy", "level": 3.0, "criticality": 0.9}])
    k = m.structure.skill_names.index("ai_literacy")
    assert (m.structure.req[:, k] == 0).all()
    m.step()
    cat = m.catalogue
    rows = np.flatnonzero(cat.skill[: cat.size] == k)
    fresh_before = cat.freshness[rows].copy()
    m.step()
    assert (m.structure.req[:, k] == 3.0).all()
    # a 3-level jump in the requirement: freshness × exp(-3), plus one week of ageing
    assert (cat.freshness[rows] < fresh_before * np.exp(-3.0) * 1.0001).all()


@pytest.mark.parametrize("rule", ["static", "gap_driven"])
def test_over_budget_cuts_commissioning_and_protected_time(rule):
    """A hard budget far below the plan cuts commissioning first, then protected time, under
    every rule; with an ample budget nothing is cut."""
    def model(budget):
        return make_model(weeks=30, governance={"rule": rule, "annual_budget_per_employee": budget,
                                                "review_every_weeks": 13, "gap_target": 0.0},
                          policies={"protected_time": {"enabled": True, "hours_per_week": 3.0},
                                    "content_investment": {"commission_per_year": 40}})
    rich, poor = model(1e6), model(100.0)
    for _ in range(13):
        rich.step()
        poor.step()
    last_rich, last_poor = rich.governance.decisions[-1], poor.governance.decisions[-1]
    assert last_rich["scale_commissioning"] == last_rich["scale_protected_time"] == 1.0
    assert last_poor["scale_commissioning"] == 0.0 and last_poor["scale_protected_time"] < 1.0
    assert last_poor["commissioned"] < last_rich["commissioned"]
    assert poor.workforce.protected_taken.sum() < rich.workforce.protected_taken.sum()


def test_mentoring_pairs_mentees_with_stronger_mentors():
    m = make_model(organisation={"size": 300}, policies={"mentoring": {"enabled": True, "ratio": 0.2}})
    m.step()
    wf = m.workforce
    mentees = np.flatnonzero(wf.mentor >= 0)
    assert len(mentees) == round(0.2 * (~wf.is_exec).sum())
    assert isinstance(m.policy("mentoring"), MentoringPolicy)
    assert np.bincount(wf.mentor[mentees]).max() <= 2
    assert wf.prof[wf.mentor[mentees]].mean() > wf.prof[mentees].mean()


def test_agents_are_handles_onto_rows():
    m = make_model()
    wf = m.workforce
    emps = m.agents_by_type[Employee]
    mgrs = m.agents_by_type[Manager]
    execs = m.agents_by_type[Executive]
    assert len(emps) + len(mgrs) + len(execs) == wf.n
    assert len(execs) == m.spec.organisation.executives
    a = next(iter(emps))
    a.engagement = 0.123
    assert wf.engagement[a.row] == 0.123
    a.proficiency[0] = 4.5
    assert wf.prof[a.row, 0] == 4.5
    assert a.manager is not None and isinstance(a.manager, Manager)
    assert a.cell is m.network[a.row]
    assert len(m.network.G) == wf.n


def test_leavers_agents_leave_and_hires_get_new_agents():
    m = make_model(labour_market={"annual_turnover": 0.8, "time_to_fill_weeks": 1})
    ids_before = set(m.workforce.uid.tolist())
    for _ in range(10):
        m.step()
    wf = m.workforce
    live = {a.unique_id for t in (Employee, Manager, Executive) for a in m.agents_by_type.get(t, [])}
    assert live == set(wf.uid[wf.occupied].tolist())
    assert live - ids_before, "hires are new agents"
    assert all(m.occupant(r) is None for r in np.flatnonzero(~wf.occupied))


def test_policies_and_governance_are_agents():
    from sim.governance import Governance
    from sim.policies import Policy

    m = make_model(policies={"mentoring": {"enabled": True}, "job_rotation": {"enabled": True}})
    kinds = {type(a).__name__ for a in m.agents if isinstance(a, (Policy, Governance))}
    assert {"MentoringPolicy", "JobRotationPolicy", "PlatformPolicy", "Governance"} <= kinds
    assert "ProtectedTimePolicy" not in kinds


def test_job_rotation_changes_worked_role_then_returns():
    m = make_model(organisation={"size": 400}, policies={"job_rotation": {"enabled": True, "share_per_year": 0.99, "duration_weeks": 3}})
    m.step()
    wf = m.workforce
    rotating = np.flatnonzero(wf.rotation_end > 0)
    assert len(rotating) > 0 and (wf.work_role[rotating] != wf.role[rotating]).all()
    for _ in range(3):
        m.step()
    back = wf.work_role[rotating] == wf.role[rotating]
    restarted = wf.rotation_end[rotating] == m.week + 3  # a new rotation may start the week one ends
    vacated = ~wf.occupied[rotating]
    assert (back | restarted | vacated).all()
    assert back.sum() > restarted.sum()
    assert m.collector.latest()["internal_mobility"] > 0


def test_reorganisation_moves_people_and_rewires_network():
    m = make_model(organisation={"size": 300}, events=[{"type": "reorganisation", "week": 1, "share": 0.3}])
    team_before = m.workforce.team.copy()
    m.step()
    moved = np.flatnonzero(m.workforce.team != team_before)
    assert len(moved) > 0
    wf = m.workforce
    for row in moved[:10]:
        assert wf.manager[row] == m.structure.team_manager[wf.team[row]]
        assert m.network.G.has_edge(int(row), int(wf.manager[row]))
        assert m.network[int(wf.manager[row])] in m.network[int(row)].connections.values()
    np.testing.assert_array_equal(np.diff(m.ties.indptr), m.ties.degree)


def _retire_one_by_one(cat, candidates):
    """The specification of retirement, item by item (the quadratic loop it replaced): a
    candidate goes unless it is the last active item of its skill and level."""
    retired = 0
    for r in candidates:
        same = cat.rows()
        same = same[(cat.skill[same] == cat.skill[r]) & (cat.level[same] == cat.level[r])]
        if len(same) > 1:
            cat.active[r] = False
            retired += 1
    return retired


def test_grouped_retirement_retires_exactly_what_the_item_by_item_rule_retires():
    from sim.processes.governance import retire_keeping_one
    from sim.state import Catalogue

    rng = np.random.default_rng(14)
    retired_any = kept_last = 0
    for trial in range(300):
        n, skills = int(rng.integers(1, 60)), int(rng.integers(1, 5))
        cats = [Catalogue(capacity=4), Catalogue(capacity=4)]
        skill, level = rng.integers(0, skills, n), rng.integers(1, 6, n)
        for cat in cats:
            for i in range(n):
                cat.add(skill=int(skill[i]), level=int(level[i]))
        gone = rng.random(n) < 0.2          # some items already retired
        for cat in cats:
            cat.active[: n][gone] = False
        rows = cats[0].rows()
        candidates = rows[rng.random(len(rows)) < rng.uniform(0.1, 1.0)]
        expected = _retire_one_by_one(cats[0], candidates)
        assert retire_keeping_one(cats[1], candidates) == expected, trial
        assert np.array_equal(cats[0].active, cats[1].active), trial
        retired_any += expected > 0
        kept_last += expected < len(candidates)
    assert retired_any > 100 and kept_last > 100   # both branches of the rule were exercised


def test_retiring_a_hundred_thousand_stale_items_keeps_one_per_skill_and_level():
    from sim.processes.governance import retire_keeping_one
    from sim.state import Catalogue

    cat = Catalogue(capacity=100_000)
    for i in range(100_000):
        cat.add(skill=i % 8, level=1 + (i // 8) % 5, freshness=0.0)
    assert retire_keeping_one(cat, cat.rows()) == 100_000 - 40
    left = cat.rows()
    assert sorted(zip(cat.skill[left], cat.level[left])) == [(k, lv) for k in range(8) for lv in range(1, 6)]
