"""Phase 9 — forgetting: proficiency above what the work exercises decays."""

from __future__ import annotations

import numpy as np

from .. import kernels
from .phase import Phase

WEEKS_PER_MONTH = 52.0 / 12.0


def weekly_retention(half_life_months: float) -> float:
    """Share of the unused part kept after one week: 2^(−1 / half-life in weeks)."""
    return float(np.exp(-np.log(2.0) / (half_life_months * WEEKS_PER_MONTH)))


def forget_unused(s, p, rng) -> None:
    """The part of a skill above the level the current work exercises (the work demand of
    phase 6; 0 for a skill the work does not use) decays exponentially with half-life
    ``learning.decay_half_life_months`` (Tatel: about half of acquired gains lost after
    6.5–13 months without use; Arthur1998). Practised skill is kept; unused skill fades."""
    wf, demand = s.workforce, s.derived.demand
    if demand.shape != wf.prof.shape:
        raise ValueError(f"forgetting reads this week's work demand (phase 6, experiential learning), which has shape "
                         f"{demand.shape}, not {wf.prof.shape}: run the phases in the week's order")
    kernels.forget(wf.prof, demand, weekly_retention(p.decay_half_life_months))


FORGETTING = Phase(
    "forgetting", forget_unused,
    params=("learning.decay_half_life_months",),
    reads=("derived.demand", "workforce.prof"),
    writes=("workforce.prof",),
)
