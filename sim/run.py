"""Run a scenario and turn the model's records into tidy tables and files.

The library API behind ``lesim run`` (and later the dashboard and sweeps):

* :func:`prepare_run` — the scenario with its overrides, and the output folder;
* :func:`simulate` — build the model, step it, return a :class:`RunResult` of tables;
* :func:`simulate_seeds` — the same scenario on seeds seed, seed + 1, … (replicates);
  :func:`replicate_summary` — each outcome's final value as a mean and 95 % interval;
* :func:`write_outputs` — write the tables, summary, manifest, charts and report to a
  folder, atomically (files go to a temporary sibling folder that is renamed at the end,
  so an interrupted run never leaves a half-written results folder). With replicates, the
  tables and charts are the first seed's; with a counterfactual (``lesim run X --against
  B``), the incremental economics of :mod:`sim.economics` are added. With ``records="xapi"``
  (``lesim run --records xapi``) the first seed's learning activity is written as xAPI
  statements, ``xapi.jsonl`` (:func:`~sim.records.xapi_statements`): streamed week by week
  into a temporary file while the model runs, copied into the results with the tables.

Faults while writing give an :class:`OutputError` with a one-line message, never a lost run
in silence: if the finished results cannot be put at ``--out`` (another run wrote there
first, it became a symbolic link or a file), they are kept in a visible sibling folder that
the message names; if they cannot be written at all (a full disk, a read-only folder), the
partial files are removed. An empty mount point as ``--out`` is written into (the files
are moved in one by one from a hidden folder inside it). The hidden temporary folder of a
run that was killed (``.<name>.tmp-<pid>-<host>``) is removed by the next run writing
into the same folder, once its process is gone.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import IO, Callable, Sequence

import numpy as np
import pandas as pd

from . import economics
from .experiments.store import HOST_KEY, left_by_dead_writer, storage_reason
from .loader import ScenarioError, load_scenario
from .model import LearningEcosystem
from .processes.budget import year_record
from .records import XAPI_AFTER, xapi_registration, xapi_statements
from .outcomes import HEADLINE, OUTCOMES, Collect, format_value
from .scenario import BUDGET_ITEMS, Scenario
from .state import LOCATIONS

OUTCOME_NAMES = [o.name for o in OUTCOMES]
FLOW_HEADLINES = ("learning_hours", "spend_per_employee", "total_cost_per_employee")
"""Headline flows: nothing happens in week 0, so tables start them at week 1."""


def package_version() -> str:
    try:
        return version("learning-ecosystem-sim")
    except PackageNotFoundError:  # running from a source tree
        return "0+unknown"


@dataclass
class RunResult:
    """Tidy tables of one run (column names are outcome names)."""

    scenario: Scenario
    timeseries: pd.DataFrame          # week × outcomes (organisation)
    departments: pd.DataFrame         # week × department × outcomes
    skills: pd.DataFrame              # week × skill: mean proficiency and mean gap
    governance: pd.DataFrame          # one row per governance review
    budget: pd.DataFrame              # one row per budget year (the last may be partial)
    wall_seconds: float
    model: LearningEcosystem | None = field(default=None, repr=False)
    reallocations: pd.DataFrame = field(default_factory=pd.DataFrame)  # evidence allocation's moves
    locations: pd.DataFrame = field(default_factory=pd.DataFrame)      # week × work location × outcomes
    xapi: IO[bytes] | None = field(default=None, repr=False)           # xAPI statements, JSON lines (records="xapi")
    observed: dict = field(default_factory=dict)  # an imported organisation's measured state set at week 0 (counts)

    def summary(self) -> dict:
        """Final and average (over weeks 1…end) value of every outcome."""
        ts = self.timeseries.set_index("week")
        body = ts.loc[ts.index >= 1] if len(ts) > 1 else ts
        out = {}
        for o in OUTCOMES:
            final = ts[o.name].iloc[-1]
            avg = body[o.name].mean()
            out[o.name] = {"label": o.label, "unit": o.unit, "better": o.better,
                           "final": None if pd.isna(final) else float(final),
                           "average": None if pd.isna(avg) else float(avg)}
        return out


def tables(model: LearningEcosystem) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The collector's records as tidy DataFrames."""
    col = model.collector
    st = model.structure
    weeks = np.array(col.weeks)
    ts = pd.DataFrame(np.array(col.org), columns=OUTCOME_NAMES)
    ts.insert(0, "week", weeks)
    ts.insert(1, "headcount", np.array(col.headcount).sum(axis=1).astype(int))
    dept_vals = np.array(col.dept)                      # weeks × depts × outcomes
    n_w, n_d, _ = dept_vals.shape
    dep = pd.DataFrame(dept_vals.reshape(n_w * n_d, -1), columns=OUTCOME_NAMES)
    dep.insert(0, "week", np.repeat(weeks, n_d))
    dep.insert(1, "department", np.tile(np.array(st.dept_names, dtype=object), n_w))
    dep.insert(2, "headcount", np.array(col.headcount).reshape(-1).astype(int))
    k = len(st.skill_names)
    sk = pd.DataFrame({
        "week": np.repeat(weeks, k),
        "skill": np.tile(np.array(st.skill_names, dtype=object), n_w),
        "mean_proficiency": np.array(col.skill_prof).reshape(-1),
        "mean_gap": np.array(col.skill_gap).reshape(-1),
    })
    gov = pd.DataFrame(model.governance.decisions, columns=GOVERNANCE_COLUMNS)
    return ts, dep, sk, gov


