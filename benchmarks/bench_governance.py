"""Governance at catalogue scale: a review that retires many stale items.

    python benchmarks/bench_governance.py                  # 1k, 10k, 100k listed stale items
    python benchmarks/bench_governance.py --items 100000 --weeks 4

A 200-person baseline organisation lists ``--items`` extra content items that go stale at once
(gap-driven governance, ``retire_below_freshness`` 1.0, review every week), so every review must retire nearly the
whole catalogue while keeping one item per skill and level. Reports the seconds of
``--weeks`` weeks and µs per retired item: flat from 1k to 100k items means linear
(issue 14: the item-by-item retirement took 36 s for 100k items over 4 weeks).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def one(items: int, weeks: int) -> tuple[float, int]:
    from sim.loader import load_scenario, scenario_from_data
    from sim.model import LearningEcosystem

    data = load_scenario(ROOT / "scenarios" / "baseline.yaml").model_dump(mode="json")
    data["organisation"]["size"] = 200
    skill = data["organisation"]["skills"][0]["name"]
    data["content"]["items"] = [{"skill": skill, "level": 1 + i % 5} for i in range(items)]
    data["governance"].update(rule="gap_driven", retire_below_freshness=1.0, review_every_weeks=1)
    data["weeks"] = weeks
    data.setdefault("start", {})["spin_up_weeks"] = 0   # the review, not the spin-up, is measured
    model = LearningEcosystem(scenario_from_data(data))
    before = len(model.state.catalogue.rows())
    t0 = time.perf_counter()
    for _ in range(weeks):
        model.step()
    return time.perf_counter() - t0, before - len(model.state.catalogue.rows())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--items", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    ap.add_argument("--weeks", type=int, default=4)
    args = ap.parse_args()
    print(f"{'listed items':>12} {'weeks':>6} {'seconds':>8} {'retired':>8} {'µs/retired item':>16}")
    for n in args.items:
        secs, retired = one(n, args.weeks)
        print(f"{n:>12,} {args.weeks:>6} {secs:>8.2f} {retired:>8,} {secs / max(retired, 1) * 1e6:>16.1f}", flush=True)


if __name__ == "__main__":
    main()
