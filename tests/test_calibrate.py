"""``lesim calibrate``: fitting a scenario's uncertainties to an organisation's own figures.

Real runs through the real command (typer's CliRunner, in-process), small and fast: the
baseline at 120 people, 52-week horizons (the last-year mean is then weeks 1–52), three
seeds and a small evaluation budget. About 30 s on one core.

Recovery tolerance (test a): the known exit hazard is 0.14, inside the plausible range
0.08–0.16, and the calibration starts from the default 0.11. At 120 people a year brings
only ~15 exits, so even with common random numbers the mean turnover over three seeds is a
rugged function of the hazard: measured on seeds 1–3 (52 weeks), it reads 0.118, 0.143,
0.155, 0.154 and 0.182 at hazards 0.12, 0.13, 0.14, 0.15 and 0.16 — flat between 0.14 and
0.15, rising 0.012–0.028 per 0.01 of hazard either side. The target interval is ±0.005
around the measured turnover, so a hazard is as good as the truth anywhere the curve stays
within it; the tolerance, ±0.015 (19 % of the plausible range), covers that flat stretch and
one step of the curve's noise either side (the fit found 0.1411, converged after 8
evaluations). What must not happen is a fit at the start (0.11) or at the range's edge (0.16).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from sim.calibrate import DEFAULT_FIT, HEADER_MARK, XTOL, _edit
from sim.cli import app
from sim.loader import load_scenario
from sim.parameters import iter_parameters
from sim.run import simulate
from sim.scenario import Scenario

from .conftest import ROOT

BASELINE = ROOT / "scenarios" / "baseline.yaml"
HAZARD = "labour_market.annual_turnover"
TRUE_HAZARD = 0.14
TOLERANCE = 0.015
SMALL = ("--set", "organisation.size=120")
SEEDS, WEEKS = 3, 52
QUICK = ("--seeds", str(SEEDS), "--weeks", str(WEEKS))
PLAUSIBLE = {p.path: p.plausible for p in iter_parameters(Scenario)}


def cli(*args: str) -> tuple[int, str, str]:
    """The real CLI in-process: (exit status, stdout, stderr)."""
    result = CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200", "NO_COLOR": "1"})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def observed_turnover(hazard: float) -> float:
    """The baseline's turnover at ``hazard`` as ``lesim run`` measures it: the mean of the
    weekly outcome over the last year of the run (weeks 1–52), averaged over the seeds."""
    values = []
    for seed in range(1, SEEDS + 1):
        sc = load_scenario(BASELINE, ["organisation.size=120", f"{HAZARD}={hazard}", f"seed={seed}", f"weeks={WEEKS}"])
        ts = simulate(sc).timeseries
        values.append(ts[ts.week >= WEEKS - 51].turnover.mean())
    return float(np.mean(values))


@pytest.fixture(scope="module")
def recovered(tmp_path_factory) -> dict:
    """One calibration of the default baseline (hazard 0.11) against the turnover measured
    with the hazard at 0.14."""
    folder = tmp_path_factory.mktemp("recovery")
    value = observed_turnover(TRUE_HAZARD)
    targets = folder / "targets.yaml"
    targets.write_text("# measured on the baseline with the exit hazard at 0.14\n"
                       "targets:\n"
                       f"  turnover: {{value: {value!r}, interval: [{value - 0.005!r}, {value + 0.005!r}]}}\n")
    out = folder / "fitted.yaml"
    code, stdout, stderr = cli("calibrate", BASELINE, "--targets", targets, "--out", out, *SMALL, *QUICK,
                               "--budget", "12", "--json")
    return {"code": code, "report": json.loads(stdout), "stderr": stderr, "out": out, "value": value}


def test_a_calibration_recovers_a_known_exit_hazard(recovered):
    report = recovered["report"]
    assert recovered["code"] == 0, recovered["stderr"]
    (param,) = report["parameters"]
    assert param["path"] == HAZARD and param["start"] == 0.11
    assert abs(param["fitted"] - TRUE_HAZARD) <= TOLERANCE, param
    (target,) = report["targets"]
    assert target["outcome"] == "turnover" and target["result"] == "within" and report["within"] is True
    assert target["value"] == pytest.approx(recovered["value"])
    assert report["seeds"] == [1, 2, 3] and report["window"] == [1, 52]
    assert report["evaluations"] <= 12
    assert report["objective"]["fitted"] < report["objective"]["start"]


def test_d_the_fitted_scenario_validates_and_keeps_its_comments(recovered):
    out: Path = recovered["out"]
    code, stdout, stderr = cli("validate", out)
    assert code == 0 and stdout.startswith("ok"), stderr
    fitted = recovered["report"]["parameters"][0]["fitted"]
    sc = load_scenario(out)
    low, high = PLAUSIBLE[HAZARD]
    assert sc.labour_market.annual_turnover == fitted and low <= fitted <= high
    assert sc.organisation.size == 120  # the --set the calibration ran with is written too
    assert sc.name == "fitted"
    text = out.read_text()
    assert text.startswith(HEADER_MARK)
    assert "# baseline — the status quo" in text  # the original's comments stay
    assert f"annual_turnover: {fitted!r}" in text and "fitted by lesim calibrate (was 0.11)" in text
    kept = set(text.splitlines())
    changed = [line.split(":")[0].strip() for line in BASELINE.read_text().splitlines() if line not in kept]
    assert changed == ["name", "size", "annual_turnover"]  # every other line of the original is kept as it was


def test_b_an_unreachable_target_is_outside_and_exit_1(tmp_path):
    targets = tmp_path / "targets.yaml"
    targets.write_text("targets:\n  turnover: {value: 0.9}\n")
    code, stdout, stderr = cli("calibrate", BASELINE, "--targets", targets, *SMALL, "--seeds", "2", "--weeks", "52",
                               "--budget", "4")
    assert code == 1, stderr
    assert "outside" in stdout and "Outside: turnover" in stdout
    out = tmp_path / "baseline_calibrated.yaml"  # the default: beside the targets file
    sc = load_scenario(out)
    low, high = PLAUSIBLE[HAZARD]
    assert low <= sc.labour_market.annual_turnover <= high
    assert "OUTSIDE the observed interval: turnover" in out.read_text()


BAD_TARGETS = [
    ("unknown outcome", "targets:\n  turnover: {value: 0.16}\n  formal_hours_per_employee_year: {value: 21.5}\n",
     3, "targets.formal_hours_per_employee_year: unknown outcome 'formal_hours_per_employee_year'; did you mean "
     "learning_hours?"),
    ("fit a lever", "targets:\n  turnover: {value: 0.16}\nfit:\n  - labour_market.annual_turnover\n"
     "  - policies.mentoring.ratio\n", 5, "fit[1]: policies.mentoring.ratio is a lever, not an uncertainty"),
    ("fit a setting", "targets:\n  turnover: {value: 0.16}\nfit: [organisation.size]\n",
     3, "fit[0]: organisation.size is a setting, not an uncertainty"),
    ("fit an unknown parameter", "targets:\n  turnover: {value: 0.16}\nfit: [labour_market.exit_hazard]\n",
     3, "fit[0]: 'labour_market.exit_hazard': no such parameter"),
    ("value not a number", "targets:\n  turnover:\n    value: high\n", 3,
     "targets.turnover.value: must be a finite number, got 'high'"),
    ("value missing", "targets:\n  turnover:\n    interval: [0.1, 0.2]\n", 2, "targets.turnover.value: is required"),
    ("interval without the value", "targets:\n  turnover:\n    value: 0.3\n    interval: [0.1, 0.2]\n", 4,
     "targets.turnover.interval: [0.1, 0.2] does not contain the value 0.3"),
    ("a share over 1", "# percent by mistake\ntargets:\n  completion_rate: {value: 35}\n", 3,
     "targets.completion_rate.value: must be a share between 0 and 1 (write 0.16 for 16 %), got 35"),
    ("unknown key", "targets:\n  turnover:\n    value: 0.16\n    intervall: [0.1, 0.2]\n", 4,
     "targets.turnover.intervall: unknown key"),
    ("no default fit", "targets:\n  spend_per_employee: {value: 1300}\n", 2,
     "targets.spend_per_employee: no uncertainty is known to move spend_per_employee"),
    ("no targets", "fit: [labour_market.annual_turnover]\n", 1, "targets: is required"),
]


@pytest.mark.parametrize("what, text, line, message", BAD_TARGETS, ids=[b[0] for b in BAD_TARGETS])
def test_c_a_bad_targets_file_is_one_line_with_its_line_and_key_and_exit_2(tmp_path, what, text, line, message):
    targets = tmp_path / "targets.yaml"
    targets.write_text(text)
    out = tmp_path / "fitted.yaml"
    code, stdout, stderr = cli("calibrate", BASELINE, "--targets", targets, "--out", out, *SMALL)
    lines = stderr.splitlines()
    assert code == 2 and len(lines) == 1, stderr
    assert lines[0].startswith(f"error: {targets}:{line}: {message}"), lines[0]
    assert not out.exists() and not list(tmp_path.glob("*_calibrated.yaml")) and stdout == ""


def test_calibration_never_overwrites_an_input_or_a_file_it_did_not_write(tmp_path):
    targets = tmp_path / "targets.yaml"
    targets.write_text("targets:\n  turnover: {value: 0.16}\n")
    other = tmp_path / "mine.yaml"
    other.write_text("name: mine\n")
    for out, message in ((BASELINE, "is an input file"), (targets, "is an input file"),
                         (other, "was not written by lesim calibrate")):
        code, _, stderr = cli("calibrate", BASELINE, "--targets", targets, "--out", out, *SMALL)
        assert code == 2 and message in stderr and len(stderr.splitlines()) == 1, stderr
    assert other.read_text() == "name: mine\n"


def test_the_default_fit_names_declared_uncertainties_of_real_outcomes():
    from sim.outcomes import OUTCOME_BY_NAME

    for outcome, paths in DEFAULT_FIT.items():
        assert outcome in OUTCOME_BY_NAME
        for path in paths:
            assert PLAUSIBLE.get(path) is not None, path
    assert 0 < XTOL <= 0.1


def test_a_line_edit_keeps_comments_and_adds_a_missing_key():
    text = ("# top\nname: x   # the name\nlabour_market:\n  annual_turnover: 0.11   # hazard\n"
            "  hire_cost: 4700.0\n\n# events next\nevents: []\n")
    edited = _edit(text, "t.yaml", ["labour_market", "annual_turnover"], 0.1312, "fitted (was 0.11)")
    assert "  annual_turnover: 0.1312   # fitted (was 0.11); hazard\n" in edited
    edited = _edit(edited, "t.yaml", ["labour_market", "engagement_sensitivity"], 2.5, "fitted")
    assert "  hire_cost: 4700.0\n  engagement_sensitivity: 2.5  # fitted\n\n# events next\n" in edited
    edited = _edit(edited, "t.yaml", ["learning", "discretionary_hours"], 0.6, "fitted")
    assert edited.endswith("events: []\nlearning:\n  discretionary_hours: 0.6  # fitted\n")
    assert _edit("labour_market: {annual_turnover: 0.11}\n", "t.yaml", ["labour_market", "annual_turnover"], 0.12,
                 "fitted") is None  # flow style: the caller writes clean YAML instead
