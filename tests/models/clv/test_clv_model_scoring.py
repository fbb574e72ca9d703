"""ClvModel scoring: value = purchases × spend for any horizon (scalar or per customer),
discounting only lowers it, params round-trip (what executors and MLflow receive), and a
batch gets the four score columns."""
import pickle

import numpy as np
import pandas as pd
import pytest

from tailor.models.clv import SCORE_COLUMNS, ClvModel


@pytest.fixture(scope="module")
def model(paper_summary):
    return ClvModel.fit(paper_summary, time_unit_days=7)


def test_value_is_purchases_times_spend_for_any_horizon(model, paper_summary):
    for horizon in (0.0, 13.0, 39.0, 104.0):
        np.testing.assert_allclose(model.expected_value(paper_summary, horizon),
                                   model.expected_purchases(paper_summary, horizon)
                                   * model.expected_spend(paper_summary))
    assert np.all(model.expected_purchases(paper_summary, 0.0) == 0)
    horizons = np.where(paper_summary["frequency"] > 0, 52.0, 26.0)
    per_row = model.expected_purchases(paper_summary, horizons)
    np.testing.assert_allclose(per_row[horizons == 52.0],
                               model.expected_purchases(paper_summary, 52.0)[horizons == 52.0])
    grows = [model.expected_purchases(paper_summary, h).sum() for h in (13, 39, 78)]
    assert grows[0] < grows[1] < grows[2]


def test_discounting_lowers_value_and_vanishes_at_zero_rate(model, paper_summary):
    plain = model.expected_value(paper_summary, 52.0)
    discounted = model.expected_value(paper_summary, 52.0, discount_rate=0.01, period=4.0)
    one_period = model.expected_value(paper_summary, 52.0, discount_rate=0.1)
    assert np.all(discounted < plain) and np.all(discounted > 0)
    np.testing.assert_allclose(one_period, plain / 1.1)
    np.testing.assert_allclose(model.expected_value(paper_summary, 52.0, 0.0, 4.0), plain)
    with pytest.raises(ValueError, match="discount_rate"):
        model.expected_value(paper_summary, 52.0, discount_rate=-0.1)


def test_params_round_trip_and_pickle(model, paper_summary):
    params = model.params()
    assert set(params) == {"r", "alpha", "a", "b", "p", "q", "gamma", "time_unit_days"}
    for copy in (ClvModel.from_params(params), pickle.loads(pickle.dumps(model))):
        assert copy == model
        np.testing.assert_array_equal(copy.expected_value(paper_summary, 39.0),
                                      model.expected_value(paper_summary, 39.0))


def test_score_appends_the_four_columns(model, paper_summary):
    batch = paper_summary.iloc[:100]
    scored = model.score(batch, horizon=39.0)
    assert list(scored.columns) == list(batch.columns) + list(SCORE_COLUMNS)
    assert scored["p_alive"].between(0, 1).all() and (scored["expected_spend"] > 0).all()
    np.testing.assert_allclose(scored["expected_value"],
                               scored["expected_purchases"] * scored["expected_spend"])
    assert isinstance(scored, pd.DataFrame) and len(scored) == 100
