"""Phase 6 — experiential learning: doing the work moves skills toward what it demands."""

from __future__ import annotations

import numpy as np

from ..records import gap_closed
from .. import kernels
from .phase import Phase


def role_demands(s) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """Levels the work exercises per skill: the required level × the share of it the work
    already uses (``structure.use``: a new skill ramps up) × the person's job exposure
    (``learning.job_exposure``; assumption) — for the home role, and for the role worked
    during a rotation, swap or job share (``None`` when nobody rotates), with the share of
    the week worked in that role (0 for people in their home role)."""
    wf = s.workforce
    pr = s.position_req
    home = np.asarray(pr.req) * np.asarray(pr.use)
    home *= wf.exposure[:, None]
    rotating = wf.work_role != wf.role
    share = np.where(rotating, wf.work_share, 0.0)
    if not rotating.any():
        return home, None, share
    st = s.structure
    work = home.copy()
    r = np.flatnonzero(rotating)
    work[r] = st.req[wf.work_role[r]] * st.use[wf.work_role[r]] * wf.exposure[r, None]
    return home, work, share


def work_demand(s) -> np.ndarray:
    """The level each skill is exercised at this week (for forgetting): the home role's
    demand, or the worked role's during a rotation or swap; in a job share a skill used in
    either role is exercised (the higher of the two)."""
    return exercised(*role_demands(s))


def exercised(home: np.ndarray, work: np.ndarray | None, share: np.ndarray) -> np.ndarray:
    """See :func:`work_demand`."""
    if work is None:
        return home
    full = (share >= 1.0)[:, None]
    return np.where(full, work, np.where((share > 0)[:, None], np.maximum(home, work), home))


def content_know_how(s, p) -> np.ndarray:
    """Per skill, ``content_weight`` × level × freshness of the best active content item on
    it (0 where there is none): how far codified know-how stands in for a colleague."""
    cat = s.catalogue
    rows = cat.rows()
    content = np.zeros(s.workforce.k)
    if len(rows):
        np.maximum.at(content, cat.skill[rows], cat.level[rows] * cat.freshness[rows])
    return p.content_weight * content


def know_how_nearby(s, p) -> np.ndarray:
    """Per person and skill, the best know-how within reach: the highest tie strength ×
    proficiency among network contacts (occupied positions), the mentor's proficiency, and
    the best content (:func:`content_know_how`) — exact up to the level the work demands
    (home or worked role); above it, at least that level (the exposure factor is capped
    there, so the search stops; :func:`sim.kernels.know_how`). A vacant position, which
    learns nothing, gets the content's."""
    wf, net, st = s.workforce, s.ties, s.structure
    know = np.empty_like(wf.prof)
    kernels.know_how(wf.prof, wf.occupied, wf.mentor, net.indptr, net.indices, net.strength, content_know_how(s, p),
                     wf.role, wf.work_role, wf.exposure, st.req, st.use, know)
    return know


def exposure_factor(know: np.ndarray, demand: np.ndarray, solo: float) -> np.ndarray:
    """solo + (1 − solo) × min(1, know-how nearby / demanded level): learning by doing runs
    at full rate when someone or something nearby holds the skill at the level the work
    demands, and at ``solo_share`` of it by trial and error alone."""
    with np.errstate(divide="ignore", invalid="ignore"):
        reach = np.where(demand > 0, np.clip(know / np.where(demand > 0, demand, 1.0), 0.0, 1.0), 1.0)
    return solo + (1.0 - solo) * reach


def learn_by_doing(s, p, rng) -> None:
    """Skills used in the work approach the demanded level exponentially: each week
    prof += experiential_rate × aptitude × mindset factor × exposure factor × (demand − prof)
    where prof < demand (Heathcote2000: exponential individual learning curves, at individual
    rates: aptitude ~ Gamma with mean 1). The exposure factor (:func:`exposure_factor`) slows
    learning where nobody nearby has the skill (a new skill, ``rules.experiential``). During a
    rotation or swap the demand is the worked role's; in a job share the person approaches
    each role's demand for their share of the week. Vacant positions do not learn. The week's
    exercised level (:func:`work_demand`) is kept in ``state.derived.demand`` for forgetting
    (phase 9). The programme ledger notes, for each person away from the home role, the
    home-role gap closed beyond what the same week in the home role would have closed (job
    rotation's measured learning; peer learning from the host team is not attributed).

    One compiled pass per person (:func:`sim.kernels.learn_by_doing`) does what
    ``benchmarks/reference.py`` spells out agent by agent; tests/test_reference.py checks they
    agree bit for bit."""
    wf = s.workforce
    know = know_how_nearby(s, p)
    rotating = wf.work_role != wf.role
    share = np.where(rotating, wf.work_share, 0.0)
    d = s.derived
    if d.demand.shape != wf.prof.shape:
        d.demand = np.empty_like(wf.prof)
    if s.ledger is not None and rotating.any():
        _note_rotation_learning(s, p, know, share)
    st = s.structure
    kernels.learn_by_doing(wf.prof, wf.role, wf.work_role, share, wf.exposure, wf.aptitude, wf.mindset, wf.occupied,
                           st.req, st.use, know, bool(rotating.any()), p.experiential_rate, p.mindset_effect,
                           p.solo_share, d.demand)


def _note_rotation_learning(s, p, know: np.ndarray, share: np.ndarray) -> None:
    """The ledger's job-rotation learning (see :func:`learn_by_doing`), for the people away
    from their home role, before the week's update."""
    wf, st = s.workforce, s.structure
    away = np.flatnonzero((share > 0) & wf.occupied)
    if not len(away):
        return
    x = wf.exposure[away, None]
    home = st.req[wf.role[away]] * st.use[wf.role[away]] * x
    work = st.req[wf.work_role[away]] * st.use[wf.work_role[away]] * x
    mind = 1.0 + p.mindset_effect * (wf.mindset[away] - 0.5)
    rate = np.minimum(p.experiential_rate * wf.aptitude[away] * mind, 1.0)[:, None]
    prof, w = wf.prof[away], share[away, None]
    home_only = np.maximum(home - prof, 0.0) * exposure_factor(know[away], home, p.solo_share)
    step = (1.0 - w) * home_only + w * np.maximum(work - prof, 0.0) * exposure_factor(know[away], work, p.solo_share)
    s.ledger.add("job_rotation", away, gap_closed(s, away, rate * step) - gap_closed(s, away, rate * home_only))


EXPERIENTIAL = Phase(
    "experiential", learn_by_doing,
    params=("learning.experiential_rate", "learning.mindset_effect", "rules.experiential.*"),
    reads=("workforce.role", "workforce.work_role", "workforce.work_share", "workforce.exposure", "workforce.mindset",
           "workforce.aptitude", "workforce.occupied", "workforce.prof", "workforce.mentor", "structure", "ties",
           "catalogue"),
    writes=("workforce.prof", "derived.demand", "ledger"),
)
