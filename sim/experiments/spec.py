"""Experiment files: strategies × uncertainties × design, validated like scenarios.

An experiment is plain data (EMA-Workbench style): a base scenario; named *strategies*,
each a set of lever values by parameter path; *uncertainties* the organisation does not
control, as named scenarios and/or ranges of parameters; a *design* (full factorial over
the named scenarios, or a Latin hypercube / Sobol / Morris sample over the ranges);
replicates and a base seed; and what to measure. Example::

    name: strategy-comparison
    base: ../scenarios/baseline.yaml        # relative to this file
    strategies:
      baseline: {}
      mentoring: {policies.mentoring.enabled: true, policies.mentoring.ratio: 0.25}
    uncertainties:
      scenarios:
        central: {}
        tight_labour_market: {labour_market.annual_turnover: 0.16}
    design: {type: factorial, replicates: 10, seed: 2026}
    measure: {outcomes: [skills_gap, engagement], every: 13}

``equal_budget: true`` compares the strategies at the baseline strategy's budget
(``governance.annual_budget_per_employee``): each strategy's own budget, e.g. the one its
scenario file declares, is replaced, so under a hard budget each does what it can within
the same money.

A strategy is declared once: instead of copying lever values, it may name a scenario file
(``mentoring: ../scenarios/mentoring_programme.yaml``); its levers are the lever parameters
in which that scenario differs from the base (anything else it changed is an error). An
uncertain parameter may take its declared plausible range (``learning.formal_rate:
plausible``), and ``uncertainties.plausible: [rules.culture, learning]`` explores every
uncertainty declared under those prefixes (``all``: every one) over its plausible range.

Every override is checked against the base scenario when the file is loaded, so a typo
or an out-of-range lever is reported with the experiment file's line and key, exit 2.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, model_validator

from ..loader import ScenarioError, line_of, apply_override, load_raw, parse_yaml, read_text, scenario_with, validate_data
from ..outcomes import HEADLINE, OUTCOME_BY_NAME
from ..parameters import Section, iter_parameters, located
from ..scenario import Scenario

Overrides = dict[str, Any]
BUDGET_PATH = "governance.annual_budget_per_employee"
RUN_IDENTITY = ("name", "description", "seed", "weeks")
"""Scenario keys the experiment sets for each run (the seed and horizon; the name and
description identify the base): neither a strategy nor an uncertainty may set them."""


class Range(Section):
    low: float = Field(description="Lowest value of the uncertain parameter.")
    high: float = Field(description="Highest value.")
    integer: bool = Field(False, description="Round sampled values to whole numbers.")

    @model_validator(mode="after")
    def _order(self) -> "Range":
        if not self.low < self.high:
            raise located(("high",), f"must be greater than low ({self.low:g}), got {self.high:g}")
        return self


class Uncertainties(Section):
    scenarios: dict[str, Overrides] = Field(
        default_factory=lambda: {"central": {}},
        description="Named uncertainty scenarios (parameter path → value); crossed with strategies in a factorial design.")
    parameters: dict[str, Range] = Field(
        default_factory=dict, description="Uncertain parameters with ranges (or `plausible`: the declared plausible "
                                          "range), sampled by latin_hypercube, sobol or morris designs.")
    plausible: list[str] = Field(
        default_factory=list, description="Explore every uncertainty declared under these path prefixes (`all`: every "
                                          "one) over its declared plausible range; listed parameters and levers "
                                          "are left out.")


class Design(Section):
    type: Literal["factorial", "latin_hypercube", "sobol", "morris"] = Field(
        "factorial", description="factorial: strategies × named scenarios; the others sample the parameter ranges.")
    samples: int = Field(8, ge=1, le=100_000, description="Points (latin_hypercube), base samples N (sobol, a power of 2), "
                                                           "or trajectories (morris).")
    morris_levels: int = Field(4, ge=2, le=20, description="Grid levels of the Morris design.")
    replicates: int = Field(5, ge=1, le=10_000, description="Replicates (seeds) per strategy and uncertainty point.")
    seed: int = Field(0, ge=0, le=2**63 - 1, description="Base seed; replicate seeds derive from it, the uncertainty "
                                                           "point and the replicate index, never from the strategy.")


class Measure(Section):
    outcomes: list[str] = Field(default_factory=lambda: [o.name for o in HEADLINE],
                                description="Outcomes to store (default: the headline outcomes).")
    weeks: list[int] = Field(default_factory=list, description="Weeks to measure; empty: every `every` weeks and the last.")
    every: int = Field(13, ge=1, le=5200, description="Measurement interval when `weeks` is empty.")

    @model_validator(mode="after")
    def _known(self) -> "Measure":
        for i, name in enumerate(self.outcomes):
            if name not in OUTCOME_BY_NAME:
                raise located(("outcomes", i), f"unknown outcome {name!r}; known: {', '.join(OUTCOME_BY_NAME)}")
            if name in self.outcomes[:i]:
                raise located(("outcomes", i), f"{name!r} is listed twice")
        for i, week in enumerate(self.weeks):
            if week < 0:
                raise located(("weeks", i), f"week {week} is before the start (week 0)")
            if week in self.weeks[:i]:
                raise located(("weeks", i), f"week {week} is listed twice")
        if self.weeks and "every" in self.model_fields_set:
            raise located(("every",), "give either weeks (the weeks to measure) or every (an interval), not both")
        return self

    def resolved_weeks(self, horizon: int) -> list[int]:
        weeks = self.weeks or list(range(self.every, horizon + 1, self.every))
        out = sorted({w for w in weeks if 0 <= w <= horizon} | ({horizon} if not self.weeks else set()))
        return out


class Experiment(Section):
    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\- ]*$")
    description: str = Field("", max_length=10_000)
    base: str = Field(description="Base scenario file, relative to the experiment file.")
    weeks: int | None = Field(None, ge=1, le=5200, description="Horizon (default: the base scenario's).")
    baseline: str = Field("baseline", description="The strategy others are compared with.")
    strategies: dict[str, Overrides] = Field(min_length=1, description="Strategy name → lever values by parameter path.")
    equal_budget: bool = Field(False, description="Compare the strategies at equal budget: every strategy's "
                               f"`{BUDGET_PATH}` is set to the baseline strategy's (each strategy then does what "
                               "it can within that budget; see governance.budget_mode and budget_cut_order).")
    uncertainties: Uncertainties = Field(default_factory=Uncertainties)
    design: Design = Field(default_factory=Design)
    measure: Measure = Field(default_factory=Measure)

    @model_validator(mode="after")
    def _consistent(self) -> "Experiment":
        if self.baseline not in self.strategies:
            raise located(("baseline",), f"{self.baseline!r} is not one of the strategies ({', '.join(self.strategies)})")
        sampled = self.design.type != "factorial"
        if sampled and not self.uncertainties.parameters:
            raise located(("uncertainties", "parameters"), f"a {self.design.type} design needs parameter ranges")
        if self.design.type == "sobol" and self.design.samples & (self.design.samples - 1):
            raise located(("design", "samples"), f"must be a power of 2 for a sobol design, got {self.design.samples}")
        if not self.uncertainties.scenarios:
            raise located(("uncertainties", "scenarios"), "needs at least one scenario (use `central: {}`)")
        d = self.design
        if d.type == "factorial":
            if self.uncertainties.parameters:
                raise located(("uncertainties", "parameters"), "parameter ranges are sampled only by latin_hypercube, "
                              "sobol or morris designs; this design is factorial (use uncertainties.scenarios)")
            for knob in ("samples", "morris_levels"):
                if knob in d.model_fields_set:
                    raise located(("design", knob), "has no effect in a factorial design (it crosses the strategies "
                                  "with uncertainties.scenarios)")
        else:
            if "scenarios" in self.uncertainties.model_fields_set and self.uncertainties.scenarios != {"central": {}}:
                raise located(("uncertainties", "scenarios"), f"named scenarios are crossed only by a factorial design; "
                              f"a {d.type} design samples uncertainties.parameters")
            if d.type != "morris" and "morris_levels" in d.model_fields_set:
                raise located(("design", "morris_levels"), f"has no effect in a {d.type} design (only in morris)")
        for name, ov in self.strategies.items():
            for p in ov:
                if p in RUN_IDENTITY:
                    raise located(("strategies", name, p), "is set by the experiment (design.seed, weeks), not by a strategy")
        for name, ov in self.uncertainties.scenarios.items():
            for p in ov:
                if p in RUN_IDENTITY:
                    raise located(("uncertainties", "scenarios", name, p), "is set by the experiment for every run "
                                  "(design.seed, weeks), not by an uncertainty")
        for p in self.uncertainties.parameters:
            if p in RUN_IDENTITY:
                raise located(("uncertainties", "parameters", p), "is set by the experiment for every run "
                              "(design.seed, weeks), not by an uncertainty")
        paths = [("strategies", n, p) for n, ov in self.strategies.items() for p in ov] + \
                [("uncertainties", "scenarios", n, p) for n, ov in self.uncertainties.scenarios.items() for p in ov] + \
                [("uncertainties", "parameters", p) for p in self.uncertainties.parameters]
        for loc in paths:
            for other in paths:
                if other[-1].startswith(loc[-1] + "."):
                    raise located(loc, f"overlaps {other[-1]!r} (set in {'.'.join(other[:-1])}): a parameter path must "
                                       "not contain another")
        levers = {p for s in self.strategies.values() for p in s}
        for name, ov in self.uncertainties.scenarios.items():
            for p in ov:
                if p in levers:
                    raise located(("uncertainties", "scenarios", name, p),
                                  "is set by a strategy too: a parameter is either a lever or an uncertainty")
        for p in self.uncertainties.parameters:
            if p in levers:
                raise located(("uncertainties", "parameters", p),
                              "is set by a strategy too: a parameter is either a lever or an uncertainty")
        return self


def resolve_scenario(base_data: dict, overrides: dict[str, Any], label: str = "override") -> Scenario:
    """The base scenario with overrides (parameter path → value) applied and validated; an
    error names the override (``<label> <path>``), or ``<label>`` if it is elsewhere."""
    return scenario_with(base_data, {f"{label} {k}": (k.split("."), v) for k, v in overrides.items()}, origin=label)


class LoadedExperiment:
    """A validated experiment with its base scenario data (for resolving runs)."""

    def __init__(self, spec: Experiment, path: Path, base_data: dict, base: Scenario, raw: dict):
        self.spec = spec
        self.path = path
        self.base_data = base_data
        self.base = base
        self.raw = raw

    @property
    def horizon(self) -> int:
        return self.spec.weeks or self.base.weeks


def _check_overrides(origin: str, node, where: tuple, base_data: dict, overrides: dict[str, Any]) -> None:
    """Validate each override against the base scenario; errors name the experiment line."""
    for key, value in overrides.items():
        try:
            scenario_with(base_data, {"@": (key.split("."), value)}, origin="@")
        except ScenarioError as e:  # "@: path: message", whether the error is under the key or elsewhere
            msg = str(e)
            rest = msg[3:] if msg.startswith("@: ") else msg
            line = line_of(node, (*where, key))
            raise ScenarioError(f"{origin}:{line}: {'.'.join(map(str, where))}: {rest}") from None


def strategy_levers(strategy: Scenario, base: Scenario, origin: str) -> Overrides:
    """The lever values in which scenario ``strategy`` differs from ``base``; a difference in
    anything but a lever (or the name, description, seed, horizon) is a ScenarioError.

    A strategy file of a generated organisation applied to an imported one (a shipped strategy
    such as ``scenarios/mentoring_programme.yaml`` on an organisation brought in by ``lesim
    import``) brings only its levers: those it sets away from the built-in defaults, which every
    shipped scenario's status quo keeps. What describes its own organisation and world stays
    the base's."""
    if base.organisation.data is not None and strategy.organisation.data is None:
        builtin = {p.path: p.default for p in iter_parameters(Scenario)}
        return {p.path: p.default for p in iter_parameters(Scenario, defaults=strategy)
                if p.kind == "lever" and p.path not in RUN_IDENTITY and p.default != builtin[p.path]}
    mine = {p.path: p for p in iter_parameters(Scenario, defaults=strategy)}
    theirs = {p.path: p.default for p in iter_parameters(Scenario, defaults=base)}
    levers: Overrides = {}
    for path, p in mine.items():
        if path in RUN_IDENTITY or p.default == theirs[path]:
            continue
        if p.kind != "lever":
            raise ScenarioError(f"{origin}: {path} differs from the base scenario but is a {p.kind}, not a lever: "
                                "a strategy may only set levers")
        levers[path] = p.default
    rebuilt = base.model_copy(update={k: getattr(strategy, k) for k in RUN_IDENTITY})
    rebuilt = resolve_scenario(rebuilt.model_dump(mode="json"), levers)
    if rebuilt.canonical_json() != strategy.canonical_json():
        raise ScenarioError(f"{origin}: differs from the base scenario in its structure (skills, roles, departments, "
                            "content items or events), which a strategy cannot set")
    return levers


