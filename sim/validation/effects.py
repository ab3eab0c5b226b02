"""Evidence-sized effects: each policy's effect measured the way its literature measured it.

Every virtual experiment runs the real model from fixed seeds, after the default status-quo
spin-up and with an advisory budget (see :func:`scenario`), as a *twin* design: the same
organisation (same seed, so the same people, network, catalogue and every random draw of
the processes both runs share) once under the default policy (control) and once with the
programme switched on (treatment). A treated person's control is therefore the same person
in the same position without the programme — matched exactly on department, role, starting
skills gap and tenure, which is what the matched field studies approximate. Only people who
hold their position for the whole year in both runs are compared (``stayers``).

Effect sizes are standardised mean differences at follow-up (week 52), d = (mean of the
treated − mean of the controls) / pooled SD of the measured outcome in the two groups
(the post-test d of Allen et al. 2004, Jones et al. 2016 and Sisk et al. 2018), signed so
that a positive d is the benefit the programme aims at. The 95 % interval is the usual
large-sample one for independent groups, SE² = (n₁ + n₂)/(n₁n₂) + d²/(2(n₁ + n₂)) (Hedges &
Olkin 1985); the twins are positively correlated, so it is conservative.

The experiments and their bands (CONCEPT.md, "Effect sizes a strategy must not exceed"):

* mentoring — mentees of the first cohort vs their twins: d on the skills gap (objective;
  Allen et al. 2004, Eby et al. 2013: small, r ≈ 0.1–0.2 → d ≈ 0.05–0.4) and on
  engagement (subjective, larger: ρ ≈ 0.2–0.3 with attitudes → d ≈ 0.1–0.6);
* manager development — reports of managers trained in the first quarter vs their twins:
  d on the skills gap (workplace coaching δ ≈ 0.28 on skills, Jones et al. 2016: band
  0.0–0.45) and on engagement (affective δ ≈ 0.51: band 0.0–0.6);
* growth-mindset initiative — everybody vs their twin: d on the learning gain of the year
  (Sisk et al. 2018: d ≈ 0.08 on achievement: band 0.0–0.2) and on engagement (not
  established in workplaces: held within ±0.2);
* peer-learning platform (LXP) — everybody vs their twin with the basic LMS: d on engagement
  (no published effect: held within ±0.2);
* transfer — in the control runs, Pearson correlation between a person's line-manager
  support and the share of their formal gains applied on the job (Blume et al. 2010: ρ ≈
  0.21 for supervisor support, range 0.2–0.3 across support measures: band 0.1–0.35);
* protected time — 0, 1, 2 and 4 h/week: the year's learning gain rises with the dose with
  diminishing returns, and d at the usual dose (2 h) vs none stays ≤ 0.6 (Arthur et al.
  2003: d ≈ 0.6 is the upper bound of a well-designed training programme).

``python -m sim.validation.effects`` prints the table (docs/validation.md, "Evidence-sized
effects").
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from ..model import LearningEcosystem
from ..outcomes import row_gap
from ..experiments.spec import resolve_scenario
from ..scenario import Scenario

SEEDS: tuple[int, ...] = (1, 2, 3, 4, 5, 6)
WEEKS = 52
SIZE = 300
DOSES: tuple[float, ...] = (0.0, 1.0, 2.0, 4.0)
MANAGER_COHORT_WEEKS = 13
LONG_WEEKS = 260    # the planner's horizon: the mindset's engagement effect builds up with the climate


@dataclass(frozen=True)
class Effect:
    """One measured effect with its published band."""

    policy: str
    measure: str
    value: float
    low: float          # 95 % interval
    high: float
    band: tuple[float, float]
    source: str
    n: int
    weeks: int          # follow-up

    @property
    def inside(self) -> bool:
        return self.band[0] <= self.value <= self.band[1]


@dataclass
class Trace:
    """What a run leaves for the experiments: start and end of each position, and flows."""

    uid0: np.ndarray
    uid: np.ndarray
    gap0: np.ndarray
    gap: np.ndarray
    engagement: np.ndarray
    support: np.ndarray           # line manager's support at the end
    trained_early: np.ndarray     # line manager trained within the first quarter
    mentee: np.ndarray            # had a mentor in week 1
    formal_gain: np.ndarray       # Σ formal gains of the year
    transferred: np.ndarray       # Σ applied on the job
    is_manager: np.ndarray

    @property
    def stayers(self) -> np.ndarray:
        return (self.uid0 >= 0) & (self.uid == self.uid0)


def scenario(seed: int, overrides: dict | None = None, *, size: int = SIZE, weeks: int = WEEKS) -> Scenario:
    """The default organisation at ``size`` people for ``weeks`` weeks, with ``overrides``
    (dotted path → value) applied. It starts, as every run does, after the default status-quo
    spin-up (``start.spin_up_weeks``), so the experiments measure the model as users run it.

    The budget is advisory (``governance.budget_mode``) in both arms: the published effects are
    those of programmes delivered as designed, whereas under the default hard budget ($1,300 a
    head) every programme switched on is scaled down to fit (2 h/week of protected time to
    ≈ 0.06 h, with commissioning cut to nothing), so a twin comparison would measure the budget
    rule's trade-offs rather than the programme (the hard budget's own effects are checked in
    tests/test_budget.py)."""
    data: dict = {"seed": seed, "weeks": weeks, "organisation": {"size": size},
                  "governance": {"budget_mode": "advisory"}}
    return resolve_scenario(data, overrides or {})


def trace(sc: Scenario) -> Trace:
    """Run ``sc`` for its horizon and keep what the experiments measure."""
    m = LearningEcosystem(sc)
    wf, st = m.workforce, m.structure
    uid0 = np.where(wf.occupied, wf.uid, -1).copy()
    gap0 = row_gap(wf, st)
    gain = np.zeros(wf.n)
    moved = np.zeros(wf.n)
    mentee = np.zeros(wf.n, dtype=bool)
    trained_early = np.zeros(wf.n, dtype=bool)
    for _ in range(sc.weeks):
        m.step()
        gain += wf.formal_gain
        moved += wf.transferred
        if m.week == 1:
            mentee = wf.mentor >= 0
        if m.week == MANAGER_COHORT_WEEKS:
            mgr = np.maximum(wf.manager, 0)
            trained_early = (wf.manager >= 0) & wf.trained_manager[mgr] & wf.occupied[mgr]
            trained_uid = np.where(trained_early, wf.uid[mgr], -1)
    mgr = np.maximum(wf.manager, 0)
    if trained_early.any():  # the same trained manager still leads them at the end
        trained_early &= wf.uid[mgr] == trained_uid
    return Trace(uid0=uid0, uid=wf.uid.copy(), gap0=gap0, gap=row_gap(wf, m.structure),
                 engagement=wf.engagement.copy(),
                 support=np.where(wf.manager >= 0, wf.support[mgr], sc.leadership.executive_support),
                 trained_early=trained_early, mentee=mentee, formal_gain=gain, transferred=moved,
                 is_manager=wf.is_manager.copy())


def cohens_d(treated: np.ndarray, control: np.ndarray) -> tuple[float, float, float]:
    """d = (mean treated − mean control) / pooled SD, with its large-sample 95 % interval."""
    n1, n2 = len(treated), len(control)
    if n1 < 2 or n2 < 2:
        return float("nan"), float("nan"), float("nan")
    pooled = np.sqrt(((n1 - 1) * treated.var(ddof=1) + (n2 - 1) * control.var(ddof=1)) / (n1 + n2 - 2))
    d = float((treated.mean() - control.mean()) / pooled) if pooled > 0 else 0.0
    se = np.sqrt((n1 + n2) / (n1 * n2) + d * d / (2 * (n1 + n2)))
    return d, d - 1.96 * se, d + 1.96 * se


def correlation(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """Pearson r with its Fisher-z 95 % interval."""
    r = float(np.corrcoef(x, y)[0, 1])
    se = 1.0 / np.sqrt(max(len(x) - 3, 1))
    z = np.arctanh(np.clip(r, -0.999999, 0.999999))
    return r, float(np.tanh(z - 1.96 * se)), float(np.tanh(z + 1.96 * se))


class Runs:
    """Control and treatment traces per seed, each run once (the control is shared)."""

    def __init__(self, seeds: Sequence[int] = SEEDS, size: int = SIZE, weeks: int = WEEKS):
        self.seeds, self.size, self.weeks = tuple(seeds), size, weeks
        self._cache: dict[tuple, list[Trace]] = {}

    def __call__(self, overrides: dict | None = None) -> list[Trace]:
        key = tuple(sorted((overrides or {}).items()))
        if key not in self._cache:
            self._cache[key] = [trace(scenario(s, overrides, size=self.size, weeks=self.weeks)) for s in self.seeds]
        return self._cache[key]


def _paired(runs: Runs, overrides: dict, who: Callable[[Trace, Trace], np.ndarray],
            outcome: Callable[[Trace], np.ndarray], sign: float = 1.0) -> tuple[tuple[float, float, float], int]:
    """d of ``outcome`` between treated people (``who``) and their twins, pooled over seeds."""
    t_all, c_all = [], []
    for ctl, trt in zip(runs(), runs(overrides)):
        rows = who(trt, ctl) & trt.stayers & ctl.stayers
        t_all.append(sign * outcome(trt)[rows])
        c_all.append(sign * outcome(ctl)[rows])
    t, c = np.concatenate(t_all), np.concatenate(c_all)
    return cohens_d(t, c), len(t)


def _effect(runs: Runs, policy, measure, result, band, source) -> Effect:
    (d, lo, hi), n = result
    return Effect(policy, measure, d, lo, hi, band, source, n, runs.weeks)


ALLEN = "Allen et al. 2004; Eby et al. 2013"


def mentoring(runs: Runs) -> list[Effect]:
    """Mentees (matched in week 1) vs their twins without the programme, after a year."""
    on = {"policies.mentoring.enabled": True}
    mentees = lambda trt, ctl: trt.mentee  # noqa: E731
    return [
        _effect(runs, "mentoring", "mentees' skills gap (d, gap lower = +)",
                _paired(runs, on, mentees, lambda t: t.gap, sign=-1.0), (0.05, 0.4),
                ALLEN + " (objective outcomes small, r ≈ 0.1–0.2)"),
        _effect(runs, "mentoring", "mentees' engagement (d)",
                _paired(runs, on, mentees, lambda t: t.engagement), (0.1, 0.6),
                ALLEN + " (subjective outcomes larger, ρ ≈ 0.2–0.3)"),
    ]


def manager_development(runs: Runs) -> list[Effect]:
    """Reports of managers trained in the first quarter vs their twins, after a year."""
    on = {"policies.manager_development.enabled": True}
    reports = lambda trt, ctl: trt.trained_early & ~trt.is_manager  # noqa: E731
    return [
        _effect(runs, "manager development", "reports' skills gap (d, gap lower = +)",
                _paired(runs, on, reports, lambda t: t.gap, sign=-1.0), (0.0, 0.45),
                "Jones et al. 2016 (coaching δ ≈ 0.28 on skills)"),
        _effect(runs, "manager development", "reports' engagement (d)",
                _paired(runs, on, reports, lambda t: t.engagement), (0.0, 0.6),
                "Jones et al. 2016 (affective δ ≈ 0.51)"),
    ]


def mindset(runs: Runs, long: Runs | None = None) -> list[Effect]:
    """Everybody under the growth-mindset initiative vs their twins, after a year; with
    ``long`` runs, engagement also at their horizon (the effect builds up with the climate)."""
    on = {"policies.mindset_initiative.enabled": True}
    everyone = lambda trt, ctl: ~trt.is_manager  # noqa: E731
    return [
        _effect(runs, "growth-mindset initiative", "learning gain of the year (d on gap closed)",
                _paired(runs, on, everyone, lambda t: t.gap0 - t.gap), (0.0, 0.2),
                "Sisk et al. 2018 (d ≈ 0.08 on achievement)"),
        _effect(runs, "growth-mindset initiative", "engagement (d)",
                _paired(runs, on, everyone, lambda t: t.engagement), (-0.2, 0.2),
                "Sisk et al. 2018; no workplace evidence (held small)"),
    ] + ([_effect(long, "growth-mindset initiative", "engagement (d)",
                  _paired(long, on, everyone, lambda t: t.engagement), (-0.2, 0.2),
                  "Sisk et al. 2018; no workplace evidence (held small)")] if long else [])


def platform(runs: Runs, long: Runs | None = None) -> list[Effect]:
    """Everybody with the LXP vs their twins with the basic LMS: engagement after a year (and
    at the long horizon). No study sizes an LXP's effect on engagement; it is held small, as
    for the mindset initiative (a guard against a mechanism, such as punished browsing, that
    would make it large)."""
    on = {"policies.platform.enabled": True}
    everyone = lambda trt, ctl: ~trt.is_manager  # noqa: E731
    src = "no published effect of an LXP on engagement (held small)"
    return [_effect(r, "peer-learning platform (LXP)", "engagement (d)",
                    _paired(r, on, everyone, lambda t: t.engagement), (-0.2, 0.2), src)
            for r in ([runs, long] if long else [runs])]


def transfer(runs: Runs) -> list[Effect]:
    """Correlation of line-manager support with the share of formal gains applied, in the
    control runs (people who learned at least ``0.05`` levels in the year)."""
    x, y = [], []
    for t in runs():
        rows = t.stayers & ~t.is_manager & (t.formal_gain > 0.05)
        x.append(t.support[rows])
        y.append(t.transferred[rows] / t.formal_gain[rows])
    x, y = np.concatenate(x), np.concatenate(y)
    r, lo, hi = correlation(x, y)
    return [Effect("transfer by supervisor support", "r(manager support, share of formal gain applied)",
                   r, lo, hi, (0.1, 0.35), "Blume et al. 2010 (supervisor support ρ ≈ 0.21; 0.2–0.3)", len(x),
                   runs.weeks)]


def protected_time(runs: Runs) -> tuple[list[Effect], dict[float, float]]:
    """The year's mean learning gain (gap closed) at each dose, and d at 2 h vs none."""
    def dose(h: float) -> dict:
        return {"policies.protected_time.enabled": True, "policies.protected_time.hours_per_week": h}
    everyone = lambda trt, ctl: ~trt.is_manager  # noqa: E731
    means = {}
    for h in DOSES:
        gains = [(t.gap0 - t.gap)[t.stayers & ~t.is_manager & c.stayers] for t, c in zip(runs(dose(h)), runs(dose(0)))]
        means[h] = float(np.concatenate(gains).mean())
    effects = [_effect(runs, "protected time", "learning gain at 2 h/week vs none (d on gap closed)",
                       _paired(runs, dose(2.0), everyone, lambda t: t.gap0 - t.gap), (0.0, 0.6),
                       "Arthur et al. 2003 (d ≈ 0.6: upper bound of a training programme)")]
    return effects, means


