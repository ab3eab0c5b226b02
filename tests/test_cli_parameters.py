"""``lesim parameters --format table|csv|json``: the real command, its files parsed back.

Every parameter declared in the scenario format is listed once, with the same values in
CSV (for Excel) and JSON (for tools); uncertainties carry a plausible range inside their
valid range.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from sim.parameters import PARAMETER_COLUMNS, Section, iter_parameters, param, parameter_records
from sim.scenario import Scenario

from .conftest import ROOT, lesim

DECLARED = list(iter_parameters(Scenario))
NUMBER_COLUMNS = ("low", "high", "plausible_low", "plausible_high")


def run_bytes(*args: str) -> bytes:
    """stdout of the real command as bytes (the CSV's encoding is part of what is tested)."""
    proc = subprocess.run([sys.executable, "-m", "sim", "parameters", *args], cwd=ROOT, capture_output=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr.decode()
    return proc.stdout


@pytest.fixture(scope="module")
def as_json() -> list[dict]:
    return json.loads(run_bytes("--format", "json"))


@pytest.fixture(scope="module")
def csv_bytes() -> bytes:
    return run_bytes("--format", "csv")


def parse_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def plausible_problems(records: list[dict]) -> list[str]:
    """Parameters whose plausible range is half given, reversed or outside [low, high]."""
    bad = []
    for r in records:
        lo, hi = r["plausible_low"], r["plausible_high"]
        if lo is None and hi is None:
            continue
        if lo is None or hi is None or lo > hi:
            bad.append(f"{r['path']}: plausible range {lo}…{hi} is not a range")
        elif (r["low"] is not None and lo < r["low"]) or (r["high"] is not None and hi > r["high"]):
            bad.append(f"{r['path']}: plausible range {lo}…{hi} outside the valid range {r['low']}…{r['high']}")
    return bad


def test_json_lists_every_declared_parameter_once_in_order(as_json):
    assert isinstance(as_json, list)
    assert [r["path"] for r in as_json] == [p.path for p in DECLARED]
    assert all(list(r) == list(PARAMETER_COLUMNS) for r in as_json)


def test_json_keeps_numbers_as_numbers_and_null_where_absent(as_json):
    declared = {p.path: p for p in DECLARED}
    for r in as_json:
        p = declared[r["path"]]
        assert r["default"] == p.default and type(r["default"]) is type(p.default), r["path"]
        assert (r["low"], r["high"]) == (p.low, p.high), r["path"]
        assert (r["plausible_low"], r["plausible_high"]) == (p.plausible or (None, None)), r["path"]
        for col in NUMBER_COLUMNS:
            assert r[col] is None or (isinstance(r[col], (int, float)) and not isinstance(r[col], bool)), (r["path"], col)
        assert (r["kind"], r["unit"], r["source"], r["description"]) == (p.kind, p.unit, p.source, p.description)
    assert any(r["low"] is None for r in as_json), "some parameters (names, flags) have no range: null"


def test_csv_opens_in_excel_one_row_per_parameter(csv_bytes):
    assert csv_bytes.startswith(b"\xef\xbb\xbf"), "a UTF-8 byte-order mark, so Excel does not read it as ANSI"
    assert b"\r\n" in csv_bytes and b"\n" not in csv_bytes.replace(b"\r\n", b""), "Excel line ends"
    rows = parse_csv(csv_bytes)
    assert rows[0] == list(PARAMETER_COLUMNS)
    assert [r[0] for r in rows[1:]] == [p.path for p in DECLARED]
    assert all(len(r) == len(PARAMETER_COLUMNS) for r in rows)
    assert "0–1" in {r[2] for r in rows[1:]}, "non-ASCII units survive the round trip"


def test_csv_and_json_agree(csv_bytes, as_json):
    rows = parse_csv(csv_bytes)
    header = rows[0]
    for row, r in zip(rows[1:], as_json, strict=True):
        cells = dict(zip(header, row))
        for col in NUMBER_COLUMNS:
            assert (cells[col] == "") == (r[col] is None), (r["path"], col)
            if r[col] is not None:
                assert json.loads(cells[col]) == r[col], (r["path"], col)  # the exact number, not a rounded one
        default = r["default"]
        expected = ("true" if default else "false") if isinstance(default, bool) else str(default)
        assert cells["default"] == expected, r["path"]
        for col in ("path", "unit", "kind", "source", "description"):
            assert cells[col] == r[col], (r["path"], col)


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_kind_filters(fmt):
    data = run_bytes("--format", fmt, "--kind", "uncertainty")
    paths = [r[0] for r in parse_csv(data)[1:]] if fmt == "csv" else [r["path"] for r in json.loads(data)]
    assert paths == [p.path for p in DECLARED if p.kind == "uncertainty"] and paths


def test_table_shows_the_plausible_range_column():
    proc = lesim("parameters", "--kind", "uncertainty", check=True)
    header = next(line for line in proc.stdout.splitlines() if "path" in line)
    assert [c.strip() for c in header.strip("┃│ ").split("┃")] == ["path", "default", "range", "plausible", "unit",
                                                                   "kind", "source"]
    assert proc.stdout.count("uncertainty") == sum(p.kind == "uncertainty" for p in DECLARED)


def test_an_unknown_format_is_refused():
    proc = lesim("parameters", "--format", "xml")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_plausible_ranges_lie_within_the_valid_range(as_json):
    assert plausible_problems(as_json) == []


def test_the_plausible_range_check_catches_bad_declarations():
    class Bad(Section):
        inside: float = param(0.5, "x", ge=0, le=1, plausible=(0.2, 0.8))
        outside: float = param(0.5, "x", ge=0, le=1, plausible=(0.2, 1.5))
        reversed_: float = param(0.5, "x", ge=0, plausible=(0.8, 0.2))

    assert [p.split(":")[0] for p in plausible_problems(parameter_records(Bad))] == ["outside", "reversed_"]


def test_every_uncertainty_has_a_plausible_range_and_a_source(as_json):
    uncertainties = [r for r in as_json if r["kind"] == "uncertainty"]
    assert uncertainties
    missing = [r["path"] for r in uncertainties if r["plausible_low"] is None or r["plausible_high"] is None]
    assert missing == [], f"uncertainties without a plausible range: {', '.join(missing)}"
    assert all(r["source"].strip() for r in uncertainties), "every uncertainty names a source or 'assumption'"
