"""``lesim import``: an organisation's own exports in, a scenario folder out.

Inputs (CSV unless noted; each through its column mapping, :mod:`sim.importer.mapping`): the
people export of an HRIS (required), a skills taxonomy, role requirements, assessments, LMS
completions, xAPI statements (JSON array or JSON Lines) and a collaboration edge list.

Output: a folder with ``scenario.yaml`` (the organisation's departments, roles, skills and
requirements, and ``organisation.data`` naming the tables), the pseudonymised tables of
:mod:`sim.importer.tables`, ``targets.yaml`` (the observed figures ``lesim calibrate`` fits
to) and ``import_report.md`` (what was read, dropped and assumed).

Rules:

* **Row problems** — a missing or malformed required value, an unknown coded value, a
  duplicate id, a management chain that loops — are reported as ``file:line: column: message``
  (up to :data:`MAX_PROBLEMS`), the import stops with exit status 2 and writes nothing. Lines
  count from 1 at the header and assume no line breaks inside quoted values.
* **Drops** — references to people, skills or roles not in the other files (a manager who left,
  an edge to a contractor, an assessment of an unlisted skill) — are left out and counted in
  the report and on the terminal.
* **Privacy** — every employee id becomes ``p`` + the first 16 hex digits of HMAC-SHA256 with
  the user's key (``--key-file``, created with a random key when missing and never written into
  the output): the same person keeps one pseudonym across files and re-imports, and nobody
  without the key can reverse it. Columns the mapping does not name (names, e-mails, free text)
  are never read into the output. Reports of an imported organisation suppress departments
  below ``organisation.data.min_group_size`` people.
* **Streaming** — exports are read in blocks by pyarrow's streaming CSV reader, only the
  mapped columns, as text; a million people import in well under a minute.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import os
import re
import secrets
import shutil
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import yaml

from ..economics import t_interval
from .mapping import FIELDS, Mapping
from .tables import ASSESSMENT_COLUMNS, NETWORK_COLUMNS, PEOPLE_COLUMNS

MAX_PROBLEMS = 20
MAX_DEPARTMENTS, MAX_ROLES = 2000, 5000      # the scenario's limits (sim/scenario.py)
LAST_YEAR_DAYS = 365
TRUE = {"yes", "y", "true", "t", "1", "left", "leaver", "terminated"}
FALSE = {"no", "n", "false", "f", "0", "active", "stayed", ""}
LOCATION_WORDS = {"on-site": "on-site", "onsite": "on-site", "on site": "on-site", "office": "on-site",
                  "hybrid": "hybrid", "remote": "remote", "home": "remote", "work from home": "remote"}
MODALITY_DEFAULT = "course"


class _Plain(yaml.SafeDumper):
    """Safe YAML without anchors and aliases (shared requirement profiles are written out)."""

    def ignore_aliases(self, data) -> bool:
        return True


class ImportProblems(Exception):
    """Row problems of an import: one ``file:line: column: message`` line each."""

    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = lines


@dataclass
class Problems:
    lines: list[str] = field(default_factory=list)
    more: int = 0

    def add(self, line: str) -> None:
        if len(self.lines) < MAX_PROBLEMS:
            self.lines.append(line)
        else:
            self.more += 1

    def raise_if_any(self) -> None:
        if self.lines:
            extra = [f"… and {self.more} more problems"] if self.more else []
            raise ImportProblems(self.lines + extra + ["nothing was written"])


@dataclass
class Table:
    """One export's mapped fields as text (None where empty), with their source columns."""

    path: Path
    fields: dict[str, np.ndarray]
    columns: dict[str, str]       # field → the export's column
    rows: int
    skipped: list[int] = field(default_factory=list)   # file lines that hold no row (blank lines), sorted
    lines: np.ndarray | None = None                      # each row's line, where rows are not one a line
    multiline: bool = False                              # quoted values span lines: rows are named by number

    def line(self, i: int) -> int:
        """The file line of row ``i``: the header is line 1, blank lines count."""
        if self.lines is not None:
            return int(self.lines[i])
        return _physical(int(i) + 2, self.skipped)

    def place(self, i: int) -> str:
        return f"row {int(i) + 1}" if self.multiline else f"line {self.line(i)}"

    def where(self, i: int, name: str) -> str:
        if self.multiline:
            return f"{self.path}: row {int(i) + 1} (a quoted value spans lines): {self.columns[name]}"
        return f"{self.path}:{self.line(i)}: {self.columns[name]}"


def _physical(row: int, blank: list[int]) -> int:
    """The file line of the ``row``-th non-blank line (1-based), given the sorted blank lines."""
    line = row
    for b in blank:
        if b <= line:
            line += 1
        else:
            break
    return line


def _reason(e: Exception) -> str:
    return " ".join(str(e).split())[:200]


