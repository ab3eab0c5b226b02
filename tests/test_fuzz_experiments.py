"""Fuzzed experiment files (issue 14): any experiment file either loads, and then its runs
can be planned and resolved, or gives exactly one line ``file:line: key: message`` — never
another exception, never a second line, never ``<scenario>``. Hypothesis with a fixed
budget and derandomised examples, so every run tries the same files.

Writes ``tests/artifacts/fuzz/experiment_files.json`` (tried, handled correctly, what).
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.experiments.plan import count_runs, plan_runs
from sim.experiments.spec import load_experiment, resolve_scenario
from sim.loader import ScenarioError

from .fuzzcounts import record

BASE = "name: base\nweeks: 8\nseed: 1\norganisation: {size: 60}\n"
VALID = {
    "name": "fuzz",
    "base": "base.yaml",
    "strategies": {"baseline": {}, "mentoring": {"policies.mentoring.enabled": True, "policies.mentoring.ratio": 0.3}},
    "uncertainties": {"scenarios": {"central": {}, "churn": {"labour_market.annual_turnover": 0.3}}},
    "design": {"type": "factorial", "replicates": 2, "seed": 5},
    "measure": {"outcomes": ["skills_gap", "engagement"], "every": 4},
}
PATHS = ["seed", "weeks", "name", "description", "organisation.size", "organisation.executives",
         "policies.mentoring.ratio", "policies.mentoring.enabled", "labour_market.annual_turnover",
         "learning.formal_rate", "learning", "policies.mentoring", "governance.annual_budget_per_employee",
         "organisation.skills.0.name", "rules.culture", "no.such.key", "[/x]", "a\nb"]
KEYS = ["name", "base", "weeks", "baseline", "strategies", "equal_budget", "uncertainties", "design", "measure",
        "description", "model", "typo"]
SUB = {"design": ["type", "samples", "replicates", "seed", "morris_levels", "typo"],
       "measure": ["outcomes", "weeks", "every", "typo"],
       "uncertainties": ["scenarios", "parameters", "plausible", "typo"]}

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 12), st.integers(-2**70, 2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(["", "plausible", "all", "factorial", "sobol",
                                                                     "morris", "latin_hypercube", "base.yaml",
                                                                     "baseline", "skills_gap", "[bold]x[/]", "\x1b[31m"]),
    st.text(max_size=12))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                      st.dictionaries(st.sampled_from(PATHS + KEYS), inner, max_size=3)),
                      max_leaves=8)
overrides = st.dictionaries(st.sampled_from(PATHS), values, max_size=3)
ranges = st.fixed_dictionaries({"low": st.one_of(st.floats(-1, 2), values), "high": st.one_of(st.floats(-1, 2), values)},
                               optional={"integer": st.booleans()})


@st.composite
def experiments(draw) -> dict:
    """A valid experiment with a few of its parts replaced by fuzzed ones."""
    doc = json.loads(json.dumps(VALID))
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.sampled_from(["top", "sub", "strategy", "scenario", "parameters", "delete", "weeks"]))
        if where == "top":
            doc[draw(st.sampled_from(KEYS))] = draw(values)
        elif where == "sub":
            section = draw(st.sampled_from(sorted(SUB)))
            if not isinstance(doc.get(section), dict):
                doc[section] = {}
            doc[section][draw(st.sampled_from(SUB[section]))] = draw(values)
        elif where == "strategy":
            doc["strategies"] = {**(doc["strategies"] if isinstance(doc.get("strategies"), dict) else {}),
                                 draw(st.sampled_from(["baseline", "mentoring", "x", "[/x]"])): draw(overrides)}
        elif where == "scenario":
            unc = doc.setdefault("uncertainties", {})
            if isinstance(unc, dict):
                unc["scenarios"] = {draw(st.sampled_from(["central", "churn", "y"])): draw(overrides)}
        elif where == "parameters":
            unc = doc.setdefault("uncertainties", {})
            if isinstance(unc, dict):
                unc["parameters"] = draw(st.dictionaries(st.sampled_from(PATHS), st.one_of(ranges, values), max_size=3))
                doc["design"] = {"type": draw(st.sampled_from(["latin_hypercube", "sobol", "morris", "factorial"])),
                                 "samples": draw(st.sampled_from([1, 2, 4, 3])), "replicates": 1}
                if draw(st.booleans()):
                    unc.pop("scenarios", None)
        elif where == "weeks":
            doc["measure"] = {"weeks": draw(st.lists(st.integers(-3, 12), max_size=4))}
        elif doc:
            doc.pop(draw(st.sampled_from(sorted(doc))))
    return doc


def one_line_error(message: str, path: Path) -> bool:
    """``<file>:<line>: <key>: <message>`` (or ``<file>: <message>`` for the file as a whole), one line."""
    return ("\n" not in message and "\r" not in message and "<scenario>" not in message
            and re.match(re.escape(str(path)) + r"(:\d+)?: \S", message) is not None)


def ignored(exp) -> str | None:
    """Something an accepted experiment declares but its runs would silently not use."""
    spec = exp.spec
    measured = spec.measure.resolved_weeks(exp.horizon)
    lost = [w for w in spec.measure.weeks if w not in measured]
    if lost:
        return f"measure.weeks {lost} are never measured"
    runner_sets = {"seed", "weeks"}
    for kind, table in (("strategy", spec.strategies), ("uncertainty", spec.uncertainties.scenarios)):
        for name, ov in table.items():
            if runner_sets & set(ov):
                return f"{kind} {name} sets {sorted(runner_sets & set(ov))}, which every run overrides"
    if runner_sets & set(spec.uncertainties.parameters):
        return "an uncertain parameter the runner overrides"
    if spec.design.type == "factorial" and spec.uncertainties.parameters:
        return "parameter ranges in a factorial design are never sampled"
    if spec.design.type != "factorial" and set(spec.uncertainties.scenarios) != {"central"}:
        return "named scenarios in a sampled design are never run"
    return None


def test_fuzzed_experiment_files_load_or_give_one_line(tmp_path: Path):
    (tmp_path / "base.yaml").write_text(BASE)
    path = tmp_path / "fuzz.yaml"
    counts = {"tried": 0, "correct": 0, "accepted": 0}
    failures = []

    @settings(max_examples=400, derandomize=True, database=None, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(doc=experiments())
    def check(doc: dict) -> None:
        path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))
        counts["tried"] += 1
        try:
            exp = load_experiment(path)
        except ScenarioError as e:
            ok = one_line_error(str(e), path)
            if not ok:
                failures.append(str(e))
            assert ok, str(e)
            counts["correct"] += 1
            return
        # accepted: nothing in it is silently ignored, and every strategy's first runs resolve
        assert ignored(exp) is None, ignored(exp)
        assert count_runs(exp) >= 1
        for task in itertools.islice(plan_runs(exp, tmp_path / "out"), 0, 2 * len(exp.spec.strategies)):
            resolve_scenario(task.base_data, task.overrides, label="run")
        counts["accepted"] += 1
        counts["correct"] += 1

    check()
    record("experiment_files", counts["tried"], counts["correct"],
           f"fuzzed experiment files (Hypothesis, derandomised): loaded, runnable and nothing ignored "
           f"({counts['accepted']}), or one line `file:line: key: message`")
    assert counts["correct"] == counts["tried"] and counts["accepted"] > 0, failures[:3]
