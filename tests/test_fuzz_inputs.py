"""Fuzzing the CLI's inputs (issue 14): any scenario file, ``--set`` value or key either
validates or gives exactly one line ``error: …`` with exit status 2, no traceback, within a
time bound, and never writes an output.

Hypothesis with fixed budgets and ``derandomize=True`` (the same examples every run, no
example database). The CLI runs in-process (:class:`typer.testing.CliRunner`) for speed,
plus a few cases through the real entry point (``python -m sim``). Each test records what it
tried in ``tests/artifacts/fuzz/<test>.json``: ``{"tried": N, "correct": N, "valid": N, "what": …}``
(``valid``: how many of the N validated or ran; the others were refused with one line).
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from sim.cli import app  # noqa: E402
from sim.parameters import parameter_records  # noqa: E402
from sim.scenario import Scenario  # noqa: E402

from .conftest import ROOT  # noqa: E402
from .fuzzcounts import record  # noqa: E402

BASELINE_TEXT = (ROOT / "scenarios" / "baseline.yaml").read_text()
BASELINE = yaml.safe_load(BASELINE_TEXT)
SMALL = {"name": "small", "weeks": 1, "seed": 1, "organisation": {"size": 40}, "start": {"spin_up_weeks": 0}}
SECONDS = 10.0  # one validation (in-process) may take at most this long
RUN_SECONDS = 90.0  # one fuzzed run of 40 people for a week, writing every output (charts, report), on a busy machine
FUZZ = settings(database=None, derandomize=True, deadline=None, print_blob=False,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])

# values a careless or hostile user may type; control characters, markup, huge and tiny numbers, deep nesting
ODD_TEXT = ["[/x]", "[bold]", "[link=https://example.org]weeks[/link]", ":smile:", "a\nb", "\x1b[31mred", "\ufeffbom",
            "a\x1fb", "\r", "\t", "\u2028", "é漢字🙂", "", " ", "~", "null", "yes", "no", "on", "1:30", "0x1", "0o7",
            "1_000", ".nan", ".inf", "-.inf", "1e400", "5e-324", "9" * 120, "&a", "*a", "!!python/object:os.system",
            "{", "[", "'", '"', "%", "@", "`", "- - -", "---", "...", "<<", "=", "key: value", "\\x00"]
ODD_NUMBERS = [0, -1, 1, 2**63 - 1, 2**63, -(2**63), 10**30, 0.0, -0.0, 5e-324, 1e308, float("inf"),
               float("-inf"), float("nan"), 0.5, 1.5, 1e-9, 99999999]
DEEP: Any = 1
for _ in range(60):
    DEEP = [DEEP]


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, prefix + (i,))
    return out


BASE_PATHS = _paths(BASELINE)
PARAMETER_PATHS = sorted({r["path"] for r in parameter_records(Scenario, None)
                          if "*" not in r["path"] and "[" not in r["path"]})
# parameters a short run of a small organisation may take any value of without running for long, with their bounds
RUNNABLE = {r["path"]: (r["low"], r["high"]) for r in parameter_records(Scenario, None)
            if "*" not in r["path"] and "[" not in r["path"] and r["path"] not in {"organisation.size", "weeks",
                                                                                   "start.spin_up_weeks"}
            and not r["path"].startswith(("organisation.", "content.", "labour_market.time_to_fill"))}


@st.composite
def runnable_settings(draw) -> tuple[str, str]:
    """A rule or policy parameter and a value at, inside, just outside or far outside its range."""
    path = draw(st.sampled_from(sorted(RUNNABLE)))
    low, high = RUNNABLE[path]
    edges = [v for v in (low, high) if isinstance(v, (int, float)) and not isinstance(v, bool)]
    near = [str(v) for v in edges] + [str(v + d) for v in edges for d in (-1e-9, 1e-9, -1, 1)]
    if len(edges) == 2:
        near.append(str((edges[0] + edges[1]) / 2))
    value = draw(st.sampled_from(near) if near else set_values) if draw(st.integers(0, 3)) else draw(set_values)
    return path, value

scalars = (st.sampled_from(ODD_TEXT) | st.sampled_from(ODD_NUMBERS) | st.integers()
           | st.floats(allow_nan=True, allow_infinity=True) | st.booleans() | st.none() | st.text(max_size=12))
values = st.recursive(scalars, lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=8), c, max_size=3),
                      max_leaves=6) | st.builds(lambda: copy.deepcopy(DEEP))
keys = st.sampled_from(ODD_TEXT) | st.text(min_size=1, max_size=12)


def _record(name: str, counts: Counter, what: str) -> None:
    record(name, counts["tried"], counts["correct"], what, valid=counts["valid"])
    assert counts["tried"] > 0 and counts["correct"] == counts["tried"]


def _clean(code: int, out: str, err: str, seconds: float, bound: float = SECONDS) -> str:
    """'' if the outcome is clean (valid, or one error line with status 2, in time), else why not."""
    if seconds > bound:
        return f"took {seconds:.1f} s"
    if "Traceback" in out + err:
        return "traceback"
    if code == 0:
        return "" if not err.strip() else f"valid, yet stderr: {err!r}"
    lines = err.splitlines()
    if code != 2:
        return f"exit status {code}"
    if len(lines) != 1 or not lines[0].startswith("error: "):
        return f"not one error line: {err!r}"
    return ""


def _cli(args: list[str]) -> tuple[int, str, str, float]:
    start = time.perf_counter()
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200", "NO_COLOR": "1"})
    seconds = time.perf_counter() - start
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return 1, result.stdout, f"Traceback (in-process): {result.exception!r}", seconds
    return result.exit_code, result.stdout, result.stderr, seconds


def _set(data: Any, path: tuple, value: Any) -> None:
    for p in path[:-1]:
        data = data[p]
    data[path[-1]] = value


def _delete(data: Any, path: tuple) -> None:
    for p in path[:-1]:
        data = data[p]
    del data[path[-1]]


def _rename(data: Any, path: tuple, key: str) -> None:
    for p in path[:-1]:
        data = data[p]
    if isinstance(data, dict):
        data[key] = data.pop(path[-1])


@st.composite
def mutated_scenarios(draw) -> str:
    """The baseline scenario with 1–3 mutations (delete, replace with an odd value, rename a
    key to odd text), dumped as YAML."""
    data = copy.deepcopy(BASELINE)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(data)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        op = draw(st.sampled_from(["delete", "replace", "replace", "rename"]))
        if op == "delete":
            _delete(data, path)
        elif op == "replace":
            _set(data, path, copy.deepcopy(draw(values)))
        else:
            _rename(data, path, draw(keys))
    return yaml.safe_dump(data, allow_unicode=draw(st.booleans()), sort_keys=False, width=10_000)


@st.composite
def mutated_texts(draw) -> str:
    """The baseline file's text with 1–3 line edits: delete, duplicate, insert odd text,
    re-indent, or cut the file short."""
    lines = BASELINE_TEXT.splitlines()
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "insert", "indent", "value", "truncate"]))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "insert":
            lines.insert(i, draw(st.sampled_from(ODD_TEXT) | st.text(max_size=20)))
        elif op == "indent":
            lines[i] = " " * draw(st.integers(0, 7)) + lines[i].lstrip()
        elif op == "value" and ":" in lines[i]:
            key = lines[i].split(":", 1)[0]
            lines[i] = f"{key}: {draw(st.sampled_from(ODD_TEXT) | st.text(max_size=20))}"
        elif op == "truncate":
            lines = lines[:i]
        if not lines:
            lines = [""]
    return "\n".join(lines) + "\n"


def _validate_file(tmp_path: Path, text: str, counts: Counter) -> str:
    path = tmp_path / "fuzzed.yaml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    code, out, err, seconds = _cli(["validate", str(path)])
    counts["valid"] += code == 0
    return _clean(code, out, err, seconds)


def _fuzz_files(tmp_path: Path, texts, examples: int, name: str, what: str) -> None:
    """``lesim validate`` on ``examples`` scenario texts drawn from ``texts``: each validates or
    gives one clean line (:func:`_clean`); the counts go to the README's table."""
    counts: Counter = Counter()

    @settings(FUZZ, max_examples=examples)
    @given(texts)
    def prop(text: str) -> None:
        counts["tried"] += 1
        problem = _validate_file(tmp_path, text, counts)
        counts["correct"] += not problem
        assert not problem, f"{problem}\n{text}"

    prop()
    _record(name, counts, what)


