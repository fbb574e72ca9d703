"""Our closed forms agree with an independent implementation (lifetimes) customer by customer:
expected purchases over several horizons, P(alive), the Gamma-Gamma expected spend, and the
fitted parameters on the CDNOW sample."""
import numpy as np
import pytest

from tailor.models.clv import ClvModel

lifetimes = pytest.importorskip("lifetimes")


@pytest.fixture(scope="module")
def fitted(paper_summary):
    return ClvModel.fit(paper_summary, time_unit_days=7)


def test_parameters_equal_lifetimes_mle(paper_summary, fitted):
    x, t_x, big_t = (paper_summary[c].to_numpy() for c in ("frequency", "recency", "T"))
    theirs = lifetimes.BetaGeoFitter().fit(x, t_x, big_t).params_
    for name in ("r", "alpha", "a", "b"):
        assert getattr(fitted.bgnbd, name) == pytest.approx(theirs[name], rel=1e-4)


def test_expectations_equal_lifetimes_per_customer(paper_summary, fitted):
    x, t_x, big_t = (paper_summary[c].to_numpy() for c in ("frequency", "recency", "T"))
    bg = lifetimes.BetaGeoFitter()
    bg.params_ = lifetimes.BetaGeoFitter().fit(x, t_x, big_t).params_.copy()
    for name in ("r", "alpha", "a", "b"):
        bg.params_[name] = getattr(fitted.bgnbd, name)
    for horizon in (1.0, 13.0, 39.0, 200.0):
        expected = bg.conditional_expected_number_of_purchases_up_to_time(horizon, x, t_x, big_t)
        np.testing.assert_allclose(fitted.expected_purchases(paper_summary, horizon), expected,
                                   rtol=1e-8)
    np.testing.assert_allclose(fitted.p_alive(paper_summary),
                               bg.conditional_probability_alive(x, t_x, big_t), rtol=1e-10)

    gg = lifetimes.GammaGammaFitter()
    gg.params_ = {"p": fitted.gamma_gamma.p, "q": fitted.gamma_gamma.q, "v": fitted.gamma_gamma.gamma}
    theirs = gg.conditional_expected_average_profit(paper_summary["frequency"],
                                                    paper_summary["monetary_value"])
    np.testing.assert_allclose(fitted.expected_spend(paper_summary), theirs.to_numpy(), rtol=1e-10)
