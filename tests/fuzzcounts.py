"""What the fuzz and fault tests tried and how many they handled correctly, for the README.

Each fuzz or fault test calls :func:`record` with its counts; the counts land in
``tests/artifacts/fuzz/<name>.json`` (one file per test or case, so parallel test workers
never write the same file). After ``make test``::

    .venv/bin/python -m tests.fuzzcounts      # the README's table, from the last run

Cases of one parametrised test (``name[case]``) are summed into one row.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

FOLDER = Path(__file__).resolve().parent / "artifacts" / "fuzz"


def record(name: str, tried: int, correct: int, what: str, **more: int) -> None:
    """Keep one test's counts (``more``: further counts, e.g. ``valid`` = inputs accepted)."""
    FOLDER.mkdir(parents=True, exist_ok=True)
    (FOLDER / f"{name}.json").write_text(json.dumps({"tried": tried, "correct": correct, **more, "what": what}) + "\n")


def rows() -> list[dict]:
    """One row per test (parametrised cases summed), in name order."""
    rows: dict[str, dict] = defaultdict(lambda: {"tried": 0, "correct": 0, "what": ""})
    for f in sorted(FOLDER.glob("*.json")):
        doc = json.loads(f.read_text())
        row = rows[f.stem.split("[")[0]]
        row["tried"] += doc["tried"]
        row["correct"] += doc["correct"]
        row["what"] = row["what"] or doc["what"]
    return [{"test": name, **row} for name, row in sorted(rows.items())]


def table() -> str:
    lines = ["| test | what is tried | tried | handled correctly |", "|---|---|---:|---:|"]
    lines += [f"| `{r['test']}` | {r['what']} | {r['tried']:,} | {r['correct']:,} |" for r in rows()]
    total = rows()
    lines.append(f"| **all** | | **{sum(r['tried'] for r in total):,}** | **{sum(r['correct'] for r in total):,}** |")
    return "\n".join(lines)


if __name__ == "__main__":
    if not FOLDER.is_dir():
        sys.exit(f"{FOLDER}: no counts yet; run `make test` first")
    print(table())
