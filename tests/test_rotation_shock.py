"""Job rotation, swapping and sharing that can win; a realistic AI skills shock; proactive
reskilling (issue 9, part 4). Real runs on fixed seeds, paired on common random numbers."""

from __future__ import annotations

import numpy as np
import pytest

from sim.loader import load_scenario
from sim.model import LearningEcosystem
from sim.outcomes import row_gap
from sim.processes.experiential import exposure_factor
from sim.state import TIE_ALUMNI, TIE_HOST

from .conftest import ROOT, make_model

# Two departments: A's role (alpha) practises skill x at a high level; B's role (beta) comes
# to need x in week 1 — the shortage sits in B, the know-how in A. The roles overlap on y.
ORG = {"size": 160, "skills": [{"name": "x"}, {"name": "y"}, {"name": "v"}],
       "roles": [{"name": "alpha", "requirements": {"x": {"level": 3.5, "criticality": 0.9},
                                                     "y": {"level": 3.0, "criticality": 0.8}}},
                 {"name": "beta", "requirements": {"y": {"level": 3.5, "criticality": 0.9}}},
                 {"name": "boss", "requirements": {"y": {"level": 3.0, "criticality": 0.5}}}],
       "manager_role": "boss",
       "departments": [{"name": "A", "share": 0.5, "roles": {"alpha": 1.0}},
                       {"name": "B", "share": 0.5, "roles": {"beta": 1.0}}]}
SHORTAGE = [{"type": "new_skill", "week": 1, "skill": "x", "level": 3.0, "criticality": 0.9, "roles": ["beta"]}]


def _model(seed: int, weeks: int, **rotation):
    policies = {"job_rotation": {"enabled": True, **rotation}} if rotation else {}
    # a budget that never binds: these tests are about what a rotation does, not what it costs
    return make_model(weeks=weeks, seed=seed, organisation=ORG, events=SHORTAGE, policies=policies,
                      governance={"annual_budget_per_employee": 1e6})


def test_rotation_builds_lasting_cross_department_ties_and_host_role_skills():
    weeks = 30
    rot = _model(5, weeks, share_per_year=0.6, duration_weeks=8, mode="rotation")
    ref = _model(5, weeks)
    wf = rot.workforce
    beta = rot.structure.role_names.index("beta")
    x = rot.structure.skill_names.index("x")
    rotated = np.zeros(wf.n, dtype=bool)
    host_seen = 0
    for _ in range(weeks):
        rot.step()
        ref.step()
        rotated |= (wf.work_role != wf.role) & (wf.role == beta)
        host_seen = max(host_seen, int((rot.state.edges[2] == TIE_HOST).sum()))
    e = rot.state.edges
    kept = e[:, e[2] == TIE_ALUMNI]
    assert host_seen > 0 and kept.shape[1] > 0, "rotations leave ties to the host team behind"
    assert (wf.dept[kept[0]] != wf.dept[kept[1]]).mean() > 0.9, "kept ties cross departments"
    # beta people who rotated into alpha built x, the skill their department is short of
    stayed = rotated & wf.occupied & ref.workforce.occupied & (wf.hire_week < 0) & (ref.workforce.hire_week < 0)
    assert stayed.sum() >= 10
    assert wf.prof[stayed, x].mean() > ref.workforce.prof[stayed, x].mean() + 0.1
    flows = [np.mean([r[i] for r in m.collector.org[5:]]) for m in (rot, ref)
             for i in [list(m.collector.latest()).index("cross_dept_flow")]]
    assert flows[0] > 1.5 * flows[1], "knowledge flows across departments more"


def test_host_roles_are_chosen_toward_the_shortage():
    """Three roles: beta starters choose between alpha (which practises x, beta's shortage)
    and gamma (which does not)."""
    org = {**ORG, "roles": [*ORG["roles"], {"name": "gamma", "requirements": {"v": {"level": 3.0, "criticality": 0.9}}}],
           "departments": [*ORG["departments"], {"name": "C", "share": 0.5, "roles": {"gamma": 1.0}}], "size": 300}
    share = {}
    for targeting in ("shortage", "random"):
        m = make_model(weeks=6, seed=2, organisation=org, events=SHORTAGE, governance={"annual_budget_per_employee": 1e6},
                       policies={"job_rotation": {"enabled": True, "share_per_year": 0.99, "duration_weeks": 20,
                                                  "targeting": targeting}})
        for _ in range(6):
            m.step()
        wf, names = m.workforce, m.structure.role_names
        hosts = wf.work_role[(wf.role == names.index("beta")) & (wf.work_role != wf.role)]
        assert len(hosts) >= 20
        share[targeting] = (hosts == names.index("alpha")).mean()
    assert share["shortage"] > 0.75 and share["shortage"] > share["random"] + 0.2, share


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_job_sharing_across_departments_narrows_the_organisations_gap(seed):
    """Paired on the seed: a job share between A and B (home skills stay in use, partners
    hand over every week) leaves a smaller organisation-wide skills gap after 78 weeks than
    no programme, at no productivity loss. Measured on seeds 1–6: the gap is 0.006–0.012
    lower (rotation and swap: 0.003 lower on average, not on every seed)."""
    weeks = 78
    share = _model(seed, weeks, share_per_year=0.5, duration_weeks=12, mode="share")
    ref = _model(seed, weeks)
    for _ in range(weeks):
        share.step()
        ref.step()
    a, b = share.collector.latest(), ref.collector.latest()
    assert a["skills_gap"] < b["skills_gap"] - 0.003
    assert a["cross_dept_flow"] > b["cross_dept_flow"]
    assert a["productivity"] > b["productivity"]


