"""The ``rules`` section of a scenario: the behavioural constants of the weekly rules.

Each number a rule uses that is not a fact of the organisation or a strategy lever is
declared here, once, with its unit, valid range, *plausible* range (the band a sensitivity
analysis should explore) and its source — almost always "assumption": these are the
modeller's judgements that a planner should be able to test (``lesim sensitivity`` can vary
them like any other uncertainty). The subsection names are the weekly phases that read them
(:mod:`sim.processes`); docs/ODD.md Appendix B is generated from this module.

Defaults reproduce the model's behaviour exactly as it was when these were literals in the
code (model version 2026.11.29-2), so a scenario that does not mention ``rules`` runs as
before.
"""

from __future__ import annotations

from pydantic import Field

from .parameters import Section, param

U = "uncertainty"


class TimeRules(Section):
    """Phase 3, learning time (:mod:`sim.processes.time_allocation`)."""

    uptake_base: float = param(0.3, "Share of protected time taken under a manager who gives no support.", unit="fraction", source="assumption: not every protected hour is used for learning — lack of time and workload are the barriers employees cite most (LinkedIn Workplace Learning Reports); 0.3 with the default uptake_per_support gives ≈ 70 % uptake under an average manager and keeps protected time's learning effect at 2 h/week below Arthur et al. 2003's d ≈ 0.6 (0.4 gave d ≈ 0.60)", kind=U, plausible=(0.2, 0.6), ge=0, le=1)
    uptake_per_support: float = param(0.8, "Extra share of protected time taken per unit of manager support (uptake is capped at 1).", unit="fraction/unit", kind=U, plausible=(0.4, 1.2), ge=0, le=5)
    motivation_norm: float = param(0.5, "Motivation at which an employee takes the average discretionary hours (hours scale with motivation / norm).", unit="0–1", kind=U, plausible=(0.4, 0.6), gt=0, le=1)
    engagement_norm: float = param(0.7, "Engagement at which an employee takes the average discretionary hours (mean of the initial engagement draw).", unit="0–1", kind=U, plausible=(0.6, 0.8), gt=0, le=1)
    onboarding_weeks: int = param(8, "Weeks over which a new hire's onboarding hours are spread.", unit="weeks", kind=U, plausible=(4, 13), ge=1, le=104)
    recent_learning_weeks: float = param(13.0, "Time constant of the moving average of recent learning hours (engagement and lack-of-growth turnover read it).", unit="weeks", kind=U, plausible=(8.0, 26.0), ge=1, le=520)


class ModalityRules(Section):
    """One content modality: its share of the generated catalogue, typical hours, completion."""

    share: float = param(0.1, "Share of the generated catalogue in this modality (shares are normalised).", unit="fraction", kind="setting", ge=0, le=1)
    hours: float = param(1.0, "Typical length of an item (generated items vary ×0.5–1.5 around it).", unit="h", kind="setting", gt=0, le=500)
    completion: float = param(0.8, "Completion propensity of a learner who starts an item (before engagement, freshness and time).", unit="fraction", kind=U, plausible=(0.5, 1.0), ge=0, le=1)
    assessed: bool = param(False, "Taking an item of this modality is a real attempt that can fail (it ends in an assessment or exercise); opening a video or article is not.", kind="setting")


def _modality(share: float, hours: float, completion: float, assessed: bool = False):
    """A modality's own defaults (typical of corporate catalogues; assumption)."""
    return Field(default_factory=lambda: ModalityRules(share=share, hours=hours, completion=completion,
                                                       assessed=assessed))


class Modalities(Section):
    """Per modality: catalogue share, typical hours, completion propensity and whether taking
    it is an assessed attempt (courses and instructor-led sessions; assumption)."""

    course: ModalityRules = _modality(0.30, 4.0, 0.70, assessed=True)
    video: ModalityRules = _modality(0.25, 0.5, 0.90)
    article: ModalityRules = _modality(0.15, 0.3, 0.90)
    podcast: ModalityRules = _modality(0.05, 0.7, 0.80)
    job_aid: ModalityRules = _modality(0.10, 0.2, 0.95)
    manual: ModalityRules = _modality(0.05, 1.0, 0.60)
    instructor_led: ModalityRules = _modality(0.10, 7.0, 0.85, assessed=True)


