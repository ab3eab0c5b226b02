"""Speed and memory of the whole model at 1k, 10k, 100k and 1M employees, against the reference.

    python benchmarks/bench_model.py                       # 1k, 10k, 100k, 1M × 260 weeks
    python benchmarks/bench_model.py --sizes 1000 10000 --weeks 52

The scenario is ``scenarios/enterprise_1m.yaml`` at each size (the baseline's policies in
twelve divisions). Each size runs in its own process, so that peak memory (max RSS) belongs
to that size alone. Columns:

* ``build s``: drawing the organisation and its network (``model.setup_seconds["build"]``);
  ``spin-up s``: the status quo's ``start.spin_up_weeks`` weeks before week 0 (the settled
  start, docs/ODD.md §5); ``start s``: the strategy's start and the Mesa layer;
* ``µs/emp-wk``: stepping the run's weeks (every phase and the outcome collection, by
  department and location), per employee-week;
* ``KB/emp``: peak memory of the process per employee (set-up and the run; measured before
  the reference is built);
* ``ref ×``: how many times faster the engine runs the rules that ``benchmarks/reference.py``
  restates agent by agent (phases 5–7, 9 and the measures of 12) than that reference does,
  both from the same state (the run's last week), over ``--ref-weeks`` weeks (only up to
  ``--ref-max`` employees: the reference needs a Python object per person and per tie);
* ``floor µs``: one read and one write of the week's state (the workforce columns and the
  network) at the copy bandwidth measured on this machine: the hardware limit of a week.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "enterprise_1m.yaml"
COVERED = ("transfer", "experiential", "social", "forgetting", "data")


def copy_bandwidth() -> float:
    """Bytes per second of a large in-memory copy (read + write counted)."""
    import numpy as np

    a = np.ones(2**25)  # 256 MB
    b = np.empty_like(a)
    np.copyto(b, a)
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        np.copyto(b, a)
        best = min(best, time.perf_counter() - t)
    return 2 * a.nbytes / best


def state_bytes(model) -> int:
    """Bytes of the arrays a week reads and writes: the workforce columns and the ties."""
    import numpy as np

    wf, net = model.workforce, model.ties
    cols = [v for v in vars(wf).values() if isinstance(v, np.ndarray)]
    return sum(c.nbytes for c in cols) + sum(a.nbytes for a in (net.indptr, net.indices, net.strength, net.reach))


def reference_ratio(model, weeks: int) -> tuple[float, float]:
    """(reference µs per employee-week, engine µs per employee-week) of the covered rules,
    from copies of the model's state."""
    import copy

    spec = importlib.util.spec_from_file_location("reference", ROOT / "benchmarks" / "reference.py")
    ref_mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ref_mod)
    n = model.workforce.n
    state, streams = copy.deepcopy(model.state), copy.deepcopy(model.streams)
    t = time.perf_counter()
    for _ in range(weeks):
        for name in COVERED:
            model.phase(name).run(state, streams)
    engine = (time.perf_counter() - t) / (n * weeks) * 1e6
    ref = ref_mod.ReferenceModel(model, seed=1, state=copy.deepcopy(model.state))
    t = time.perf_counter()
    for _ in range(weeks):
        ref.step()
    return (time.perf_counter() - t) / (n * weeks) * 1e6, engine


def one(size: int, weeks: int, ref_weeks: int, ref_max: int, bandwidth: float) -> dict:
    sys.path.insert(0, str(ROOT))
    from sim.loader import load_scenario
    from sim.model import LearningEcosystem

    sc = load_scenario(SCENARIO, [f"organisation.size={size}", f"weeks={weeks}"])
    model = LearningEcosystem(sc)
    t = time.perf_counter()
    for _ in range(weeks):
        model.step()
    step_s = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss   # before the reference's objects
    ref_us = engine_us = None
    if size <= ref_max:
        ref_us, engine_us = reference_ratio(model, ref_weeks)
    floor_us = 2 * state_bytes(model) / bandwidth / size * 1e6
    return {"employees": size, "weeks": weeks, **{f"{k}_s": round(v, 2) for k, v in model.setup_seconds.items()},
            "step_s": round(step_s, 2), "us_per_employee_week": round(step_s / (size * weeks) * 1e6, 3),
            "kb_per_employee": round(peak / size, 2),
            "reference_us": ref_us and round(ref_us, 2), "engine_covered_us": engine_us and round(engine_us, 4),
            "ratio": ref_us and round(ref_us / engine_us), "floor_us": round(floor_us, 4)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000, 1_000_000])
    ap.add_argument("--weeks", type=int, default=260)
    ap.add_argument("--ref-weeks", type=int, default=2, help="weeks the reference runs (default 2)")
    ap.add_argument("--ref-max", type=int, default=100_000, help="largest size the reference runs at (default 100000)")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--bandwidth", type=float, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.weeks, args.ref_weeks, args.ref_max, args.bandwidth)))
        return
    bandwidth = copy_bandwidth()   # here, so that its 512 MB are not in a size's peak
    print(f"{SCENARIO.name}, {args.weeks} weeks; copy bandwidth {bandwidth / 1e9:.1f} GB/s; reference: {', '.join(COVERED)} agent by agent, {args.ref_weeks} weeks")
    print(f"{'employees':>10} {'build s':>8} {'spin-up s':>9} {'start s':>8} {'µs/emp-wk':>10} {'KB/emp':>7} "
          f"{'ref µs':>8} {'ref ×':>6} {'floor µs':>9}")
    for size in args.sizes:
        out = subprocess.run([sys.executable, __file__, "--one", str(size), "--weeks", str(args.weeks),
                              "--ref-weeks", str(args.ref_weeks), "--ref-max", str(args.ref_max),
                              "--bandwidth", str(bandwidth)],
                             capture_output=True, text=True, check=True).stdout
        r = json.loads(out)
        ref = "—" if r["reference_us"] is None else f"{r['reference_us']:.2f}"
        ratio = "—" if r["ratio"] is None else f"{r['ratio']:,}"
        print(f"{r['employees']:>10,} {r['build_s']:>8} {r['spin_up_s']:>9} {r['start_s']:>8} "
              f"{r['us_per_employee_week']:>10} {r['kb_per_employee']:>7} {ref:>8} {ratio:>6} {r['floor_us']:>9}",
              flush=True)


if __name__ == "__main__":
    main()
