"""Sweep throughput with 1 and 2 workers, and the sweep machinery's overhead per run.

    python benchmarks/bench_sweep.py [--runs 40] [--size 300] [--weeks 104]

The same runs (one strategy, replicates with different seeds) are executed: one by one in
this process, each both as a bare ``simulate`` call and as the worker's whole task
(interleaved, so that the machine's drifting speed cancels); then by ``sweep`` with 1 and
with 2 workers. Machinery overhead = median(task − bare simulation) per run, and the
one-off start of the worker pool. Targets (issue #3): 2
workers ≥ 1.7 × one worker; overhead under 5 % of run time.
"""

from __future__ import annotations

import argparse
import os
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
    # each run is simulated twice here (bare, then as the worker's task): without this the
    # task would start from the bare run's cached spin-up (sim/spinup.py) and look cheaper
    os.environ["LESIM_SPINUP_CACHE_MB"] = "0"  # read at import, here and in the workers

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

        # per run, interleaved so that drift in machine speed cancels: the bare simulation
        # vs the worker's whole task (resolve the scenario, simulate, select weeks, write
        # Parquet atomically)
        from sim.experiments import store
        from sim.experiments.runner import execute

        store.prepare(tmp / "loop")
        bare, whole = [], []
        for task in tasks:
            t0 = time.perf_counter()
            simulate(resolve_scenario(task.base_data, task.overrides))
            bare.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            assert execute(task)["ok"]
            whole.append(time.perf_counter() - t0)
        loop = sum(bare)

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

    import statistics

    n = len(tasks)
    per_run = statistics.median(bare)
    extra = statistics.median(w - b for w, b in zip(whole, bare))
    print(f"{n} runs of {args.size} employees × {args.weeks} weeks")
    print(f"plain loop        {loop:7.2f} s  {n / loop:6.2f} runs/s  (median {per_run * 1000:.0f} ms per run)")
    for w, t in results.items():
        print(f"sweep {w} worker{'s' if w > 1 else ' '}    {t:7.2f} s  {n / t:6.2f} runs/s")
    print(f"speed-up 2 vs 1 worker: {results[1] / results[2]:.2f}×  (target ≥ 1.7×)")
    print(f"machinery overhead per run (task minus bare simulation, median): {extra * 1000:.1f} ms = "
          f"{extra / per_run * 100:.1f} % of run time (target < 5 %); worker pool start {pool_start:.2f} s once "
          f"per sweep ({pool_start / loop * 100:.1f} % of this sweep's run time)")


if __name__ == "__main__":
    main()
