"""Dashboard responsiveness: time from clicking Step to the re-rendered page, server side.

    python benchmarks/bench_dashboard.py [--sizes 1000 10000] [--steps 10]

Renders the real page with ``solara.render`` (no browser: the browser's own share is drawing
five PNGs) on a scenario of the given size and times each Step click, which advances the
model a week, takes the snapshot, and redraws every chart. Target (issue #4): well under a
second at 1,000 employees.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    ap.add_argument("--steps", type=int, default=10)
    args = ap.parse_args()

    import ipyvuetify as v
    import solara

    from sim.dashboard import app
    from sim.dashboard.session import ScenarioFolders

    print(f"{'employees':>10} {'median s per Step':>18} {'max s':>7}")
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "bench.yaml").write_text(f"name: bench\norganisation: {{size: {size}}}\n")
            app.SCENARIOS = ScenarioFolders([Path(tmp)])
            app.INITIAL = "bench"
            _box, rc = solara.render(app.Page(), handle_error=False)
            step = rc.find(v.Btn, children=["Step"]).widget
            times = []
            for _ in range(args.steps):
                t0 = time.perf_counter()
                step.click()
                times.append(time.perf_counter() - t0)
            rc.close()
        print(f"{size:>10,} {statistics.median(times):>18.3f} {max(times):>7.3f}", flush=True)


if __name__ == "__main__":
    main()
