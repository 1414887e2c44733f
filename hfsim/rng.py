"""Random numbers for common random numbers (CRN) between scenarios.

Two kinds of randomness, both derived from the one root seed:

* **Named streams** (numpy Generators) for processes whose number of draws does not depend
  on the policy: inflow of new people and the housing market's vacancies. Two policies run
  on the same seed therefore meet the same people and the same vacancies.
* **Keyed draws** for decisions of one citizen or one landlord. A draw is a pure function of
  (seed, purpose, owner id, counter), a counter-based generator (SplitMix64), so the third
  shelter stay of citizen 17 lasts as long under every policy, whatever happened to others.
  The purposes are listed in :data:`PURPOSES`; adding one never shifts the others.
"""

from __future__ import annotations

import math

import numpy as np

STREAMS = (
    "inflow",
    "market",
    "init",
    "allocation",
    "trial",
    "landlords",
)  # append only: spawn order
PURPOSES = (
    "profile",
    "seek",
    "stay",
    "own_solution",
    "exit_other",
    "outside_state",
    "stay_end_resolve",
    "treatment",
    "readiness",
    "relapse",
    "track",
    "decline",
    "tenancy_clock",
    "moved_on",
    "cause",
    "taper",
    "offer",
    "guarantee",
    "cti_discharge",
)
_PURPOSE_INDEX = {name: i + 1 for i, name in enumerate(PURPOSES)}
_MASK = (1 << 64) - 1
_TO_UNIT = 1.0 / (1 << 53)


_GOLDEN, _M1, _M2 = 0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB


def _mix(x: int) -> int:
    """SplitMix64 finaliser: a bijective, well-mixed hash of a 64-bit integer."""
    x = (x + _GOLDEN) & _MASK
    x = ((x ^ (x >> 30)) * _M1) & _MASK
    x = ((x ^ (x >> 27)) * _M2) & _MASK
    return x ^ (x >> 31)


class RandomStreams:
    """All randomness of one run, derived from one seed.

    Args:
        seed: The run's seed.
    """

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)
        children = np.random.SeedSequence(self.seed).spawn(len(STREAMS))
        self.streams = {
            name: np.random.default_rng(s) for name, s in zip(STREAMS, children, strict=True)
        }
        self._key = _mix(self.seed ^ 0x5DEECE66D)

    def stream(self, name: str) -> np.random.Generator:
        """A named numpy Generator (one of :data:`STREAMS`)."""
        return self.streams[name]

    def uniform(self, purpose: str, owner: int, counter: int = 0) -> float:
        """A U(0,1) draw that depends only on seed, purpose, owner and counter.

        Two rounds of SplitMix64, written out (this is the model's hottest function).
        """
        x = (((_PURPOSE_INDEX[purpose] << 48) ^ (owner << 16) ^ counter) + _GOLDEN) & _MASK
        x = ((x ^ (x >> 30)) * _M1) & _MASK
        x = ((x ^ (x >> 27)) * _M2) & _MASK
        x = self._key ^ x ^ (x >> 31)
        x = (x + _GOLDEN) & _MASK
        x = ((x ^ (x >> 30)) * _M1) & _MASK
        x = ((x ^ (x >> 27)) * _M2) & _MASK
        x ^= x >> 31
        return ((x >> 11) + 0.5) * _TO_UNIT

    def exponential(self, purpose: str, owner: int, counter: int = 0) -> float:
        """A unit-mean exponential draw, keyed like :meth:`uniform`."""
        return -math.log(self.uniform(purpose, owner, counter))


def replication_seed(seed: int, replication: int) -> int:
    """The seed of one replication: independent of how many replications run or where."""
    return int(np.random.SeedSequence([int(seed), int(replication)]).generate_state(1)[0])