def _plausible_range(p) -> dict:
    """A declared parameter's plausible range as an experiment's ``Range`` data."""
    return {"low": p.plausible[0], "high": p.plausible[1], "integer": p.annotation is int}


def _resolve_references(data: dict, node, path: Path, base: Scenario) -> None:
    """Turn strategy file references and plausible ranges into plain values, in place."""
    strategies = data.get("strategies")
    if isinstance(strategies, dict):
        for name, ref in strategies.items():
            if not isinstance(ref, str):
                continue
            where = f"{path}:{line_of(node, ('strategies', name))}: strategies.{name}"
            file = (path.parent / ref).resolve()
            if not file.is_file():
                raise ScenarioError(f"{where}: no scenario file at {file}")
            raw, raw_node = load_raw(file)
            strategies[name] = strategy_levers(validate_data(raw, str(file), raw_node), base, where)
    unc = data.get("uncertainties")
    if not isinstance(unc, dict):
        return
    declared = {p.path: p for p in iter_parameters(Scenario)}
    params = unc.get("parameters")
    if isinstance(params, dict):
        for key, value in params.items():
            if value != "plausible":
                continue
            p = declared.get(key)
            if p is None or p.plausible is None:
                raise ScenarioError(f"{path}:{line_of(node, ('uncertainties', 'parameters', key))}: uncertainties."
                                    f"parameters.{key}: {'no such parameter' if p is None else 'declares no plausible range'}")
            params[key] = _plausible_range(p)
    prefixes = unc.get("plausible")
    if not (isinstance(prefixes, list) and prefixes):
        return
    params = unc.setdefault("parameters", {})
    if not isinstance(params, dict):
        return  # validation reports it
    levers = {k for ov in (strategies or {}).values() if isinstance(ov, dict) for k in ov}
    named = {k for ov in (unc.get("scenarios") or {}).values() if isinstance(ov, dict) for k in ov}
    matched = set()
    for prefix in prefixes:
        hits = [p for p in declared.values() if p.kind == "uncertainty" and p.plausible is not None
                and (prefix == "all" or p.path == prefix or p.path.startswith(f"{prefix}."))]
        if not hits:
            raise ScenarioError(f"{path}:{line_of(node, ('uncertainties', 'plausible'))}: uncertainties.plausible: "
                                f"no uncertainty is declared under {prefix!r}")
        matched.update(p.path for p in hits)
    for key in sorted(matched):
        if key not in params and key not in levers and key not in named:
            params[key] = _plausible_range(declared[key])


