"""LTV carried from its label horizon to the lifetime (models/lifetime.py): each person's BG/NBD
ratio fitted on the training rows' features.clv summaries; the calendar ratio, named as such, when
BG/NBD cannot be fitted; the identity when the lifetime is the horizon; a lifetime shorter than
the horizon refused with what to set."""
import pickle
from importlib.resources import files

import numpy as np
import pandas as pd
import pytest

from tailor.models.clv import ClvModel
from tailor.models.lifetime import (
    BGNBD_RATIO,
    CALENDAR,
    SAME_HORIZON,
    fit_lifetime,
)

PAPER = files("lifetimes") / "datasets" / "cdnow_customers_summary_with_transactions.csv"


@pytest.fixture(scope="module")
def train() -> pd.DataFrame:
    """The paper's CDNOW sample (weeks → days) as clv feature columns, plus three non-buyers."""
    raw = pd.read_csv(PAPER)
    rows = pd.DataFrame({"clv_frequency": raw["x"].astype(float),
                         "clv_recency": raw["t_x"] * 7.0, "clv_age": raw["T"] * 7.0,
                         "clv_monetary": raw["zbar"].astype(float), "label": raw["zbar"]})
    never = pd.DataFrame({c: 0.0 for c in rows.columns}, index=range(3))
    return pd.concat([rows, never], ignore_index=True)


def test_buyers_get_their_bgnbd_ratio_and_non_buyers_a_newcomers(train):
    ext = fit_lifetime(train, horizon_days=28, lifetime_days=365)
    assert ext.rule == BGNBD_RATIO
    bought = train[train["clv_age"] > 0]
    summary = pd.DataFrame({"frequency": bought["clv_frequency"], "recency": bought["clv_recency"],
                            "T": bought["clv_age"], "monetary_value": bought["clv_monetary"]})
    clv = ClvModel.fit(summary)
    ratio = ext.predict(train)
    np.testing.assert_allclose(ratio[: len(bought)],
                               clv.expected_purchases(summary, 365.0)
                               / clv.expected_purchases(summary, 28.0), rtol=1e-6)
    newcomer = ratio[len(bought):]
    assert np.allclose(newcomer, newcomer[0]) and 1.0 < newcomer[0] < 365 / 28
    # the executors get a pickled copy: same numbers
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(ext)).predict(train), ratio)
    assert ext.describe()["params"]["r"] == pytest.approx(clv.params()["r"], rel=1e-6)


def test_without_a_fit_the_calendar_carries_and_says_so(train):
    no_clv = train.drop(columns=["clv_age"])
    ext = fit_lifetime(no_clv, 14, 365)
    assert ext.rule == CALENDAR and ext.clv is None
    np.testing.assert_allclose(ext.predict(no_clv), 365 / 14)
    one_timers = train.assign(clv_frequency=0.0, clv_recency=0.0)   # no repeat: not identified
    assert fit_lifetime(one_timers, 14, 365).rule == CALENDAR


def test_same_horizon_is_the_identity_and_shorter_is_refused(train):
    ext = fit_lifetime(train, 90, 90)
    assert ext.rule == SAME_HORIZON
    assert (ext.predict(train) == 1.0).all()
    with pytest.raises(ValueError, match="ltv_lifetime_days"):
        fit_lifetime(train, 90, 30)


def test_config_refuses_a_lifetime_shorter_than_the_ltv_horizon():
    from tailor.config import load_config

    with pytest.raises(Exception, match="ltv_lifetime_days"):
        load_config(overrides={"models": {"horizons": {"ltv": 90}, "ltv_lifetime_days": 60}})
    cfg = load_config(overrides={"models": {"horizons": {"ltv": 90}, "ltv_lifetime_days": 90}})
    assert cfg.models.ltv_lifetime_days == 90