def read_export(path: Path, kind: str, mapping: Mapping, problems: Problems) -> Table | None:
    """The mapped fields of the export ``path`` (streamed in blocks), or None after recording
    a missing required column, a row with the wrong number of fields or an unreadable file."""
    wanted: dict[str, str] = {}
    try:
        if not path.is_file():
            problems.add(f"{path}: {'no such file' if not path.exists() else 'not a regular file'}")
            return None
        reader = pacsv.open_csv(path, read_options=pacsv.ReadOptions(block_size=1 << 16),
                                parse_options=pacsv.ParseOptions(invalid_row_handler=lambda row: "skip"))
        header = reader.schema.names
    except (pa.ArrowInvalid, OSError, UnicodeDecodeError) as e:
        problems.add(f"{path}:1: cannot read as CSV (UTF-8, comma-separated): {_reason(e)}")
        return None
    twice = sorted({c for c in header if header.count(c) > 1})
    for name, (required, _) in FIELDS[kind].items():
        col, named = mapping.column(kind, name)
        if col is None:
            if required:
                problems.add(f"{path}:1: {kind}.columns.{name}: required, but the mapping sets it to null")
            continue
        if col in twice:
            problems.add(f"{path}:1: {col}: the header names this column {header.count(col)} times")
        elif col in header:
            wanted[name] = col
        elif required or named:
            problems.add(f"{path}:1: {col}: no such column (mapping {kind}.columns.{name}); "
                         f"the file has: {', '.join(header[:30])}")
    if any(p.startswith(f"{path}:1:") for p in problems.lines):
        return None

    # the reader skips empty lines: remember where they are, so rows keep their line numbers
    skipped, total = [], 0
    with open(path, "rb") as f:
        for total, line in enumerate(f, 1):
            if line in (b"\n", b"\r\n"):
                skipped.append(total)

    def invalid(row) -> str:
        """A row with another number of fields than the header is a problem (and is skipped, so
        the line numbers of later rows would be off: the import stops)."""
        problems.add(f"{path}:{_physical(row.number, skipped)}: expected {row.expected_columns} fields (as the "
                     f"header), got {row.actual_columns}")
        return "skip"

    # every column as text: the mapping says what each means, the converters check them
    columns = sorted(set(wanted.values()))
    parts: dict[str, list] = {c: [] for c in columns}
    try:
        reader = pacsv.open_csv(path, read_options=pacsv.ReadOptions(block_size=8 << 20, use_threads=False),
                                parse_options=pacsv.ParseOptions(invalid_row_handler=invalid),
                                convert_options=pacsv.ConvertOptions(
                                    column_types={c: pa.string() for c in header}, include_columns=columns,
                                    strings_can_be_null=False))
        for batch in reader:
            for c in columns:
                parts[c].append(pc.utf8_trim_whitespace(batch.column(c)).to_numpy(zero_copy_only=False))
    except (pa.ArrowInvalid, OSError, UnicodeDecodeError) as e:
        problems.add(f"{path}: cannot read as CSV (UTF-8, comma-separated): {_reason(e)}")
        return None
    data = {c: (np.concatenate(p) if p else np.empty(0, dtype=object)) for c, p in parts.items()}
    fields = {name: data[c] for name, c in wanted.items()}     # one column may serve two fields
    rows = len(next(iter(data.values()))) if data else 0
    table = Table(path, fields, wanted, rows, sorted(skipped))
    if not problems.lines and 1 + rows + len(skipped) != total:
        table.multiline = True
    return table


# ----------------------------------------------------------------------------- value converters
def numbers(t: Table, name: str, mapping_input, problems: Problems, low: float | None = None,
            high: float | None = None) -> np.ndarray:
    """A field as float64 (NaN where empty), through the mapping's ``values`` and ``scale``;
    a value outside [low, high] after mapping is a row problem."""
    if name not in t.fields:
        return np.full(t.rows, np.nan)
    raw = t.fields[name]
    coded = mapping_input.values.get(name)
    out = np.full(t.rows, np.nan)
    text = raw.astype(str)
    if coded:
        lookup = {str(k): v for k, v in coded.items()}
        for i, v in enumerate(text):
            if v == "":
                continue
            if v in lookup:
                try:
                    out[i] = float(lookup[v])
                except (TypeError, ValueError):
                    raise ImportProblems([f"mapping: {name}: values: {v}: expected a number, got {lookup[v]!r}"])
            else:
                problems.add(f"{t.where(i, name)}: {v!r} is not one of the mapped values "
                             f"({', '.join(list(lookup)[:8])})")
    else:
        empty = text == ""
        parsed = np.full(t.rows, np.nan)
        try:
            parsed[~empty] = text[~empty].astype(np.float64)
        except ValueError:
            for i in np.flatnonzero(~empty):
                try:
                    parsed[i] = float(text[i])
                except ValueError:
                    problems.add(f"{t.where(i, name)}: expected a number, got {str(text[i])!r}")
        out = parsed
    if name in mapping_input.scale:
        lo, hi = mapping_input.scale[name]
        bad = ~np.isnan(out) & ((out < lo) | (out > hi))
        for i in np.flatnonzero(bad)[:MAX_PROBLEMS]:
            problems.add(f"{t.where(i, name)}: {out[i]:g} is outside the mapped scale [{lo:g}, {hi:g}]")
        target_lo, target_hi = (0.0, 1.0) if high is None else (low, high)
        out = target_lo + (out - lo) / (hi - lo) * (target_hi - target_lo)
    elif low is not None and high is not None:
        bad = ~np.isnan(out) & ((out < low) | (out > high))
        for i in np.flatnonzero(bad)[:MAX_PROBLEMS]:
            problems.add(f"{t.where(i, name)}: expected {low:g}–{high:g} (map another scale with "
                         f"scale: {{{name}: [low, high]}}), got {out[i]:g}")
    finite = ~np.isnan(out)
    if not np.isfinite(out[finite]).all():
        i = int(np.flatnonzero(finite & ~np.isfinite(out))[0])
        problems.add(f"{t.where(i, name)}: expected a finite number")
    return out


def booleans(t: Table, name: str, mapping_input, problems: Problems) -> np.ndarray:
    """A yes/no field as float (1, 0, NaN where empty or absent)."""
    out = np.full(t.rows, np.nan)
    if name not in t.fields:
        return out
    coded = {str(k).lower(): bool(v) for k, v in mapping_input.values.get(name, {}).items()}
    for i, v in enumerate(t.fields[name]):
        low = v.lower()
        if low in coded:
            out[i] = float(coded[low])
        elif low == "":
            continue
        elif low in TRUE:
            out[i] = 1.0
        elif low in FALSE:
            out[i] = 0.0
        else:
            problems.add(f"{t.where(i, name)}: expected yes/no, got {v!r} (map it with values: {{{name}: {{{v}: yes}}}})")
    return out


DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def dates(t: Table, name: str, problems: Problems) -> np.ndarray:
    """A date field (YYYY-MM-DD, optionally followed by a time) as datetime64[D] (NaT empty)."""
    out = np.full(t.rows, np.datetime64("NaT", "D"), dtype="datetime64[D]")
    if name not in t.fields:
        return out
    raw = t.fields[name]
    given = np.flatnonzero(raw != "")
    values = pa.array(raw[given], pa.string())
    if pc.all(pc.match_substring_regex(values, r"^\d{4}-\d{2}-\d{2}([T ].*)?$")).as_py() is not False:
        try:   # the common case at once (C++); a bad value falls back to the row-by-row check below
            out[given] = pc.utf8_slice_codeunits(values, 0, 10).to_numpy(zero_copy_only=False).astype("datetime64[D]")
            return out
        except ValueError:
            pass
    for i in given:
        v = raw[i]
        m = DATE.match(v)
        try:
            out[i] = np.datetime64(dt.date(int(m[1]), int(m[2]), int(m[3]))) if m else None
        except ValueError:
            m = None
        if not m:
            problems.add(f"{t.where(i, name)}: expected a date YYYY-MM-DD, got {v!r}")
    return out


def text_values(t: Table, name: str, mapping_input) -> np.ndarray:
    """A text field through the mapping's ``values`` (unmapped values stay as they are)."""
    if name not in t.fields:
        return np.full(t.rows, "", dtype=object)
    coded = {str(k): str(v) for k, v in mapping_input.values.get(name, {}).items()}
    raw = t.fields[name]
    return np.array([coded.get(v, v) for v in raw], dtype=object) if coded else raw