def _equalise_budgets(data: dict, base: Scenario, raw: dict | None = None, node=None, path: Path | None = None) -> None:
    """With ``equal_budget: true``, give every strategy the baseline strategy's budget, in place.
    A budget written into a strategy other than the baseline (``raw``: the file as written)
    would be silently replaced: an error (one a strategy's scenario file declares is replaced,
    as documented)."""
    strategies = data.get("strategies")
    if data.get("equal_budget") is not True or not isinstance(strategies, dict):
        return
    baseline = data.get("baseline", "baseline")
    for name, ov in ((raw or {}).get("strategies") or {}).items():
        if name != baseline and isinstance(ov, dict) and BUDGET_PATH in ov:
            raise ScenarioError(f"{path}:{line_of(node, ('strategies', name, BUDGET_PATH))}: strategies.{name}."
                                f"{BUDGET_PATH}: equal_budget: true gives every strategy the baseline's budget; set "
                                "the budget in the baseline strategy, or use equal_budget: false")
    reference = strategies.get(data.get("baseline", "baseline"))
    if not isinstance(reference, dict):
        return  # validation reports the missing baseline
    budget = reference.get(BUDGET_PATH, base.governance.annual_budget_per_employee)
    for name, ov in strategies.items():
        if isinstance(ov, dict):
            ov[BUDGET_PATH] = budget


