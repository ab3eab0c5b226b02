"""The tables an import writes into a scenario folder, and how the model reads them back.

``lesim import`` (:mod:`sim.importer.build`) turns an organisation's own exports into clean,
pseudonymised CSV files with fixed columns; a scenario names them in ``organisation.data``
(:class:`~sim.scenario.OrganisationData`). This module is the one place that knows those
columns: the importer writes them, the model (:mod:`sim.organisation`) reads them.

* ``people.csv`` — :data:`PEOPLE_COLUMNS`, one row per position. ``manager`` is empty at the
  top of the hierarchy or when the export had no manager column; every optional value may be
  empty (not in the export).
* ``network.csv`` — :data:`NETWORK_COLUMNS`: undirected collaboration ties between ids.
* ``assessments.csv`` — :data:`ASSESSMENT_COLUMNS`: the latest assessed level (0–5) per person
  and skill.
"""

from __future__ import annotations

import hashlib
import os
import stat
import threading
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

PEOPLE_COLUMNS = ("id", "department", "role", "manager", "level", "tenure_weeks", "location", "engagement",
                  "learning_hours", "leaver")
NETWORK_COLUMNS = ("a", "b", "weight")
ASSESSMENT_COLUMNS = ("id", "skill", "level")
LOCATION_NAMES = ("on-site", "hybrid", "remote")   # the order of sim.state.LOCATIONS

_TYPES = {"id": pa.string(), "department": pa.string(), "role": pa.string(), "manager": pa.string(),
          "level": pa.float64(), "tenure_weeks": pa.float64(), "location": pa.string(), "engagement": pa.float64(),
          "learning_hours": pa.float64(), "leaver": pa.float64(), "a": pa.string(), "b": pa.string(),
          "weight": pa.float64(), "skill": pa.string()}

_facts: dict[tuple, tuple[str, int]] = {}
_lock = threading.Lock()


def file_facts(path: str) -> tuple[str, int] | str:
    """(SHA-256 of the bytes, data rows) of a written table, or a one-line reason it cannot be
    read. Cached per (path, modification time, size): scenarios are validated often."""
    p = Path(path)
    if not p.is_absolute():
        return (f"{path!r} is relative, but this scenario has no folder to resolve it against "
                "(open the scenario file from its folder)")
    try:
        st = os.stat(p)
    except FileNotFoundError:
        return f"{path}: no such file (the scenario's imported tables belong in its folder)"
    except OSError as e:
        return f"{path}: cannot read: {e.strerror or e}"
    if not stat.S_ISREG(st.st_mode):
        return f"{path}: not a regular file"
    key = (str(p), st.st_mtime_ns, st.st_size)
    with _lock:
        hit = _facts.get(key)
    if hit is not None:
        return hit
    digest, lines, last = hashlib.sha256(), 0, b"\n"
    try:
        with open(p, "rb") as f:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
                lines += chunk.count(b"\n")
                last = chunk[-1:]
    except OSError as e:
        return f"{path}: cannot read: {e.strerror or e}"
    if last != b"\n":
        lines += 1
    facts = (digest.hexdigest(), max(lines - 1, 0))
    with _lock:
        _facts[key] = facts
    return facts


def read_table(path: str, columns: tuple[str, ...]) -> dict[str, np.ndarray]:
    """A written table as numpy columns (strings as object arrays with None for empty,
    numbers as float64 with NaN for empty)."""
    table = pacsv.read_csv(
        path, convert_options=pacsv.ConvertOptions(
            column_types={c: _TYPES[c] for c in columns}, include_columns=list(columns),
            strings_can_be_null=True, null_values=[""]))
    out = {}
    for c in columns:
        col = table.column(c)
        if pa.types.is_floating(col.type):
            out[c] = col.to_numpy(zero_copy_only=False).astype(np.float64)
        else:
            out[c] = np.array(col.to_pylist(), dtype=object)
    return out


_cache: dict[tuple, dict] = {}


def load_people(data) -> dict[str, np.ndarray]:
    """The people table of ``organisation.data`` (cached per file and hash in this process)."""
    key = (data.people.file, data.people.sha256)
    with _lock:
        hit = _cache.get(key)
    if hit is None:
        hit = read_table(data.people.file, PEOPLE_COLUMNS)
        with _lock:
            if len(_cache) > 8:
                _cache.clear()
            _cache[key] = hit
    return hit