def test_fuzz_mutated_scenario_data(tmp_path: Path):
    _fuzz_files(tmp_path, mutated_scenarios(), 150, "test_fuzz_mutated_scenario_data",
                "lesim validate on the baseline scenario with 1-3 values deleted, replaced (odd types, huge/tiny/NaN "
                "numbers, markup, control characters, unicode, deep nesting) or keys renamed to odd text")


def test_fuzz_mutated_scenario_text(tmp_path: Path):
    _fuzz_files(tmp_path, mutated_texts(), 120, "test_fuzz_mutated_scenario_text",
                "lesim validate on the baseline file's text with 1-3 lines deleted, duplicated, inserted (odd text), "
                "re-indented, given odd values or cut short")


set_keys = (st.sampled_from(PARAMETER_PATHS) | st.sampled_from([".".join(map(str, p)) for p in BASE_PATHS])
            | st.sampled_from(ODD_TEXT) | st.text(max_size=15))
set_values = st.sampled_from(ODD_TEXT) | st.text(max_size=15) | st.sampled_from([str(v) for v in ODD_NUMBERS]) | \
    values.map(lambda v: yaml.safe_dump(v, default_flow_style=True, width=10_000).strip()) | \
    st.floats(0, 1).map(str) | st.integers(0, 200).map(str) | st.sampled_from(["true", "false"])


