"""Speed of ``lesim import`` on a large synthetic HRIS export.

    python benchmarks/bench_import.py                  # 1,000,000 people
    python benchmarks/bench_import.py --people 100000

Writes a synthetic people export (id, name, department, job title, manager id, grade, location,
hire date, engagement 1–5, training hours, leaver; a manager hierarchy of spans of 8) into a
temporary folder, then times the import end to end (reading, checks, pseudonyms, writing the
scenario folder, validating it) in its own process, with its peak memory.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def synthetic_export(n: int, path: Path, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    ids = np.array([f"E{i:07d}" for i in range(n)], dtype=object)
    manager = np.where(np.arange(n) > 0, (np.arange(n) - 1) // 8, -1)
    depts = np.array(["Operations", "Sales", "Technology", "Finance", "People", "Legal", "Marketing", "Support"])
    roles = np.array(["analyst", "engineer", "consultant", "specialist", "sales", "manager"])
    pd.DataFrame({
        "Employee ID": ids, "Full Name": "Person " + pd.Series(ids),
        "Department": depts[rng.integers(0, len(depts), n)], "Job Title": roles[rng.integers(0, len(roles), n)],
        "Manager ID": np.where(manager >= 0, ids[np.maximum(manager, 0)], ""),
        "Grade": rng.integers(1, 6, n), "Location": np.array(["Office", "Hybrid", "Remote"])[rng.integers(0, 3, n)],
        "Hire Date": (np.datetime64("2026-11-30") - rng.integers(0, 20 * 365, n).astype("timedelta64[D]")).astype(str),
        "Engagement": rng.integers(1, 6, n), "Training Hours": rng.gamma(2.0, 15.0, n).round(1),
        "Leaver": np.where(rng.random(n) < 0.13, "Yes", "No"),
    }).to_csv(path, index=False)


MAPPING = """as_of: 2026-11-30
people:
  columns: {id: Employee ID, department: Department, role: Job Title, manager: Manager ID, level: Grade,
            location: Location, hire_date: Hire Date, engagement: Engagement, training_hours: Training Hours,
            leaver: Leaver}
  scale: {engagement: [1, 5]}
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--people", type=int, default=1_000_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        t0 = time.perf_counter()
        synthetic_export(args.people, tmp / "hris.csv")
        (tmp / "mapping.yaml").write_text(MAPPING)
        size = (tmp / "hris.csv").stat().st_size
        print(f"export: {args.people:,} people, {size / 1e6:.0f} MB (written in {time.perf_counter() - t0:.1f} s)")
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "sim", "import", str(tmp / "hris.csv"), "--mapping",
                        str(tmp / "mapping.yaml"), "--out", str(tmp / "org"), "--key-file", str(tmp / "k.key")],
                       check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - t0
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"lesim import: {wall:.1f} s wall ({wall / args.people * 1e6:.1f} µs per person), peak {peak:,.0f} MB")


if __name__ == "__main__":
    main()