class FormalRules(Section):
    """Phase 4, formal learning (:mod:`sim.processes.formal`)."""

    zpd_width: float = param(0.75, "Width (sd, in levels) of the zone of proximal development: how fast level fit falls away from one level above the learner.", unit="level", source="assumption (Vygotsky's ZPD; width judged)", kind=U, plausible=(0.5, 1.25), gt=0, le=5)
    freshness_weight: float = param(0.5, "Weight of freshness in completion and gain: factor (1 − w) + w × freshness.", unit="fraction", kind=U, plausible=(0.25, 0.75), ge=0, le=1)
    completion_base: float = param(0.6, "Completion factor of a learner with no engagement: base + per-engagement × engagement.", unit="factor", kind=U, plausible=(0.4, 0.8), ge=0, le=2)
    completion_per_engagement: float = param(0.5, "Increase of the completion factor per unit of engagement.", unit="factor/unit", kind=U, plausible=(0.25, 0.75), ge=0, le=2)
    engagement_offset: float = param(0.5, "Gain factor offset: gains scale with (offset + engagement).", unit="factor", kind=U, plausible=(0.25, 1.0), ge=0, le=5)
    incomplete_share: float = param(0.5, "Share of the gain an uncompleted item still gives.", unit="fraction", kind=U, plausible=(0.25, 0.75), ge=0, le=1)
    overshoot: float = param(0.5, "Nobody passes an item's level by more than this from the item alone.", unit="level", kind=U, plausible=(0.25, 1.0), ge=0, le=5)
    rating_noise: float = param(0.15, "Sd of a learner's L1 rating around the item's true quality.", unit="0–1", kind=U, plausible=(0.05, 0.3), ge=0, le=1)


class TransferRules(Section):
    """Phase 5, transfer (:mod:`sim.processes.transfer`)."""

    weight_support: float = param(0.31, "Relative weight of supervisor support in transfer (each moderator moves transfer by up to its weight).", unit="weight", source="Blume2010 (meta-analytic correlation with transfer)", kind=U, plausible=(0.2, 0.4), ge=0, le=1)
    weight_climate: float = param(0.27, "Relative weight of transfer climate (team psychological safety).", unit="weight", source="Blume2010", kind=U, plausible=(0.15, 0.35), ge=0, le=1)
    weight_motivation: float = param(0.23, "Relative weight of the learner's motivation.", unit="weight", source="Blume2010", kind=U, plausible=(0.15, 0.3), ge=0, le=1)
    opportunity_probability: float = param(0.275, "Probability that a week's work offers the chance to apply a pending gain on a skill (opportunity to perform); the share applied then is transfer_rate / this × the moderators, so the mean weekly transfer is unchanged.", unit="probability", source="Ford, Quiñones, Sego & Sorra 1992 (opportunity to perform varies widely); value an assumption, set so support correlates with transfer at about Blume2010's ρ (python -m sim.validation.effects: r ≈ 0.28 after the status-quo spin-up; 0.3 gave 0.35, 0.25 gave 0.20 — the share applied saturates at 1 when opportunities are rare)", kind=U, plausible=(0.2, 0.5), gt=0, le=1)
    support_closed: float = param(0.5, "Factor on the support effect for closed (procedural) skills.", unit="factor", source="Blume2010 (support matters more for open skills); factor an assumption", kind=U, plausible=(0.25, 1.0), ge=0, le=5)
    support_open: float = param(1.5, "Factor on the support effect for open skills (judgement, people).", unit="factor", source="Blume2010; factor an assumption", kind=U, plausible=(1.0, 2.0), ge=0, le=5)


