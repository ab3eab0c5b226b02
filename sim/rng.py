"""Named random streams: one independent generator per process, derived from (seed, name).

Every weekly process draws only from its own stream, so switching a policy on or off does
not reshuffle the draws of unrelated processes, and two strategies run on the same seed
share common random numbers. Names are turned into integers with CRC-32 (stable across
processes and Python versions), never with ``hash()``.
"""

from __future__ import annotations

import zlib

import numpy as np


def stream(seed: int, name: str) -> np.random.Generator:
    """The generator of stream ``name`` for ``seed`` (PCG64 via SeedSequence)."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([int(seed), zlib.crc32(name.encode())])))


class Streams:
    """Lazily created named streams of one model run."""

    def __init__(self, seed: int):
        self.seed = int(seed)
        self._streams: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        gen = self._streams.get(name)
        if gen is None:
            gen = self._streams[name] = stream(self.seed, name)
        return gen
