"""Speed and memory of the whole model: baseline scenario at 1k, 10k and 100k employees.

    python benchmarks/bench_model.py                 # 1k, 10k, 100k × 260 weeks
    python benchmarks/bench_model.py --sizes 1000 --weeks 52

Each size runs in its own process so that peak memory (max RSS) belongs to that size alone.
Reports set-up time (organisation, network, agents), stepping time, µs per employee-week
for stepping and for the whole run, and peak memory. Target (issue #2): under 1 µs per
employee-week at 100k employees on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def one(size: int, weeks: int) -> dict:
    sys.path.insert(0, str(ROOT))
    from sim.loader import load_scenario
    from sim.model import LearningEcosystem

    sc = load_scenario(ROOT / "scenarios" / "baseline.yaml", [f"organisation.size={size}", f"weeks={weeks}"])
    t0 = time.perf_counter()
    model = LearningEcosystem(sc)
    t1 = time.perf_counter()
    for _ in range(weeks):
        model.step()
    t2 = time.perf_counter()
    ew = size * weeks
    return {"employees": size, "weeks": weeks, "setup_s": round(t1 - t0, 2), "step_s": round(t2 - t1, 2),
            "us_per_employee_week_steps": round((t2 - t1) / ew * 1e6, 3),
            "us_per_employee_week_total": round((t2 - t0) / ew * 1e6, 3),
            "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    ap.add_argument("--weeks", type=int, default=260)
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.weeks)))
        return
    print(f"{'employees':>10} {'weeks':>6} {'setup s':>8} {'steps s':>8} {'µs/emp-wk steps':>16} "
          f"{'µs/emp-wk total':>16} {'peak MB':>8}")
    for size in args.sizes:
        out = subprocess.run([sys.executable, __file__, "--one", str(size), "--weeks", str(args.weeks)],
                             capture_output=True, text=True, check=True).stdout
        r = json.loads(out)
        print(f"{r['employees']:>10,} {r['weeks']:>6} {r['setup_s']:>8} {r['step_s']:>8} "
              f"{r['us_per_employee_week_steps']:>16} {r['us_per_employee_week_total']:>16} {r['peak_mb']:>8}", flush=True)


if __name__ == "__main__":
    main()
