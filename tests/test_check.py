"""``lesim check``: calibration that can fail.

The shipped baseline passes every pattern of :mod:`sim.validation.patterns` but the known
failures listed below (through the real command, its JSON parsed), and each deliberately wrong model fails the pattern named for it
(exit status 1). Wrong variants run on one seed, 104 weeks and 250 people: the patterns
named below fail there with wide margins (measured on seeds 1–3: formal share 0 % and
72–78 % against 10–30 %; time to proficiency 192–448 weeks against ≤ 104; an inert mindset
initiative d −0.009 … −0.005 against ≥ 0.02; applied after a month 91 % against ≤ 77 %; half-life 627–667 months
against ≤ 13).
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.validation.patterns import PATTERNS, WRONG_MODELS

from .conftest import ROOT, lesim

BASELINE = str(ROOT / "scenarios" / "baseline.yaml")
QUICK = ("--seeds", "1", "--weeks", "104", "--set", "organisation.size=250")


# Patterns the shipped baseline is known to fail, each with the reason: a model defect found by
# `lesim check`, open until the model is fixed. The test is strict both ways: another pattern
# failing, or a known failure starting to pass, fails it (then remove the entry). None today.
KNOWN_FAILURES: dict[str, str] = {}


def test_the_shipped_baseline_passes_every_pattern_but_the_known_failures():
    proc = lesim("check", BASELINE, "--json")
    out = json.loads(proc.stdout)
    failed = {p["name"]: (p["value"], p["low"], p["high"]) for p in out["patterns"] if not p["passed"]}
    assert set(failed) == set(KNOWN_FAILURES), f"failed patterns (value, low, high): {failed}"
    assert out["passed"] is (not KNOWN_FAILURES)
    assert proc.returncode == (1 if KNOWN_FAILURES else 0), proc.stderr
    assert len(out["patterns"]) == len(PATTERNS) >= 8
    assert out["seeds"] == [1, 2, 3, 4] and out["weeks"] == 260


@pytest.mark.parametrize("what, sets, pattern", WRONG_MODELS, ids=[w[0] for w in WRONG_MODELS])
def test_a_wrong_model_fails_its_pattern(what, sets, pattern):
    args = ["check", BASELINE, "--json", *QUICK]
    for s in sets:
        args += ["--set", s]
    result = CliRunner().invoke(app, args)
    out = json.loads(result.stdout)
    assert pattern in out["failed"], f"{what}: {pattern} passed; failed were {out['failed']}"
    assert result.exit_code == 1


def test_every_pattern_has_a_two_sided_band_and_a_source():
    for p in PATTERNS:
        assert p.low < p.high and p.source and p.measure.__doc__, p.name


@pytest.mark.parametrize("args, message", [
    (["--weeks", "50"], "--weeks 104 or more"),
    (["--set", "learning.formal_rate=-1"], "learning.formal_rate"),
    (["--set", "learning.nonsense=1"], "unknown key"),
])
def test_bad_input_is_one_line_and_status_2(args, message):
    proc = lesim("check", BASELINE, *args)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in proc.stderr
