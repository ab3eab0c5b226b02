"""Reuse of the spun-up status quo: one spin-up per organisation and seed, per process.

Every :class:`~sim.model.LearningEcosystem` first runs its status quo for
``start.spin_up_weeks`` weeks before week 0 (docs/ODD.md §5). That start depends only on the
status-quo scenario (:meth:`~sim.scenario.Scenario.status_quo`: the strategy's levers,
events and turbulence are reset, so every strategy of one organisation shares it) and on the
seed — by design it is the same, bit for bit, for every strategy of the same organisation and
seed. ``lesim check``, the virtual experiments, sweeps, ``lesim run --against`` and the tests
build many models of one organisation and seed, so this module keeps the state after the
spin-up and lets the next model start from a copy of it instead of running the weeks again.

* **Key** (:func:`spin_up_key`): SHA-256 of the canonical status-quo scenario with its
  ``name`` and ``description`` blanked (no phase reads them) and the run's seed in ``seed``.
  Everything else stays in — ``start.spin_up_weeks`` and every section the spin-up's phases
  or the initial draws read — and the horizon ``weeks`` as min(``weeks``, 52): the budget
  phase is the only phase that reads it (a run that ends within a budget year lands its
  spend at its end: it plans over min(weeks left in the budget year, ``weeks`` − week)
  weeks), so during the spin-up (weeks ≤ 0) a horizon under a year changes the status quo's
  budget scales and what its governance commissions, while every horizon of 52 weeks or
  more spins up alike (both tested in tests/test_spinup.py).
* **Value**: the state (:class:`~sim.state.State`) and the random streams
  (:class:`~sim.rng.Streams`) after the spin-up, pickled into one immutable ``bytes`` object.
  A hit unpickles a fresh copy, so nothing a run does can alter the cached entry, and the
  run continues bit for bit as if it had spun up itself (tests/test_spinup.py).
* **Bound**: a least-recently-used store per process (each sweep worker has its own) holding
  at most ``LESIM_SPINUP_CACHE_MB`` megabytes (default :data:`DEFAULT_CAP_MB`) of pickled
  entries. A state whose columns alone exceed a quarter of the cap is never kept, nor
  pickled: with the default cap, an organisation of more than about 55 000 people (about
  1.2 kB a person with 8 skills; the baseline's 500 people take 0.7 MB).
* **Switch**: ``LESIM_SPINUP_CACHE_MB=0`` in the environment switches it off for a
  process and the workers it starts; in Python, ``sim.spinup.CACHE.configure(0)`` (and
  ``CACHE.clear()`` to empty it).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
import threading
import warnings
from collections import OrderedDict

import numpy as np

from .processes.budget import WEEKS_PER_YEAR

CAP_ENV = "LESIM_SPINUP_CACHE_MB"
DEFAULT_CAP_MB = 256.0
ENTRY_SHARE = 0.25  # an entry may take at most this share of the cap


def spin_up_key(status_quo, seed: int) -> str:
    """The cache key of a spin-up under ``status_quo`` (a scenario's
    :meth:`~sim.scenario.Scenario.status_quo`) on ``seed``: SHA-256 of the canonical status
    quo with name and description blanked, ``seed`` set and the horizon cut to a budget year
    (see the module docstring)."""
    quo = status_quo.model_copy(update={
        "name": "spin-up", "description": "", "seed": int(seed), "weeks": min(status_quo.weeks, WEEKS_PER_YEAR)})
    return hashlib.sha256(quo.canonical_json().encode()).hexdigest()


def column_bytes(obj, _seen: set | None = None) -> int:
    """Bytes of the numpy arrays reachable from ``obj`` through dataclass fields, plain
    objects' attributes, dicts, lists and tuples: a cheap lower bound of a state's pickle."""
    seen = set() if _seen is None else _seen
    if id(obj) in seen:
        return 0
    seen.add(id(obj))
    if isinstance(obj, np.ndarray):
        return obj.nbytes
    if isinstance(obj, dict):
        return sum(column_bytes(v, seen) for v in obj.values())
    if isinstance(obj, (list, tuple)):
        return sum(column_bytes(v, seen) for v in obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return sum(column_bytes(getattr(obj, f.name), seen) for f in dataclasses.fields(obj))
    if hasattr(obj, "__dict__") and not isinstance(obj, type):
        return sum(column_bytes(v, seen) for v in vars(obj).values())
    return 0


def _cap_from_env() -> float:
    """The cap in bytes from ``LESIM_SPINUP_CACHE_MB`` (the default when unset; off, with a
    warning, when it is not a number ≥ 0)."""
    raw = os.environ.get(CAP_ENV)
    if raw is None or raw.strip() == "":
        return DEFAULT_CAP_MB * 2**20
    try:
        mb = float(raw)
        if not mb >= 0:
            raise ValueError
    except ValueError:
        warnings.warn(f"{CAP_ENV}={raw!r} is not a number of megabytes >= 0; the spin-up cache is off", stacklevel=2)
        return 0.0
    return mb * 2**20


class SpinUpCache:
    """A least-recently-used store of pickled spun-up states, at most ``cap_bytes`` in all."""

    def __init__(self, cap_bytes: float):
        self._entries: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self.cap_bytes = float(cap_bytes)
        self.hits = self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.cap_bytes > 0

    @property
    def size_bytes(self) -> int:
        with self._lock:
            return sum(len(b) for b in self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: str) -> bool:
        return key in self._entries

    def configure(self, cap_mb: float) -> None:
        """Set the cap (megabytes; 0 switches the cache off and empties it)."""
        self.cap_bytes = max(float(cap_mb), 0.0) * 2**20
        with self._lock:
            self._evict(0)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0

    def get(self, key: str):
        """A fresh copy ``(state, streams)`` of the entry ``key``, or None."""
        if not self.enabled:
            return None
        with self._lock:
            blob = self._entries.get(key)
            if blob is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
        return pickle.loads(blob)

    def put(self, key: str, state, streams) -> bool:
        """Keep a copy of ``(state, streams)`` under ``key`` unless it is too large for the
        cap; the least recently used entries go to make room. True when kept."""
        limit = self.cap_bytes * ENTRY_SHARE
        if not self.enabled or column_bytes(state) > limit:
            return False
        blob = pickle.dumps((state, streams), protocol=pickle.HIGHEST_PROTOCOL)
        if len(blob) > limit:
            return False
        with self._lock:
            self._entries[key] = blob
            self._entries.move_to_end(key)
            self._evict(0)
        return True

    def _evict(self, room: int) -> None:
        total = sum(len(b) for b in self._entries.values())
        while self._entries and total + room > self.cap_bytes:
            _, blob = self._entries.popitem(last=False)
            total -= len(blob)


# The process's cache (each sweep worker has its own).
CACHE = SpinUpCache(_cap_from_env())
