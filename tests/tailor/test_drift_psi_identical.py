"""PSI is 0 when today's distribution is the reference's (numeric, count-like and categorical)."""
import numpy as np
import pytest

from tailor.drift import psi_categorical, psi_numeric


@pytest.mark.parametrize("values", [
    np.random.default_rng(0).normal(50, 10, 5000),                        # continuous
    np.r_[np.zeros(4000), np.random.default_rng(1).poisson(2, 1000)],    # mass point at 0
    np.r_[np.random.default_rng(2).gamma(2, 3, 900), [np.nan] * 100],    # with missing values
    np.full(300, 7.0),                                                   # constant
])
def test_psi_of_identical_numeric_distributions_is_zero(values):
    assert psi_numeric(values, values.copy()) == pytest.approx(0.0, abs=1e-12)
    # the same distribution, another sample: small (well under the 0.1 warn threshold)
    rng = np.random.default_rng(9)
    assert psi_numeric(values, rng.permutation(values)) == pytest.approx(0.0, abs=1e-12)


def test_psi_of_identical_categories_is_zero():
    cats = ["rock"] * 50 + ["jazz"] * 30 + [None] * 20
    assert psi_categorical(cats, list(reversed(cats))) == pytest.approx(0.0, abs=1e-12)