def location_table(model: LearningEcosystem) -> pd.DataFrame:
    """Outcomes by work location (on-site, hybrid, remote), week by week: the locations the
    organisation has seats in (a location nobody works from has no rows)."""
    col = model.collector
    vals = np.array(col.location)                       # weeks × locations × outcomes
    heads = np.array(col.location_headcount)            # weeks × locations
    present = np.flatnonzero(np.bincount(model.workforce.location, minlength=len(LOCATIONS)) > 0)
    vals, heads = vals[:, present], heads[:, present]
    n_w, n_l, _ = vals.shape
    out = pd.DataFrame(vals.reshape(n_w * n_l, -1), columns=OUTCOME_NAMES)
    out.insert(0, "week", np.repeat(np.array(col.weeks), n_l))
    out.insert(1, "location", np.tile(np.array([LOCATIONS[i] for i in present], dtype=object), n_w))
    out.insert(2, "headcount", heads.reshape(-1).astype(int))
    return out


GOVERNANCE_COLUMNS = ["week", "rule", "measured_gap", "retired", "commissioned", "protected_hours",
                      "budget_per_employee", "spend_per_employee", *[f"scale_{n}" for n in BUDGET_ITEMS],
                      *[f"value_{n}" for n in BUDGET_ITEMS]]
REALLOCATION_COLUMNS = ["week", "review_week", "from", "to", "moved_per_employee_year",
                        *[f"value_{n}" for n in BUDGET_ITEMS],
                        *[f"scale_{w}_{n}" for n in BUDGET_ITEMS for w in ("before", "after")]]


def simulate(scenario: Scenario, *, progress: Callable[[int, int], None] | None = None,
             keep_model: bool = False, records: str | None = None, collect: Collect | None = None) -> RunResult:
    """Run ``scenario`` for its horizon; ``progress(week, weeks)`` is called after each week.
    ``records="xapi"``: the weeks' learning activity as xAPI statements too (``RunResult.xapi``).
    ``collect``: only these outcomes, with or without departments and locations
    (:class:`~sim.outcomes.Collect`; the others' columns are NaN)."""
    start = time.perf_counter()
    model = LearningEcosystem(scenario, collect=collect)
    xapi = xapi_log(model) if records == "xapi" else None
    for _ in range(scenario.weeks):
        model.step()
        if progress is not None:
            progress(model.week, scenario.weeks)
    ts, dep, sk, gov = tables(model)
    return RunResult(scenario, ts, dep, sk, gov, budget_years(model), time.perf_counter() - start,
                     model if keep_model else None,
                     pd.DataFrame(model.state.budget.reallocations, columns=REALLOCATION_COLUMNS),
                     location_table(model), xapi, dict(model.observed))


