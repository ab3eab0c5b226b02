"""Compile the weekly kernels (:mod:`sim.kernels`) into numba's on-disk cache.

    python -m sim.compile

``make install`` runs it once, so that the first model a user, a test or a dashboard server
builds does not spend ~20 s compiling (numba keeps the machine code in ``sim/__pycache__``
and recompiles only when ``sim/kernels.py`` changes). It runs a small organisation with every
programme on for a few weeks, which calls every kernel with the argument types a run uses.
"""

from __future__ import annotations

import time


def main() -> None:
    from .model import LearningEcosystem

    start = time.perf_counter()
    model = LearningEcosystem(None, seed=1, weeks=3, organisation__size=120, start__spin_up_weeks=2,
                              policies__mentoring__enabled=True, policies__job_rotation__enabled=True,
                              policies__platform__enabled=True, policies__manager_development__enabled=True,
                              governance__budget_allocation="evidence")
    for _ in range(3):
        model.step()
    print(f"compiled the weekly kernels in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
