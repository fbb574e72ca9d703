"""Counter-based randomness: every draw is a pure function of (seed, purpose, user, day, index).

Why not one ``numpy.random.Generator``: a sequential generator makes user 17's behaviour depend
on how many draws users 0..16 consumed, so changing the chunk size (or the population size)
would change everybody's events. Hashing a counter instead gives each user an independent,
addressable stream: any chunking of the population yields identical worlds, and user ``i`` keeps
the same traits whether the world has 200 or 1,000,000 users.

The mixer is the SplitMix64 finaliser, a bijection on 64-bit integers, so :meth:`Streams.token`
is collision-free for distinct counters; that is what makes event, device, cookie and message
ids unique by construction (and opaque: they do not reveal the owning customer).
"""
from __future__ import annotations

import hashlib

import numpy as np

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)

# Counter layout: user (28 bits) | day (12 bits) | index (24 bits).
USER_BITS, DAY_BITS, INDEX_BITS = 28, 12, 24
MAX_USERS = 1 << USER_BITS
MAX_DAYS = 1 << DAY_BITS
MAX_INDEX = 1 << INDEX_BITS


def mix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser on a uint64 array (bijective, full avalanche)."""
    x = np.asarray(x, dtype=np.uint64).copy()
    x ^= x >> _S30
    x *= _M1
    x ^= x >> _S27
    x *= _M2
    x ^= x >> _S31
    return x


def pack(user: np.ndarray | int, day: np.ndarray | int = 0,
         index: np.ndarray | int = 0) -> np.ndarray:
    """Pack a (user, day, index) counter into one uint64 (injective within the bit budget)."""
    user = np.atleast_1d(np.asarray(user, dtype=np.uint64))
    day = np.asarray(day, dtype=np.uint64)
    index = np.asarray(index, dtype=np.uint64)
    return ((user << np.uint64(DAY_BITS + INDEX_BITS))
            | (day << np.uint64(INDEX_BITS)) | index)


def hex16(values: np.ndarray) -> np.ndarray:
    """uint64 array -> fixed-width lowercase hex, as a numpy bytes array (S16), vectorised."""
    values = np.ascontiguousarray(values, dtype=np.uint64)
    return np.frombuffer(values.astype(">u8").tobytes().hex().encode(), dtype="S16")


class Streams:
    """All randomness of one world, addressed by purpose and counter."""

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)
        self._keys: dict[str, np.uint64] = {}

    def key(self, purpose: str) -> np.uint64:
        """A 64-bit key for ``purpose``; stable across processes (no Python ``hash``)."""
        key = self._keys.get(purpose)
        if key is None:
            digest = hashlib.sha256(f"tailor-sim:{self.seed}:{purpose}".encode()).digest()
            key = self._keys[purpose] = np.uint64(int.from_bytes(digest[:8], "big"))
        return key

    def token(self, purpose: str, user: np.ndarray | int, day: np.ndarray | int = 0,
              index: np.ndarray | int = 0) -> np.ndarray:
        """64 pseudo-random bits per counter; distinct counters give distinct tokens."""
        return mix64(mix64(pack(user, day, index) ^ self.key(purpose)) + _GOLDEN)

    def uniform(self, purpose: str, user: np.ndarray | int, day: np.ndarray | int = 0,
                index: np.ndarray | int = 0) -> np.ndarray:
        """Uniform floats in the open interval (0, 1)."""
        bits = self.token(purpose, user, day, index) >> np.uint64(11)
        return (bits.astype(np.float64) + 0.5) * (1.0 / (1 << 53))

    def normal(self, purpose: str, user: np.ndarray | int, day: np.ndarray | int = 0,
               index: np.ndarray | int = 0) -> np.ndarray:
        """Standard normal draws (Box-Muller on two independent streams)."""
        u1 = self.uniform(purpose + "/bm1", user, day, index)
        u2 = self.uniform(purpose + "/bm2", user, day, index)
        return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)

    def exponential(self, purpose: str, mean: np.ndarray | float, user: np.ndarray | int,
                    day: np.ndarray | int = 0, index: np.ndarray | int = 0) -> np.ndarray:
        """Exponential draws with the given mean."""
        return -np.log(self.uniform(purpose, user, day, index)) * mean

    def poisson(self, purpose: str, lam: np.ndarray, user: np.ndarray | int,
                day: np.ndarray | int = 0, index: np.ndarray | int = 0,
                cap: int = 255) -> np.ndarray:
        """Poisson counts by CDF inversion (fast for the small rates the world uses)."""
        u = self.uniform(purpose, user, day, index)
        lam = np.broadcast_to(np.asarray(lam, dtype=np.float64), u.shape)
        return poisson_from_uniform(lam, u, cap)


def poisson_from_uniform(lam: np.ndarray, u: np.ndarray, cap: int = 255) -> np.ndarray:
    """Smallest k with CDF_Poisson(k; lam) >= u, capped at ``cap``."""
    k = np.zeros(u.shape, dtype=np.int64)
    term = np.exp(-lam)
    cdf = term.copy()
    active = np.flatnonzero(u > cdf)
    i = 0
    while active.size and i < cap:
        i += 1
        term[active] *= lam[active] / i
        cdf[active] += term[active]
        k[active] += 1
        active = active[u[active] > cdf[active]]
    return k


def choose_from_cumulative(cum_probs: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Row-wise inverse-CDF draw: index of the first cumulative probability above ``u``.

    Rows are renormalised so the total is exactly 1.0: with ``u < 1`` a zero-probability
    category (e.g. an action the consent forbids) can never be drawn, even after rounding.
    """
    cum = np.asarray(cum_probs, dtype=np.float64)
    cum = cum / cum[:, -1:]
    return (u[:, None] >= cum).sum(axis=1)


def group_ranks(groups: np.ndarray) -> np.ndarray:
    """0, 1, 2, ... within runs of equal values of an already sorted ``groups`` array."""
    n = groups.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    lengths = np.diff(np.r_[starts, n])
    return np.arange(n) - np.repeat(starts, lengths)


def expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For parents with ``counts`` children: (parent index, position) of every child."""
    counts = np.asarray(counts, dtype=np.int64)
    parent = np.repeat(np.arange(counts.shape[0]), counts)
    return parent, group_ranks(parent)
