"""Baselines follow their documented rules and use only the train split."""
import numpy as np
import pandas as pd
import pytest

from tailor.models.baselines import (
    churn_baseline,
    historical_spend_baseline,
    ltv_baseline,
    popularity_baseline,
    recency_baseline,
)
from tailor.models.metrics import roc_auc


def test_historical_spend_scales_historical_spend_to_the_horizon():
    train = pd.DataFrame({"spend_90d": [10.0, 20.0, 40.0], "label": [2.0, 4.0, 8.0]})
    test = pd.DataFrame({"spend_90d": [5.0, 100.0, np.nan], "label": [999.0, 999.0, 999.0]})
    assert historical_spend_baseline(train, test) == pytest.approx([1.0, 20.0, 0.0])  # scale fitted on train


def test_historical_spend_falls_back_to_the_train_mean():
    train = pd.DataFrame({"frequency": [1.0, 2.0], "label": [3.0, 5.0]})
    test = pd.DataFrame({"frequency": [7.0], "label": [100.0]})
    assert historical_spend_baseline(train, test) == pytest.approx([4.0])


def test_recency_rule_ranks_by_recency(synth):
    frame = synth.churn()
    train, test = frame[frame.split == "train"], frame[frame.split == "test"]
    p = recency_baseline(train, test)
    assert ((p >= 0) & (p <= 1)).all()
    order = np.argsort(test["recency_days"].to_numpy())
    assert (np.diff(p[order]) >= 0).all()  # never less churn risk for a staler person
    assert roc_auc(test["label"].to_numpy(), p) == pytest.approx(
        roc_auc(test["label"].to_numpy(), test["recency_days"].to_numpy()), abs=0.03)
    no_recency = recency_baseline(train.drop(columns="recency_days"),
                                  test.drop(columns="recency_days"))
    assert no_recency == pytest.approx(np.full(len(test), train["label"].mean()))


def test_churn_baseline_is_a_calibrated_rfm_logistic(synth):
    """Risk rises with recency and falls with frequency; the probabilities average to the train
    churn rate (a logistic fit's intercept), and it ranks better than recency alone on data where
    frequency matters."""
    frame = synth.churn(n=3000)
    train, test = frame[frame.split == "train"], frame[frame.split == "test"]
    persons = pd.DataFrame({"recency_days": [5.0, 90.0, 5.0], "frequency": [3.0, 3.0, 8.0]})
    low, stale, loyal = churn_baseline(train, persons)
    assert stale > low > loyal
    assert churn_baseline(train, train).mean() == pytest.approx(train["label"].mean(), abs=0.01)
    y = test["label"].to_numpy()
    assert roc_auc(y, churn_baseline(train, test)) > roc_auc(y, recency_baseline(train, test)) + 0.05


def test_rfm_baseline_falls_back_to_recency_without_frequency(synth):
    frame = synth.churn()
    train, test = frame[frame.split == "train"], frame[frame.split == "test"]
    no_frequency = [c for c in frame.columns if c != "frequency"]
    assert churn_baseline(train[no_frequency], test[no_frequency]) == pytest.approx(
        recency_baseline(train, test))


def test_ranker_baseline_is_popularity_and_requires_it():
    frame = pd.DataFrame({"popularity": [3.0, 1.0], "label": [0, 1]})
    assert popularity_baseline(frame, frame) == pytest.approx([3.0, 1.0])
    with pytest.raises(ValueError, match="popularity"):
        popularity_baseline(frame, frame.drop(columns="popularity"))


def test_baseline_is_fitted_once_and_keeps_its_fit():
    """The scoring job fits a baseline once and scores many batches with it: a batch must not
    refit the rule on itself (the scale stays the one fitted on train)."""
    train = pd.DataFrame({"spend_90d": [1.0, 2.0], "label": [2.0, 4.0]})   # scale 2
    rule = historical_spend_baseline.fit(train)
    assert rule(pd.DataFrame({"spend_90d": [5.0]})) == pytest.approx([10.0])
    assert rule(pd.DataFrame({"spend_90d": [1.0, 3.0]})) == pytest.approx([2.0, 6.0])
    assert (ltv_baseline.rule, churn_baseline.rule, popularity_baseline.rule) == (
        "bgnbd_gg", "rfm_logistic", "popularity")