def test_rotation_costs_output_while_ramping_in_the_host_role():
    m = _model(4, 4, share_per_year=0.9, duration_weeks=12, mode="rotation")
    for _ in range(4):
        m.step()
    d, wf = m.derived, m.workforce
    # beta people working alpha lack alpha's x: their output in the host role is low at first
    away = wf.occupied & (wf.work_role != wf.role) & (wf.role == m.structure.role_names.index("beta"))
    assert away.sum() > 5
    host_fit = 1.0 - row_gap(wf, m.structure, np.flatnonzero(away), wf.work_role[away])
    np.testing.assert_allclose(d.fit[away], host_fit)  # a full-time rotation: output = fit to the host role
    assert d.fit[away].mean() < (1.0 - d.gap[away]).mean()
    share = _model(4, 4, share_per_year=0.9, duration_weeks=12, mode="share", share_fraction=0.3)
    for _ in range(4):
        share.step()
    wf, d = share.workforce, share.derived
    away = np.flatnonzero(wf.occupied & (wf.work_role != wf.role))
    host_fit = 1.0 - row_gap(wf, share.structure, away, wf.work_role[away])
    np.testing.assert_allclose(d.fit[away], 0.7 * (1.0 - d.gap[away]) + 0.3 * host_fit)


def test_exposure_factor_without_know_how_is_the_solo_share():
    demand = np.array([[3.0, 3.0, 0.0]])
    know = np.array([[0.0, 6.0, 0.0]])
    np.testing.assert_allclose(exposure_factor(know, demand, 0.2), [[0.2, 1.0, 1.0]])
    np.testing.assert_allclose(exposure_factor(np.array([[1.5, 0, 0]]), demand, 0.2)[0, 0], 0.2 + 0.8 * 0.5)


def test_a_new_skill_ramps_into_the_work():
    m = make_model(events=[{"type": "new_skill", "week": 2, "skill": "ai_literacy", "level": 3.0, "ramp_weeks": 10}])
    k = m.structure.skill_names.index("ai_literacy")
    wf = m.workforce
    for week in range(1, 8):
        m.step()
        share = 0.0 if week < 2 else (week - 2 + 1) / 10
        np.testing.assert_allclose(m.derived.demand[wf.occupied, k], 3.0 * share * wf.exposure[wf.occupied])
    assert (m.structure.req[:, k] == 3.0).all()  # the requirement holds from the event week


# ------------------------------------------------------------------ the AI skills shock
def _shock(name: str, seed: int, weeks: int, *extra: str) -> LearningEcosystem:
    sc = load_scenario(ROOT / "scenarios" / f"ai_skills_shock_{name}.yaml",
                       [f"seed={seed}", f"weeks={weeks}", "organisation.size=200", *extra])
    m = LearningEcosystem(sc)
    for _ in range(weeks):
        m.step()
    return m


def test_status_quo_does_not_master_the_new_skill_by_doing_alone_within_a_year():
    for seed in (1, 2):
        m = _shock("status_quo", seed, 78)  # the shock lands in week 26
        k = m.structure.skill_names.index("ai_literacy")
        assert m.collector.skill_prof[-1][k] < 2.3, "well short of the required 3.0 a year after the shock"


def test_proactive_reskilling_meets_the_shock_with_a_smaller_new_skill_gap():
    for seed in (1, 2, 3):
        pro, re = _shock("proactive", seed, 26), _shock("reskilling", seed, 26)
        k = pro.structure.skill_names.index("ai_literacy")
        assert pro.collector.skill_gap[-1][k] < re.collector.skill_gap[-1][k] - 0.2
        # commissioning before the shock aims at the announced skill only when looking ahead
        made = [(m.catalogue.skill[: m.catalogue.size] == k) & (m.catalogue.created[: m.catalogue.size] > 0)
                & (m.catalogue.created[: m.catalogue.size] < 26)
                for m in (pro, re)]
        assert made[0].sum() >= 1 and made[1].sum() == 0


def test_buying_a_scarce_skill_is_slow_expensive_and_brings_little_of_it():
    """Under "buy" a hire brings 0.9 × the requirement on an established skill (2.7 levels of
    AI literacy if it were one). The market is short of the new skill (supply 0.2 at the
    shock, catching up over ~3 years): hires in the 34 weeks after the shock bring about
    1.2 levels, cost more and take longer to hire."""
    sc = load_scenario(ROOT / "scenarios" / "ai_skills_shock_hiring.yaml",
                       ["seed=3", "weeks=60", "organisation.size=200", "labour_market.annual_turnover=0.5"])
    m = LearningEcosystem(sc)
    k = m.structure.skill_names.index("ai_literacy")
    wf, brought, waited = m.workforce, [], []
    for _ in range(60):
        open_since = wf.vacant_since.copy()
        m.step()
        hired = np.flatnonzero(wf.hire_week == m.week)
        if m.week > 26:  # hiring runs after the events: the shock holds from week 26's hires on
            brought += wf.prof[hired, k].tolist()
        waited += [(m.week, m.week - w) for w in open_since[hired] if w >= 0]
    rec = m.records
    hires, spend = rec.series("hires").sum(axis=1), rec.series("hiring_spend").sum(axis=1)
    per_hire_before = spend[:26].sum() / hires[:26].sum()
    per_hire_after = spend[27:].sum() / hires[27:].sum()
    assert per_hire_before == pytest.approx(4700.0 + 15000.0)
    assert per_hire_after > 1.2 * per_hire_before
    assert len(brought) >= 30
    assert np.mean(brought) < 0.6 * 0.9 * 3.0, "hires bring the market's scarce skill, not 90 % of the requirement"
    before = [w for week, w in waited if week < 26]
    after = [w for week, w in waited if week > 30]
    assert np.mean(after) > np.mean(before) + 0.5, "scarce roles stay open longer"