class SocialRules(Section):
    """Phase 7, social learning (:mod:`sim.processes.social`) and the network it runs on."""

    strength_team: float = param(1.0, "Strength of a tie between team members.", unit="0–1", kind=U, plausible=(0.7, 1.0), ge=0, le=1)
    strength_reporting: float = param(1.0, "Strength of a tie between a person and their manager.", unit="0–1", kind=U, plausible=(0.7, 1.0), ge=0, le=1)
    strength_cross: float = param(0.5, "Strength of an informal tie across teams.", unit="0–1", source="assumption (Granovetter: weak ties)", kind=U, plausible=(0.25, 0.75), ge=0, le=1)
    strength_platform: float = param(0.4, "Strength of a tie opened by the LXP's peer features.", unit="0–1", kind=U, plausible=(0.2, 0.6), ge=0, le=1)
    strength_host: float = param(0.8, "Strength of a rotating person's tie to a member of the host team while the rotation lasts (a newcomer in the team).", unit="0–1", source="assumption (a little below an established team tie)", kind=U, plausible=(0.6, 1.0), ge=0, le=1)
    strength_alumni: float = param(0.5, "Strength of a tie to the host team kept after a rotation ends (a weak tie across teams, like an informal cross-team tie).", unit="0–1", source="assumption (Granovetter: weak ties)", kind=U, plausible=(0.25, 0.75), ge=0, le=1)
    team_neighbours: int = param(8, "Team members each person is tied to (a ring lattice; a clique in teams of up to 9).", unit="ties", kind="setting", ge=1, le=100)
    safety_offset: float = param(0.5, "The chance of a learning conversation scales with (offset + team psychological safety) — once: safety drives learning behaviour, not what a contact knows.", unit="factor", source="assumption (Edmondson1999: safety → learning behaviour)", kind=U, plausible=(0.25, 1.0), ge=0, le=5)
    sharing_offset: float = param(0.5, "What a contact passes on scales with (offset + their sharing propensity).", unit="factor", kind=U, plausible=(0.25, 1.0), ge=0, le=5)
    coaching_support_factor: float = param(2.0, "A coaching hour closes coaching_rate × factor × manager support of the gap (factor 2: an average manager coaches at coaching_rate).", unit="factor", kind=U, plausible=(1.0, 3.0), ge=0, le=10)
    taught_threshold: float = param(0.001, "Least gain (levels) for a conversation to count as a knowledge transfer in the outcomes.", unit="level", kind="setting", ge=0, le=1)
    reorganisation_mates: int = param(8, "New team ties a person moved by a reorganisation gets.", unit="ties", kind="setting", ge=0, le=100)


class LocationRules(Section):
    """Where people work (docs/ODD.md, work location): what remote and hybrid work does to
    informal ties (the network, phase 7), to a manager's coaching (phase 7), to synchronous
    instructor-led sessions (phase 4) and to quits (phase 11). A person's *time away* is the
    share of the working week off site: 0 on site, 1 − days on site / 5 hybrid, 1 remote;
    two people are *apart* for the larger of their times away (hybrid colleagues share their
    site days; assumption)."""

    cross_tie_factor: float = param(0.85, "Informal cross-team ties a fully remote employee forms, relative to an on-site one (a hybrid one in proportion to time away).", unit="fraction", source="Yang et al. 2022 (Nature Human Behaviour 6:43; 61,182 Microsoft employees): firm-wide remote work left fewer ties across business units and fewer bridging ties; the size is an assumption, calibrated with cross_use_loss so that firm-wide remote work cuts the cross-department share of learning conversations by about a quarter, as they measured for collaboration time (lesim check remote_cross_flow)", kind=U, plausible=(0.7, 1.0), ge=0, le=1)
    cross_use_loss: float = param(0.12, "Relative drop in how often a cross-team tie carries a learning conversation, × the time its two people are apart.", unit="fraction", source="Yang et al. 2022: the share of collaboration time with cross-group ties fell by about 25 % of its pre-pandemic level, and less time went to the bridging ties that remained; calibrated with cross_tie_factor (lesim check remote_cross_flow)", kind=U, plausible=(0.05, 0.25), ge=0, le=1)
    coaching_loss: float = param(0.2, "Relative drop in what a manager's coaching closes, × the time manager and report are apart.", unit="fraction", source="Emanuel, Harrington & Pallais 2023 (NBER w31880): engineers who sit near their teammates get about a fifth more feedback on their work, most of all new hires", kind=U, plausible=(0.1, 0.35), ge=0, le=1)
    remote_ilt_completion: float = param(0.85, "Completion propensity of a synchronous instructor-led session taken remotely, relative to in person (× the learner's time away).", unit="fraction", source="assumption (live virtual sessions are harder to attend across schedules; modality changes completion, not efficacy)", kind=U, plausible=(0.6, 1.0), ge=0, le=1)
    hybrid_quit_factor: float = param(0.67, "Weekly exit hazard of a hybrid employee with two days a week at home, relative to an on-site one (fewer days away count in proportion, more no further; fully remote: 1).", unit="factor", source="Bloom, Han & Liang 2024 (Nature 630:920; randomised trial, 1,612 employees): two days a week at home cut quits by a third; no comparable trial for fully remote work", kind=U, plausible=(0.5, 1.0), ge=0, le=2)


