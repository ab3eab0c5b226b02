"""Build the organisation of a scenario: positions, teams, roles, network ties, people, content.

Initialisation rules (all documented in docs/ODD.md, "Initialisation"):

* Executives head the departments (department *d* reports to executive *d mod E*). Each
  department has a head (a manager reporting to its executive) and teams of
  ``team_size`` members under a team manager who reports to the head.
* Non-managers draw their role from the department's role mix; managers and executives
  hold ``organisation.manager_role``.
* Work location: each seat of department *d* is fully remote with probability its remote
  share, hybrid with its hybrid share, on site otherwise (``organisation.remote_share`` /
  ``hybrid_share``, or the department's own); a seat's *time away* is 0 on site,
  1 − ``hybrid_days_on_site`` / 5 hybrid, 1 remote.
* Network ties: team members are tied on a ring lattice of up to 8 neighbours (a clique
  for teams of up to 9), every employee to their manager, and about ``cross_team_ties``
  random ties per on-site employee across the organisation (assumption: sparse cross-unit
  networks, Cross & Parker 2004). Time away thins them: each person's propensity to form
  them is 1 − (1 − ``rules.location.cross_tie_factor``) × time away, the number of ties is
  round(cross_team_ties × Σ propensity / 2) and each end is drawn in proportion to the
  propensity (Yang et al. 2022: remote work leaves fewer ties across business units).
* Initial proficiency on a required skill ~ Normal(required_mean × level, required_sd),
  on other skills ~ Normal(other_mean, other_sd), clipped to 0–5 (assumption).
* Content: ``items_per_skill_level`` items per skill and level 1–5 with quality
  ~ Beta around ``quality_mean`` and a modality mix typical of corporate catalogues
  (assumption), plus the listed items.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .processes.phase import Pars
from .scenario import MODALITIES, Scenario
from .state import (HYBRID, NO_WEEK, ON_SITE, REMOTE, TIE_CROSS, TIE_PLATFORM, TIE_REPORTING, TIE_TEAM, Catalogue,
                    Workforce, dedupe_edges)

# The parameters of a new occupant's draws (at the start and at each hire): one declaration
# for initialisation and for the hiring phase.
PEOPLE_PARAMS = (
    "culture.growth_mindset", "culture.growth_mindset_sd", "leadership.manager_support",
    "leadership.manager_support_sd", "leadership.coaching_hours", "learning.job_exposure",
    "learning.aptitude_shape", "learning.discretionary_hours", "organisation.initial_proficiency.*",
    "rules.people.*",
)


@dataclass
class Structure:
    """Facts of the organisation that processes read. ``req`` and ``crit`` change only through
    the environment (phase 1), which then calls :meth:`requirements_changed`."""

    skill_names: list[str]
    role_names: list[str]
    dept_names: list[str]
    skill_open: np.ndarray      # (k,) bool
    req: np.ndarray             # (roles, k) required level
    crit: np.ndarray            # (roles, k) criticality
    team_dept: np.ndarray       # (teams,)
    team_manager: np.ndarray    # (teams,) row of the team's manager
    manager_role: int
    version: int = 0            # bumped whenever req, crit, use or the announced changes change
    use: np.ndarray | None = None   # (roles, k) share of the requirement the work already exercises (a ramp)
    announced: tuple = ()       # announced future changes the skills-gap analysis plans for (phase 1)
    announced_key: tuple = ()   # the events they come from

    def __post_init__(self) -> None:
        if self.use is None:
            self.use = np.ones_like(self.req)

    def requirements_changed(self) -> None:
        self.version += 1

    def planning(self) -> tuple[np.ndarray, np.ndarray]:
        """Requirements and criticalities a skills-gap analysis of current *and* future skills
        plans for: the current ones with the announced changes applied (``announced`` holds
        ``(roles mask, skill, level, criticality, delta)``; the same as ``req``/``crit`` when
        nothing is announced or the organisation does not look ahead)."""
        if not self.announced:
            return self.req, self.crit
        req, crit = self.req.copy(), self.crit.copy()
        for roles, k, level, criticality, delta in self.announced:
            if delta is None:
                req[roles, k] = np.maximum(req[roles, k], level)
                crit[roles, k] = np.maximum(crit[roles, k], criticality)
            else:
                hit = roles & (req[:, k] > 0)
                req[hit, k] = np.clip(req[hit, k] + delta, 0.0, 5.0)
        return req, crit


class ByRole:
    """A (roles × skills) table read by position: ``view[rows]`` is ``table[role[rows]]`` and
    ``view[rows, skill]`` is ``table[role[rows], skill]`` — what a (positions × skills) copy
    of the table would give, without keeping one (``np.asarray(view)`` makes it)."""

    def __init__(self, table: np.ndarray, role: np.ndarray):
        self.table, self.role = table, role

    def __getitem__(self, key):
        if isinstance(key, tuple):
            return self.table[(self.role[key[0]], *key[1:])]
        return self.table[self.role[key]]

    def __array__(self, dtype=None, copy=None):
        out = self.table[self.role]
        return out if dtype is None else out.astype(dtype)

    def __invert__(self):
        return ~np.asarray(self)

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.role), self.table.shape[1])


class PositionRequirements:
    """The home role's requirement tables read by position (:class:`ByRole` views), rebuilt
    only when the requirements change (``Structure.version``). Positions keep their role for
    life (a hire takes the position's role), so only requirement changes invalidate it. The
    views gather the rows a phase asks for; nothing of size positions × skills is kept (at a
    million people that was ~330 bytes a person)."""

    def __init__(self, st: Structure, role: np.ndarray):
        self.version = st.version
        used_r = st.req > 0
        total_r = (st.crit * st.req).sum(axis=1, keepdims=True)
        n_used_r = used_r.sum(axis=1, keepdims=True)
        self.req = ByRole(st.req, role)
        self.crit = ByRole(st.crit, role)
        self.required = ByRole(used_r, role)
        self.use = ByRole(st.use, role)     # share of each requirement the work exercises now (a new skill ramps up)
        plan_req, plan_crit = st.planning()
        self.plan_req = self.req if plan_req is st.req else ByRole(plan_req, role)
        self.plan_crit = self.crit if plan_crit is st.crit else ByRole(plan_crit, role)
        # weights that turn a row's shortfall / proficiency into its gap / mean proficiency
        self.gap_weight = ByRole(np.where(total_r > 0, st.crit / np.where(total_r > 0, total_r, 1.0), 0.0), role)
        self.proficiency_weight = ByRole(np.where(n_used_r > 0, used_r / np.maximum(n_used_r, 1), 0.0), role)


def cross_ties(sc: Scenario, wf: Workforce, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """About ``cross_team_ties`` random ties per on-site employee across the organisation, fewer
    for people who work away from the site (see the module docstring): (src, dst)."""
    n = wf.n
    propensity = 1.0 - (1.0 - sc.rules.location.cross_tie_factor) * wf.away
    total = propensity.sum()
    n_cross = int(round(sc.organisation.cross_team_ties * total / 2))
    if not (n_cross and n > 1 and total > 0):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    cum = np.cumsum(propensity)
    s = np.minimum(np.searchsorted(cum, rng.random(n_cross) * cum[-1], side="right"), n - 1)
    d = np.minimum(np.searchsorted(cum, rng.random(n_cross) * cum[-1], side="right"), n - 1)
    keep = s != d
    return s[keep], d[keep]


def _ring_edges(members: np.ndarray, max_neighbours: int = 8) -> tuple[np.ndarray, np.ndarray]:
    m = len(members)
    if m < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    k = min(m - 1, max_neighbours)
    offsets = np.arange(1, k // 2 + 1) if k < m - 1 else np.arange(1, m // 2 + 1)
    src = np.repeat(members, len(offsets))
    dst = members[(np.repeat(np.arange(m), len(offsets)) + np.tile(offsets, m)) % m]
    keep = src != dst
    return src[keep], dst[keep]


def _team_edges(mgrs: np.ndarray, head: int, staff: np.ndarray, staff_team: np.ndarray,
                lattice: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A department's team ties, team after team: the manager's reporting tie to the head,
    each member's to the manager, and the members' ring lattice (:func:`_ring_edges`), in
    the order a loop over the teams lists them (src, dst, kind)."""
    n_teams = len(mgrs)
    size = np.bincount(staff_team, minlength=n_teams)
    first = np.concatenate([[0], np.cumsum(size)[:-1]])
    parts_s, parts_d, parts_k, parts_key = [], [], [], []

    def part(src, dst, kind, team, segment):
        parts_s.append(src)
        parts_d.append(dst)
        parts_k.append(np.full(len(src), kind, dtype=np.int8))
        parts_key.append(team * 3 + segment)

    teams = np.arange(n_teams)
    part(mgrs, np.full(n_teams, head, dtype=np.int64), TIE_REPORTING, teams, 0)
    part(staff, mgrs[staff_team], TIE_REPORTING, staff_team, 1)
    for m in np.unique(size):   # teams of each size at once (all full but the last)
        if m < 2:
            continue
        which = np.flatnonzero(size == m)
        members = staff[first[which][:, None] + np.arange(m)[None, :]]
        k = min(m - 1, lattice)
        offsets = np.arange(1, k // 2 + 1) if k < m - 1 else np.arange(1, m // 2 + 1)
        i_src = np.repeat(np.arange(m), len(offsets))
        i_dst = (i_src + np.tile(offsets, m)) % m
        keep = i_src != i_dst
        i_src, i_dst = i_src[keep], i_dst[keep]
        part(members[:, i_src].ravel(), members[:, i_dst].ravel(), TIE_TEAM, np.repeat(which, len(i_src)), 2)
    key = np.concatenate(parts_key)
    order = np.argsort(key, kind="stable")
    return (np.concatenate(parts_s)[order], np.concatenate(parts_d)[order], np.concatenate(parts_k)[order])


def build_structure(sc: Scenario, wf: Workforce, rng: np.random.Generator) -> tuple[Structure, np.ndarray]:
    """Lay out departments, teams, managers and roles on the positions of ``wf``.

    Returns the structure and the undirected edge list (src, dst, kind) of the org network.
    """
    org = sc.organisation
    skills = [s.name for s in org.skills]
    roles = [r.name for r in org.roles]
    depts = [d.name for d in org.departments]
    kidx = {s: i for i, s in enumerate(skills)}
    req = np.zeros((len(roles), len(skills)))
    crit = np.zeros((len(roles), len(skills)))
    for ri, r in enumerate(org.roles):
        for sk, rq in r.requirements.items():
            req[ri, kidx[sk]] = rq.level
            crit[ri, kidx[sk]] = rq.criticality
    mrole = roles.index(org.manager_role)
    if org.data is not None:
        return imported_structure(sc, wf, rng, Structure(
            skill_names=skills, role_names=roles, dept_names=depts,
            skill_open=np.array([s.open for s in org.skills]), req=req, crit=crit,
            team_dept=np.empty(0, np.int32), team_manager=np.empty(0, np.int64), manager_role=mrole))
    n, D = org.size, len(depts)

    # executives first, then departments by share (largest remainder)
    n_exec = org.executives
    shares = np.array([d.share for d in org.departments], dtype=float)
    shares /= shares.sum()
    raw = shares * (n - n_exec)
    counts = np.floor(raw).astype(int)
    for i in np.argsort(-(raw - counts))[: (n - n_exec) - counts.sum()]:
        counts[i] += 1
    counts = np.maximum(counts, 1)
    while counts.sum() > n - n_exec:  # departments of one person were forced: take from the largest
        counts[np.argmax(counts)] -= 1

    wf.is_exec[:n_exec] = True
    wf.is_manager[:n_exec] = True
    wf.dept[:n_exec] = np.arange(n_exec) % D
    wf.role[:n_exec] = mrole
    wf.manager[:n_exec] = -1
    team_dept: list[int] = []
    team_manager: list[int] = []
    src_l: list[np.ndarray] = []
    dst_l: list[np.ndarray] = []
    kind_l: list[np.ndarray] = []

    def add(s, d, kind):
        s = np.asarray(s, dtype=np.int64)
        d = np.asarray(d, dtype=np.int64)
        src_l.append(s)
        dst_l.append(d)
        kind_l.append(np.full(len(s), kind, dtype=np.int8) if np.isscalar(kind) else kind.astype(np.int8))

    # executives form a team of their own
    team_dept.append(0)
    team_manager.append(0)
    wf.team[:n_exec] = 0
    lattice = sc.rules.social.team_neighbours
    s, d = _ring_edges(np.arange(n_exec), lattice)
    add(s, d, TIE_TEAM)

    row = n_exec
    for di, cnt in enumerate(counts):
        rows = np.arange(row, row + cnt)
        row += cnt
        wf.dept[rows] = di
        head = rows[0]
        exec_row = di % n_exec
        wf.is_manager[head] = True
        wf.role[head] = mrole
        wf.manager[head] = exec_row
        add([head], [exec_row], TIE_REPORTING)
        rest = rows[1:]
        mix = org.departments[di].roles or {roles[0]: 1.0}
        names = sorted(mix)  # not file order: the scenario digest sorts keys, so must the draws
        p = np.array([mix[r] for r in names], dtype=float)
        p /= p.sum()
        role_ids = np.array([roles.index(r) for r in names])
        # teams: a manager plus up to team_size members, in order along the department's rows
        per_team = org.team_size + 1
        n_teams = max(1, int(np.ceil(len(rest) / per_team))) if len(rest) else 0
        head_team = len(team_dept)
        team_dept.append(di)
        team_manager.append(head)
        wf.team[head] = head_team
        t_of, pos = np.divmod(np.arange(len(rest)), per_team)
        mgrs = rest[pos == 0]
        staff = rest[pos != 0]
        staff_team = t_of[pos != 0]
        team_dept.extend([di] * n_teams)
        team_manager.extend(mgrs.tolist())
        wf.team[rest] = head_team + 1 + t_of
        wf.is_manager[mgrs] = True
        wf.role[mgrs] = mrole
        wf.manager[mgrs] = head
        # each team's roles drawn as rng.choice(len(role_ids), p=p) would, team after team
        cdf = p.cumsum()
        cdf /= cdf[-1]
        wf.role[staff] = role_ids[cdf.searchsorted(rng.random(len(staff)), side="right")]
        wf.manager[staff] = mgrs[staff_team]
        add(*_team_edges(mgrs, head, staff, staff_team, lattice))
        # the head's team is the department's managers
        s, d = _ring_edges(np.array([head, *mgrs], dtype=np.int64), lattice)
        add(s, d, TIE_TEAM)
    wf.work_role[:] = wf.role
    assign_locations(sc, wf, rng)
    add(*cross_ties(sc, wf, rng), TIE_CROSS)
    structure = Structure(
        skill_names=skills, role_names=roles, dept_names=depts,
        skill_open=np.array([s.open for s in org.skills]), req=req, crit=crit,
        team_dept=np.array(team_dept, dtype=np.int32), team_manager=np.array(team_manager, dtype=np.int64),
        manager_role=mrole,
    )
    edges = np.stack([np.concatenate(src_l), np.concatenate(dst_l)]) if src_l else np.empty((2, 0), np.int64)
    kinds = np.concatenate(kind_l) if kind_l else np.empty(0, np.int8)
    # one tie per pair: a ring over an even-sized team lists its opposite pairs twice, and a random cross-team pair
    # may repeat a team tie (until model version 2026.11.30-2 the duplicates stayed until the LXP's week-0 merge, so
    # switching the LXP on also thinned the team ties people picked contacts from)
    return structure, dedupe_edges(np.vstack([edges, kinds.astype(np.int64)]))


def imported_structure(sc: Scenario, wf: Workforce, rng: np.random.Generator,
                       st: Structure) -> tuple[Structure, np.ndarray]:
    """Lay out an imported organisation (``organisation.data``, written by ``lesim import``)
    on the positions of ``wf``: one position per row of its people table, in file order, with
    the row's department and role.

    * With a manager column: a person without a manager in the file is an executive (the top of
      the hierarchy); anyone with direct reports is a manager and leads a team of them; a
      manager belongs to the team they lead, everyone else to their manager's team.
    * Without one (assumption, as for generated organisations): the ``executives`` people of the
      highest level (then longest tenure, then file order) lead; in each department the next
      highest is its head, reporting to executive *d mod E*, and the rest, ordered by role, form
      teams of ``team_size`` under their highest-level member, who reports to the head.
    * Ties: every reporting line; then the collaboration network's ties if there is one (a tie
      within a team counts as a team tie, others as cross-team ties), else the generated ones
      (team ring lattices and ``cross_team_ties`` random ties, see the module docstring).
    * Work location: the table's where it has one, else drawn from the shares.
    Managers keep the role of the file (their requirements are their own role's)."""
    from .importer.tables import LOCATION_NAMES, NETWORK_COLUMNS, load_people, read_table
    org = sc.organisation
    people = load_people(org.data)
    n = wf.n
    didx = {d: i for i, d in enumerate(st.dept_names)}
    ridx = {r: i for i, r in enumerate(st.role_names)}
    wf.dept[:] = [didx[d] for d in people["department"]]
    wf.role[:] = [ridx[r] for r in people["role"]]
    row_of = {pid: i for i, pid in enumerate(people["id"])}
    manager = np.array([row_of.get(m, -1) if m is not None else -1 for m in people["manager"]], dtype=np.int64)
    level = np.nan_to_num(people["level"], nan=0.0)
    tenure = np.nan_to_num(people["tenure_weeks"], nan=0.0)
    src_l: list[np.ndarray] = []
    dst_l: list[np.ndarray] = []
    kind_l: list[np.ndarray] = []

    def add(s, d, kind):
        s, d = np.asarray(s, dtype=np.int64), np.asarray(d, dtype=np.int64)
        src_l.append(s)
        dst_l.append(d)
        kind_l.append(np.full(len(s), kind, dtype=np.int8))

    if (manager >= 0).any():
        is_exec = manager < 0
        is_manager = np.zeros(n, dtype=bool)
        is_manager[manager[manager >= 0]] = True
        is_manager |= is_exec
    else:
        manager, is_exec, is_manager = _formed_hierarchy(org, wf.dept, wf.role, level, tenure, len(st.dept_names))
    leaders = np.flatnonzero(is_manager)
    team_of_leader = np.full(n, -1, dtype=np.int64)
    team_of_leader[leaders] = np.arange(len(leaders))
    wf.team[:] = np.where(is_manager, team_of_leader, team_of_leader[np.maximum(manager, 0)])
    wf.manager[:] = manager
    wf.is_manager[:] = is_manager
    wf.is_exec[:] = is_exec
    wf.work_role[:] = wf.role
    st.team_dept = wf.dept[leaders].astype(np.int32)
    st.team_manager = leaders.astype(np.int64)
    has_line = manager >= 0
    add(np.flatnonzero(has_line), manager[has_line], TIE_REPORTING)
    assign_locations(sc, wf, rng)
    given = np.array([LOCATION_NAMES.index(x) if x is not None else -1 for x in people["location"]], dtype=np.int64)
    if (given >= 0).any():
        wf.location[given >= 0] = given[given >= 0]
        set_away(sc, wf)
    if org.data.network is not None:
        net = read_table(org.data.network.file, NETWORK_COLUMNS)
        a = np.array([row_of[x] for x in net["a"]], dtype=np.int64)
        b = np.array([row_of[x] for x in net["b"]], dtype=np.int64)
        same = wf.team[a] == wf.team[b]
        add(a[same], b[same], TIE_TEAM)
        add(a[~same], b[~same], TIE_CROSS)
    else:
        order = np.argsort(wf.team, kind="stable")
        bounds = np.flatnonzero(np.diff(wf.team[order])) + 1
        for members in np.split(order, bounds):
            s, d = _ring_edges(members, sc.rules.social.team_neighbours)
            add(s, d, TIE_TEAM)
        add(*cross_ties(sc, wf, rng), TIE_CROSS)
    edges = np.stack([np.concatenate(src_l), np.concatenate(dst_l)]) if src_l else np.empty((2, 0), np.int64)
    kinds = np.concatenate(kind_l) if kind_l else np.empty(0, np.int8)
    return st, dedupe_edges(np.vstack([edges, kinds.astype(np.int64)]))


def _formed_hierarchy(org, dept: np.ndarray, role: np.ndarray, level: np.ndarray, tenure: np.ndarray,
                      n_dept: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Managers and teams for people without a manager column (see :func:`imported_structure`):
    (manager row, is executive, is manager)."""
    n = len(dept)
    rank = np.lexsort((np.arange(n), -tenure, -level))     # highest level first, then tenure, then file order
    n_exec = min(org.executives, n - 1)
    execs = rank[:n_exec]
    manager = np.full(n, -1, dtype=np.int64)
    is_exec = np.zeros(n, dtype=bool)
    is_exec[execs] = True
    is_manager = is_exec.copy()
    rest = rank[n_exec:]
    by_dept = rest[np.argsort(dept[rest], kind="stable")]  # by department, each by level, highest first
    bounds = np.searchsorted(dept[by_dept], np.arange(n_dept + 1))
    per_team = org.team_size + 1
    for d in range(n_dept):
        members = by_dept[bounds[d]:bounds[d + 1]]
        if len(members) == 0:
            continue
        head = members[0]
        is_manager[head] = True
        manager[head] = execs[d % n_exec]
        staff = members[1:]
        n_teams = int(np.ceil(len(staff) / per_team))
        if n_teams == 0:
            continue
        team_leads = staff[:n_teams]                        # the highest levels lead
        others = staff[n_teams:]
        others = others[np.lexsort((np.arange(len(others)), role[others]))]   # teams of one role where they can be
        is_manager[team_leads] = True
        manager[team_leads] = head
        manager[others] = team_leads[np.arange(len(others)) // org.team_size]
    return manager, is_exec, is_manager


def draw_people(p: Pars, st: Structure, wf: Workforce, rows: np.ndarray, rng: np.random.Generator,
                proficiency_mean: float, proficiency_sd: float, supply: np.ndarray | None = None) -> None:
    """Draw the people state of new occupants of ``rows`` (at start or when hired).

    Proficiency on required skills ~ Normal(proficiency_mean × level, proficiency_sd), where
    the labour market's ``supply`` of a skill is below 1 (a new, scarce skill) the mean is
    other_mean + supply × (proficiency_mean × level − other_mean); other
    skills ~ Normal(other_mean, other_sd); learning-by-doing aptitude ~ Gamma(shape, mean 1)
    (Heathcote2000: individual rates differ); mindset ~ Normal(culture mean, sd); engagement,
    motivation and sharing ~ Beta(``rules.people``; means 0.7, 0.5 and 0.5 by default —
    assumption; Gallup-style engagement surveys put most employees mid-scale); job exposure ~
    Normal(``learning.job_exposure``, ``rules.people.exposure_sd``). Managers' support ~
    Normal(leadership mean, sd). All clipped to their ranges. ``p`` holds :data:`PEOPLE_PARAMS`.
    """
    m = len(rows)
    if m == 0:
        return
    k = len(st.skill_names)
    req = st.req[wf.role[rows]]
    draws = rng.standard_normal((m, k))
    other = rng.standard_normal((m, k))
    mean = proficiency_mean * req
    if supply is not None and (supply < 1).any():
        mean = np.where(supply < 1, p.other_mean + supply * (mean - p.other_mean), mean)
    prof = np.where(req > 0, mean + proficiency_sd * draws, p.other_mean + p.other_sd * other)
    wf.prof[rows] = np.clip(prof, 0.0, 5.0)
    wf.pending[rows] = 0.0
    wf.mindset[rows] = np.clip(p.growth_mindset + p.growth_mindset_sd * rng.standard_normal(m), 0, 1)
    wf.engagement[rows] = rng.beta(p.engagement_a, p.engagement_b, m)
    wf.motivation[rows] = rng.beta(p.motivation_a, p.motivation_b, m)
    wf.sharing[rows] = rng.beta(p.sharing_a, p.sharing_b, m)
    wf.exposure[rows] = np.clip(p.job_exposure + p.exposure_sd * rng.standard_normal(m), p.exposure_min, p.exposure_max)
    shape = p.aptitude_shape
    wf.aptitude[rows] = rng.gamma(shape, 1.0 / shape, m)
    sup = np.clip(p.manager_support + p.manager_support_sd * rng.standard_normal(m), 0, 1)
    wf.support[rows] = np.where(wf.is_manager[rows], sup, 0.0)
    wf.coaching_hours[rows] = np.where(wf.is_manager[rows], p.coaching_hours, 0.0)
    wf.trained_manager[rows] = False
    wf.learn_ewma[rows] = p.discretionary_hours
    wf.mentor[rows] = -1
    wf.rotation_end[rows] = -1
    wf.proficient_week[rows] = NO_WEEK


def apply_observed(sc: Scenario, st: Structure, wf: Workforce) -> dict[str, int]:
    """Today's measured state of an imported organisation, set at week 0 after the spin-up
    (docs/ODD.md §5): the spin-up settles what the exports do not measure (mindset, aptitude,
    climate, ties' use, vacancies) from the status quo's rules, then the occupied positions of
    people still employed (not a leaver of the last year, whose seat has a new occupant) take
    their measured values: engagement (survey, mapped to 0–1 by the import), tenure, and each
    assessed proficiency (the latest assessment per person and skill). Unassessed skills keep the
    spun-up proficiency, drawn from the role's requirements with ``initial_proficiency``'s
    declared spread (an assumption the run's manifest and report name). Returns counts of what
    was set."""
    from .importer.tables import ASSESSMENT_COLUMNS, load_people, read_table
    data = sc.organisation.data
    if data is None:
        return {}
    people = load_people(data)
    # the seats of people who left in the last year (leaver rows) keep the spun-up occupant
    occ = wf.occupied & (people["leaver"] != 1.0)
    counts = {}
    eng = people["engagement"]
    hit = occ & ~np.isnan(eng)
    wf.engagement[hit] = np.clip(eng[hit], 0.0, 1.0)
    counts["engagement"] = int(hit.sum())
    ten = people["tenure_weeks"]
    hit = occ & ~np.isnan(ten)
    wf.tenure[hit] = np.maximum(ten[hit], 0).astype(wf.tenure.dtype)
    counts["tenure"] = int(hit.sum())
    counts["assessed"] = 0
    if data.assessments is not None:
        table = read_table(data.assessments.file, ASSESSMENT_COLUMNS)
        row_of = {pid: i for i, pid in enumerate(people["id"])}
        kidx = {k: i for i, k in enumerate(st.skill_names)}
        rows = np.array([row_of[x] for x in table["id"]], dtype=np.int64)
        ks = np.array([kidx[x] for x in table["skill"]], dtype=np.int64)
        keep = occ[rows]
        wf.prof[rows[keep], ks[keep]] = np.clip(table["level"][keep], 0.0, 5.0)
        counts["assessed"] = int(keep.sum())
    return counts


def platform_ties(n: int, peer_ties: float, lxp: bool, rng: np.random.Generator) -> np.ndarray:
    """The ties the LXP's peer features open at week 0 (:mod:`sim.processes.start`): ``peer_ties`` random ties per
    employee across the organisation (assumption: social features connect people who would
    not otherwise meet); none with the basic LMS. (3, m) array of src, dst, kind."""
    m = int(round(peer_ties * n / 2)) if lxp else 0
    s, d = rng.integers(0, n, m), rng.integers(0, n, m)
    keep = s != d
    return np.vstack([s[keep], d[keep], np.full(keep.sum(), TIE_PLATFORM)])


def assign_locations(sc: Scenario, wf: Workforce, rng: np.random.Generator) -> None:
    """Where each seat works (see the module docstring): ``location`` (on site, hybrid,
    remote) and ``away``, the share of the working week off site. The seat keeps them when
    its occupant changes."""
    org = sc.organisation
    shares = np.array([org.location_shares(d) for d in org.departments], dtype=float).reshape(-1, 2)
    remote, hybrid = shares[wf.dept, 0], shares[wf.dept, 1]
    u = rng.random(wf.n)
    wf.location[:] = np.where(u < remote, REMOTE, np.where(u < remote + hybrid, HYBRID, ON_SITE))
    set_away(sc, wf)


def set_away(sc: Scenario, wf: Workforce) -> None:
    """Each seat's ``away`` from its ``location``: 0 on site, 1 − ``hybrid_days_on_site`` / 5
    hybrid, 1 remote (see the module docstring)."""
    wf.away[:] = np.select([wf.location == REMOTE, wf.location == HYBRID],
                           [1.0, 1.0 - sc.organisation.hybrid_days_on_site / 5.0], 0.0)


def assign_flags(sc: Scenario, wf: Workforce, rng: np.random.Generator) -> None:
    """Mark instructors and SMEs (the most proficient non-executives)."""
    n = wf.n
    org = sc.organisation
    wf.is_instructor[:] = (rng.random(n) < org.instructor_share) & ~wf.is_exec
    n_sme = int(round(org.sme_share * n))
    if n_sme:
        score = wf.prof.max(axis=1) + 0.01 * rng.random(n)
        score[wf.is_exec] = -np.inf
        wf.is_sme[np.argsort(-score)[:n_sme]] = True


def mobile_ready(modality: str) -> bool:
    """Whether content of ``modality`` can be taken on a phone in a short slot: every modality
    but live instructor-led sessions and (long, print-style) manuals (assumption)."""
    return modality not in ("instructor_led", "manual")


def build_catalogue(sc: Scenario, st: Structure, rng: np.random.Generator) -> Catalogue:
    """Generated items per skill and level, then the listed items (see module docstring)."""
    cc = sc.content
    k = len(st.skill_names)
    n_gen = cc.items_per_skill_level * k * 5
    cat = Catalogue(capacity=max(16, 2 * (n_gen + len(cc.items))))
    profile = sc.rules.catalogue.modalities
    names = list(MODALITIES)
    shares = np.array([getattr(profile, m).share for m in names])
    shares /= shares.sum()
    q = cc.quality_mean
    conc = sc.rules.catalogue.quality_concentration
    spread = sc.rules.catalogue.duration_spread
    for skill in range(k):
        for level in range(1, 6):
            for _ in range(cc.items_per_skill_level):
                mod = names[int(rng.choice(len(names), p=shares))]
                cat.add(skill=skill, level=level, modality=MODALITIES.index(mod),
                        quality=rng.beta(q * conc, (1 - q) * conc),
                        duration=getattr(profile, mod).hours * rng.uniform(1.0 - spread, 1.0 + spread),
                        mobile=mobile_ready(mod), freshness=1.0, created=0)
    kidx = {s: i for i, s in enumerate(st.skill_names)}
    for it in cc.items:
        cat.add(skill=kidx[it.skill], level=it.level, modality=MODALITIES.index(it.modality), quality=it.quality,
                duration=it.duration_hours, mobile=mobile_ready(it.modality) if it.mobile is None else it.mobile,
                freshness=1.0, created=0)
    return cat
