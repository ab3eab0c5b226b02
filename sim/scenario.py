"""The scenario format: a typed, immutable description of an organisation and a strategy.

Every parameter is declared once here (see :mod:`sim.parameters`); the loader in
:mod:`sim.loader` turns YAML into a :class:`Scenario` and reports errors with file, line and
key. Everything has a default, so ``name: x`` alone is a complete scenario: a 500-person
professional-services firm under a typical L&D policy.

Sources cited in defaults (full references in docs/ODD.md):
ATD = ATD State of the Industry 2014–2020; Tatel = Tatel & Ackerman meta-analysis of
procedural skill retention; Arthur1998 = Arthur, Bennett, Stanush & McNelly 1998;
Blume2010 = Blume, Ford, Baldwin & Huang 2010; Sisk2018 = Sisk et al. 2018;
Yeager2019 = Yeager et al. 2019; Edmondson1999; Eby2013 = Eby et al. 2013;
Allen2004 = Allen et al. 2004; SPI2020 = SPI Research Professional Services Maturity Benchmark 2020;
Heathcote2000 = Heathcote, Brown & Mewhort 2000; McCall1988 = McCall, Lombardo & Morrison.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Literal, Union

from pydantic import Field, ValidationInfo, model_validator

from .parameters import Section, iter_parameters, located, param
from .rules import Rules

# Default of ``start.spin_up_weeks`` (measured, see tests/test_equilibrium.py).
SPIN_UP_WEEKS = 156

Modality = Literal["course", "video", "article", "podcast", "job_aid", "manual", "instructor_led"]
MODALITIES: tuple[str, ...] = Modality.__args__  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- organisation
class Skill(Section):
    name: str = Field(min_length=1, max_length=60, description="Skill name, unique in the taxonomy.")
    open: bool = Field(
        True,
        description="Open skills (judgement, people) transfer with more help from supervisor "
        "support than closed, procedural ones (Blume2010).",
    )
    code: str | None = Field(None, max_length=200, description="ESCO or O*NET code / URI of the skill (lesim import "
                                                               "keeps it from the taxonomy; no rule reads it).")


class Requirement(Section):
    level: float = param(3.0, "Level the role requires (0 none … 5 expert, Dreyfus-aligned).", unit="level", ge=0, le=5)
    criticality: float = param(0.5, "Weight of this skill in the role's skills gap.", unit="0–1", ge=0, le=1)


class Role(Section):
    name: str = Field(min_length=1, max_length=60)
    requirements: dict[str, Requirement] = Field(
        default_factory=dict, description="Required level and criticality per skill; skills not listed are not required."
    )


class Department(Section):
    name: str = Field(min_length=1, max_length=60)
    share: float = param(0.2, "Share of the headcount in this department (shares are normalised to sum to 1).", unit="fraction", gt=0, le=1)
    roles: dict[str, float] = Field(
        default_factory=dict, description="Role mix of the department's non-managers (role name → share; normalised)."
    )
    remote_share: float | None = Field(
        None, ge=0, le=1, description="This department's share of fully remote employees (default: organisation.remote_share).")
    hybrid_share: float | None = Field(
        None, ge=0, le=1, description="This department's share of hybrid employees (default: organisation.hybrid_share).")


def _default_skills() -> list[Skill]:
    return [
        Skill(name="client_communication", open=True),
        Skill(name="consulting_methods", open=True),
        Skill(name="data_analysis", open=False),
        Skill(name="project_management", open=True),
        Skill(name="domain_expertise", open=False),
        Skill(name="digital_tools", open=False),
        Skill(name="leadership", open=True),
        Skill(name="ai_literacy", open=False),
    ]


def _req(**levels: tuple[float, float]) -> dict[str, Requirement]:
    return {k: Requirement(level=v[0], criticality=v[1]) for k, v in levels.items()}


def _default_roles() -> list[Role]:
    return [
        Role(name="consultant", requirements=_req(
            client_communication=(3.5, 0.9), consulting_methods=(3.5, 0.9), data_analysis=(2.5, 0.5),
            project_management=(2.5, 0.5), domain_expertise=(3.0, 0.8), digital_tools=(2.0, 0.3))),
        Role(name="analyst", requirements=_req(
            data_analysis=(3.5, 0.9), digital_tools=(3.0, 0.7), domain_expertise=(2.5, 0.6),
            client_communication=(2.0, 0.4), consulting_methods=(2.0, 0.4))),
        Role(name="engineer", requirements=_req(
            digital_tools=(4.0, 0.9), data_analysis=(3.0, 0.7), project_management=(2.0, 0.4),
            domain_expertise=(2.0, 0.4))),
        Role(name="specialist", requirements=_req(
            domain_expertise=(3.5, 0.9), digital_tools=(2.5, 0.6), project_management=(2.5, 0.5),
            client_communication=(2.0, 0.4))),
        Role(name="sales", requirements=_req(
            client_communication=(4.0, 0.9), domain_expertise=(2.5, 0.6), consulting_methods=(2.5, 0.5),
            digital_tools=(2.0, 0.3))),
        Role(name="manager", requirements=_req(
            leadership=(3.5, 0.9), client_communication=(3.5, 0.7), project_management=(3.0, 0.7),
            domain_expertise=(3.0, 0.6), consulting_methods=(2.5, 0.4))),
    ]


def _default_departments() -> list[Department]:
    return [
        Department(name="Advisory", share=0.40, roles={"consultant": 0.7, "analyst": 0.3}),
        Department(name="Technology", share=0.20, roles={"engineer": 0.8, "analyst": 0.2}),
        Department(name="Operations", share=0.15, roles={"specialist": 1.0}),
        Department(name="Sales", share=0.15, roles={"sales": 1.0}),
        Department(name="Corporate", share=0.10, roles={"specialist": 0.6, "analyst": 0.4}),
    ]


class DataFile(Section):
    """A table an organisation's import wrote (``lesim import``, :mod:`sim.importer`): its path,
    the SHA-256 of its bytes and its data rows. In a scenario file the path is relative to the
    file's folder and must stay inside it (the loader resolves it, :func:`sim.loader.load_raw`);
    once loaded it is absolute. The hash is checked against the file, so a table edited after
    the import is refused instead of silently changing every run (and the hash is part of the
    scenario's digest: run keys and the spin-up cache follow the data)."""

    file: str = Field(min_length=1, max_length=4096, description="Path of the table, relative to the scenario file's folder.")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the file's bytes, written by lesim import.")
    rows: int = Field(ge=0, description="Data rows of the table (without the header).")

    @model_validator(mode="after")
    def _matches(self) -> "DataFile":
        from .importer.tables import file_facts  # the importer owns the tables' format
        facts = file_facts(self.file)
        if isinstance(facts, str):
            raise located(("file",), facts)
        digest, rows = facts
        if digest != self.sha256:
            raise located(("sha256",), f"{self.file} changed since it was imported (its SHA-256 is now {digest[:12]}…): "
                                       "import the organisation again (lesim import)")
        if rows != self.rows:
            raise located(("rows",), f"{self.file} has {rows} rows, not {self.rows}")
        return self


class OrganisationData(Section):
    """An imported organisation (``lesim import``): its people replace the generated positions,
    its collaboration network the generated ties, its assessments the drawn proficiency at week 0
    (docs/ODD.md, "Imported organisations")."""

    people: DataFile = Field(description="people.csv: one row per position (pseudonymous id, department, role, "
                                         "manager, level, tenure, location, engagement, learning hours, leaver).")
    network: DataFile | None = Field(None, description="network.csv: collaboration ties (a, b, weight) replacing "
                                                       "the generated team and cross-team ties.")
    assessments: DataFile | None = Field(None, description="assessments.csv: assessed proficiency (id, skill, level "
                                                           "0–5), the latest per person and skill.")
    min_group_size: int = param(5, "Smallest group of real people any table, chart or report shows; smaller "
                                   "departments are suppressed.", unit="people",
                                source="setting (privacy; 5 is a common statistical disclosure threshold)", ge=1, le=1000)


class InitialProficiency(Section):
    required_mean: float = param(
        0.88, "Mean initial proficiency on a required skill, as a fraction of the required level (drawn before the spin-up, start.spin_up_weeks before week 0).",
        unit="fraction of requirement", ge=0, le=2)
    required_sd: float = param(0.45, "Spread of initial proficiency on required skills.", unit="level", ge=0, le=3)
    other_mean: float = param(0.6, "Mean initial proficiency on skills the role does not require.", unit="level", ge=0, le=5)
    other_sd: float = param(0.5, "Spread of initial proficiency on skills the role does not require.", unit="level", ge=0, le=3)


class Organisation(Section):
    size: int = param(500, "Headcount (positions, including managers and executives).", unit="people", ge=2, le=2_000_000)
    team_size: int = param(8, "Span of control: direct reports per team manager.", unit="people", ge=1, le=100)
    executives: int = param(3, "Executive sponsors of learning (part of the headcount).", unit="people", ge=1, le=1000)
    manager_role: str = Field("manager", description="Role held by managers and executives.")
    remote_share: float = param(0.3, "Share of employees who work fully remotely, never on site (a department may declare its own; docs/ODD.md, work location).", unit="fraction", source="setting of the organisation", ge=0, le=1)
    hybrid_share: float = param(0.0, "Share of employees who work hybrid: on site hybrid_days_on_site days a week, remote the rest (a department may declare its own).", unit="fraction", source="setting of the organisation", ge=0, le=1)
    hybrid_days_on_site: float = param(3.0, "Days a week a hybrid employee works on site (of five); hybrid colleagues share their site days.", unit="days/week", source="assumption (common hybrid policies set 2–3 office days; Bloom, Han & Liang 2024: 3 on site, 2 at home)", ge=0, le=5)
    sme_share: float = param(0.04, "Share of employees who are subject-matter experts (top performers who codify know-how).", unit="fraction", ge=0, le=1)
    instructor_share: float = param(0.01, "Share of employees who teach instructor-led sessions.", unit="fraction", ge=0, le=1)
    cross_team_ties: float = param(1.5, "Informal ties per employee outside the own team.", unit="ties/person", source="assumption (Cross & Parker 2004 report sparse cross-unit networks)", ge=0, le=50)
    skills: list[Skill] = Field(default_factory=_default_skills, min_length=1, max_length=200)
    roles: list[Role] = Field(default_factory=_default_roles, min_length=1, max_length=5000)
    departments: list[Department] = Field(default_factory=_default_departments, min_length=1, max_length=2000)
    initial_proficiency: InitialProficiency = Field(default_factory=InitialProficiency)
    data: OrganisationData | None = Field(None, description="An imported organisation (lesim import); without it "
                                                            "the organisation is generated from the settings above.")

    @model_validator(mode="after")
    def _cross_references(self) -> "Organisation":
        skills = [s.name for s in self.skills]
        _unique("skills", skills)
        roles = [r.name for r in self.roles]
        _unique("roles", roles)
        _unique("departments", [d.name for d in self.departments])
        for i, r in enumerate(self.roles):
            for k in r.requirements:
                if k not in skills:
                    raise located(("roles", i, "requirements", k), f"unknown skill {k!r}; known skills: {', '.join(skills)}")
        if self.manager_role not in roles:
            raise located(("manager_role",), f"{self.manager_role!r} is not a declared role; known roles: {', '.join(roles)}")
        for i, d in enumerate(self.departments):
            for rn, share in d.roles.items():
                if rn not in roles:
                    raise located(("departments", i, "roles", rn), f"unknown role {rn!r}; known roles: {', '.join(roles)}")
                if not 0 < share < float("inf"):
                    raise located(("departments", i, "roles", rn), f"share must be greater than 0, got {share}")
        if self.remote_share + self.hybrid_share > 1 + 1e-9:
            raise located(("hybrid_share",), f"remote_share + hybrid_share must be at most 1 (the rest work on site), "
                                             f"got {self.remote_share:g} + {self.hybrid_share:g}")
        for i, d in enumerate(self.departments):
            remote, hybrid = self.location_shares(d)
            if remote + hybrid > 1 + 1e-9:
                where = ("departments", i, "hybrid_share" if d.hybrid_share is not None else "remote_share") \
                    if d.remote_share is not None or d.hybrid_share is not None else ("hybrid_share",)
                raise located(where, f"remote_share + hybrid_share must be at most 1 (the rest work on site), "
                                     f"got {remote:g} + {hybrid:g}")
        if self.executives >= self.size:
            raise located(("executives",), f"must be fewer than size ({self.size}), got {self.executives}")
        if self.data is None and len(self.departments) + self.executives > self.size:
            # (an imported organisation's departments and executives are its people's)
            raise located(("size",), f"too small for {len(self.departments)} departments and {self.executives} executives, got {self.size}")
        if self.data is not None and self.data.people.rows != self.size:
            raise located(("size",), f"must equal the imported people ({self.data.people.rows} in "
                                     f"{self.data.people.file}), got {self.size}")
        if self.data is not None and self.size < self.data.min_group_size:
            raise located(("data", "min_group_size"), f"the organisation has {self.size} people, fewer than the "
                                                      f"smallest group reports may show ({self.data.min_group_size})")
        if self.data is not None:
            from .importer.tables import load_people
            people = load_people(self.data)
            for column, declared, key in ((people["department"], {d.name for d in self.departments}, "departments"),
                                          (people["role"], {r.name for r in self.roles}, "roles")):
                unknown = sorted(set(column.tolist()) - declared, key=str)
                if unknown:
                    raise located((key,), f"{self.data.people.file} names {key} this scenario does not declare: "
                                          f"{', '.join(map(str, unknown[:5]))}")
        return self


    def location_shares(self, dept: Department) -> tuple[float, float]:
        """(fully remote, hybrid) shares of a department: its own where declared, else the organisation's."""
        return (self.remote_share if dept.remote_share is None else dept.remote_share,
                self.hybrid_share if dept.hybrid_share is None else dept.hybrid_share)


def _unique(what: str, names: list[str]) -> None:
    seen: set[str] = set()
    for i, n in enumerate(names):
        if n in seen:
            raise located((what, i, "name"), f"duplicate name {n!r}")
        seen.add(n)


# --------------------------------------------------------------------------- people & culture
class Culture(Section):
    growth_mindset: float = param(0.5, "Mean individual growth mindset (0 fixed … 1 growth).", unit="0–1", ge=0, le=1)
    growth_mindset_sd: float = param(0.15, "Spread of individual growth mindset.", unit="0–1", ge=0, le=0.5)
    psychological_safety: float = param(0.5, "Initial team psychological safety / learning climate (Edmondson1999).", unit="0–1", kind="uncertainty", plausible=(0.3, 0.7), ge=0, le=1)
    climate_drift: float = param(0.02, "Weekly rate at which team climate moves toward what leaders, executives and programmes signal.", unit="1/week", ge=0, le=1)
    mindset_pull: float = param(0.005, "Weekly rate at which an individual's mindset moves toward the team climate (slow; Yeager2019: norms matter).", unit="1/week", ge=0, le=1)
    failure_tolerance: float = param(0.5, "How far failure is treated as learning rather than punished (raises climate).", unit="0–1", kind="lever", ge=0, le=1)


class Leadership(Section):
    manager_support: float = param(0.5, "Mean manager support for learning.", unit="0–1", source="assumption; effect size from Blume2010", kind="uncertainty", plausible=(0.3, 0.7), ge=0, le=1)
    manager_support_sd: float = param(0.15, "Spread of manager support.", unit="0–1", ge=0, le=0.5)
    coaching_hours: float = param(0.5, "Hours per week a manager spends coaching, shared by their direct reports.", unit="h/week", kind="lever", ge=0, le=40)
    executive_support: float = param(0.5, "Executive sponsors' support for L&D (budget and culture signals).", unit="0–1", kind="lever", ge=0, le=1)


class LearningRules(Section):
    """Rates of the learning processes. Most are assumptions, calibrated so the baseline sits in the published bands (docs/ODD.md)."""

    formal_rate: float = param(0.04, "Proficiency gained per hour of perfectly fitting, top-quality content.", unit="level/h", source="assumption (a 25 h course moves about one level), calibrated so that formal learning gives at most 30 % of the skill gained (EDC 1998, lesim check formal_share)", kind="uncertainty", plausible=(0.025, 0.1), ge=0, le=1)
    experiential_rate: float = param(0.02, "Weekly share of the gap to what the work demands closed by doing the job (exponential approach).", unit="1/week", source="Heathcote2000 (exponential individual curves); rate assumption", kind="uncertainty", plausible=(0.01, 0.04), ge=0, le=1)
    aptitude_shape: float = param(2.0, "Shape of the Gamma distribution (mean 1) of individual learning-by-doing rates: smaller means more varied learners.", unit="", source="Heathcote2000 (individuals learn at different exponential rates; their average looks like a power law); shape an assumption; the lower bound keeps the Gamma's scale 1/shape finite and the spread plausible (coefficient of variation 1/√shape ≤ 10)", kind="uncertainty", plausible=(1.0, 5.0), ge=0.01, le=1000)
    job_exposure: float = param(0.92, "Mean level a job lets people reach by practice alone, as a fraction of the requirement.", unit="fraction", source="assumption", kind="uncertainty", plausible=(0.85, 0.98), ge=0, le=2)
    social_rate: float = param(0.01, "Share of a proficiency difference a colleague passes on in one interaction.", unit="1/interaction", source="assumption", kind="uncertainty", plausible=(0.005, 0.02), ge=0, le=1)
    interaction_rate: float = param(0.6, "Probability that an employee has a learning conversation with a contact in a week.", unit="1/week", source="assumption", ge=0, le=1)
    coaching_rate: float = param(0.03, "Share of the gap to the requirement closed per coaching hour.", unit="1/h", source="assumption", kind="uncertainty", plausible=(0.015, 0.06), ge=0, le=1)
    transfer_rate: float = param(0.25, "Weekly share of a not-yet-applied formal gain that is applied and becomes durable, at average support and climate.", unit="1/week", source="assumption; moderators from Blume2010", kind="uncertainty", plausible=(0.1, 0.4), ge=0, le=1)
    unapplied_half_life_weeks: float = param(4.0, "Half-life of formal gains that are never applied on the job.", unit="weeks", source="assumption (Arthur1998: decay begins at once without use)", gt=0, le=520)
    decay_half_life_months: float = param(9.75, "Half-life of proficiency above what the job exercises (unused skill).", unit="months", source="Tatel: ~6.5 months (accuracy) to 11–13 months (speed); midpoint", kind="uncertainty", plausible=(6.5, 13.0), gt=0, le=600)
    mindset_effect: float = param(0.08, "Relative change of learning gains between a fully fixed and a fully growth mindset.", unit="fraction", source="Sisk2018 (d≈0.08): small", kind="uncertainty", plausible=(0.0, 0.2), ge=0, le=1)
    discretionary_hours: float = param(0.55, "Weekly self-directed formal learning hours of an average employee without protected time.", unit="h/week", source="ATD (~34 h/employee-year incl. mandatory)", kind="uncertainty", plausible=(0.4, 0.7), ge=0, le=40)
    crunch_probability: float = param(0.2, "Probability that a week's workload crowds out discretionary learning.", unit="1/week", source="assumption", ge=0, le=1)
    failure_probability: float = param(0.3, "Probability that an attempt beyond reach (rules.culture.beyond_reach levels above current proficiency) fails.", unit="fraction", source="assumption", ge=0, le=1)


# --------------------------------------------------------------------------- content
class ContentItemSpec(Section):
    skill: str
    level: int = param(2, "Target level.", unit="level", ge=1, le=5)
    modality: Modality = "course"
    quality: float = param(0.6, "Instructional quality.", unit="0–1", ge=0, le=1)
    duration_hours: float = param(4.0, "Length.", unit="h", gt=0, le=500)
    mobile: bool | None = Field(None, description="Mobile-ready: with the LXP's mobile app it can be taken in short slots away from a desk (policies.platform.mobile). Default: every modality but instructor-led sessions and manuals.")


class ContentCatalogue(Section):
    items_per_skill_level: int = param(2, "Generated items per skill and level (listed items are added to them).", unit="items", ge=0, le=100)
    items: list[ContentItemSpec] = Field(default_factory=list, description="Listed items (added to the generated ones).", max_length=100_000)
    quality_mean: float = param(0.6, "Mean quality of generated content.", unit="0–1", kind="uncertainty", plausible=(0.45, 0.75), ge=0.01, le=0.99)
    stale_half_life_weeks: float = param(104.0, "Half-life of content freshness with age.", unit="weeks", source="assumption", gt=0, le=5200)
    cost_per_learner_hour: float = param(20.0, "Direct cost of one hour of off-the-shelf content or ILT seat (licences, vendors), averaged over modalities.", unit="$/h", source="ATD (cost per learning hour ~ $1,300 / 34 h incl. overheads); assumption for the split", ge=0, le=10_000)
    creation_cost: float = param(6000.0, "Cost of commissioning one new content item.", unit="$/item", source="assumption (ATD / Chapman: tens of development hours per learning hour)", ge=0, le=1_000_000)
    seats_per_instructor: int = param(12, "Instructor-led seats one instructor delivers per week.", unit="seats/week", ge=0, le=1000)


# --------------------------------------------------------------------------- policies
class ProtectedTime(Section):
    enabled: bool = param(False, "Give employees protected weekly learning time.", kind="lever")
    hours_per_week: float = param(2.0, "Protected learning hours per week.", unit="h/week", kind="lever", ge=0, le=40)


class Platform(Section):
    enabled: bool = param(False, "An LXP with recommendations and social features replaces the basic LMS.", kind="lever")
    recommendation_quality: float = param(0.8, "Share of learning choices that target the learner's largest gap (rest is browsing).", unit="fraction", kind="lever", ge=0, le=1)
    basic_recommendation_quality: float = param(0.3, "Same, with the basic LMS only.", unit="fraction", ge=0, le=1)
    peer_ties: float = param(3.0, "Extra cross-team ties per employee opened by peer features.", unit="ties/person", kind="lever", ge=0, le=50)
    mobile: bool = param(True, "The LXP's mobile app: mobile-ready content (not instructor-led sessions or manuals) can be taken in short slots away from a desk.", kind="lever")
    mobile_hours_boost: float = param(0.1, "Extra self-directed hours, relative to a learner's discretionary hours, taken in short slots on mobile — only in a week whose item is mobile-ready.", unit="fraction", source="assumption (microlearning in otherwise dead time: commutes, travel, between meetings)", ge=0, le=5)
    licence_per_employee_year: float = param(60.0, "LXP licence.", unit="$/employee/year", source="assumption (vendor list prices)", ge=0, le=10_000)
    lms_per_employee_year: float = param(30.0, "Basic LMS licence (always paid).", unit="$/employee/year", source="assumption", ge=0, le=10_000)


class Mentoring(Section):
    enabled: bool = param(False, "Run a formal mentoring programme.", kind="lever")
    ratio: float = param(0.2, "Share of employees who have a mentor (mentors take two mentees each, more when the ratio is above two thirds).", unit="fraction", kind="lever", ge=0, le=1)
    matching: Literal["skill_gap", "random", "same_department"] = param("skill_gap", "How mentors are matched to mentees.", kind="lever")
    hours_per_week: float = param(0.5, "Mentoring hours per pair per week.", unit="h/week", kind="lever", ge=0, le=40)
    rematch_every_weeks: int = param(26, "Pairs are re-formed this often.", unit="weeks", ge=1, le=520)
    learning_rate: float = param(0.0075, "Share of the proficiency difference to the mentor a mentee closes per mentoring hour, on the skills their work needs.", unit="1/h", source="Allen2004, Eby2013 (objective effects small, r ≈ 0.1–0.2): set so a mentee's skills-gap d after a year, after the status-quo spin-up and with the programme delivered in full, is ≈ 0.3 (python -m sim.validation.effects; 0.01 gave d ≈ 0.40, the top of the band)", kind="uncertainty", plausible=(0.005, 0.02), ge=0, le=1)
    engagement_boost: float = param(0.0015, "Weekly engagement gain of a mentee; against the weekly pull of engagement to its target it lifts engagement by about boost / rules.culture.engagement_rate.", unit="1/week", source="Allen2004, Eby2013 (subjective effects larger than objective, ρ ≈ 0.2–0.3): set so a mentee's engagement d after a year is ≈ 0.25 (python -m sim.validation.effects)", kind="uncertainty", plausible=(0.001, 0.002), ge=0, le=1)
    programme_cost_per_pair_year: float = param(500.0, "Coordination and training cost per pair.", unit="$/pair/year", source="assumption", ge=0, le=100_000)


class JobRotation(Section):
    enabled: bool = param(False, "Rotate employees through other roles for a while.", kind="lever")
    share_per_year: float = param(0.1, "Share of employees starting a rotation each year.", unit="1/year", kind="lever", ge=0, le=1)
    duration_weeks: int = param(12, "Length of a rotation, swap or job share.", unit="weeks", kind="lever", ge=1, le=520)
    mode: Literal["rotation", "swap", "share"] = param(
        "rotation", "'rotation': one-way into a host role and team; 'swap': two people exchange roles and teams; "
        "'share': two people split both their roles part-time and hand over to each other every week.", kind="lever")
    targeting: Literal["shortage", "random"] = param(
        "shortage", "How the host role is chosen: in proportion to the skills it would build that the organisation is "
        "short of ('shortage'), or at random.", kind="lever")
    host_ties: int = param(6, "Members of the host team a rotating person gets a tie to.", unit="ties", source="assumption (a rotation puts people in a team's daily work)", kind="setting", ge=0, le=100)
    tie_half_life_weeks: float = param(52.0, "Half-life of a tie to the host team after the rotation ends (each such tie dissolves at random).", unit="weeks", source="assumption (Burt 2002: ties that bridge groups decay faster than ties within them)", kind="uncertainty", plausible=(26.0, 156.0), gt=0, le=5200)
    share_fraction: float = param(0.5, "In a job share, the share of each partner's week spent on the partner's role.", unit="fraction", source="assumption (two people splitting two roles half and half)", kind="lever", ge=0.05, le=0.95)
    handover_rate: float = param(0.02, "In a job share, share of the proficiency difference on either role's skills a partner passes on in the weekly handover.", unit="1/week", source="assumption (of the order of a few peer conversations a week)", kind="uncertainty", plausible=(0.01, 0.04), ge=0, le=1)
    cost_per_rotation: float = param(1500.0, "Administration and ramp-up cost of one rotation.", unit="$", source="assumption", ge=0, le=1_000_000)


class ManagerDevelopment(Section):
    enabled: bool = param(False, "Train managers to coach and support learning.", kind="lever")
    share_per_year: float = param(0.5, "Share of managers trained per year.", unit="1/year", kind="lever", ge=0, le=1)
    support_gain: float = param(0.15, "Increase of a trained manager's support for learning.", unit="0–1", source="assumption", kind="uncertainty", plausible=(0.05, 0.25), ge=0, le=1)
    coaching_hours_gain: float = param(0.5, "Extra weekly coaching hours of a trained manager.", unit="h/week", source="assumption", ge=0, le=40)
    cost_per_manager: float = param(2500.0, "Programme cost per trained manager.", unit="$", source="assumption", ge=0, le=1_000_000)
    hours_per_manager: float = param(16.0, "Hours a manager spends in the programme (their time is a cost, booked when they finish).", unit="h", source="assumption (typical two-day coaching-skills course)", plausible=(8.0, 40.0), ge=0, le=2000)


class MindsetInitiative(Section):
    enabled: bool = param(False, "A growth-mindset / psychological-safety initiative.", kind="lever")
    climate_target_gain: float = param(0.15, "Increase of the climate leaders and programmes signal.", unit="0–1", source="assumption; keep small (Sisk2018)", kind="uncertainty", plausible=(0.05, 0.25), ge=0, le=1)
    mindset_nudge: float = param(0.001, "Weekly direct nudge of individual mindset toward growth.", unit="1/week", source="assumption (Yeager2019: small)", kind="uncertainty", plausible=(0.0, 0.003), ge=0, le=1)
    cost_per_employee_year: float = param(40.0, "Workshops and communication.", unit="$/employee/year", source="assumption", ge=0, le=100_000)


class ContentInvestment(Section):
    enabled: bool = param(True, "Commission new content and let SMEs codify know-how.", kind="lever")
    commission_per_year: int = param(12, "New items commissioned per year (placed by governance).", unit="items/year", kind="lever", ge=0, le=100_000)
    sme_hours_per_week: float = param(0.5, "Hours each SME spends codifying know-how into content.", unit="h/week", kind="lever", ge=0, le=40)
    sme_hours_per_item: float = param(40.0, "SME hours needed for one item.", unit="h", source="assumption", gt=0, le=10_000)


class MandatoryTraining(Section):
    enabled: bool = param(True, "Annual compliance training for everyone.", kind="lever")
    hours_per_year: float = param(4.0, "Compliance hours per employee per year.", unit="h/year", source="ATD (compliance is a standing part of formal hours)", ge=0, le=500)
    cost_per_employee_year: float = param(80.0, "Direct cost of compliance content.", unit="$/employee/year", source="assumption", ge=0, le=100_000)


class Recognition(Section):
    enabled: bool = param(False, "Recognise completed learning (badges, mentions, career credit).", kind="lever")
    engagement_boost: float = param(0.002, "Engagement gain for a completion.", unit="0–1", source="assumption", ge=0, le=1)
    cost_per_completion: float = param(5.0, "Cost per recognised completion.", unit="$", source="assumption", ge=0, le=10_000)


class Hiring(Section):
    strategy: Literal["build", "buy"] = param("build", "'buy' hires skilled people at a premium instead of developing them.", kind="lever")
    buy_proficiency_gain: float = param(0.15, "Extra hire proficiency (fraction of the requirement) when buying.", unit="fraction", source="assumption", ge=0, le=2)
    buy_premium: float = param(15000.0, "Extra cost of a skilled hire.", unit="$/hire", source="assumption (recruiter fees, salary premium)", ge=0, le=1_000_000)
    onboarding_hours: float = param(10.0, "Formal onboarding hours of a new hire, spread over the first 8 weeks.", unit="h", source="assumption", ge=0, le=500)


class Policies(Section):
    protected_time: ProtectedTime = Field(default_factory=ProtectedTime)
    platform: Platform = Field(default_factory=Platform)
    mentoring: Mentoring = Field(default_factory=Mentoring)
    job_rotation: JobRotation = Field(default_factory=JobRotation)
    manager_development: ManagerDevelopment = Field(default_factory=ManagerDevelopment)
    mindset_initiative: MindsetInitiative = Field(default_factory=MindsetInitiative)
    content_investment: ContentInvestment = Field(default_factory=ContentInvestment)
    mandatory_training: MandatoryTraining = Field(default_factory=MandatoryTraining)
    recognition: Recognition = Field(default_factory=Recognition)
    hiring: Hiring = Field(default_factory=Hiring)


# --------------------------------------------------------------------------- governance
BudgetItem = Literal["commissioning", "job_rotation", "manager_development", "mentoring", "protected_time",
                     "self_directed"]
BUDGET_ITEMS: tuple[str, ...] = BudgetItem.__args__  # type: ignore[attr-defined]  # default cut order


class Governance(Section):
    rule: Literal["static", "gap_driven", "roi_driven"] = param("static", "How L&D leadership decides at each review.", kind="lever")
    review_every_weeks: int = param(13, "Weeks between skills-gap reviews.", unit="weeks", kind="lever", ge=1, le=520)
    data_maturity: int = param(1, "Highest Kirkpatrick level measured (1 reactions … 4 results): the noise, lag and coverage of the skills data governance sees improve with it (rules.governance).", unit="level", kind="lever", ge=1, le=4)
    annual_budget_per_employee: float = param(1300.0, "Direct L&D budget: what the costs phase books as spend (attributable + overhead), per head per budget year (weeks 1–52, 53–104, …).", unit="$/employee/year", source="ATD (~$1,300 per employee per year)", kind="lever", ge=0, le=1_000_000)
    ld_staff_cost_per_employee_year: float = param(500.0, "L&D staff, design and administration (internal part of direct spend).", unit="$/employee/year", source="ATD (internal costs are the larger part of direct learning expenditure); split is an assumption", ge=0, le=1_000_000)
    retire_below_quality: float = param(0.35, "Retire content whose observed quality falls below this.", unit="0–1", kind="lever", ge=0, le=1)
    retire_below_freshness: float = param(0.3, "Retire content whose freshness falls below this.", unit="0–1", kind="lever", ge=0, le=1)
    protected_hours_min: float = param(0.0, "Lower bound when governance adjusts protected time.", unit="h/week", ge=0, le=40)
    protected_hours_max: float = param(4.0, "Upper bound when governance adjusts protected time.", unit="h/week", ge=0, le=40)
    gap_target: float = param(0.10, "Skills-gap index governance aims to stay below.", unit="index", kind="lever", ge=0, le=1)
    future_skills: bool = param(False, "The skills-gap analysis covers future skills too: announced requirement changes (events with announce_weeks) count from their announcement, so gap-targeted learning, rotation targeting and commissioning aim at them before they take effect.", kind="lever")
    employee_hour_cost: float = param(60.0, "Loaded cost of one employee hour: the time of learners, coaches, mentors, SMEs and managers in training is a cost (not L&D spend).", unit="$/h", source="assumption (professional services; Phillips ROI counts participants' time)", kind="uncertainty", plausible=(40.0, 100.0), ge=0, le=10_000)
    value_per_employee_year: float = param(150_000.0, "Annual value of a fully proficient employee's output: output is valued at this × skill fit (1 − skills gap) for each person in post, so a vacancy produces nothing and a new hire's ramp-up shows as lower fit.", unit="$/year", source="assumption (revenue per employee in professional services)", kind="uncertainty", plausible=(100_000.0, 250_000.0), ge=0, le=100_000_000)
    discount_rate: float = param(0.07, "Annual discount rate of the incremental economics (NPV, payback): a week-t flow counts (1 + rate)^(−t/52).", unit="1/year", source="US OMB Circular A-94 (7 % real base rate); a firm may use its cost of capital", kind="uncertainty", plausible=(0.03, 0.12), ge=0, le=1)
    budget_mode: Literal["hard", "advisory"] = param("hard", "hard: the budget is a constraint — programmes are scaled down (budget_cut_order) so direct L&D spend stays within it each budget year; advisory: nothing is cut, overspend is flagged in the governance table, report and terminal summary.", kind="lever")
    budget_allocation: Literal["ordered", "proportional", "evidence"] = param("ordered", "How a hard budget cuts: ordered = the first programme of budget_cut_order down to nothing before the next is touched; proportional = every cuttable programme by the same share; evidence = by the value per dollar governance measured at its last review (needs a steering rule, gap_driven or roi_driven; ordered until it has measured): the least effective programme is cut first and the most effective are scaled up to rules.budget.max_scale × their declared level with the money that frees or that is left over.", kind="lever")
    budget_cut_order: list[BudgetItem] = Field(
        default_factory=lambda: list(BUDGET_ITEMS),
        description="Cuttable programmes, first cut first (ordered allocation): commissioning (new content), "
                    "job_rotation and manager_development (intake), mentoring (pairs), protected_time (hours), "
                    "self_directed (paid content hours outside protected time). Not cuttable: L&D staff, platform "
                    "licences, compliance, onboarding, the mindset initiative and recognition. A programme left out "
                    "is never cut.")

    @model_validator(mode="after")
    def _bounds_order(self) -> "Governance":
        if self.protected_hours_min > self.protected_hours_max:
            raise located(("protected_hours_min",), f"must not exceed protected_hours_max ({self.protected_hours_max:g}), got {self.protected_hours_min:g}")
        seen = set()
        for i, item in enumerate(self.budget_cut_order):
            if item in seen:
                raise located(("budget_cut_order", i), f"{item!r} is listed twice")
            seen.add(item)
        return self


# --------------------------------------------------------------------------- environment
class NewSkillEvent(Section):
    type: Literal["new_skill"]
    week: int = param(52, "Week the requirement starts.", unit="week", ge=1, le=100_000)
    skill: str
    level: float = param(2.5, "Required level from that week.", unit="level", ge=0, le=5)
    criticality: float = param(0.8, "Criticality from that week.", unit="0–1", ge=0, le=1)
    roles: list[str] = Field(default_factory=list, description="Roles affected (empty: all roles).")
    ramp_weeks: int = param(0, "Weeks over which the work's use of the skill ramps up linearly to the required level (0: the work demands it at once). The requirement itself holds from the event week.", unit="weeks", ge=0, le=5200)
    announce_weeks: int = param(0, "Weeks before the event that it is known (a skills-gap analysis of future skills can act on it; governance.future_skills).", unit="weeks", ge=0, le=5200)


class RequirementChangeEvent(Section):
    type: Literal["requirement_change"]
    week: int = param(52, "Week of the change.", unit="week", ge=1, le=100_000)
    skill: str
    delta: float = param(0.5, "Change of the required level.", unit="level", ge=-5, le=5)
    roles: list[str] = Field(default_factory=list, description="Roles affected (empty: all roles).")
    announce_weeks: int = param(0, "Weeks before the event that it is known (governance.future_skills).", unit="weeks", ge=0, le=5200)


class BudgetCutEvent(Section):
    type: Literal["budget_cut"]
    week: int = param(52, "Week of the cut.", unit="week", ge=1, le=100_000)
    fraction: float = param(0.3, "Share of the L&D budget removed.", unit="fraction", ge=0, le=1)


class HiringFreezeEvent(Section):
    type: Literal["hiring_freeze"]
    week: int = param(52, "First week of the freeze.", unit="week", ge=1, le=100_000)
    weeks: int = param(26, "Length of the freeze.", unit="weeks", ge=1, le=100_000)


class ReorganisationEvent(Section):
    type: Literal["reorganisation"]
    week: int = param(52, "Week of the reorganisation.", unit="week", ge=1, le=100_000)
    share: float = param(0.2, "Share of employees moved to another team of their department.", unit="fraction", ge=0, le=1)


Event = Annotated[
    Union[NewSkillEvent, RequirementChangeEvent, BudgetCutEvent, HiringFreezeEvent, ReorganisationEvent],
    Field(discriminator="type"),
]


class Environment(Section):
    turbulence_per_year: float = param(0.5, "Expected random requirement shifts per skill per year.", unit="1/skill/year", source="assumption", kind="uncertainty", plausible=(0.25, 1.0), ge=0, le=52)
    turbulence_size: float = param(0.25, "Size of a random requirement shift (levels, up or down with 2:1 odds up).", unit="level", source="assumption", kind="uncertainty", plausible=(0.1, 0.5), ge=0, le=5)


class LabourMarket(Section):
    annual_turnover: float = param(0.11, "Base voluntary hazard at average engagement and growth (first-year and engagement effects raise the realised rate to ~13–15%).", unit="1/year", source="SPI2020 (professional-services attrition 13.2–13.9 %); practitioner surveys 10–15 % a year", kind="uncertainty", plausible=(0.08, 0.16), ge=0, le=1)
    first_year_multiplier: float = param(1.5, "Relative exit hazard in the first year of tenure.", unit="×", source="BLS/SHRM: turnover higher in the first year", ge=0, le=20)
    engagement_sensitivity: float = param(3.0, "Log-hazard change per unit of engagement below the norm.", unit="1/unit", source="assumption", kind="uncertainty", plausible=(1.0, 5.0), ge=0, le=20)
    growth_sensitivity: float = param(0.5, "Log-hazard change when an employee has had no learning for a quarter.", unit="1/unit", source="assumption (LinkedIn survey is intention, not effect: kept small)", kind="uncertainty", plausible=(0.0, 1.0), ge=0, le=20)
    time_to_fill_weeks: int = param(6, "Weeks a vacancy stays open.", unit="weeks", source="SHRM (≈42 days average time-to-fill)", ge=0, le=520)
    hire_proficiency: float = param(0.75, "Mean hire proficiency on required skills, as a fraction of the requirement.", unit="fraction", source="assumption", kind="uncertainty", plausible=(0.6, 0.9), ge=0, le=2)
    hire_cost: float = param(4700.0, "Cost per hire (recruiting, not L&D spend).", unit="$/hire", source="SHRM cost-per-hire benchmark", plausible=(3000.0, 15000.0), ge=0, le=1_000_000)
    separation_cost: float = param(5000.0, "Cost of a leaver not counted elsewhere: exit administration, lost output while working notice, colleagues' and managers' time (the hiring fee, the vacancy's lost output, onboarding hours and the hire's ramp-up are counted separately).", unit="$/leaver", source="assumption: Boushey & Glynn 2012 put the whole replacement cost at a median ≈ 21 % of annual salary (most of it the parts counted separately here)", kind="uncertainty", plausible=(1000.0, 20000.0), ge=0, le=10_000_000)
    new_skill_supply: float = param(0.2, "The market's supply of a newly emerging skill when it emerges (new_skill event on a skill no role required): hires bring other_mean + supply × (what they bring on an established skill − other_mean).", unit="fraction", source="assumption (new skills are scarce in the market at first)", kind="uncertainty", plausible=(0.0, 0.5), ge=0, le=1)
    market_catch_up_weeks: float = param(156.0, "Time constant of the market's supply of a new skill approaching that of an established one (education and other employers train people).", unit="weeks", source="assumption (a few years)", kind="uncertainty", plausible=(52.0, 312.0), gt=0, le=5200)
    scarcity_premium: float = param(2.0, "Relative rise of the cost per hire and of the buy premium at full scarcity of a role's requirements (scarcity = criticality-weighted share of the requirement the market lacks).", unit="×", source="assumption (scarce skills command hiring and wage premiums)", kind="uncertainty", plausible=(0.5, 4.0), ge=0, le=100)
    scarcity_delay: float = param(2.0, "Relative rise of time to fill at full scarcity of a role's requirements.", unit="×", source="assumption (hard-to-fill roles stay open longer)", kind="uncertainty", plausible=(0.5, 4.0), ge=0, le=100)


# --------------------------------------------------------------------------- the start
class Start(Section):
    """How a run starts (:mod:`sim.model`; docs/ODD.md §5 "Initialisation")."""

    spin_up_weeks: int = param(
        SPIN_UP_WEEKS,
        "Weeks the organisation runs under its status quo (policies and every other lever at their defaults, no scheduled events, "
        "requirements held at their declared levels) before week 0, so that every strategy starts from the same "
        "settled state; nothing of it is reported. 0 starts from the initial draws (organisation.initial_proficiency).",
        unit="weeks", source="measured: the shortest spin-up after which the status quo's skills gap and "
        "fully-proficient share show no trend (tests/test_equilibrium.py)", ge=0, le=5200)


# --------------------------------------------------------------------------- the scenario
class Scenario(Section):
    """A complete, validated scenario. Build with :func:`sim.loader.load_scenario` or ``Scenario()``."""

    name: str = Field("scenario", min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\- ]*$",
                      description="Short name; used for the results folder.")
    description: str = Field("", max_length=10_000)
    weeks: int = param(260, "Horizon.", unit="weeks", ge=1, le=5200)
    seed: int = param(0, "Seed of every random stream.", ge=0, le=2**63 - 1)
    organisation: Organisation = Field(default_factory=Organisation)
    culture: Culture = Field(default_factory=Culture)
    leadership: Leadership = Field(default_factory=Leadership)
    learning: LearningRules = Field(default_factory=LearningRules)
    content: ContentCatalogue = Field(default_factory=ContentCatalogue)
    policies: Policies = Field(default_factory=Policies)
    governance: Governance = Field(default_factory=Governance)
    environment: Environment = Field(default_factory=Environment)
    labour_market: LabourMarket = Field(default_factory=LabourMarket)
    rules: Rules = Field(default_factory=Rules, description="Behavioural constants of the weekly rules (assumptions to test, see sim/rules.py).")
    events: list[Event] = Field(default_factory=list, max_length=10_000)
    start: Start = Field(default_factory=Start)

    @model_validator(mode="after")
    def _references(self, info: ValidationInfo) -> "Scenario":
        """Names that must exist (skills, roles) and events that must happen: an event after
        the horizon would be silently ignored, so it is refused, unless the horizon was set
        from outside the file (``--weeks``, ``--set weeks=…``: a deliberately short trial; the
        validation context's ``horizon_overridden``, and the CLI names the events cut off)."""
        if not (info.context or {}).get("horizon_overridden"):
            for i, ev in late_events(self):
                raise located(("events", i, "week"), f"week {ev.week} is after the horizon (weeks: {self.weeks}): "
                              f"the {ev.type} event would never happen; remove it or set weeks to at least {ev.week}")
        skills = {s.name for s in self.organisation.skills}
        roles = {r.name for r in self.organisation.roles}
        for i, ev in enumerate(self.events):
            sk = getattr(ev, "skill", None)
            if sk is not None and sk not in skills:
                raise located(("events", i, "skill"), f"unknown skill {sk!r}; known skills: {', '.join(sorted(skills))}")
            for j, r in enumerate(getattr(ev, "roles", [])):
                if r not in roles:
                    raise located(("events", i, "roles", j), f"unknown role {r!r}; known roles: {', '.join(sorted(roles))}")
        for i, it in enumerate(self.content.items):
            if it.skill not in skills:
                raise located(("content", "items", i, "skill"), f"unknown skill {it.skill!r}; known skills: {', '.join(sorted(skills))}")
        return self

    def status_quo(self) -> "Scenario":
        """The organisation as it runs before week 0 (the spin-up): this scenario with the whole
        ``policies`` section (every programme, its settings and prices) and every other lever
        (``kind="lever"``: the governance rule and its settings, coaching hours, executive
        support, failure tolerance) at the declared defaults, no scheduled events and no
        turbulence (the declared requirements are today's). It depends only on what describes
        the organisation and its world, so every strategy for the same organisation,
        uncertainties and seed spins up identically (a policy's price included: through the
        budget check it would change what governance commissions)."""
        out: Section = self.model_copy(update={"policies": Policies()})
        for p in iter_parameters(Scenario):
            if p.kind == "lever" and not p.path.startswith("policies."):
                out = replaced(out, p.path.split("."), p.default)
        environment = out.environment.model_copy(update={"turbulence_per_year": 0.0})
        return out.model_copy(update={"events": [], "environment": environment})

    def canonical_json(self) -> str:
        """The scenario as canonical JSON (sorted keys): the input of :meth:`digest`."""
        return json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))

    def digest(self) -> str:
        """SHA-256 of the canonical scenario: same digest, same inputs."""
        return hashlib.sha256(self.canonical_json().encode()).hexdigest()


def replaced(section: Section, path: list[str], value) -> Section:
    """``section`` with the value at ``path`` replaced (a copy of the sections on the way, not
    validated again: the caller keeps the value valid)."""
    head, *rest = path
    new = replaced(getattr(section, head), rest, value) if rest else value
    return section.model_copy(update={head: new})


def late_events(scenario: Scenario) -> list[tuple[int, Event]]:
    """The events (index, event) that fall after the scenario's horizon: they never happen."""
    return [(i, ev) for i, ev in enumerate(scenario.events) if ev.week > scenario.weeks]