class ExperientialRules(Section):
    """Phase 6, experiential learning (:mod:`sim.processes.experiential`)."""

    solo_share: float = param(0.2, "Share of the learning-by-doing rate left when nobody nearby (network contacts, mentor) and no content holds the skill at the level the work demands: trial and error alone.", unit="fraction", source="assumption (learning by doing a new practice leans on others who have it: Lave & Wenger 1991; Argote 1999)", kind=U, plausible=(0.05, 0.5), ge=0, le=1)
    content_weight: float = param(0.5, "How far the best fresh content on a skill stands in for a colleague who has it: know-how from content = weight × item level × freshness.", unit="fraction", source="assumption (codified knowledge helps, less than a person)", kind=U, plausible=(0.25, 1.0), ge=0, le=1)


class CultureRules(Section):
    """Phase 8, failure, engagement, climate and mindset (:mod:`sim.processes.culture`)."""

    beyond_reach: float = param(1.5, "An attempt (an assessed item finished, or a rotation) this many levels above current proficiency may fail (the zone of proximal development ends about there).", unit="level", kind=U, plausible=(1.0, 2.0), ge=0, le=5)
    fail_loss: float = param(0.05, "Engagement lost by a fixed mindset failing in an unsafe climate.", unit="0–1", kind=U, plausible=(0.02, 0.1), ge=0, le=1)
    fail_gain: float = param(0.01, "Engagement gained by a growth mindset failing in a safe, tolerant climate.", unit="0–1", kind=U, plausible=(0.0, 0.03), ge=0, le=1)
    engagement_rate: float = param(0.02, "Weekly pull of engagement toward its target.", unit="1/week", kind=U, plausible=(0.01, 0.05), ge=0, le=1)
    engagement_noise: float = param(0.025, "Sd of the weekly random shock to engagement (workload, events at work and at home): with the weekly pull to the target it keeps the cross-sectional sd of engagement near the initial draw's (≈ 0.13) instead of collapsing onto the target.", unit="0–1/week", source="assumption (diary studies find a large within-person share of engagement variance, e.g. Sonnentag, Dormann & Demerouti 2010; Beta(7, 3) starting sd 0.14)", kind=U, plausible=(0.015, 0.035), ge=0, le=1)
    engagement_base: float = param(0.5, "Engagement target with no support, safety or learning.", unit="0–1", kind=U, plausible=(0.4, 0.6), ge=0, le=1)
    engagement_support: float = param(0.15, "Engagement target per unit of manager support.", unit="0–1", kind=U, plausible=(0.05, 0.25), ge=0, le=1)
    engagement_safety: float = param(0.1, "Engagement target per unit of team psychological safety.", unit="0–1", kind=U, plausible=(0.05, 0.2), ge=0, le=1)
    engagement_learning: float = param(0.1, "Engagement target per unit of recent learning relative to the norm.", unit="0–1", kind=U, plausible=(0.0, 0.2), ge=0, le=1)
    learning_cap: float = param(1.5, "Recent learning counts toward engagement up to this multiple of the norm.", unit="×", kind=U, plausible=(1.0, 2.0), ge=0, le=10)
    climate_support: float = param(0.35, "Weight of manager support in the climate a team moves toward.", unit="weight", source="assumption (Edmondson1999: leaders shape team climate)", kind=U, plausible=(0.25, 0.45), ge=0, le=1)
    climate_executive: float = param(0.2, "Weight of executive support in the climate target.", unit="weight", kind=U, plausible=(0.1, 0.3), ge=0, le=1)
    climate_tolerance: float = param(0.25, "Weight of failure tolerance in the climate target.", unit="weight", kind=U, plausible=(0.15, 0.35), ge=0, le=1)
    climate_mindset: float = param(0.2, "Weight of the team's mean mindset in the climate target.", unit="weight", kind=U, plausible=(0.1, 0.3), ge=0, le=1)
    climate_failure_penalty: float = param(0.5, "Climate target lost per unit of the team's failure rate where failure is punished (× (1 − tolerance)).", unit="0–1", kind=U, plausible=(0.25, 1.0), ge=0, le=5)


