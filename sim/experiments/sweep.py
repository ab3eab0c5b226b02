"""``lesim sweep``: plan an experiment's runs, skip the stored ones, execute the rest.

Stored runs are verified first (:func:`sim.experiments.store.check_runs`): one whose file
does not match its checksum is discarded and run again. The engine (local workers or a Dask
cluster) is started before anything is written, so a scheduler that cannot be reached
leaves no files behind. If results cannot be stored (a full disk, a read-only folder), the
sweep stops with :class:`SweepError`; what is stored stays valid and the same command
resumes.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

import yaml

from ..loader import ScenarioError, read_text
from . import store
from .plan import count_runs, plan_runs
from .runner import DaskEngine, LocalEngine, SweepStats, run_tasks, storage_reason
from .spec import LoadedExperiment, experiment_yaml


class SweepError(ScenarioError):
    """The sweep could not start or had to stop; ``str`` is the one-line message and
    ``code`` the exit status (2: a mistake such as a wrong scheduler address; 1: a fault
    such as a full disk)."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


def default_out(exp: LoadedExperiment) -> Path:
    return Path("results") / exp.spec.name.replace(" ", "_")


def check_folder(exp: LoadedExperiment, out: Path) -> None:
    """Refuse a folder that holds a different experiment (resume needs the same one)."""
    f = out / "experiment.yaml"
    if out.exists() and not out.is_dir():
        raise ScenarioError(f"{out}: exists and is not a folder; choose another --out")
    if f.exists():
        try:  # bounded, and never a pipe or a device (it would block)
            old = yaml.safe_load(read_text(f))
        except (yaml.YAMLError, ScenarioError):
            old = None
        if not isinstance(old, dict) or not isinstance(old.get("name"), str):
            if (out / "runs").is_dir():
                return  # a sweep folder whose experiment.yaml is damaged: the sweep rewrites it (runs are by key)
            raise ScenarioError(f"{f}: cannot be read, so this folder cannot be resumed; choose another --out")
        if old.get("name") != exp.spec.name:
            raise ScenarioError(f"{out}: holds results of experiment {old.get('name')!r}, not {exp.spec.name!r}; "
                                "choose another --out")
    elif out.exists() and any(p for p in out.iterdir() if p.name not in ("runs", "errors", store.CHECKSUMS, "plan.keys")
                              and not p.name.startswith(".")):
        raise ScenarioError(f"{out}: exists and is not a sweep folder; choose another --out")


def planned_keys(exp: LoadedExperiment, out: Path) -> set[str]:
    return {t.key for t in plan_runs(exp, out)}


def _engine(workers: int | None, scheduler: str | None):
    if not scheduler:
        return LocalEngine(workers or os.cpu_count() or 1)
    try:
        return DaskEngine(scheduler)
    except (OSError, ValueError, TimeoutError, RuntimeError) as e:
        raise SweepError(f"{scheduler}: cannot start the sweep: {e}") from None


def _stopped(out: Path, reason: str, stats: SweepStats) -> SweepError:
    return SweepError(f"{out}: cannot store results ({reason}); the sweep stopped ({stats.done} runs stored now, "
                      f"{stats.planned} planned); what is stored is kept and valid: free space or fix the folder, "
                      "then run the same command again to resume", code=1)


def sweep(exp: LoadedExperiment, out: Path, *, workers: int | None = None, scheduler: str | None = None,
          on_update: Callable[[SweepStats], None] = lambda s: None, on_start: Callable[[int, int], None] | None = None
          ) -> SweepStats:
    """Run every planned run not yet stored in ``out``; returns the counts. ``out`` is made
    absolute: Dask workers run in their own working folders (they need a shared filesystem).
    Raises :class:`SweepError` if the engine cannot start or results cannot be stored."""
    out = Path(out).resolve()
    check_folder(exp, out)
    engine = _engine(workers, scheduler)
    stats = SweepStats(planned=count_runs(exp))
    try:
        store.prepare(out)
        store.write_text(out / "experiment.yaml", experiment_yaml(exp))
        keys = [t.key for t in plan_runs(exp, out)]
        store.write_text(out / "plan.keys", "\n".join(keys) + "\n")
        done, bad = store.check_runs(out)
        store.discard_runs(out, bad)
    except OSError as e:
        engine.close(cancel=True)
        raise _stopped(out, storage_reason(e), stats) from None
    stats.unverified = len(bad & set(keys))
    if on_start is not None:
        on_start(stats.planned, engine.workers)
    try:
        run_tasks(plan_runs(exp, out), engine, skip=done, stats=stats, on_update=on_update)
    except KeyboardInterrupt:
        stats.interrupted = True
        engine.close(cancel=True)
        return stats
    engine.close()
    if stats.stopped:
        raise _stopped(out, stats.stopped, stats)
    return stats