def test_fuzz_set_values():
    counts: Counter = Counter()
    baseline = str(ROOT / "scenarios" / "baseline.yaml")

    @settings(FUZZ, max_examples=150)
    @given(st.lists(st.tuples(set_keys, set_values), min_size=1, max_size=3), st.booleans())
    def prop(items: list[tuple[str, str]], with_equals: bool) -> None:
        counts["tried"] += 1
        args = ["validate", baseline]
        for key, value in items:
            args += ["--set", f"{key}={value}" if with_equals else f"{key}{value}"]
        code, out, err, seconds = _cli(args)
        counts["valid"] += code == 0
        problem = _clean(code, out, err, seconds)
        if not problem and code == 2 and not err.startswith("error: --set ") and "baseline.yaml" in err:
            problem = f"a --set mistake blamed on the file: {err!r}"
        counts["correct"] += not problem
        assert not problem, f"{problem}\n{args}"

    prop()
    _record("test_fuzz_set_values", counts, "lesim validate baseline.yaml with 1-3 --set key=value (real and odd key "
            "paths; odd, huge, NaN, markup, control-character and nested YAML values)")


def test_fuzz_runs_write_nothing_when_refused(tmp_path: Path):
    counts: Counter = Counter()
    scenario = tmp_path / "small.yaml"
    scenario.write_text(yaml.safe_dump(SMALL))
    outs = iter(range(10**6))

    @settings(FUZZ, max_examples=10)
    @given(runnable_settings())
    def prop(setting: tuple[str, str]) -> None:
        key, value = setting
        counts["tried"] += 1
        out = tmp_path / f"out{next(outs)}"
        code, stdout, err, seconds = _cli(["run", str(scenario), "--set", f"{key}={value}", "--out", str(out), "-q",
                                           "--replicates", "1"])
        counts["valid"] += code == 0
        # a valid run notes "one seed" on stderr; a refusal must come as fast as a validation
        problem = _clean(code, stdout, err if code else "", seconds, RUN_SECONDS if code == 0 else SECONDS)
        if not problem and code == 0 and not (out / "summary.json").exists():
            problem = "valid, yet no summary.json"
        if not problem and code == 2 and out.exists():
            problem = "refused, yet the output folder was written"
        counts["correct"] += not problem
        assert not problem, f"{problem}\n--set {key}={value}"

    prop()
    _record("test_fuzz_runs_write_nothing_when_refused", counts, "lesim run (40 people, 1 week) with one --set of a "
            "rule or policy parameter to a value at, just inside, just outside or far outside its range, or odd: runs and writes its outputs, or one error line, status 2, "
            "no output folder")


ENTRY_POINT_CASES = [  # (file text, what its one error line must show as written)
    (BASELINE_TEXT.replace("size: 500", "size: '[/x]'"), "organisation.size: must be a whole number, got '[/x]'"),
    ('name: x\n"a\\x1b[31m\\nb": 1\n', ":2: a\\x1b[31m\\nb: unknown key"),
    (BASELINE_TEXT.replace("weeks: 260", "weeks: 1:30"), "weeks: must be a whole number, got '1:30'"),
    ("\ufeff" + BASELINE_TEXT.replace("name: baseline", "name: '[bold]x'"), "name: must start with a letter"),
    ("name: x\nlearning: {aptitude_shape: 5e-324}\n", "learning.aptitude_shape: must be between 0.01 and 1,000"),
    ("a: &a [1,1,1,1,1,1,1,1,1,1]\n" + "".join(f"{c}: &{c} [{','.join(['*' + p] * 10)}]\n"
                                              for p, c in zip("abcdef", "bcdefg")),
     ":6: document expands to more than 200,000 values through aliases"),
]


@pytest.mark.parametrize("case", range(len(ENTRY_POINT_CASES)))
def test_fuzz_real_entry_point(tmp_path: Path, case: int):
    """A few hostile files through ``python -m sim validate`` (the console script's module)."""
    text, shown = ENTRY_POINT_CASES[case]
    path = tmp_path / "f.yaml"
    path.write_text(text)
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "sim", "validate", str(path)], cwd=ROOT, capture_output=True,
                          text=True, env=env, timeout=120)
    problem = _clean(proc.returncode, proc.stdout, proc.stderr, 0.0)
    fast = time.perf_counter() - start < 60  # the interpreter's start and imports included
    ok = fast and not problem and proc.returncode == 2 and shown in proc.stderr
    record(f"test_fuzz_real_entry_point[{case}]", 1, int(ok), "python -m sim validate on hand-made hostile files "
           "(markup, ANSI escape and newline in a key, YAML 1.1 sexagesimal, BOM, NaN-making parameter, alias bomb)")
    assert ok, f"{'' if fast else 'too slow; '}{problem}: {proc.stderr!r}"