class EnvironmentRules(Section):
    """Phase 1, the environment (:mod:`sim.processes.environment`)."""

    staleness_per_level: float = param(1.0, "Content on a skill whose requirement moves by Δ levels keeps exp(−this × |Δ|) of its freshness.", unit="1/level", kind=U, plausible=(0.5, 2.0), ge=0, le=20)
    turbulence_up_probability: float = param(2.0 / 3.0, "Probability that a random requirement shift goes up (demand for skill mostly rises).", unit="probability", kind=U, plausible=(0.5, 0.8), ge=0, le=1)
    turbulence_role_share: float = param(0.5, "Probability that each role needing a shifting skill is affected.", unit="probability", kind=U, plausible=(0.25, 0.75), ge=0, le=1)
    requirement_floor: float = param(0.5, "Lowest level a random shift can move a requirement to.", unit="level", kind="setting", ge=0, le=5)


class CodificationRules(Section):
    """Phase 10, codification (:mod:`sim.processes.codification`)."""

    expert_review_weeks: int = param(13, "The SME role is re-assigned to the most proficient people this often.", unit="weeks", kind="setting", ge=1, le=520)
    quality_base: float = param(0.25, "Quality of a codified item by an expert at level 0 (quality rises with proficiency).", unit="0–1", kind=U, plausible=(0.1, 0.4), ge=0, le=1)
    quality_per_level: float = param(0.1, "Quality added per level of the expert's proficiency.", unit="1/level", kind=U, plausible=(0.05, 0.15), ge=0, le=1)
    quality_noise: float = param(0.1, "Sd of a codified item's quality.", unit="0–1", kind=U, plausible=(0.05, 0.2), ge=0, le=1)
    item_hours: float = param(1.0, "Length of a codified job aid.", unit="h", kind="setting", gt=0, le=100)


class TurnoverRules(Section):
    """Phase 11, exits (:mod:`sim.processes.turnover`)."""

    engagement_norm: float = param(0.7, "Engagement at which the base exit hazard applies (the mean of the initial draw).", unit="0–1", kind=U, plausible=(0.6, 0.8), ge=0, le=1)
    first_year_weeks: int = param(52, "Tenure in which the first-year exit multiplier applies.", unit="weeks", kind="setting", ge=0, le=520)


class PeopleRules(Section):
    """Draws of a new occupant's person state, at the start and at each hire (:mod:`sim.organisation`)."""

    engagement_a: float = param(7.0, "Engagement ~ Beta(a, b): a (mean a / (a + b) = 0.7).", unit="", source="assumption (Gallup-style surveys put most employees mid-to-high scale)", kind=U, plausible=(5.0, 9.0), gt=0, le=1000)
    engagement_b: float = param(3.0, "Engagement ~ Beta(a, b): b.", unit="", kind=U, plausible=(2.0, 4.0), gt=0, le=1000)
    motivation_a: float = param(5.0, "Motivation to learn ~ Beta(a, b): a (mean 0.5).", unit="", kind=U, plausible=(3.0, 7.0), gt=0, le=1000)
    motivation_b: float = param(5.0, "Motivation to learn ~ Beta(a, b): b.", unit="", kind=U, plausible=(3.0, 7.0), gt=0, le=1000)
    sharing_a: float = param(5.0, "Knowledge-sharing propensity ~ Beta(a, b): a (mean 0.5).", unit="", kind=U, plausible=(3.0, 7.0), gt=0, le=1000)
    sharing_b: float = param(5.0, "Knowledge-sharing propensity ~ Beta(a, b): b.", unit="", kind=U, plausible=(3.0, 7.0), gt=0, le=1000)
    exposure_sd: float = param(0.08, "Spread of job exposure between people (fraction of the requirement).", unit="fraction", kind=U, plausible=(0.04, 0.15), ge=0, le=1)
    exposure_min: float = param(0.3, "Lowest job exposure.", unit="fraction", kind="setting", ge=0, le=2)
    exposure_max: float = param(2.0, "Highest job exposure.", unit="fraction", kind="setting", ge=0, le=5)
    initial_tenure_max_weeks: int = param(520, "Initial tenure ~ uniform whole weeks in [0, this).", unit="weeks", kind="setting", ge=1, le=5200)


