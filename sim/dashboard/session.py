"""The dashboard's per-browser-session logic, in plain Python (tested without a browser).

A :class:`Session` holds one or two models (a strategy and, in comparison mode, the
reference it is compared with) built from a scenario file plus the values of the controls.
Both models use the same seed, so their difference is the effect of the changed levers
(common random numbers). Nothing here is shared between sessions.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ..experiments.spec import resolve_scenario
from ..loader import (ScenarioError, apply_override, decode_text, line_of, load_raw, one_line, parse_scenario_text,
                      relative_data_files, validate_data)
from ..model import LearningEcosystem
from ..parameters import ParameterInfo, iter_parameters
from ..processes.phase import lookup as value_at  # the value at a dotted key path
from ..run import tables
from ..scenario import Scenario

CONTROL_KINDS = ("lever", "uncertainty")
SETTINGS_AS_CONTROLS = ("organisation.size", "seed")
"""Settings a planner changes live too: the organisation's size, and the seed (another run of
the same organisation)."""
ECONOMICS = ("governance.employee_hour_cost", "governance.value_per_employee_year", "governance.discount_rate",
             "labour_market.separation_cost")
"""The economic assumptions the ROI and NPV rest on, grouped as their own section."""


class Turns:
    """First come, first served turns for the heavy work of every browser session of one
    server: a model's week and a chart's drawing each take one turn.

    Python runs one thread at a time and matplotlib draws one figure at a time anyway; a
    plain lock hands the next turn to whichever thread wakes first, so a session that keeps
    asking (Play) can win it again and again while a Step elsewhere waits. Tickets serve
    requests in arrival order: a session waits for at most the turns asked before its own.
    A turn is never nested in another (a week's step and a chart are separate turns)."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._issued = 0
        self._serving = 0

    @contextmanager
    def turn(self) -> Iterator[None]:
        with self._changed:
            ticket = self._issued
            self._issued += 1
            while self._serving != ticket:
                self._changed.wait()
        try:
            yield
        finally:
            with self._changed:
                self._serving += 1
                self._changed.notify_all()


TURNS = Turns()


def control_parameters() -> list[ParameterInfo]:
    """The parameters the dashboard offers as controls: every declared lever and uncertainty,
    except the rules' behavioural constants (``rules.*``): those are the modeller's
    assumptions, set in a scenario file and screened by ``lesim sensitivity``, not levers a
    planner explores live."""
    every = list(iter_parameters(Scenario))
    first = [p for path in SETTINGS_AS_CONTROLS for p in every if p.path == path]
    return first + [p for p in every if p.kind in CONTROL_KINDS and not p.path.startswith("rules.")]


def section_of(path: str) -> str:
    """The section a control is shown in: a policy, the economic assumptions, or the top-level
    part of the scenario (``learning``, ``labour_market``, …), as a title."""
    if path in SETTINGS_AS_CONTROLS:
        return "Organisation and run"
    if path in ECONOMICS:
        return "Economic assumptions"
    parts = path.split(".")
    name = parts[1] if parts[0] == "policies" else parts[0]
    title = name.replace("_", " ").capitalize()
    return title.replace("Ld", "L&D")


def control_label(path: str) -> str:
    """A control's label: the last part of its path as words (its section says what it belongs to)."""
    label = path.split(".")[-1].replace("_", " ")
    return {"enabled": "switched on", "size": "employees", "ratio": "share of employees"}.get(label, label).capitalize()


def describe(path: str) -> str:
    """``section: label`` — how a control is named where its section is not in view."""
    return f"{section_of(path)}: {control_label(path).lower()}"


def within(path: Path, folders: list[Path]) -> Path | None:
    """``path``'s real location (every symlink resolved) if it exists inside one of
    ``folders`` (themselves resolved), else ``None`` (also for a dangling or looping link)."""
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):  # dangling link, loop, no permission
        return None
    return real if any(real.is_relative_to(f) for f in folders) else None


def inside(path: Path, folders: list[Path]) -> Path | None:
    """``path``'s real location if that is a regular file inside one of ``folders``
    (:func:`within`), else ``None``. A symlink may point to another file of the folders,
    never out of them (e.g. ``shadow.yaml -> /etc/shadow``)."""
    real = within(path, folders)
    try:
        return real if real is not None and real.is_file() else None
    except OSError:
        return None


class ScenarioFolders:
    """The scenario files the dashboard may read: ``*.yaml`` regular files directly inside the
    given folders whose real path (symlinks resolved) stays inside one of them, chosen by
    name from that list — never a path sent from the page. Reading goes through the
    loader (:func:`sim.loader.load_raw`) and its limits."""

    def __init__(self, folders: list[Path]):
        self.folders = [Path(f).resolve() for f in folders]

    def files(self) -> dict[str, Path]:
        """Name (file stem) → real path of every scenario file the page may open."""
        out: dict[str, Path] = {}
        for folder in self.folders:
            try:
                candidates = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
            except OSError:
                candidates = []
            for f in candidates:
                real = inside(f, self.folders)
                if real is not None:
                    out.setdefault(f.stem, real)
        return out

    def path_of(self, name: Any) -> Path:
        """The real path of the scenario called ``name``; a ScenarioError for anything not
        listed (a tampered picker value, ``..``, an absolute path, a link out of the folders)."""
        files = self.files()
        if not isinstance(name, str) or name not in files:
            raise ScenarioError(f"{str(name)[:80]!r}: not a scenario in the dashboard's folders")
        return files[name]


@dataclass
class Loaded:
    name: str
    path: Path
    raw: dict
    scenario: Scenario


