"""LTV's baseline is BG/NBD × Gamma-Gamma over the model's own horizon: refitted on the train
rows' ``features.clv`` summaries (never on test labels), non-buyers at the train mean of
non-buyers, and the historical-spend rule when the summaries are missing or cannot identify it."""
from importlib.resources import files

import numpy as np
import pandas as pd
import pytest

from tailor.models.baselines import historical_spend_baseline, ltv_baseline
from tailor.models.clv import ClvModel

PAPER = files("lifetimes") / "datasets" / "cdnow_customers_summary_with_transactions.csv"


@pytest.fixture(scope="module")
def frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The paper's CDNOW sample (weeks → days) as clv feature columns, split in halves, plus
    four non-buyers (clv_age 0) on each side."""
    raw = pd.read_csv(PAPER)
    rows = pd.DataFrame({"clv_frequency": raw["x"].astype(float),
                         "clv_recency": raw["t_x"] * 7.0, "clv_age": raw["T"] * 7.0,
                         "clv_monetary": raw["zbar"].astype(float),
                         "spend_90d": raw["zbar"] * raw["x"], "label": raw["zbar"] * 0.5})
    never = pd.DataFrame({c: 0.0 for c in rows.columns}, index=range(4)).assign(
        label=[0.0, 0.0, 2.0, 6.0])
    train = pd.concat([rows.iloc[::2], never], ignore_index=True)
    test = pd.concat([rows.iloc[1::2], never.assign(label=99.0)], ignore_index=True)
    return train, test


def _summary(f: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"frequency": f["clv_frequency"], "recency": f["clv_recency"],
                         "T": f["clv_age"], "monetary_value": f["clv_monetary"]})


def _expected(train: pd.DataFrame, test: pd.DataFrame, horizon: float) -> np.ndarray:
    bought = train[train["clv_age"] > 0]
    summary = _summary
    model = ClvModel.fit(summary(bought))
    return model.expected_value(summary(test[test["clv_age"] > 0]), horizon)


def test_buyers_get_bgnbd_gg_expected_spend_over_the_horizon(frames):
    train, test = frames
    got = ltv_baseline(train, test, horizon_days=90)
    buyers = (test["clv_age"] > 0).to_numpy()
    np.testing.assert_allclose(got[buyers], _expected(train, test, 90.0), rtol=1e-9)
    assert got[~buyers] == pytest.approx([2.0] * 4)      # mean label of train's non-buyers
    longer = ltv_baseline(train, test, horizon_days=365)
    assert (longer[buyers] >= got[buyers]).all() and longer[buyers].sum() > 2 * got[buyers].sum()


def test_uses_only_train_labels(frames):
    train, test = frames
    scrambled = test.assign(label=np.random.default_rng(0).permutation(test["label"].to_numpy()))
    np.testing.assert_array_equal(ltv_baseline(train, test, horizon_days=30),
                                  ltv_baseline(train, scrambled, horizon_days=30))


def test_needs_the_horizon(frames):
    train, test = frames
    with pytest.raises(ValueError, match="horizon_days"):
        ltv_baseline(train, test)


def test_falls_back_to_historical_spend(frames):
    train, test = frames
    without = [c for c in train.columns if not c.startswith("clv_")]
    assert ltv_baseline(train[without], test[without], horizon_days=90) == pytest.approx(
        historical_spend_baseline(train, test))
    one_time_buyers = train.assign(clv_frequency=0.0, clv_recency=0.0)   # no repeat: no BG/NBD
    assert ltv_baseline(one_time_buyers, test, horizon_days=90) == pytest.approx(
        historical_spend_baseline(train, test))
