"""The results store of a sweep — a folder with a documented layout:

    <out>/experiment.yaml    the resolved experiment
    <out>/runs/<key>.parquet one file per finished run: run_key, factor columns (experiment,
                             strategy, uncertainty, replicate, seed, sampled parameter values),
                             week, and one column per measured outcome; one row per week
    <out>/errors/<key>.json  a failed run: its factors and traceback
    <out>/plan.keys          the run keys of the current plan (``lesim compare`` reads only
                             these, so runs left by a trial with other settings don't mix in)

Every file is written to a temporary name in the same folder and renamed into place, so a
reader never sees half a file, a killed writer leaves at most a hidden temporary file, and a
run written twice (a Dask task re-run after a worker died) just replaces identical content.
``pandas.read_parquet("<out>/runs")`` reads the whole sweep (hidden files are ignored).

:func:`check_writable` is the early check every command that writes results makes.
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from pathlib import Path

import pandas as pd

from ..loader import ScenarioError


def check_writable(folder: Path) -> None:
    """Fail now, not after a long run, if results cannot be written into ``folder`` (made if
    missing): raises :class:`~sim.loader.ScenarioError`."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".lesim-write-check-"):
            pass
    except OSError as e:
        raise ScenarioError(f"{folder}: cannot write results there ({e.strerror or e}); choose another --out") from None


def _atomic_write(path: Path, write) -> None:
    tmp = path.parent / f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def prepare(out: Path) -> None:
    (out / "runs").mkdir(parents=True, exist_ok=True)
    (out / "errors").mkdir(parents=True, exist_ok=True)


def write_text(path: Path, text: str) -> None:
    _atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_run(out: Path, key: str, frame: pd.DataFrame) -> None:
    """Store one run's rows; clears an error recorded for it earlier."""
    _atomic_write(out / "runs" / f"{key}.parquet", lambda tmp: frame.to_parquet(tmp, index=False))
    err = out / "errors" / f"{key}.json"
    if err.exists():
        err.unlink()


def write_error(out: Path, key: str, record: dict) -> None:
    _atomic_write(out / "errors" / f"{key}.json", lambda tmp: tmp.write_text(json.dumps(record, indent=2)))


def stored_keys(out: Path) -> set[str]:
    runs = out / "runs"
    if not runs.is_dir():
        return set()
    return {p.stem for p in runs.glob("*.parquet") if not p.name.startswith(".")}


def error_records(out: Path) -> list[dict]:
    errs = out / "errors"
    if not errs.is_dir():
        return []
    return [json.loads(p.read_text()) for p in sorted(errs.glob("*.json")) if not p.name.startswith(".")]


def read_runs(out: Path, keys: set[str] | None = None) -> pd.DataFrame:
    """The stored runs (only ``keys`` if given), sorted by factors and week."""
    runs = out / "runs"
    files = sorted(p for p in runs.glob("*.parquet") if not p.name.startswith(".") and (keys is None or p.stem in keys))
    if not files:
        return pd.DataFrame()
    frame = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    return frame.sort_values(["uncertainty", "replicate", "strategy", "week"], kind="stable").reset_index(drop=True)
