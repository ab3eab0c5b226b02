"""Print the docs table rows: baseline and wrong variants through `lesim check --json`."""
import json, subprocess, sys
V = [("baseline", []), ("formal_rate 0", ["learning.formal_rate=0"]), ("formal_rate ×10", ["learning.formal_rate=0.5"]),
     ("experiential_rate 0", ["learning.experiential_rate=0"]),
     ("social_rate 0 + coaching_rate 0", ["learning.social_rate=0", "learning.coaching_rate=0"]),
     ("transfer_rate 1", ["learning.transfer_rate=1"]), ("decay half-life 600 months", ["learning.decay_half_life_months=600"])]
from sim.validation.patterns import format_measure
res = {}
for name, sets in V:
    args = [sys.executable, "-m", "sim", "check", "scenarios/baseline.yaml", "--json"]
    for s in sets: args += ["--set", s]
    p = subprocess.run(args, capture_output=True, text=True)
    out = json.loads(p.stdout); res[name] = out
    print(name, p.returncode, out["wall_seconds"], out["failed"], flush=True)
json.dump(res, open("/tmp/check_results.json", "w"))
pats = res["baseline"]["patterns"]
print("| pattern | band | " + " | ".join(n for n, _ in V) + " |")
for i, p in enumerate(pats):
    cells = []
    for n, _ in V:
        q = res[n]["patterns"][i]; v = q["value"]
        v = float("inf") if v == "inf" else (float("nan") if v is None else v)
        cells.append(format_measure(v, q["unit"]) + ("" if q["passed"] else " **✗**"))
    print(f"| {p['label']} | {format_measure(p['low'], p['unit'])} – {format_measure(p['high'], p['unit'])} | " + " | ".join(cells) + " |")
