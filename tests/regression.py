"""Fixed-seed regression baseline: catches silent behaviour changes of the model.

    python -m tests.regression            # compare (what the test does)
    python -m tests.regression --update   # deliberately re-record after an intended change

Run it with ``make regression-update``; commit the new ``tests/regression_baseline.json``
with a message that says why the behaviour changed.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from sim.loader import scenario_from_data
from sim.run import simulate

BASELINE = Path(__file__).with_name("regression_baseline.json")
SPEC = {
    "name": "regression", "weeks": 78, "seed": 20261129,
    "organisation": {"size": 300},
    "policies": {"mentoring": {"enabled": True}, "job_rotation": {"enabled": True},
                 "platform": {"enabled": True}, "protected_time": {"enabled": True}},
    "governance": {"rule": "gap_driven", "data_maturity": 3},
    "events": [{"type": "new_skill", "week": 20, "skill": "ai_literacy", "level": 2.5},
               {"type": "reorganisation", "week": 40, "share": 0.1}],
}
WEEKS = (1, 26, 52, 78)


def current() -> dict:
    ts = simulate(scenario_from_data(json.loads(json.dumps(SPEC)))).timeseries.set_index("week")
    return {str(w): {k: (None if math.isnan(v) else v) for k, v in ts.loc[w].items()} for w in WEEKS}


def main(argv: list[str]) -> int:
    values = current()
    if "--update" in argv:
        BASELINE.write_text(json.dumps(values, indent=1, sort_keys=True) + "\n")
        print(f"recorded {BASELINE}")
        return 0
    stored = json.loads(BASELINE.read_text())
    diffs = [(w, k, stored[w][k], values[w][k]) for w in stored for k in stored[w] if stored[w][k] != values[w].get(k)]
    for d in diffs[:20]:
        print("week %s %s: baseline %r, now %r" % d)
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