def load(folders: ScenarioFolders, name: str) -> Loaded:
    path = folders.path_of(name)
    raw, node = load_raw(path)
    return Loaded(name, path, raw, validate_data(raw, str(path), node))


def accept_upload(name: Any, data: bytes, uploads: Path, taken: set[str] = frozenset()) -> str:
    """Check an uploaded scenario exactly as ``lesim run`` checks a file (the same size limit,
    parser and validation; errors name the uploaded file) and only then save it in
    ``uploads`` (inside the results folder), atomically; returns the name to open it by. A
    file of the same name with other content is kept, and a name in ``taken`` (the scenario
    folders' own files, which the picker lists first) is not used: the upload gets a
    numbered name."""
    from ..experiments import store

    label = one_line(str(name))[:80] or "upload"
    raw, node = parse_scenario_text(decode_text(bytes(data), label), label)
    org = raw.get("organisation")
    if isinstance(org, dict) and org.get("data") is not None:
        raise ScenarioError(f"{label}:{line_of(node, ('organisation', 'data')) or 1}: organisation.data: an uploaded "
                            "scenario cannot bring an imported organisation's tables; open it from its folder "
                            "(lesim dashboard FOLDER/scenario.yaml)")
    validate_data(raw, label, node)
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", Path(label).stem).strip("_")[:60] or "scenario"
    uploads.mkdir(parents=True, exist_ok=True)
    target, n = uploads / f"{stem}.yaml", 2
    while target.stem in taken or (target.exists() and target.read_bytes() != bytes(data)):
        target, n = uploads / f"{stem}-{n}.yaml", n + 1
    store.write_text(target, bytes(data).decode("utf-8"))
    return target.stem


def with_values(loaded: Loaded, values: dict[str, Any]) -> Scenario:
    """The loaded scenario with control values applied, validated like ``--set``."""
    return resolve_scenario(loaded.raw, values, label="control")


def scenario_yaml(loaded: Loaded, values: dict[str, Any]) -> str:
    """The current settings as a scenario file that ``lesim run`` accepts."""
    with_values(loaded, values)  # validates
    data = relative_data_files(loaded.raw, loaded.path.parent)   # an imported organisation's tables: beside it
    for k, v in values.items():
        apply_override(data, k.split("."), v, f"control {k}")
    header = f"# exported from the lesim dashboard: {loaded.name} with the dashboard's settings\n"
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


class Session:
    """One browser session's models. ``values`` are the controls' values (path → value)."""

    def __init__(self, loaded: Loaded, values: dict[str, Any], compare: bool = False, seeds: int = 1):
        """``seeds`` > 1: the strategy (and the reference) also run on the next ``seeds`` − 1
        seeds, stepped with it, for the band of outcomes over seeds the charts draw."""
        self.loaded = loaded
        self.values = dict(values)
        self.compare = compare
        self.seeds = max(1, int(seeds))
        self.lock = threading.Lock()
        self.closed = False
        self.play_generation = 0  # the Play loop that may step this session (a newer one replaces it)
        scenario = with_values(loaded, values)
        self.model = LearningEcosystem(scenario)
        self.reference = LearningEcosystem(loaded.scenario.model_copy(update={"seed": self.model.seed})) \
            if compare else None
        more = [self.model.seed + k for k in range(1, self.seeds)]
        self.band = [LearningEcosystem(scenario.model_copy(update={"seed": s})) for s in more]
        self.reference_band = [LearningEcosystem(loaded.scenario.model_copy(update={"seed": s})) for s in more] \
            if compare else []

    def close(self) -> None:
        """Free the models (the page replaced this session, or its browser session ended);
        a Play thread still running sees ``closed`` and stops."""
        with self.lock:
            self.closed = True
            self.model = None
            self.reference = None
            self.band, self.reference_band = [], []

    @property
    def week(self) -> int:
        model = self.model
        return model.week if model is not None else 0

    def step(self, weeks: int = 1) -> None:
        """Advance the model (and the reference) by up to ``weeks`` weeks, not past the horizon."""
        for _ in range(weeks):
            with TURNS.turn(), self.lock:  # one turn per week: a long run never holds the others up
                if self.closed or self.model.week >= self.model.spec.weeks:
                    return
                for model in [self.model, self.reference, *self.band, *self.reference_band]:
                    if model is not None:
                        model.step()

    @property
    def finished(self) -> bool:
        model = self.model
        return model is None or model.week >= model.spec.weeks

    def timeseries(self) -> pd.DataFrame:
        with self.lock:
            return tables(self.model)[0]

    def status(self) -> str:
        """``Week N of M`` and the headline figures in their units, then what differs from the
        scenario file (by label, with the file's value)."""
        from .live import fmt, latest

        model = self.model
        parts = [f"Week {model.week} of {model.spec.weeks}"]
        for name, label, unit in (("skills_gap", "Skills gap", ""), ("engagement", "Engagement", ""),
                                  ("turnover", "Turnover", ""), ("spend_per_employee", "L&D spend", " per employee-year")):
            parts.append(f"{label} {fmt(name, latest(model, name))}{unit}")
        changed = self.changed()
        if changed:
            parts.append("changed from the file: " + ", ".join(changed))
        return " · ".join(parts)

    def changed(self) -> list[str]:
        """Each control value that differs from the scenario file: ``section: label = value (file: x)``."""
        out = []
        for k, v in self.values.items():
            was = value_at(self.loaded.scenario, k)
            if v != was:
                out.append(f"{describe(k)} = {show_value(v)} (file: {show_value(was)})")
        return out


def show_value(v: Any) -> str:
    """A control value as text: on/off for switches, numbers without noise."""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)