def load_experiment(path: str | Path, *, replicates: int | None = None, weeks: int | None = None) -> LoadedExperiment:
    """Load and validate an experiment file (and its base scenario); ScenarioError on mistakes."""
    path = Path(path)
    text = read_text(path)
    data, node = parse_yaml(text, str(path))
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}:{node.start_mark.line + 1}: expected a mapping (name:, base:, strategies:, …)")
    if data.get("model") == "march":
        raise ScenarioError(f"{path}:{line_of(node, ('model',))}: model: a March (1991) docking experiment; "
                            f"run it with `lesim march --experiment {path}`")
    base_ref = data.get("base")
    if isinstance(base_ref, str):
        base_path = (path.parent / base_ref).resolve()
        if not base_path.is_file():
            raise ScenarioError(f"{path}:{line_of(node, ('base',))}: base: no scenario file at {base_path}")
        base_data, base_node = load_raw(base_path)
        base = validate_data(base_data, str(base_path), base_node)
        raw = data
        data = copy.deepcopy(data)
        _resolve_references(data, node, path, base)
        _equalise_budgets(data, base, raw, node, path)
    spec: Experiment = validate_data(data, str(path), node, model_cls=Experiment)
    if replicates is not None or weeks is not None:
        overrides = {}
        if replicates is not None:
            overrides["--replicates"] = (["design", "replicates"], replicates)
        if weeks is not None:
            overrides["--weeks"] = (["weeks"], weeks)
        patched = copy.deepcopy(data)
        labels = {}
        for label, (parts, value) in overrides.items():
            apply_override(patched, parts, value, label)
            labels[".".join(parts)] = label
        spec = validate_data(patched, str(path), node, labels, model_cls=Experiment)
    horizon = spec.weeks or base.weeks
    late = [w for w in spec.measure.weeks if w > horizon]
    if late:
        raise ScenarioError(f"{path}:{line_of(node, ('measure', 'weeks'))}: measure.weeks: week {late[0]} is after the "
                            f"horizon ({horizon} weeks)")
    for name, ov in spec.strategies.items():
        _check_overrides(str(path), node, ("strategies", name), base_data, ov)
    for name, ov in spec.uncertainties.scenarios.items():
        _check_overrides(str(path), node, ("uncertainties", "scenarios", name), base_data, ov)
    for key, rng in spec.uncertainties.parameters.items():
        for bound in (rng.low, rng.high):
            value = int(round(bound)) if rng.integer else bound
            _check_overrides(str(path), node, ("uncertainties", "parameters"), base_data, {key: value})
    _check_combinations(str(path), node, spec, base_data)
    return LoadedExperiment(spec, path, base_data, base, data)