class CatalogueRules(Section):
    """Generated and commissioned content (:mod:`sim.organisation`, governance)."""

    quality_concentration: float = param(12.0, "Concentration of item quality ~ Beta(c q, c (1 − q)) around the mean q: larger, less varied.", unit="", source="assumption; the lower bound keeps both Beta parameters positive in floating point (c q ≥ 0.001 with q ≥ 0.01)", kind=U, plausible=(6.0, 24.0), ge=0.1, le=1000)
    duration_spread: float = param(0.5, "Generated item lengths vary uniformly within ± this share of the modality's typical hours.", unit="fraction", kind="setting", ge=0, lt=1)
    modalities: Modalities = Field(default_factory=Modalities)


class GovernanceRules(Section):
    """Phase 13, governance (:mod:`sim.processes.governance`)."""

    noise_level_1: float = param(0.30, "Sd (levels) of the error of each measured role × skill gap when only reactions (Kirkpatrick L1) are measured (self-reports and proxies, drawn at each review); also the relative sd of the measured gap index.", unit="level", kind=U, plausible=(0.15, 0.45), ge=0, le=5)
    noise_level_2: float = param(0.20, "Same, when learning (L2) is measured.", unit="level", kind=U, plausible=(0.1, 0.3), ge=0, le=5)
    noise_level_3: float = param(0.10, "Same, when behaviour (L3) is measured.", unit="level", kind=U, plausible=(0.05, 0.15), ge=0, le=5)
    noise_level_4: float = param(0.05, "Same, when results (L4) are measured.", unit="level", kind=U, plausible=(0.02, 0.1), ge=0, le=5)
    min_ratings: int = param(5, "Ratings an item needs before governance judges its quality.", unit="ratings", kind="setting", ge=1, le=10_000)
    min_rated_items: int = param(10, "Rated items needed before the ROI rule retires the least effective.", unit="items", kind="setting", ge=1, le=10_000)
    retire_quantile: float = param(0.05, "The ROI rule retires items in this bottom share of gain per use.", unit="fraction", kind=U, plausible=(0.0, 0.1), ge=0, le=1)
    protected_step_hours: float = param(0.5, "Change of protected time per review by a steering rule.", unit="h/week", kind=U, plausible=(0.25, 1.0), ge=0, le=40)
    lower_threshold_share: float = param(0.5, "The gap rule lowers protected time when the perceived gap is below this share of the target.", unit="fraction", kind=U, plausible=(0.25, 0.75), ge=0, le=1)
    commissioned_hours: float = param(4.0, "Length of a commissioned course.", unit="h", kind="setting", gt=0, le=500)
    commissioned_quality_uplift: float = param(0.1, "Commissioned courses are this much better than the catalogue's mean quality.", unit="0–1", kind=U, plausible=(0.0, 0.2), ge=0, le=0.9)
    lag_weeks_level_1: int = param(26, "Age (weeks) of the skills data governance reviews when only reactions (Kirkpatrick L1) are measured: skills are assessed in an annual cycle, seen on average half a year late.", unit="weeks", source="assumption (Kirkpatrick levels; Bersin by Deloitte people-analytics maturity 2013: level-1 organisations report periodically, level-4 continuously)", kind=U, plausible=(13, 39), ge=0, le=260)
    lag_weeks_level_2: int = param(13, "Same, when learning (L2) is measured (assessments after courses, quarterly roll-up).", unit="weeks", source="assumption", kind=U, plausible=(6, 26), ge=0, le=260)
    lag_weeks_level_3: int = param(4, "Same, when behaviour on the job (L3) is measured (manager observations, monthly).", unit="weeks", source="assumption", kind=U, plausible=(2, 8), ge=0, le=260)
    lag_weeks_level_4: int = param(1, "Same, when results (L4) are measured (continuous skills data).", unit="weeks", source="assumption", kind=U, plausible=(0, 4), ge=0, le=260)
    coverage_level_1: float = param(0.2, "Share of employees whose skills are measured at all when only reactions (L1) are measured (the few who answer a skills survey).", unit="fraction", source="assumption (Bersin by Deloitte 2013: most organisations have skills data for few employees)", kind=U, plausible=(0.1, 0.4), gt=0, le=1)
    coverage_level_2: float = param(0.4, "Same, at L2 (those who took assessed courses).", unit="fraction", source="assumption", kind=U, plausible=(0.25, 0.6), gt=0, le=1)
    coverage_level_3: float = param(0.7, "Same, at L3 (manager-assessed behaviour).", unit="fraction", source="assumption", kind=U, plausible=(0.5, 0.9), gt=0, le=1)
    coverage_level_4: float = param(0.9, "Same, at L4 (skills data tied to results for nearly everyone).", unit="fraction", source="assumption", kind=U, plausible=(0.75, 1.0), gt=0, le=1)
    curated_share: float = param(0.5, "Under a steering rule, share of self-directed (browsing) choices that follow the learning path L&D curates for the learner's role (its largest measured gap); the rest browse.", unit="fraction", source="assumption (assigned learning paths are a standard LMS feature; uptake judged)", kind=U, plausible=(0.25, 0.75), ge=0, le=1)
    dept_reallocation: float = param(0.5, "How far a steering rule moves protected time toward the departments with the largest measured gaps: a department gets (1 − r) + r × its measured gap / the headcount-weighted mean of the measured gaps (capped at twice the mean), times the protected hours.", unit="fraction", source="assumption", kind=U, plausible=(0.25, 0.75), ge=0, le=1)
    roi_placement_base: float = param(0.5, "The ROI rule places content by gap × (base + relative effect of the skill's content).", unit="factor", kind=U, plausible=(0.25, 1.0), ge=0, le=10)