def xapi_log(model: LearningEcosystem) -> IO[bytes]:
    """A temporary file that receives each week's xAPI statements (one JSON object a line, UTF-8)
    as the model runs: :func:`~sim.records.xapi_statements` after phase
    :data:`~sim.records.XAPI_AFTER` of every week."""
    log = tempfile.TemporaryFile()
    registration = xapi_registration(model.spec)

    def after(name: str, _state) -> None:
        if name == XAPI_AFTER:
            log.writelines(json.dumps(st, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
                           for st in xapi_statements(model, registration))

    model.after_phase = after
    return log


def budget_years(model: LearningEcosystem) -> pd.DataFrame:
    """One row per budget year: budget and spend per employee, over budget or not, and the mean
    share of each cuttable programme the budget allowed (:mod:`sim.processes.budget`)."""
    b = model.state.budget
    rows = list(b.years)
    if b.year_weeks:
        rows.append(year_record(b, model.phase("budget").pars, len(rows) + 1))
    return pd.DataFrame(rows, columns=["year", "weeks", "mode", "budget_per_employee", "spend_per_employee",
                                       "over_budget", *[f"scale_{n}" for n in BUDGET_ITEMS]])


def budget_lines(result: "RunResult") -> list[str]:
    """What a planner must know about the budget, in words: per year, spend against budget
    and what was cut (programmes at less than full scale), raised (above their declared level,
    evidence allocation) or the overspend."""
    lines = []
    for r in result.budget.itertuples():
        cuts = [f"{n.replace('_', ' ')} {1 - getattr(r, f'scale_{n}'):.0%}" for n in BUDGET_ITEMS
                if getattr(r, f"scale_{n}") < 0.995]
        raised = [f"{n.replace('_', ' ')} +{getattr(r, f'scale_{n}') - 1:.0%}" for n in BUDGET_ITEMS
                  if getattr(r, f"scale_{n}") > 1.005]
        head = (f"year {r.year}{' (' + str(r.weeks) + ' weeks)' if r.weeks < 52 else ''}: spent "
                f"${r.spend_per_employee:,.0f} of ${r.budget_per_employee:,.0f} per employee")
        if r.over_budget:
            head += f" — OVER BUDGET by {r.spend_per_employee / r.budget_per_employee - 1:.0%}"
        lines.append(head + (f"; cut: {', '.join(cuts)}" if cuts else "")
                     + (f"; raised: {', '.join(raised)}" if raised else ""))
    return lines


def simulate_seeds(scenario: Scenario, replicates: int, *,
                   progress: Callable[[int, int], None] | None = None, records: str | None = None) -> list[RunResult]:
    """``scenario`` on seeds seed, seed + 1, …, seed + replicates − 1; ``progress(done, total)``
    counts weeks over all of them; ``records`` (see :func:`simulate`) for the first seed only."""
    total = replicates * scenario.weeks
    out = []
    for i in range(replicates):
        step = None if progress is None else (lambda w, n, i=i: progress(i * scenario.weeks + w, total))
        out.append(simulate(scenario.model_copy(update={"seed": scenario.seed + i}), progress=step,
                            records=records if i == 0 else None))
    return out


def replicate_summary(results: Sequence[RunResult]) -> dict:
    """Each outcome's final value over replicates: mean and 95 % Student-t interval over the
    seeds (None bounds with one seed), JSON-ready."""
    out = {}
    for o in OUTCOMES:
        finals = [r.timeseries[o.name].iloc[-1] for r in results]
        finals = [float(v) for v in finals if not pd.isna(v)]
        m, lo, hi = economics.t_interval(finals)
        out[o.name] = {"label": o.label, "unit": o.unit, "better": o.better, "n": len(finals),
                       **{k: (None if v != v else v) for k, v in (("mean", m), ("low", lo), ("high", hi))}}
    return out


@dataclass
class Comparison:
    """A strategy against its counterfactual on the same seeds (``lesim run X --against B``)."""

    counterfactual: Scenario
    runs: list[RunResult]                # the counterfactual's runs, seed by seed
    summary: dict                        # sim.economics.summarise
    curve: pd.DataFrame                  # week, mean, low, high of the cumulative discounted net

    @classmethod
    def of(cls, strategy_runs: Sequence[RunResult], counterfactual_runs: Sequence[RunResult]) -> "Comparison":
        summary, curve = economics.compare_runs(strategy_runs, counterfactual_runs)
        return cls(counterfactual_runs[0].scenario, list(counterfactual_runs), summary, curve)


def default_out_dir(scenario: Scenario, root: Path = Path("results")) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return root / scenario.name.replace(" ", "_") / stamp


def prepare_run(path: Path, overrides: Sequence[str] = (), *, seed: int | None = None, weeks: int | None = None,
                out: Path | None = None) -> tuple[Scenario, Path]:
    """The scenario of ``lesim run`` (the file with its ``--set`` overrides, then ``seed`` and
    ``weeks`` if given) and its output folder (``out`` or :func:`default_out_dir`), which
    must be new or empty; a symbolic link to a folder stands for that folder. Raises
    :class:`~sim.loader.ScenarioError` for either mistake."""
    overrides = [*overrides, *([f"seed={seed}"] if seed is not None else []),
                 *([f"weeks={weeks}"] if weeks is not None else [])]
    sc = load_scenario(path, overrides)
    out_dir = out if out is not None else default_out_dir(sc)
    if out_dir.is_symlink():
        if not out_dir.exists():
            raise ScenarioError(f"{out_dir}: is a symbolic link to {os.readlink(out_dir)}, which does not exist; "
                                "choose another --out")
        out_dir = out_dir.resolve()
    clean_stale_partials(out_dir.parent)
    clean_stale_partials(out_dir)
    try:
        occupied = out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir()))
    except OSError as e:
        raise ScenarioError(f"{out_dir}: cannot read it ({e.strerror or e}); choose another --out") from None
    if occupied:
        raise ScenarioError(f"{out_dir}: exists and is not an empty folder; choose another --out")
    return sc, out_dir


