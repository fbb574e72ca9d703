"""Bootstrap resamples of logged rounds, shared by every policy and estimator of one evaluation.

A resample is represented by counts (how often each round is drawn), so that an estimator's terms are
re-estimated on it by a weighted mean (exactly what re-running the estimator on the resampled rows gives,
self-normalised estimators included). Resamples are drawn in chunks to bound memory (``chunk`` × n
counts at a time, by default as many as fit in ~64 MB); resample b depends only on (seed, b), never on
the chunk size.

With ``groups`` on the feedback (e.g. person ids) whole groups are resampled, because the rounds of one
person are not independent and resampling rounds would understate the uncertainty.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np

from tailor.evaluation.ope.data import OPEInputError

CHUNK_FLOATS = 8_000_000  # default memory bound of one block of counts (64 MB of float64)


@dataclass(frozen=True, eq=False)
class Bootstrap:
    """Percentile bootstrap: ``n_boot`` resamples, a (1 - ``alpha``) interval, seeded.

    ``indices`` (n_boot, n) optionally fixes the resamples (row b = the round indices of resample b),
    e.g. to share them with another tool; ``n_boot`` and ``seed`` are then ignored. ``chunk``: resamples
    held in memory at once (None: as many as fit in ``CHUNK_FLOATS`` counts); it never changes the result.
    """

    n_boot: int = 200
    alpha: float = 0.05
    seed: int = 0
    chunk: int | None = None
    indices: np.ndarray | None = None

    def __post_init__(self) -> None:
        if not 0 < self.alpha < 1:
            raise OPEInputError(f"alpha must be in (0, 1), got {self.alpha}")
        if self.indices is None and self.n_boot < 1:
            raise OPEInputError(f"n_boot must be >= 1, got {self.n_boot}")
        if self.chunk is not None and self.chunk < 1:
            raise OPEInputError(f"chunk must be >= 1, got {self.chunk}")
        if self.indices is not None:
            indices = np.asarray(self.indices)
            if indices.ndim != 2 or indices.dtype.kind not in "iu":
                raise OPEInputError("indices must be a 2-d integer array (n_boot, n)")
            object.__setattr__(self, "indices", indices)

    @property
    def size(self) -> int:
        return int(self.indices.shape[0]) if self.indices is not None else int(self.n_boot)

    def counts(self, n_rounds: int, groups: np.ndarray | None = None) -> Iterator[np.ndarray]:
        """Yield (≤ chunk, n_rounds) float arrays of draw counts, resample after resample."""
        chunk = self.chunk or int(np.clip(CHUNK_FLOATS // n_rounds, 1, 256))
        if self.indices is not None:
            if self.indices.min() < 0 or self.indices.max() >= n_rounds:
                raise OPEInputError(f"bootstrap indices must be in [0, {n_rounds})")
            for start in range(0, self.size, chunk):
                block = self.indices[start:start + chunk]
                yield np.stack([np.bincount(row, minlength=n_rounds) for row in block]).astype(float)
            return
        seeds = np.random.SeedSequence(self.seed).spawn(self.size)
        n_units = n_rounds if groups is None else int(groups.max()) + 1
        for start in range(0, self.size, chunk):
            block = np.empty((len(seeds[start:start + chunk]), n_rounds))
            for row, seq in enumerate(seeds[start:start + chunk]):
                drawn = np.bincount(np.random.default_rng(seq).integers(0, n_units, n_units),
                                    minlength=n_units)
                block[row] = drawn if groups is None else drawn[groups]
            yield block

    def interval(self, draws: np.ndarray) -> tuple[float, float]:
        """The percentile interval of the bootstrap draws."""
        low, high = np.quantile(draws, [self.alpha / 2, 1 - self.alpha / 2])
        return float(low), float(high)
