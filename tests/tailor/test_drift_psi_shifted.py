"""PSI grows with the shift: a fresh sample of the same distribution stays below the warn
threshold, a one-sigma shift is far above the block threshold, a new category is large too."""
import math

import numpy as np

from tailor.drift import DriftConfig, psi_categorical, psi_numeric


def test_psi_is_large_for_shifted_numeric_and_monotone_in_the_shift():
    rng = np.random.default_rng(3)
    ref, fresh = rng.normal(0, 1, 20_000), rng.normal(0, 1, 20_000)
    psis = [psi_numeric(ref, fresh + shift) for shift in (0.0, 0.25, 0.5, 1.0, 3.0)]
    d = DriftConfig()
    assert psis[0] < 0.01 < d.warn_psi
    assert psis == sorted(psis)
    assert psis[3] > d.block_psi
    assert math.isfinite(psis[-1]) and psis[-1] > 5  # out-of-range values: large but finite


def test_psi_is_large_when_categories_move_or_values_go_missing():
    d = DriftConfig()
    assert psi_categorical(["a"] * 90 + ["b"] * 10, ["a"] * 10 + ["b"] * 90) > d.block_psi
    assert psi_categorical(["a"] * 100, ["a"] * 50 + ["new"] * 50) > d.block_psi
    assert psi_numeric(np.arange(100.0), [np.nan] * 60 + list(range(40))) > d.block_psi