class OutputError(Exception):
    """The results could not be written to the output folder; ``str`` is the one-line
    message (it names where the finished results were kept, if they were)."""

    def __init__(self, message: str, kept: Path | None = None):
        super().__init__(message)
        self.kept = kept


_PARTIAL = re.compile(r"\..*\.tmp-(\d+)-([0-9a-f]{8})")


def _partial_name(out: Path) -> str:
    return f".{out.name[:80]}.tmp-{os.getpid()}-{HOST_KEY}"


def clean_stale_partials(folder: Path) -> list[Path]:
    """Remove the hidden temporary results folders in ``folder`` that runs on this machine
    left when they were killed (their process is gone); returns what was removed."""
    removed = []
    try:
        entries = list(folder.iterdir()) if folder.is_dir() else []
    except OSError:
        return removed
    for p in entries:
        m = _PARTIAL.fullmatch(p.name)
        if m is None or not left_by_dead_writer(int(m.group(1)), m.group(2)):
            continue
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p)
    return removed


def _reason(e: OSError) -> str:
    return {errno.ENOTEMPTY: "another run wrote there first", errno.EEXIST: "another run wrote there first",
            errno.EBUSY: "it is in use (a mount point?)",
            errno.ENOTDIR: "it is not a folder (a file or a symbolic link?)"}.get(e.errno) or storage_reason(e)


def _keep_beside(tmp: Path, out: Path) -> Path:
    """Rename the finished temporary folder to a new, visible name in the folder it is in
    (``out``'s, or ``out`` itself if it was written into); returns where it is."""
    stem = out.name if tmp.parent != out else "results"
    for i in range(100):
        kept = tmp.parent / f"{stem}.{os.getpid()}{'' if i == 0 else f'-{i}'}"
        if kept.exists() or kept.is_symlink():
            continue
        try:
            os.rename(tmp, kept)
            return kept
        except OSError:
            continue
    return tmp


def _move_into(tmp: Path, out: Path) -> None:
    """Move the files of ``tmp`` (inside ``out``) into ``out`` without replacing anything:
    if another run put a file there meanwhile, the ones moved so far go back and OSError
    is raised."""
    moved: list[tuple[str, bool]] = []  # (name, linked: the original is still in tmp)
    try:
        for f in sorted(tmp.iterdir(), key=lambda f: f.name == "manifest.json"):  # the manifest last
            try:
                os.link(f, out / f.name)  # never replaces a file
                moved.append((f.name, True))
            except OSError as e:
                if e.errno not in (errno.EPERM, errno.ENOTSUP) or (out / f.name).exists():
                    raise
                os.rename(f, out / f.name)  # a filesystem without hard links
                moved.append((f.name, False))
    except OSError:
        for name, linked in moved:
            if linked:
                (out / name).unlink(missing_ok=True)
            else:
                os.rename(out / name, tmp / name)
        raise
    shutil.rmtree(tmp)


def manifest(result: RunResult) -> dict:
    sc = result.scenario
    return {
        "scenario": sc.model_dump(mode="json"),
        "scenario_sha256": sc.digest(),
        "seed": sc.seed,
        "weeks": sc.weeks,
        "package": "learning-ecosystem-sim",
        "version": package_version(),
        "wall_seconds": round(result.wall_seconds, 3),
        "created_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "files": ["timeseries.csv", "departments.csv", "locations.csv", "skills.csv", "governance.csv", "summary.json",
                  "manifest.json", "report.html", "chart_headline.png", "chart_departments.png", "chart_skills.png"],
    }


