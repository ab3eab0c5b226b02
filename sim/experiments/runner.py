"""Execute planned runs on local processes or a Dask cluster, through one
``concurrent.futures``-style interface, writing each finished run to the store at once.

Resume lives here, not in the engine: a run whose key is stored is skipped; a run that
raises is recorded in ``errors/`` and the sweep goes on; if a local worker process dies,
the pool is rebuilt and the runs that were in flight are retried one at a time, so that
only a run that kills its worker on its own is charged with it (three times, then recorded
as failed). Dask re-runs a dead worker's tasks itself; a task that keeps killing
workers ends as ``KilledWorker`` and is recorded. Results do not depend on the number of
workers or the engine: each run is a pure function of its task.

A run that cannot be stored (a full disk, a read-only folder: any OSError writing it) is not
the run's fault and is not recorded as failed: the sweep stops submitting, lets the runs in
flight finish, and reports why (``SweepStats.stopped``); a resume runs what is missing.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import time
import traceback
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd

from . import store
from .store import storage_reason
from .plan import RunTask

MAX_ATTEMPTS = 3


def execute(task: RunTask) -> dict:
    """Run one task in a worker: resolve its scenario, simulate, store rows or the error.
    Besides the measured outcomes each row keeps the cumulative discounted value of output
    and total cost up to its week (:data:`sim.economics.PV_COLUMNS`), for the incremental
    economics of ``lesim compare``."""
    from ..economics import PV_COLUMNS, cumulative_pv
    from ..outcomes import Collect
    from ..run import simulate
    from .spec import resolve_scenario

    out = Path(task.out)
    start = time.perf_counter()
    factors = {"run_key": task.key, "experiment": task.experiment, "strategy": task.strategy,
               "uncertainty": task.uncertainty, "replicate": task.replicate, "seed": task.seed}
    try:
        scenario = resolve_scenario(task.base_data, task.overrides, label="run")
        # only what the sweep measures, for the organisation (and what the economics read)
        ts = simulate(scenario, collect=Collect(frozenset(task.outcomes) | {"output_value", "total_cost"},
                                                breakdown=False)).timeseries
        ts = ts.merge(cumulative_pv(ts, scenario.governance.discount_rate), on="week")
        rows = ts[ts["week"].isin(task.measure_weeks)][["week", *task.outcomes, *PV_COLUMNS]].reset_index(drop=True)
        frame = pd.DataFrame({**factors, **{k: v for k, v in task.values.items()}}, index=rows.index)
        frame = pd.concat([frame, rows], axis=1)
    except Exception as exc:  # a failing run is recorded; the sweep goes on
        try:
            store.write_error(out, task.key, {**factors, "values": task.values, "overrides": task.overrides,
                                              "error": f"{type(exc).__name__}: {exc}",
                                              "traceback": traceback.format_exc()})
        except OSError as e:
            return {"key": task.key, "ok": False, "storage": storage_reason(e)}
        return {"key": task.key, "ok": False, "error": f"{type(exc).__name__}: {exc}"}
    try:
        store.write_run(out, task.key, frame)
    except OSError as e:  # the store, not the run: the sweep stops
        return {"key": task.key, "ok": False, "storage": storage_reason(e)}
    return {"key": task.key, "ok": True, "seconds": time.perf_counter() - start}


def _exit_with_driver(driver_pid: int) -> None:
    """Worker initializer: end this worker soon after the driver is gone (killed or
    crashed), instead of lingering as an orphan. A run cut short leaves at most a hidden
    temporary file; the next sweep runs it again."""
    import os
    import threading

    def watch() -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(driver_pid, 0)
            except ProcessLookupError:
                os._exit(3)

    threading.Thread(target=watch, daemon=True, name="lesim-driver-watch").start()


def ping(_: object = None) -> int:
    """A no-op task (used to time the start of a worker pool)."""
    import os

    return os.getpid()


class LocalEngine:
    """Local worker processes. The forkserver start method is safe with the driver's threads
    (the progress bar); the server preloads the model's modules once, so each worker starts
    by forking a warm process instead of importing numpy, pandas and Mesa again."""

    def __init__(self, workers: int):
        self.workers = workers
        self._pool = self._new()

    def _new(self) -> ProcessPoolExecutor:
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["sim.experiments.runner", "sim.run", "sim.experiments.spec"])
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx, initializer=_exit_with_driver,
                                   initargs=(os.getpid(),))

    def warm_up(self) -> None:
        """Start every worker now (otherwise they start with the first runs)."""
        list(self._pool.map(ping, range(self.workers)))

    def submit(self, task: RunTask) -> Future:
        return self._pool.submit(execute, task)

    def reset(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = self._new()

    def close(self, cancel: bool = False) -> None:
        self._pool.shutdown(wait=not cancel, cancel_futures=cancel)


class DaskEngine:
    """An existing Dask distributed cluster (``pip install .[distributed]``)."""

    def __init__(self, address: str):
        try:
            from distributed import Client
        except ImportError as e:  # pragma: no cover - depends on the install
            raise RuntimeError("the Dask engine needs `pip install .[distributed]`") from e
        self.client = Client(address, timeout="10s")
        self.workers = max(1, sum(self.client.nthreads().values()))
        self._executor = self.client.get_executor(pure=False)

    def submit(self, task: RunTask) -> Future:
        return self._executor.submit(execute, task)

    def reset(self) -> None:  # the scheduler re-runs a dead worker's tasks itself
        pass

    def close(self, cancel: bool = False) -> None:
        self._executor.shutdown(wait=not cancel)
        self.client.close()


@dataclass
class SweepStats:
    planned: int = 0
    skipped: int = 0
    done: int = 0
    failed: int = 0
    failures: list[str] = field(default_factory=list)
    interrupted: bool = False
    unverified: int = 0               # stored runs that failed verification (run again)
    stopped: str | None = None        # why results could not be stored (the sweep stopped)


def run_tasks(tasks: Iterable[RunTask], engine, *, skip: set[str], stats: SweepStats,
              on_update: Callable[[SweepStats], None] = lambda s: None) -> SweepStats:
    """Submit tasks (at most 2 per worker in flight, so memory stays flat) and collect them."""
    source = iter(tasks)
    retry: deque[RunTask] = deque()  # runs in flight when a worker died: retried one at a time
    suspects: set[str] = set()
    attempts: dict[str, int] = {}
    inflight: dict[Future, RunTask] = {}
    full = max(2, 2 * engine.workers)

    def next_task() -> RunTask | None:
        if retry:
            task = retry.popleft()
            suspects.add(task.key)
            return task
        for task in source:
            if task.key in skip:
                stats.skipped += 1
                on_update(stats)
                continue
            return task
        return None

    def fail(task: RunTask, message: str) -> None:
        try:
            store.write_error(Path(task.out), task.key, {
                "run_key": task.key, "experiment": task.experiment, "strategy": task.strategy,
                "uncertainty": task.uncertainty, "replicate": task.replicate, "seed": task.seed,
                "values": task.values, "overrides": task.overrides, "error": message, "traceback": message})
        except OSError as e:
            stop(storage_reason(e))
            return
        stats.failed += 1
        stats.failures.append(f"{task.strategy}/{task.uncertainty}/rep{task.replicate}: {message}")

    def stop(reason: str) -> None:
        nonlocal exhausted
        stats.stopped = stats.stopped or reason
        exhausted = True
        retry.clear()

    exhausted = False
    while True:
        suspect_running = any(t.key in suspects for t in inflight.values())
        limit = 1 if retry or suspect_running else full
        while not exhausted and len(inflight) < limit:
            task = next_task()
            if task is None:
                exhausted = not retry
                break
            inflight[engine.submit(task)] = task
        if not inflight:
            if (exhausted and not retry) or stats.stopped:
                break
            continue
        alone = len(inflight) == 1
        done, _ = wait(list(inflight), return_when=FIRST_COMPLETED)
        broken = False
        for fut in done:
            task = inflight.pop(fut)
            try:
                res = fut.result()
            except BrokenProcessPool:
                broken = True
                if alone:  # it ran by itself: this run killed its worker
                    attempts[task.key] = attempts.get(task.key, 0) + 1
                    if attempts[task.key] >= MAX_ATTEMPTS:
                        fail(task, f"worker process died {MAX_ATTEMPTS} times running this run")
                        continue
                retry.append(task)
                continue
            except Exception as exc:  # e.g. Dask KilledWorker, or a task that cannot be sent
                fail(task, f"{type(exc).__name__}: {exc}")
                continue
            suspects.discard(task.key)
            if "storage" in res:
                stop(res["storage"])
            elif res["ok"]:
                stats.done += 1
            else:
                stats.failed += 1
                stats.failures.append(f"{task.strategy}/{task.uncertainty}/rep{task.replicate}: {res['error']}")
            on_update(stats)
        if broken and not stats.stopped:
            retry.extend(inflight.values())
            inflight.clear()
            engine.reset()
            exhausted = False
        on_update(stats)
    return stats
