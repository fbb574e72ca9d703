"""ClvModel.horizon_ratio: E[X(long)] / E[X(short)] per customer — the factor that carries a
short-horizon prediction to a long one. Hand-checked against the expectations themselves and the
paper's eq. 9 for a customer just acquired; it lies between 1 and the calendar ratio (purchases
accumulate ever more slowly as dropout accumulates), and recency cancels with P(alive)."""
import numpy as np
import pandas as pd
import pytest

from tailor.models.clv import ClvModel
from tailor.models.clv.bgnbd import expected_purchases_new


@pytest.fixture(scope="module")
def model(paper_summary):
    return ClvModel.fit(paper_summary, time_unit_days=7)


def test_ratio_is_the_ratio_of_expected_purchases(model, paper_summary):
    got = model.horizon_ratio(paper_summary, 13.0, 39.0)
    want = (model.expected_purchases(paper_summary, 39.0)
            / model.expected_purchases(paper_summary, 13.0))
    np.testing.assert_allclose(got, want, rtol=1e-12)
    assert ((got >= 1.0) & (got <= 39.0 / 13.0 + 1e-12)).all()
    assert np.all(model.horizon_ratio(paper_summary, 13.0, 13.0) == pytest.approx(1.0))


def test_a_customer_just_acquired_gets_equation_9(model):
    new = pd.DataFrame({"frequency": [0.0], "recency": [0.0], "T": [0.0],
                        "monetary_value": [0.0]})
    want = (expected_purchases_new(model.bgnbd, 52.0) / expected_purchases_new(model.bgnbd, 4.0))
    assert model.horizon_ratio(new, 4.0, 52.0)[0] == pytest.approx(float(want), rel=1e-9)


def test_recency_cancels_with_p_alive(model):
    """Same purchases and age; one bought last week, the other 30 weeks ago: P(alive) differs a
    lot, the ratio not at all (it is the shape of the future *if alive*; who has lapsed is what
    the prediction over the short horizon says)."""
    both = pd.DataFrame({"frequency": [6.0, 6.0], "recency": [37.0, 8.0], "T": [38.0, 38.0],
                         "monetary_value": [30.0, 30.0]})
    regular, lapsed = model.p_alive(both)
    assert regular > 2 * lapsed
    ratio = model.horizon_ratio(both, 13.0, 52.0)
    assert ratio[0] == pytest.approx(ratio[1], rel=1e-9) and 1.0 < ratio[0] < 4.0


def test_a_failed_evaluation_falls_back_to_the_calendar(model, paper_summary, monkeypatch):
    """Where the expectations come out not finite, negative or out of order (catastrophic
    cancellation in the hypergeometric term, seen for a few of 100k customers), the ratio is
    the calendar's, never a negative or runaway factor."""
    rows = paper_summary.head(5)
    good = model.horizon_ratio(rows, 13.0, 39.0)
    broken = {13.0: np.array([0.5, -3.0, np.nan, 2.0, 0.5]),
              39.0: np.array([-1e12, 4.0, 1.0, np.inf, 1.0])}
    monkeypatch.setattr(type(model), "expected_purchases", lambda self, s, t: broken[float(t)])
    got = model.horizon_ratio(rows, 13.0, 39.0)
    assert got.tolist() == [3.0, 3.0, 3.0, 3.0, 2.0]     # 39 / 13 where broken; 1.0 / 0.5 kept
    assert ((good >= 1.0) & (good <= 3.0)).all()