MAX_COMBINATIONS_CHECKED = 2_000
"""Strategy × uncertainty combinations validated at load (about 0.5 ms each); beyond this
an invalid combination is found when its runs fail (recorded in ``errors/``)."""


def _check_combinations(origin: str, node, spec: Experiment, base_data: dict) -> None:
    """Each strategy with each named uncertainty scenario (or each parameter range's bounds)
    must give a valid scenario too: ``organisation.size: 40`` in a strategy is valid alone,
    but not with an uncertainty that sets ``organisation.executives: 50``."""
    checks = []
    for strategy, levers in spec.strategies.items():
        if not levers:
            continue
        for name, ov in spec.uncertainties.scenarios.items():
            if ov:
                checks.append((("uncertainties", "scenarios", name), strategy, ov))
        for key, rng in spec.uncertainties.parameters.items():
            for bound in (rng.low, rng.high):
                checks.append((("uncertainties", "parameters", key), strategy,
                               {key: int(round(bound)) if rng.integer else bound}))
    for where, strategy, ov in checks[:MAX_COMBINATIONS_CHECKED]:
        merged = {**spec.strategies[strategy], **ov}
        try:
            scenario_with(base_data, {f"@{i}": (k.split("."), v) for i, (k, v) in enumerate(merged.items())},
                          origin="@")
        except ScenarioError as e:
            rest = re.sub(r"^@\d*: ", "", str(e))
            raise ScenarioError(f"{origin}:{line_of(node, where)}: {'.'.join(where)}: with strategy {strategy!r}: "
                                f"{rest}") from None


def experiment_yaml(exp: LoadedExperiment) -> str:
    """The resolved experiment (as stored in the sweep folder)."""
    doc = exp.spec.model_dump(mode="json")
    doc["base"] = str((exp.path.parent / exp.spec.base).resolve())
    doc["weeks"] = exp.horizon
    doc["base_scenario_sha256"] = exp.base.digest()
    from ..economics import assumptions

    doc["valuation"] = [{k: a[k] for k in ("path", "value", "unit", "source")} for a in assumptions(exp.base)]
    g = exp.base.governance  # the brief checks each strategy's spend against its budget (strategies override it)
    doc["budget"] = {"annual_budget_per_employee": float(g.annual_budget_per_employee), "mode": g.budget_mode,
                     "organisation_size": int(exp.base.organisation.size)}
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
