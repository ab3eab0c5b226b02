"""``lesim sweep``: plan an experiment's runs, skip the stored ones, execute the rest."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

import yaml

from ..loader import ScenarioError
from . import store
from .plan import count_runs, plan_runs
from .runner import DaskEngine, LocalEngine, SweepStats, run_tasks
from .spec import LoadedExperiment, experiment_yaml


def default_out(exp: LoadedExperiment) -> Path:
    return Path("results") / exp.spec.name.replace(" ", "_")


def check_folder(exp: LoadedExperiment, out: Path) -> None:
    """Refuse a folder that holds a different experiment (resume needs the same one)."""
    f = out / "experiment.yaml"
    if f.exists():
        try:
            old = yaml.safe_load(f.read_text()) or {}
        except yaml.YAMLError:
            old = {}
        if old.get("name") != exp.spec.name:
            raise ScenarioError(f"{out}: holds results of experiment {old.get('name')!r}, not {exp.spec.name!r}; "
                                "choose another --out")
    elif out.exists() and any(p for p in out.iterdir() if p.name not in ("runs", "errors")):
        raise ScenarioError(f"{out}: exists and is not a sweep folder; choose another --out")


def planned_keys(exp: LoadedExperiment, out: Path) -> set[str]:
    return {t.key for t in plan_runs(exp, out)}


def sweep(exp: LoadedExperiment, out: Path, *, workers: int | None = None, scheduler: str | None = None,
          on_update: Callable[[SweepStats], None] = lambda s: None, on_start: Callable[[int, int], None] | None = None
          ) -> SweepStats:
    """Run every planned run not yet stored in ``out``; returns the counts. ``out`` is made
    absolute: Dask workers run in their own working folders (they need a shared filesystem)."""
    out = Path(out).resolve()
    check_folder(exp, out)
    store.prepare(out)
    store.write_text(out / "experiment.yaml", experiment_yaml(exp))
    store.write_text(out / "plan.keys", "\n".join(t.key for t in plan_runs(exp, out)) + "\n")
    done = store.stored_keys(out)
    stats = SweepStats(planned=count_runs(exp))
    engine = DaskEngine(scheduler) if scheduler else LocalEngine(workers or os.cpu_count() or 1)
    if on_start is not None:
        on_start(stats.planned, engine.workers)
    try:
        run_tasks(plan_runs(exp, out), engine, skip=done, stats=stats, on_update=on_update)
    except KeyboardInterrupt:
        stats.interrupted = True
        engine.close(cancel=True)
        return stats
    engine.close()
    return stats