def diminishing(means: dict[float, float]) -> bool:
    """Learning rises with each dose and each extra hour adds less than the one before."""
    h = sorted(means)
    per_hour = [(means[b] - means[a]) / (b - a) for a, b in zip(h, h[1:])]
    return all(p > 0 for p in per_hour) and all(b <= a for a, b in zip(per_hour, per_hour[1:]))


def all_effects(runs: Runs | None = None, long: Runs | None = None) -> tuple[list[Effect], dict[float, float]]:
    """Every experiment on ``runs`` (one year by default); the mindset's engagement also on
    ``long`` runs when given."""
    runs = runs or Runs()
    pt, means = protected_time(runs)
    return (mentoring(runs) + manager_development(runs) + mindset(runs, long) + platform(runs, long) + transfer(runs)
            + pt, means)


def table(effects: Sequence[Effect], means: dict[float, float]) -> str:
    """A Markdown table of the effects, then the dose–response line."""
    lines = ["| Policy | Measured | Weeks | Effect (95 % CI) | n | Published band | Inside | Source |",
             "|---|---|---|---|---|---|---|---|"]
    for e in effects:
        lines.append(f"| {e.policy} | {e.measure} | {e.weeks} | {e.value:+.2f} ({e.low:+.2f} … {e.high:+.2f}) | {e.n} | "
                     f"{e.band[0]:g} … {e.band[1]:g} | {'yes' if e.inside else 'NO'} | {e.source} |")
    dose = ", ".join(f"{h:g} h: {v:.4f}" for h, v in sorted(means.items()))
    lines.append("")
    lines.append(f"Protected time, mean gap closed in the year by dose: {dose} "
                 f"(monotone with diminishing returns: {'yes' if diminishing(means) else 'NO'}).")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m sim.validation.effects", description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS), help="seeds (replicate organisations)")
    ap.add_argument("--size", type=int, default=SIZE, help="headcount of each organisation")
    ap.add_argument("--weeks", type=int, default=WEEKS, help="follow-up in weeks")
    ap.add_argument("--long-weeks", type=int, default=LONG_WEEKS,
                    help="horizon of the long check of the mindset's engagement effect (0: skip)")
    a = ap.parse_args(argv)
    if a.size < 20 or a.weeks < MANAGER_COHORT_WEEKS or a.long_weeks < 0 or not a.seeds:
        ap.error(f"--size must be at least 20, --weeks at least {MANAGER_COHORT_WEEKS}, --long-weeks at least 0, "
                 "and give one seed or more")
    start = time.perf_counter()
    long = Runs(a.seeds, a.size, a.long_weeks) if a.long_weeks else None
    effects, means = all_effects(Runs(a.seeds, a.size, a.weeks), long)
    print(table(effects, means))
    print(f"\n{len(a.seeds)} seeds × {a.size} people × {a.weeks} (and {a.long_weeks}) weeks, {time.perf_counter() - start:.0f} s; "
          f"command: python -m sim.validation.effects --seeds {' '.join(map(str, a.seeds))} "
          f"--size {a.size} --weeks {a.weeks} --long-weeks {a.long_weeks}")
    return 0 if all(e.inside for e in effects) and diminishing(means) else 1


if __name__ == "__main__":
    raise SystemExit(main())
