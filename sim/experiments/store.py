"""The results store of a sweep — a folder with a documented layout:

    <out>/experiment.yaml    the resolved experiment
    <out>/runs/<key>.parquet one file per finished run: run_key, factor columns (experiment,
                             strategy, uncertainty, replicate, seed, sampled parameter values),
                             week, and one column per measured outcome; one row per week
                             (written with Parquet page checksums)
    <out>/checksums/<key>.sha256  the SHA-256 of that file's bytes, written just before the
                             file is renamed into place: a run counts as stored only if its
                             file matches (so a truncated, emptied or damaged file is found
                             and re-run, never read). A run file without a checksum (a store
                             written before checksums existed) is adopted if it decodes in
                             full: its checksum is written then.
    <out>/errors/<key>.json  a failed run: its factors and traceback
    <out>/plan.keys          the run keys of the current plan (``lesim compare`` reads only
                             these, so runs left by a trial with other settings don't mix in)

Every file is written to a temporary name in the same folder and renamed into place, so a
reader never sees half a file, a killed writer leaves at most a hidden temporary file (the
next sweep on the same machine removes those whose process is gone), and a run written twice
(a Dask task re-run after a worker died) just replaces identical content.
``pandas.read_parquet("<out>/runs")`` reads the whole sweep (hidden files are ignored).

:func:`check_writable` is the early check every command that writes results makes.
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import re
import socket
import tempfile
import uuid
from pathlib import Path

import pandas as pd

from ..loader import ScenarioError


def check_writable(folder: Path) -> None:
    """Fail now, not after a long run, if results cannot be written into ``folder``: raises
    :class:`~sim.loader.ScenarioError`. Leaves nothing behind: folders made for the check
    are removed again (the writer makes them when it writes)."""
    made = []
    p = Path(folder)
    while not p.exists() and not p.is_symlink() and p != p.parent:
        made.append(p)
        p = p.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".lesim-write-check-"):
            pass
    except OSError as e:
        raise ScenarioError(f"{folder}: cannot write results there ({e.strerror or e}); choose another --out") from None
    finally:
        for d in made:  # deepest first
            try:
                d.rmdir()
            except OSError:
                break


def storage_reason(e: OSError) -> str:
    """Why a write failed, in words (``no space left on device``, ``read-only file system`` …)."""
    return {errno.ENOSPC: "no space left on device", errno.EDQUOT: "disk quota exceeded",
            errno.EROFS: "read-only file system", errno.EACCES: "permission denied",
            errno.EPERM: "operation not permitted", errno.EIO: "input/output error"}.get(e.errno, e.strerror or str(e))


HOST_KEY = hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]
"""This machine in the names of temporary files and folders (a shared filesystem sees other
hosts' ones, which are never removed from here)."""


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine (another user's counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def left_by_dead_writer(pid: int, host: str) -> bool:
    """Whether a temporary file or folder named with this writer's ``pid`` and ``host`` key
    was left by a process on this machine that is gone (a killed run or sweep), so it can go."""
    return host == HOST_KEY and pid != os.getpid() and not pid_alive(pid)


_TMP = re.compile(r"\..*\.(\d+)\.([0-9a-f]{8})\.[0-9a-f]{8}\.tmp")


def _atomic_write(path: Path, write) -> None:
    tmp = path.parent / f".{path.name}.{os.getpid()}.{HOST_KEY}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def prepare(out: Path) -> None:
    """Make the store's folders and remove the temporary files that writers on this machine
    left when they were killed (their process is gone)."""
    for sub in ("runs", "errors", CHECKSUMS):
        folder = out / sub
        folder.mkdir(parents=True, exist_ok=True)
        for f in folder.iterdir():
            m = _TMP.fullmatch(f.name)
            if m and left_by_dead_writer(int(m.group(1)), m.group(2)):
                f.unlink(missing_ok=True)


def write_text(path: Path, text: str) -> None:
    _atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


CHECKSUMS = "checksums"


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_run(out: Path, key: str, frame: pd.DataFrame) -> None:
    """Store one run's rows and their checksum; clears an error recorded for it earlier. The
    checksum is written before the file is renamed into place, so a reader never finds a new
    run without its checksum (a killed writer leaves at most a checksum without its run, which
    is harmless: the run is not stored and will be written again)."""
    (out / CHECKSUMS).mkdir(exist_ok=True)

    def write(tmp: Path) -> None:
        frame.to_parquet(tmp, index=False, write_page_checksum=True)
        write_text(out / CHECKSUMS / f"{key}.sha256", file_sha256(tmp) + "\n")

    _atomic_write(out / "runs" / f"{key}.parquet", write)
    err = out / "errors" / f"{key}.json"
    if err.exists():
        err.unlink()


def write_error(out: Path, key: str, record: dict) -> None:
    _atomic_write(out / "errors" / f"{key}.json", lambda tmp: tmp.write_text(json.dumps(record, indent=2)))


def _run_files(out: Path) -> list[Path]:
    runs = out / "runs"
    if not runs.is_dir():
        return []
    return sorted(p for p in runs.glob("*.parquet") if not p.name.startswith(".") and p.is_file())


def verified(out: Path, file: Path) -> bool:
    """Whether a stored run's file is exactly what was written: its SHA-256 matches the
    recorded one (an unreadable or garbled checksum fails; a missing one: :func:`adopt`)."""
    return _recorded_matches(out, file, file_sha256(file) if file.is_file() else None)


def _recorded_matches(out: Path, file: Path, digest: str | None) -> bool:
    try:
        recorded = (out / CHECKSUMS / f"{file.stem}.sha256").read_text().strip()
    except FileNotFoundError:
        return adopt(out, file)
    except (OSError, UnicodeDecodeError):
        return False
    return digest is not None and recorded == digest


def adopt(out: Path, file: Path) -> bool:
    """A run file without a checksum (a store written before checksums existed): whether it
    decodes in full as Parquet; if so its checksum is written now (where the folder allows), so
    upgrading keeps every stored run instead of running it again."""
    import pyarrow.parquet as pq

    try:
        data = file.read_bytes()
        pq.read_table(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - any failure to decode means damaged
        return False
    try:
        (out / CHECKSUMS).mkdir(exist_ok=True)
        write_text(out / CHECKSUMS / f"{file.stem}.sha256", hashlib.sha256(data).hexdigest() + "\n")
    except OSError:  # a read-only store: adopted for this reading only
        pass
    return True


def check_runs(out: Path) -> tuple[set[str], set[str]]:
    """The keys of the stored runs that pass verification, and of those that fail it."""
    good, bad = set(), set()
    for f in _run_files(out):
        (good if verified(out, f) else bad).add(f.stem)
    return good, bad


def discard_runs(out: Path, keys: set[str]) -> None:
    """Remove stored runs (and their checksums), e.g. those that failed verification."""
    for key in keys:
        (out / "runs" / f"{key}.parquet").unlink(missing_ok=True)
        (out / CHECKSUMS / f"{key}.sha256").unlink(missing_ok=True)


def stored_keys(out: Path) -> set[str]:
    """The keys of the stored runs that pass verification."""
    return check_runs(out)[0]


def error_records(out: Path) -> list[dict]:
    errs = out / "errors"
    if not errs.is_dir():
        return []
    return [json.loads(p.read_text()) for p in sorted(errs.glob("*.json")) if not p.name.startswith(".")]


class DamagedRuns(Exception):
    """Stored runs failed verification (``keys``); a sweep on the same folder re-runs them."""

    def __init__(self, out: Path, keys: set[str]):
        self.keys = keys
        first = sorted(keys)[0]
        super().__init__(f"{out}/runs: {len(keys)} stored run{'s' if len(keys) != 1 else ''} failed verification "
                         f"(e.g. {first}.parquet: damaged, truncated, or its checksum damaged); run `lesim sweep` "
                         "again to re-run them")


def read_runs(out: Path, keys: set[str] | None = None) -> pd.DataFrame:
    """The stored runs (only ``keys`` if given), sorted by factors and week; raises
    :class:`DamagedRuns` if any of them fails verification."""
    files = [p for p in _run_files(out) if keys is None or p.stem in keys]
    if not files:
        return pd.DataFrame()
    frames, bad = [], set()
    for f in files:  # read once: what is verified is what is parsed
        data = f.read_bytes()
        if not _recorded_matches(out, f, hashlib.sha256(data).hexdigest()):
            bad.add(f.stem)
        elif not bad:
            frames.append(pd.read_parquet(io.BytesIO(data)))
    if bad:
        raise DamagedRuns(out, bad)
    frame = pd.concat(frames, ignore_index=True)
    return frame.sort_values(["uncertainty", "replicate", "strategy", "week"], kind="stable").reset_index(drop=True)
