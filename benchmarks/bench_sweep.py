"""Sweep throughput with 1 and 2 workers, and the sweep machinery's overhead per run.

    python benchmarks/bench_sweep.py [--runs 40] [--size 300] [--weeks 104]

The same runs (one strategy, replicates with different seeds) are executed three ways:
a plain loop calling ``simulate`` in this process (no store, no workers); ``sweep`` with 1
worker; ``sweep`` with 2 workers. Overhead = (1-worker sweep − plain loop) / plain loop,
reported with and without the one-off start of the worker pool. Targets (issue #3): 2
workers ≥ 1.7 × one worker; overhead under 5 % of run time.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--size", type=int, default=300)
    ap.add_argument("--weeks", type=int, default=104)
    args = ap.parse_args()

    from sim.experiments.plan import plan_runs
    from sim.experiments.runner import LocalEngine
    from sim.experiments.spec import load_experiment, resolve_scenario
    from sim.experiments.sweep import sweep
    from sim.run import simulate

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "base.yaml").write_text(f"name: base\nweeks: {args.weeks}\norganisation: {{size: {args.size}}}\n")
        (tmp / "bench.yaml").write_text(
            "name: bench\nbase: base.yaml\nstrategies: {baseline: {}}\n"
            f"design: {{type: factorial, replicates: {args.runs}, seed: 1}}\n")
        exp = load_experiment(tmp / "bench.yaml")
        tasks = list(plan_runs(exp, tmp / "loop"))

        t0 = time.perf_counter()
        for task in tasks:
            simulate(resolve_scenario(task.base_data, task.overrides))
        loop = time.perf_counter() - t0

        t0 = time.perf_counter()
        engine = LocalEngine(1)
        engine.warm_up()
        pool_start = time.perf_counter() - t0
        engine.close()

        results = {}
        for workers in (1, 2):
            t0 = time.perf_counter()
            stats = sweep(exp, tmp / f"w{workers}", workers=workers)
            results[workers] = time.perf_counter() - t0
            assert stats.done == len(tasks), stats

    n = len(tasks)
    print(f"{n} runs of {args.size} employees × {args.weeks} weeks")
    print(f"plain loop        {loop:7.2f} s  {n / loop:6.2f} runs/s  ({loop / n * 1000:.0f} ms per run)")
    for w, t in results.items():
        print(f"sweep {w} worker{'s' if w > 1 else ' '}    {t:7.2f} s  {n / t:6.2f} runs/s")
    print(f"speed-up 2 vs 1 worker: {results[1] / results[2]:.2f}×  (target ≥ 1.7×)")
    over = (results[1] - loop) / loop
    print(f"machinery overhead: {over * 100:.1f} % of run time including the worker pool's start "
          f"({pool_start:.2f} s once), {(results[1] - pool_start - loop) / loop * 100:.1f} % without it "
          "(target < 5 %)")


if __name__ == "__main__":
    main()