def write_outputs(result: RunResult, out: Path, *, replicates: Sequence[RunResult] = (),
                  against: Comparison | None = None) -> Path:
    """Write every output file into ``out`` atomically; returns ``out``. ``replicates`` (all
    seeds, ``result`` first) add each outcome's mean and interval (``replicates.csv``, the
    summary, the report); ``against`` adds the incremental economics (``economics.csv``: per
    seed; ``incremental.csv``: the cumulative discounted net by week). Raises
    :class:`OutputError` if the results cannot be written there (see the module's notes)."""
    from .report import write_charts, write_report

    out = Path(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        clean_stale_partials(out.parent)
        into = out.is_dir() and not out.is_symlink() and os.path.ismount(out)  # an empty mount point: write into it
        tmp = (out if into else out.parent) / _partial_name(out)
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir()
    except OSError as e:
        raise OutputError(f"{out}: cannot write the results ({_reason(e)}); nothing was written") from None
    try:
        _write_files(result, tmp, replicates, against, write_charts, write_report)
    except BaseException as e:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(e, OSError):
            raise OutputError(f"{out}: cannot write the results ({_reason(e)}); nothing was written") from None
        raise
    try:
        if into:
            _move_into(tmp, out)
        else:
            os.rename(tmp, out)  # atomic; replaces an empty folder, fails on anything else
    except OSError as e:
        kept = _keep_beside(tmp, out)
        raise OutputError(f"{out}: cannot put the results there ({_reason(e)}); the finished results are in {kept}",
                          kept) from None
    return out


def _write_files(result: RunResult, tmp: Path, replicates: Sequence[RunResult], against: Comparison | None,
                 write_charts, write_report) -> None:
    result.timeseries.to_csv(tmp / "timeseries.csv", index=False, float_format="%.6g")
    result.departments.to_csv(tmp / "departments.csv", index=False, float_format="%.6g")
    result.locations.to_csv(tmp / "locations.csv", index=False, float_format="%.6g")
    result.skills.to_csv(tmp / "skills.csv", index=False, float_format="%.6g")
    result.governance.to_csv(tmp / "governance.csv", index=False)
    files = []
    if len(result.reallocations):
        result.reallocations.to_csv(tmp / "reallocations.csv", index=False)
        files.append("reallocations.csv")
    doc = {"scenario": result.scenario.name, "weeks": result.scenario.weeks, "seed": result.scenario.seed,
           "outcomes": result.summary(), "valuation": economics.assumptions(result.scenario),
           "budget": result.budget.to_dict(orient="records")}
    if len(replicates) > 1:
        doc["replicates"] = {"seeds": [r.scenario.seed for r in replicates],
                             "interval": "95 % Student-t interval of the final week's value over the seeds",
                             "outcomes": replicate_summary(replicates)}
        finals = pd.DataFrame([{"seed": r.scenario.seed, **r.timeseries.iloc[-1][OUTCOME_NAMES].to_dict()}
                               for r in replicates])
        finals.to_csv(tmp / "replicates.csv", index=False, float_format="%.6g")
        files.append("replicates.csv")
    if against is not None:
        doc["incremental"] = {"counterfactual": against.counterfactual.name, **against.summary}
        pd.DataFrame(against.summary["seeds"]).to_csv(tmp / "economics.csv", index=False, float_format="%.6g")
        against.curve.to_csv(tmp / "incremental.csv", index=False, float_format="%.6g")
        files += ["economics.csv", "incremental.csv"]
    if result.xapi is not None:
        result.xapi.seek(0)
        with open(tmp / "xapi.jsonl", "wb") as f:
            shutil.copyfileobj(result.xapi, f)
        files.append("xapi.jsonl")
    (tmp / "summary.json").write_text(json.dumps(doc, indent=2, allow_nan=False))
    (tmp / "manifest.json").write_text(json.dumps(
        {**manifest(result), **({"files": manifest(result)["files"] + files} if files else {}),
         **({"counterfactual": against.counterfactual.model_dump(mode="json")} if against else {}),
         **({"seeds": [r.scenario.seed for r in replicates]} if len(replicates) > 1 else {})}, indent=2))
    charts = write_charts(result, tmp)
    write_report(result, tmp / "report.html", charts, replicates=replicates, against=against)


def headline_rows(result: RunResult) -> list[tuple[str, str, str, str]]:
    """(label, unit, start, final) for the headline outcomes, formatted for a terminal."""
    ts = result.timeseries
    rows = []
    for o in HEADLINE:
        first = ts[o.name].iloc[1] if o.name in FLOW_HEADLINES and len(ts) > 1 else ts[o.name].iloc[0]
        rows.append((o.label, o.unit, format_value(first), format_value(ts[o.name].iloc[-1])))
    return rows


def replicate_rows(results: Sequence[RunResult]) -> list[tuple[str, str, str]]:
    """(label, unit, "mean [low, high]") of the headline outcomes' final values over replicates."""
    summ = replicate_summary(results)
    rows = []
    for o in HEADLINE:
        s = summ[o.name]
        cell = "–" if s["mean"] is None else (format_value(s["mean"]) if s["low"] is None else
                                             f"{format_value(s['mean'])} [{format_value(s['low'])}, {format_value(s['high'])}]")
        rows.append((o.label, o.unit, cell))
    return rows