# ----------------------------------------------------------------------------- pseudonyms
def read_key(key_file: Path, out: Path) -> tuple[bytes, bool]:
    """The HMAC key of ``key_file``, or 32 new random bytes when it is missing (kept by
    :func:`write_key` once the import succeeds); (key, new). A key file inside the output folder is refused: the key stays
    with the user, never with the data."""
    from ..loader import ScenarioError
    if key_file.resolve().is_relative_to(out.resolve()):
        raise ScenarioError(f"{key_file}: --key-file: the key must not be kept in the output folder {out}")
    if key_file.is_dir():
        raise ScenarioError(f"{key_file}: --key-file: is a folder; give the key's file name")
    if key_file.exists():
        try:
            text = key_file.read_text(encoding="ascii", errors="replace").strip()
        except OSError as e:
            raise ScenarioError(f"{key_file}: --key-file: cannot read: {e.strerror or e}") from None
        if not re.fullmatch(r"[0-9a-f]{32,128}", text):
            raise ScenarioError(f"{key_file}:1: --key-file: expected 32–128 hex digits (a key lesim import wrote)")
        return bytes.fromhex(text[: len(text) // 2 * 2]), False
    parent = key_file.parent if str(key_file.parent) else Path(".")
    existing = next((p for p in (parent, *parent.parents) if p.exists()), Path("/"))
    if not existing.is_dir() or not os.access(existing, os.W_OK):
        raise ScenarioError(f"{key_file}: --key-file: cannot create the key there ({existing} is not a writable folder)")
    return secrets.token_bytes(32), True


def write_key(key_file: Path, key: bytes) -> None:
    """Keep a new key (readable by the user only), once the import has succeeded."""
    from ..loader import ScenarioError
    try:
        key_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(key.hex() + "\n")
    except OSError as e:
        raise ScenarioError(f"{key_file}: --key-file: cannot write the new key: {e.strerror or e}") from None


def pseudonyms(key: bytes, ids: np.ndarray) -> np.ndarray:
    """``p`` + 16 hex digits of HMAC-SHA256(key, id) for each id (see the module docstring)."""
    digest = hmac.digest
    return np.array(["p" + digest(key, v.encode("utf-8"), "sha256").hex()[:16] for v in ids], dtype=object)


# ----------------------------------------------------------------------------- the import
@dataclass
class Report:
    read: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    assumed: list[str] = field(default_factory=list)


def _safe_name(text: str, taken: set[str]) -> str:
    name = re.sub(r"\s+", " ", text).strip()[:60] or "unnamed"
    base, n = name, 2
    while name in taken:
        suffix = f" ({n})"
        name = base[: 60 - len(suffix)] + suffix
        n += 1
    taken.add(name)
    return name


def _people(path: Path, mapping: Mapping, key: bytes, problems: Problems, report: Report) -> dict[str, Any]:
    t = read_export(path, "people", mapping, problems)
    problems.raise_if_any()
    m = mapping.people
    ids = t.fields["id"]
    for name in ("id", "department", "role"):
        empty = np.flatnonzero(t.fields[name] == "")
        for i in empty[:MAX_PROBLEMS]:
            problems.add(f"{t.where(i, name)}: empty; every person needs one")
    first: dict[str, int] = {}
    for i, v in enumerate(ids):
        if v in first and v != "":
            problems.add(f"{t.where(i, 'id')}: duplicate id (first on {t.place(first[v])})")
        else:
            first.setdefault(v, i)
    department = text_values(t, "department", m)
    role = text_values(t, "role", m)
    level = numbers(t, "level", m, problems)
    unit = {"years": 52.0, "months": 52.0 / 12, "weeks": 1.0}[mapping.tenure_unit]
    tenure = numbers(t, "tenure", m, problems) * unit
    hired = dates(t, "hire_date", problems)
    engagement = numbers(t, "engagement", m, problems, 0.0, 1.0)
    hours = numbers(t, "training_hours", m, problems, 0.0, 5000.0)
    count = numbers(t, "training_count", m, problems, 0.0, 1000.0)
    leaver = booleans(t, "leaver", m, problems)
    left = dates(t, "leave_date", problems)
    location = text_values(t, "location", m)
    loc = np.empty(t.rows, dtype=object)
    for i, v in enumerate(location):
        if v == "":
            loc[i] = None
        elif v.lower() in LOCATION_WORDS:
            loc[i] = LOCATION_WORDS[v.lower()]
        else:
            problems.add(f"{t.where(i, 'location')}: expected on-site, hybrid or remote, got {v!r} "
                         f"(map it with values: {{location: {{{v}: remote}}}})")
    problems.raise_if_any()
    # as of: the mapping's, else the latest hire or leave date (never after today), else today
    today = np.datetime64(dt.date.today())
    if mapping.as_of:
        as_of = np.datetime64(mapping.as_of)
    else:
        stamps = [d[~np.isnat(d)].max() for d in (hired, left) if (~np.isnat(d)).any()]
        as_of = min(max(stamps), today) if stamps else today
    window = as_of - np.timedelta64(LAST_YEAR_DAYS, "D")
    # who left before the last year is not part of the organisation: dropped (counted)
    gone = ~np.isnat(left) & (left <= window)
    if gone.any():
        report.dropped.append(f"{int(gone.sum())} people who left before {window} (not in the organisation)")
    keep = np.flatnonzero(~gone)
    by_date = np.isnan(leaver) & ~np.isnat(left)
    leaver[by_date] = (left[by_date] <= as_of).astype(float)
    if "leave_date" in t.fields and "leaver" not in t.fields:
        leaver[np.isnan(leaver)] = 0.0     # a leave-date column: no date means still here
    first = {ids[i]: n for n, i in enumerate(keep)}
    # managers: a person of the file; one who is not (left, outside the export) is replaced by the top
    manager = np.full(len(keep), -1, dtype=np.int64)
    orphans = []
    if "manager" in t.fields:
        given = t.fields["manager"]
        for n, i in enumerate(keep):
            v = given[i]
            if v == "" or v == ids[i]:
                continue
            j = first.get(v)
            if j is None:
                orphans.append(n)
            else:
                manager[n] = j
        roots = np.flatnonzero(manager < 0)
        roots = roots[~np.isin(roots, orphans)]
        if orphans and len(roots):
            dept_root = {}
            for r in roots[::-1]:
                dept_root[department[keep[r]]] = r
            for n in orphans:
                manager[n] = dept_root.get(department[keep[n]], roots[0])
            report.dropped.append(f"{len(orphans)} people's managers are not in {path.name}: they report to the top "
                                  "of the hierarchy (the person without a manager in their department, else the first)")
        elif orphans and (manager >= 0).any():
            report.dropped.append(f"{len(orphans)} people's managers are not in {path.name} and nobody is without "
                                  "a manager: they are the top of the hierarchy (executives)")
        if not (manager >= 0).any():
            report.assumed.append(f"no manager in the manager column is a person of {path.name}: teams are formed "
                                  "by department and role (the highest levels lead; docs/ODD.md, imported organisations)")
        _check_cycles(t, manager, keep, problems)
        problems.raise_if_any()
    else:
        report.assumed.append("no manager column: teams are formed by department and role (the highest levels "
                              "lead; docs/ODD.md, imported organisations)")
    kept = ids[keep]
    return {"table": t, "ids": kept, "pid": pseudonyms(key, kept), "index": first, "department": department[keep],
            "role": role[keep], "level": level[keep], "tenure": tenure[keep], "hired": hired[keep],
            "engagement": engagement[keep], "hours": hours[keep], "count": count[keep], "leaver": leaver[keep],
            "location": loc[keep], "manager": manager, "as_of": as_of}


def _check_cycles(t: Table, manager: np.ndarray, rows: np.ndarray, problems: Problems) -> None:
    """A management chain that never reaches the top is a row problem (``rows``: each person's
    row in ``t``). Pointer doubling: after ⌈log2 n⌉ + 1 rounds each person's pointer is an
    ancestor at least n steps up, which is the top (a fixed point) unless the chain runs into a
    loop (O(n log n))."""
    n = len(manager)
    up = np.where(manager >= 0, manager, np.arange(n))
    for _ in range(int(np.ceil(np.log2(max(n, 2)))) + 1):
        up = up[up]
    for i in np.flatnonzero(manager[up] >= 0)[:MAX_PROBLEMS]:
        problems.add(f"{t.where(int(rows[i]), 'manager')}: the management chain never reaches the top (it runs "
                     "into a loop)")


def _skills(paths: dict[str, Path | None], mapping: Mapping, roles: list[str], problems: Problems,
            report: Report) -> tuple[list[dict], list[dict], dict[str, str]]:
    """(skills, roles with requirements, skill id → skill name)."""
    from ..scenario import _default_roles, _default_skills
    skills: list[dict] = []
    name_of: dict[str, str] = {}
    taken: set[str] = set()
    if paths.get("skills"):
        t = read_export(paths["skills"], "skills", mapping, problems)
        problems.raise_if_any()
        m = mapping.skills
        label = t.fields.get("label", t.fields["id"])
        is_open = booleans(t, "open", m, problems)
        for i, sid in enumerate(t.fields["id"]):
            if sid == "":
                problems.add(f"{t.where(i, 'id')}: empty skill id")
                continue
            if sid in name_of:
                problems.add(f"{t.where(i, 'id')}: duplicate skill id {sid!r}")
                continue
            name_of[sid] = _safe_name(label[i] or sid, taken)
            entry = {"name": name_of[sid], "open": bool(is_open[i]) if not np.isnan(is_open[i]) else True}
            if "code" in t.fields and t.fields["code"][i]:
                entry["code"] = t.fields["code"][i][:200]
            skills.append(entry)
        problems.raise_if_any()
    reqs: dict[str, dict[str, dict]] = defaultdict(dict)
    if paths.get("requirements"):
        t = read_export(paths["requirements"], "requirements", mapping, problems)
        problems.raise_if_any()
        m = mapping.requirements
        level = numbers(t, "level", m, problems, 0.0, 5.0)
        crit = numbers(t, "criticality", m, problems, 0.0, 1.0)
        problems.raise_if_any()
        unknown_roles, unknown_skills = Counter(), Counter()
        for i in range(t.rows):
            r, sid = t.fields["role"][i], t.fields["skill"][i]
            if np.isnan(level[i]):
                problems.add(f"{t.where(i, 'level')}: empty; a requirement needs a level")
                continue
            if r not in roles:
                unknown_roles[r] += 1
                continue
            if sid not in name_of:
                if paths.get("skills"):
                    unknown_skills[sid] += 1
                    continue
                name_of[sid] = _safe_name(sid, taken)
                skills.append({"name": name_of[sid], "open": True})
            reqs[r][name_of[sid]] = {"level": round(float(level[i]), 4),
                                     "criticality": round(float(crit[i]) if not np.isnan(crit[i]) else 0.5, 4)}
        problems.raise_if_any()
        if unknown_roles:
            report.dropped.append(f"{sum(unknown_roles.values())} requirements of roles nobody holds in the people "
                                  f"export ({', '.join(sorted(unknown_roles)[:5])})")
        if unknown_skills:
            report.dropped.append(f"{sum(unknown_skills.values())} requirements of skills not in the taxonomy "
                                  f"({', '.join(sorted(unknown_skills)[:5])})")
    if not skills:
        skills = [s.model_dump(exclude_none=True) for s in _default_skills()]
        name_of = {s["name"]: s["name"] for s in skills}
        report.assumed.append("no skills taxonomy or requirements: the built-in 8 skills")
    profiles = {r.name: {k: v.model_dump() for k, v in r.requirements.items()} for r in _default_roles()}
    out_roles, fallback = [], []
    for r in roles:
        if reqs.get(r):
            out_roles.append({"name": r, "requirements": reqs[r]})
            continue
        if paths.get("requirements") or paths.get("skills"):
            fallback.append(r)
            out_roles.append({"name": r, "requirements": {}})
            continue
        base = r.lower() if r.lower() in profiles else mapping.role_profile
        if base not in profiles:
            raise ImportProblems([f"role_profile: {mapping.role_profile!r} is not a built-in role "
                                  f"({', '.join(profiles)})"])
        if base == mapping.role_profile:
            fallback.append(r)
        out_roles.append({"name": r, "requirements": profiles[base]})
    if fallback and (paths.get("requirements") or paths.get("skills")):
        report.assumed.append(f"{len(fallback)} roles have no requirements in the file and so no skills gap: "
                              f"{', '.join(fallback[:8])}")
    elif fallback:
        report.assumed.append(f"{len(fallback)} roles take the requirements of the built-in role "
                              f"{mapping.role_profile!r} (role_profile): {', '.join(fallback[:8])}")
    return skills, out_roles, name_of


def _assessments(path: Path, mapping: Mapping, people: dict, name_of: dict[str, str], problems: Problems,
                 report: Report) -> list[tuple[str, str, float]]:
    t = read_export(path, "assessments", mapping, problems)
    problems.raise_if_any()
    level = numbers(t, "level", mapping.assessments, problems, 0.0, 5.0)
    when = dates(t, "date", problems)
    problems.raise_if_any()
    latest: dict[tuple[int, str], tuple] = {}
    unknown_people = unknown_skills = 0
    for i in range(t.rows):
        j = people["index"].get(t.fields["employee"][i])
        sid = t.fields["skill"][i]
        if np.isnan(level[i]):
            problems.add(f"{t.where(i, 'level')}: empty; an assessment needs a level")
            continue
        if j is None:
            unknown_people += 1
            continue
        if sid not in name_of:
            unknown_skills += 1
            continue
        stamp = when[i] if not np.isnat(when[i]) else np.datetime64("1970-01-01")
        prev = latest.get((j, sid))
        if prev is None or stamp >= prev[0]:
            latest[(j, sid)] = (stamp, float(level[i]))
    problems.raise_if_any()
    if unknown_people:
        report.dropped.append(f"{unknown_people} assessments of people not in the people export")
    if unknown_skills:
        report.dropped.append(f"{unknown_skills} assessments of skills not in the taxonomy or requirements")
    report.read.append(f"{len(latest)} assessed person-skill pairs (latest of {t.rows} assessments)")
    return [(people["pid"][j], name_of[sid], round(v, 4)) for (j, sid), (_, v) in sorted(latest.items())]


def _xapi_rows(path: Path, problems: Problems) -> tuple[list[dict], list[int]]:
    """xAPI statements as completion rows and the line each came from: a JSON array, an LRS
    result (``{"statements": [...], "more": …}``) or JSON Lines. The actor's account name (else
    its mbox without ``mailto:``) is the employee, the object id the item, result.duration the
    hours, the timestamp the date; only statements whose verb ends in completed, passed or
    attended count as completions (ADL verbs)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        problems.add(f"{path}:1: cannot read as UTF-8 JSON: {_reason(e)}")
        return [], []
    rows, lines = [], []
    stripped = text.lstrip()
    items: list[tuple[int, Any]] = []
    if stripped.startswith(("[", "{")) and not (stripped.startswith("{") and "\n{" in stripped.rstrip()):
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as e:
            problems.add(f"{path}:{e.lineno}: not valid JSON: {e.msg}")
            return rows, lines
        if isinstance(doc, dict) and "statements" in doc:
            doc = doc["statements"]
        if not isinstance(doc, list):
            doc = [doc]
        items = [(1, st) for st in doc]      # one document: statements are named by their position
    else:
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                items.append((n, json.loads(line)))
            except json.JSONDecodeError as e:
                problems.add(f"{path}:{n}: not valid JSON: {e.msg}")
    for k, (n, st) in enumerate(items, 1):
        where = f"{path}:{n}: " + (f"statement {k}: " if len(items) > 1 and items[-1][0] == 1 else "")
        if not isinstance(st, dict):
            problems.add(f"{where}expected a statement object")
            continue
        verb = st.get("verb")
        verb_id = str(verb.get("id", "")) if isinstance(verb, dict) else ""
        if not verb_id.rsplit("/", 1)[-1] in ("completed", "passed", "attended"):
            continue
        actor = st.get("actor") if isinstance(st.get("actor"), dict) else {}
        account = actor.get("account") if isinstance(actor.get("account"), dict) else {}
        who = str(account.get("name") or "") or str(actor.get("mbox") or "").removeprefix("mailto:")
        if not who:
            problems.add(f"{where}actor: no account name or mbox to identify the employee")
            continue
        obj = st.get("object") if isinstance(st.get("object"), dict) else {}
        result = st.get("result") if isinstance(st.get("result"), dict) else {}
        duration = result.get("duration") or ""
        hours = _iso_hours(duration) if isinstance(duration, str) else None
        if duration and hours is None:
            problems.add(f"{where}result.duration: not an ISO 8601 duration: {str(duration)[:40]!r}")
            continue
        stamp = str(st.get("timestamp") or "")
        if stamp and not DATE.match(stamp):
            problems.add(f"{where}timestamp: expected an ISO 8601 timestamp, got {stamp[:40]!r}")
            continue
        rows.append({"employee": who, "item": str(obj.get("id", "")), "hours": "" if hours is None else str(hours),
                     "date": stamp[:10], "skill": ""})
        lines.append(n)
    return rows, lines


ISO = re.compile(r"^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


def _iso_hours(text: str) -> float | None:
    m = ISO.match(text)
    if not text or not m:
        return None
    d, h, mi, s = (float(x) if x else 0.0 for x in m.groups())
    return d * 24 + h + mi / 60 + s / 3600


def _completions(paths: list[tuple[str, Path]], mapping: Mapping, people: dict, name_of: dict[str, str],
                 as_of: np.datetime64, problems: Problems, report: Report) -> tuple[np.ndarray, list[dict], dict]:
    """Hours per person in the year before ``as_of``, catalogue items (those with a skill) and facts."""
    hours_by = np.zeros(len(people["ids"]))
    seen_people = np.zeros(len(people["ids"]), dtype=bool)
    items: dict[str, dict] = {}
    total = counted = unknown = old = 0
    start = as_of - np.timedelta64(LAST_YEAR_DAYS, "D")
    for kind, path in paths:
        if kind == "xapi":
            rows, lines = _xapi_rows(path, problems)
            problems.raise_if_any()
            names = ("employee", "item", "hours", "date", "skill")
            t = Table(path, {k: np.array([r[k] for r in rows], dtype=object) for k in names},
                      {"employee": "actor", "item": "object.id", "hours": "result.duration", "date": "timestamp",
                       "skill": "skill"}, len(rows), lines=np.array(lines, dtype=np.int64))
            m = Mapping().completions
        else:
            t = read_export(path, "completions", mapping, problems)
            problems.raise_if_any()
            m = mapping.completions
        hrs = numbers(t, "hours", m, problems, 0.0, 1000.0)
        when = dates(t, "date", problems)
        problems.raise_if_any()
        hrs = np.where(np.isnan(hrs), mapping.default_hours, hrs)
        for i in range(t.rows):
            total += 1
            j = people["index"].get(t.fields["employee"][i])
            if j is None:
                unknown += 1
                continue
            if not np.isnat(when[i]) and not (start < when[i] <= as_of):
                old += 1
                continue
            counted += 1
            hours_by[j] += hrs[i]
            seen_people[j] = True
            sid = t.fields["skill"][i] if "skill" in t.fields else ""
            item = t.fields["item"][i]
            if sid and sid in name_of and item not in items and len(items) < 500:
                items[item] = {"skill": name_of[sid], "hours": []}
            if item in items:
                items[item]["hours"].append(float(hrs[i]))
    if unknown:
        report.dropped.append(f"{unknown} learning records of people not in the people export")
    if old:
        report.dropped.append(f"{old} learning records outside the year before {as_of} (not counted in hours)")
    report.read.append(f"{counted} learning records in the last year ({total} read)")
    catalogue = [{"skill": v["skill"], "level": 2, "modality": MODALITY_DEFAULT,
                  "duration_hours": round(max(0.25, float(np.median(v["hours"]))), 2)} for v in items.values()]
    if catalogue:
        report.assumed.append(f"{len(catalogue)} learning items with a skill join the catalogue as level-2 courses "
                              "(level and modality are not in the records)")
    return np.where(seen_people, hours_by, np.nan), catalogue, {"records": counted}


def _network(path: Path, mapping: Mapping, people: dict, problems: Problems, report: Report) -> list[tuple]:
    t = read_export(path, "network", mapping, problems)
    problems.raise_if_any()
    w = numbers(t, "weight", mapping.network, problems)
    problems.raise_if_any()
    w = np.where(np.isnan(w), 1.0, w)
    ties: dict[tuple[int, int], float] = defaultdict(float)
    unknown = loops = 0
    for i in range(t.rows):
        a, b = people["index"].get(t.fields["a"][i]), people["index"].get(t.fields["b"][i])
        if a is None or b is None:
            unknown += 1
            continue
        if a == b:
            loops += 1
            continue
        ties[(min(a, b), max(a, b))] += w[i]
    weak = sum(1 for v in ties.values() if v < mapping.min_weight)
    kept = [(people["pid"][a], people["pid"][b], round(v, 6)) for (a, b), v in sorted(ties.items())
            if v >= mapping.min_weight]
    if unknown:
        report.dropped.append(f"{unknown} ties with someone not in the people export")
    if loops:
        report.dropped.append(f"{loops} ties of a person with themselves")
    if weak:
        report.dropped.append(f"{weak} ties weaker than min_weight {mapping.min_weight:g}")
    report.read.append(f"{len(kept)} collaboration ties (from {t.rows} rows)")
    return kept


def _write_csv(path: Path, columns: tuple[str, ...], data: dict[str, Any]) -> None:
    table = pa.table({c: data[c] for c in columns})
    pacsv.write_csv(table, path, write_options=pacsv.WriteOptions(quoting_style="needed"))


def _entry(folder: Path, name: str) -> dict:
    from .tables import file_facts
    sha, rows = file_facts(str(folder / name))
    return {"file": name, "sha256": sha, "rows": rows}


def _wilson(k: int, n: int) -> tuple[float, float]:
    if n == 0:
        return 0.0, 1.0
    z, p = 1.96, k / n
    c = (p + z * z / (2 * n)) / (1 + z * z / n)
    h = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return float(c - h), float(c + h)


def run_import(people: Path, out: Path, key_file: Path, mapping: Mapping, *, skills: Path | None = None,
               requirements: Path | None = None, assessments: Path | None = None, completions: Path | None = None,
               xapi: Path | None = None, network: Path | None = None, name: str | None = None,
               min_group: int = 5) -> dict:
    """Import an organisation (see the module docstring); returns a summary. Raises
    :class:`ImportProblems` (row problems) or ScenarioError (a bad option); writes nothing then."""
    from ..loader import ScenarioError
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ScenarioError(f"{out}: --out: must be a new or empty folder")
    problems, report = Problems(), Report()
    key, created = read_key(key_file, out)
    p = _people(people, mapping, key, problems, report)
    n = len(p["ids"])
    if n < max(2, min_group):
        raise ImportProblems([f"{people}: {n} people, fewer than the smallest group reports may show "
                              f"(--min-group {min_group}): every figure would be of fewer people"])
    for what, values, limit in (("departments", p["department"], MAX_DEPARTMENTS), ("roles", p["role"], MAX_ROLES)):
        distinct = len(set(values))
        if distinct > limit:
            field = "department" if what == "departments" else "role"
            raise ImportProblems([f"{people}: {distinct:,} {what}, more than the {limit:,} a scenario holds: merge "
                                  f"them in the mapping (people: values: {{{field}: {{old: new, …}}}})"])
    report.read.append(f"{n} people in {len(set(p['department']))} departments")
    as_of = p["as_of"]
    tenure = p["tenure"]
    from_dates = np.isnan(tenure) & ~np.isnat(p["hired"])
    tenure[from_dates] = np.maximum((as_of - p["hired"][from_dates]).astype(np.float64) / 7.0, 0.0)
    leaver = p["leaver"]
    hours = p["hours"]
    from_count = np.isnan(hours) & ~np.isnan(p["count"])
    hours[from_count] = p["count"][from_count] * mapping.hours_per_training
    if from_count.any():
        report.assumed.append(f"learning hours from training counts × {mapping.hours_per_training:g} h "
                              "(hours_per_training)")
    roles = sorted(set(p["role"]))
    depts = sorted(set(p["department"]))
    skills_list, roles_list, name_of = _skills({"skills": skills, "requirements": requirements}, mapping, roles,
                                               problems, report)
    assessed = _assessments(assessments, mapping, p, name_of, problems, report) if assessments else []
    catalogue: list[dict] = []
    if completions or xapi:
        sources = ([("csv", completions)] if completions else []) + ([("xapi", xapi)] if xapi else [])
        lms_hours, catalogue, facts = _completions(sources, mapping, p, name_of, as_of, problems, report)
        if facts["records"]:   # with records, someone without any learned nothing formally
            hours = np.where(np.isnan(lms_hours), 0.0, lms_hours)
            report.assumed.append("learning hours from the learning records (the people export's hours, if any, "
                                  "are not added)")
        else:
            report.dropped.append("no learning record counted (none of the last year, of people in the export): "
                                  "learning hours are the people export's, if any")
    ties = _network(network, mapping, p, problems, report) if network else []
    if not assessed:
        report.assumed.append("no assessments: proficiency is drawn from the role requirements with the declared "
                              "spread (organisation.initial_proficiency) and settled by the spin-up")
    if "engagement" not in p["table"].fields:
        report.assumed.append("no engagement column: engagement is drawn (rules.people) and settled by the spin-up")
    problems.raise_if_any()

    manager = p["manager"]
    has_lines = (manager >= 0).any()
    # the organisation section
    counts = Counter(p["department"])
    mixes: dict[str, dict[str, int]] = defaultdict(dict)
    for (d, r), c in Counter(zip(p["department"], p["role"])).items():   # one pass, whatever the departments
        mixes[d][r] = c
    departments = [{"name": d, "share": round(counts[d] / n, 6),
                    "roles": {r: round(c / counts[d], 6) for r, c in sorted(mixes[d].items())}} for d in depts]
    located = [x for x in p["location"] if x is not None]
    if has_lines:
        executives = int(min((manager < 0).sum(), 1000))   # not read: the hierarchy is the file's
        reports = np.bincount(manager[manager >= 0], minlength=n)
        span = int(np.clip(np.median(reports[reports > 0]), 1, 100)) if (reports > 0).any() else 8
        lead_roles = Counter(p["role"][reports > 0])
    else:
        executives = int(min(3, max(1, n // 100)))     # the formed hierarchy's leaders (organisation.executives)
        span = 8
        lead_roles = Counter()
    named = [r for r in roles if r.lower() == "manager"]
    manager_role = lead_roles.most_common(1)[0][0] if lead_roles else (named or roles)[0]
    org: dict[str, Any] = {
        "size": n, "team_size": span, "executives": max(1, executives), "manager_role": manager_role,
    }
    if located:
        share = Counter(located)
        org["remote_share"] = round(share["remote"] / len(located), 6)
        org["hybrid_share"] = round(share["hybrid"] / len(located), 6)
    org.update({"skills": skills_list, "roles": roles_list, "departments": departments})

    # observed figures for calibration
    targets: dict[str, dict] = {}
    known = ~np.isnan(leaver)
    if known.any():
        k, m = int(leaver[known].sum()), int(known.sum())
        lo, hi = _wilson(k, m)
        targets["turnover"] = {"value": round(k / m, 4), "interval": [round(lo, 4), round(hi, 4)],
                               "source": f"{people.name}: {k} leavers of {m} people in the last year"}
    v = hours[~np.isnan(hours)]
    mean, lo, hi = t_interval(v)
    if hi > lo:     # a figure without spread (all equal, all zero) or of one person is no observation to fit
        targets["learning_hours"] = {"value": round(mean, 3), "interval": [round(max(0.0, lo), 3), round(hi, 3)],
                                     "source": f"formal learning hours in the last year of {len(v)} people"}

    scenario_name = name or re.sub(r"[^A-Za-z0-9_.\- ]", "_", out.name).lstrip("._- ") or "imported"
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))   # same file system: an atomic rename
    except OSError as e:
        raise ScenarioError(f"{out}: --out: cannot write there: {e.strerror or e}") from None
    try:
        pid = p["pid"]
        _write_csv(tmp / "people.csv", PEOPLE_COLUMNS, {
            "id": pa.array(pid, pa.string()), "department": pa.array(p["department"], pa.string()),
            "role": pa.array(p["role"], pa.string()),
            "manager": pa.array([pid[j] if j >= 0 else None for j in manager], pa.string()),
            "level": pa.array(p["level"], from_pandas=True), "tenure_weeks": pa.array(np.round(tenure), from_pandas=True),
            "location": pa.array(p["location"], pa.string()),
            "engagement": pa.array(np.round(p["engagement"], 6), from_pandas=True),
            "learning_hours": pa.array(np.round(hours, 4), from_pandas=True),
            "leaver": pa.array(leaver, from_pandas=True)})
        data: dict[str, Any] = {"people": _entry(tmp, "people.csv")}
        if ties:
            a, b, w = zip(*ties)
            _write_csv(tmp / "network.csv", NETWORK_COLUMNS, {"a": pa.array(a, pa.string()), "b": pa.array(b, pa.string()),
                                                              "weight": pa.array(w, pa.float64())})
            data["network"] = _entry(tmp, "network.csv")
        if assessed:
            i, s, lv = zip(*assessed)
            _write_csv(tmp / "assessments.csv", ASSESSMENT_COLUMNS, {
                "id": pa.array(i, pa.string()), "skill": pa.array(s, pa.string()), "level": pa.array(lv, pa.float64())})
            data["assessments"] = _entry(tmp, "assessments.csv")
        data["min_group_size"] = int(min_group)
        org["data"] = data
        inputs = ", ".join(f.name for f in (people, skills, requirements, assessments, completions, xapi, network) if f)
        scenario = {"name": scenario_name[:100],
                    "description": f"Imported by lesim import from {inputs} (as of {as_of}). Culture, leadership, "
                                   "policies and rules are the built-in defaults until you set them; see "
                                   "import_report.md for what was dropped and assumed.",
                    "weeks": 260, "seed": 1, "organisation": org}
        if catalogue:
            scenario["content"] = {"items": catalogue}
        header = ("# Written by lesim import: the organisation of the exports, pseudonymised.\n"
                  "# The tables below organisation.data must stay in this folder; edit them only by importing again.\n")
        (tmp / "scenario.yaml").write_text(header + yaml.dump(scenario, Dumper=_Plain, sort_keys=False, allow_unicode=True),
                                           encoding="utf-8")
        if targets:
            (tmp / "targets.yaml").write_text(
                "# Observed figures of the organisation (lesim import); fit the model to them with\n"
                "#   lesim calibrate scenario.yaml --targets targets.yaml\n"
                + yaml.safe_dump({"targets": targets}, sort_keys=False, allow_unicode=True), encoding="utf-8")
        lines = ["# Import report", "", f"As of {as_of}. Ids are pseudonymised with the key in {key_file.name} "
                 "(kept outside this folder).", "", "## Read"] + [f"- {x}" for x in report.read]
        lines += ["", "## Dropped"] + ([f"- {x}" for x in report.dropped] or ["- nothing"])
        lines += ["", "## Assumed"] + ([f"- {x}" for x in report.assumed] or ["- nothing"])
        if targets:
            lines += ["", "## Proposed calibration targets (targets.yaml)"] + [
                f"- {k}: {v['value']} [{v['interval'][0]}, {v['interval'][1]}] ({v['source']})"
                for k, v in targets.items()]
        (tmp / "import_report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
        from ..loader import load_scenario
        try:
            load_scenario(tmp / "scenario.yaml")          # what we wrote must validate
        except ScenarioError as e:
            raise ScenarioError(f"{people}: the imported organisation is not a valid scenario: "
                                f"{str(e).replace(str(tmp), str(out))}") from None
        if created:
            write_key(key_file, key)
        if out.exists():
            out.rmdir()
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return {"out": out, "people": n, "key_created": created, "key_file": key_file, "report": report,
            "targets": targets}