class BudgetRules(Section):
    """Phase 12c, the budget (:mod:`sim.processes.budget`)."""

    estimate_weeks: float = param(13.0, "Time constant of the moving average by which finance estimates each programme's weekly cost at full scale (lumpy costs such as commissioning are booked quarterly).", unit="weeks", source="assumption (quarterly budget reviews)", kind="setting", ge=1, le=520)
    max_scale: float = param(2.0, "Evidence allocation: the most a programme can be scaled up to, as a multiple of its declared level (intake, pairs, hours, items), with money moved from less effective programmes or left over.", unit="×", source="assumption (doubling a proven programme within a year is a stretch for most L&D functions)", kind=U, plausible=(1.5, 3.0), ge=1, le=10)
    min_scale: float = param(0.25, "Evidence allocation: the share of its declared level a programme keeps however poorly it measures (a pilot that keeps it measurable); only a budget too small for every programme's pilot cuts below it.", unit="fraction", source="assumption", kind=U, plausible=(0.0, 0.5), ge=0, le=1)
    tolerance: float = param(0.02, "Overspend of a budget year (share of its budget) still counted as within budget: weekly granularity and lumpy bookings (a commissioned item, a rotation start) make an exact landing impossible.", unit="fraction", source="assumption", kind="setting", ge=0, le=1)


class DataRules(Section):
    """Phase 12, data: how proficiency is read in the records and outcomes (:mod:`sim.records`)."""

    proficient_tolerance: float = param(0.25, "Levels below a requirement still counted as meeting it (\"fully proficient\", critical coverage).", unit="level", kind=U, plausible=(0.1, 0.5), ge=0, le=5)
    critical_criticality: float = param(0.8, "Criticality from which a requirement counts as critical.", unit="0–1", kind="setting", ge=0, le=1)


class MentoringRules(Section):
    """Phase 2, mentoring pairs (:mod:`sim.processes.mentoring`)."""

    mentees_per_mentor: int = param(2, "Mentees a mentor takes (more only when mentees outnumber this × the remaining colleagues).", unit="people", kind="setting", ge=1, le=100)


class Rules(Section):
    """Behavioural constants of the weekly rules, by phase (see the module docstring)."""

    time: TimeRules = Field(default_factory=TimeRules)
    formal: FormalRules = Field(default_factory=FormalRules)
    transfer: TransferRules = Field(default_factory=TransferRules)
    social: SocialRules = Field(default_factory=SocialRules)
    location: LocationRules = Field(default_factory=LocationRules)
    experiential: ExperientialRules = Field(default_factory=ExperientialRules)
    culture: CultureRules = Field(default_factory=CultureRules)
    environment: EnvironmentRules = Field(default_factory=EnvironmentRules)
    codification: CodificationRules = Field(default_factory=CodificationRules)
    turnover: TurnoverRules = Field(default_factory=TurnoverRules)
    people: PeopleRules = Field(default_factory=PeopleRules)
    catalogue: CatalogueRules = Field(default_factory=CatalogueRules)
    governance: GovernanceRules = Field(default_factory=GovernanceRules)
    data: DataRules = Field(default_factory=DataRules)
    budget: BudgetRules = Field(default_factory=BudgetRules)
    mentoring: MentoringRules = Field(default_factory=MentoringRules)
