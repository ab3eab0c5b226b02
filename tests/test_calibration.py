"""Qualitative patterns practitioners report, each a paired comparison on real runs.

The quantitative calibration — published bands that a wrong model fails (ATD hours and
spend, turnover, decay, transfer over a year, time to proficiency, the formal share of
learning, the two-sided mindset effect, a stationary status quo) — is ``lesim check``
(:mod:`sim.validation.patterns`, tests/test_check.py)."""

from __future__ import annotations

import numpy as np

from sim.loader import load_scenario
from sim.model import LearningEcosystem
from sim.run import simulate

from .conftest import ROOT

BASELINE = ROOT / "scenarios" / "baseline.yaml"
SEEDS = (11, 12, 13, 14)


def _paired_mean(outcome: str, week_from: int, a: list[str], b: list[str], seeds=SEEDS) -> tuple[float, float]:
    """Mean of an outcome over weeks ≥ week_from, averaged over seeds, for two variants."""
    out = []
    for variant in (a, b):
        vals = [simulate(load_scenario(BASELINE, [f"seed={s}", "weeks=104", *variant])).timeseries for s in seeds]
        out.append(float(np.mean([ts[ts.week >= week_from][outcome].mean() for ts in vals])))
    return out[0], out[1]


def test_pattern_supervisor_support_raises_transfer():
    low, high = _paired_mean("transfer_rate", 1, ["leadership.manager_support=0.2"], ["leadership.manager_support=0.8"])
    assert high > low + 0.02


def test_pattern_turnover_drains_critical_skills():
    low, high = _paired_mean("critical_coverage", 52, ["labour_market.annual_turnover=0.05"],
                             ["labour_market.annual_turnover=0.3"])
    assert high < low - 0.02


def test_pattern_stale_content_loses_use():
    """Over a quarter, the staler an item, the less it is used (rank correlation across the
    catalogue), with turbulence making some skills' content stale."""
    from scipy.stats import spearmanr

    m = LearningEcosystem(load_scenario(BASELINE, ["seed=6", "environment.turbulence_per_year=2", "weeks=104"]))
    for _ in range(91):
        m.step()
    cat = m.catalogue
    rows = cat.rows()
    before, freshness = cat.usage_total[rows].copy(), cat.freshness[rows].copy()
    for _ in range(13):
        m.step()
    used = cat.usage_total[rows] - before
    rho = spearmanr(freshness, used).statistic
    assert rho > 0.2
