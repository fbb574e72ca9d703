"""Metrics are right on hand-computed cases, and their bootstrap CIs are honest:
they contain the point estimate, resample persons (not rows) and pair scorers."""
import numpy as np
import pytest

from tailor.models.metrics import (
    binary_metrics,
    evaluate,
    hit_rate_per_person,
    ndcg_per_person,
    ranking_metrics,
    regression_metrics,
)


def test_point_values_match_hand_computation():
    y, s = np.array([1.0, 2.0, 4.0]), np.array([2.0, 2.0, 1.0])
    ev = evaluate(regression_metrics(), ["a", "b", "c"], y, {"m": s})
    assert ev.estimates["m"]["rmse"].value == pytest.approx(np.sqrt(10 / 3))
    assert ev.estimates["m"]["mae"].value == pytest.approx(4 / 3)
    assert ev.estimates["m"]["total_error"].value == pytest.approx(abs(5 - 7) / 7)  # 5 vs 7

    yb, sb = np.array([0, 0, 1, 1]), np.array([0.1, 0.6, 0.4, 0.9])
    ev = evaluate(binary_metrics(), list("abcd"), yb, {"m": sb})
    assert ev.estimates["m"]["auc"].value == pytest.approx(0.75)
    expected_ll = -np.mean(np.log([0.9, 0.4, 0.4, 0.9]))
    assert ev.estimates["m"]["log_loss"].value == pytest.approx(expected_ll)

    # person 0: the only positive ranked 2nd; person 1: no positive (excluded from the average)
    labels, scores = np.array([0, 1, 0, 0, 0]), np.array([0.9, 0.8, 0.1, 0.5, 0.4])
    codes = np.array([0, 0, 0, 1, 1])
    ndcg = ndcg_per_person(labels, scores, codes, 2, k=5)
    assert ndcg[0] == pytest.approx(1 / np.log2(3)) and np.isnan(ndcg[1])
    assert hit_rate_per_person(labels, scores, codes, 2, k=1)[0] == 0.0
    assert hit_rate_per_person(labels, scores, codes, 2, k=2)[0] == 1.0


def test_every_ci_contains_its_point_estimate():
    rng = np.random.default_rng(0)
    n = 300
    y = rng.normal(10, 3, n)
    yb = (rng.random(n) < 0.3).astype(int)
    persons = np.repeat(np.arange(60), 5)
    yr = (rng.random(n) < 0.2).astype(int)
    cases = [(regression_metrics(), np.arange(n), y, y + rng.normal(0, 2, n)),
             (binary_metrics(), np.arange(n), yb, np.clip(0.3 + 0.3 * yb + rng.normal(0, .2, n), 0, 1)),
             (ranking_metrics(3), persons, yr, yr + rng.normal(0, 1, n))]
    for metrics, person, label, score in cases:
        ev = evaluate(metrics, person, label, {"m": score}, seed=7)
        for est in ev.estimates["m"].values():
            assert est.ci_low <= est.value <= est.ci_high
            assert est.ci_low < est.ci_high  # a real interval, not a degenerate one


def test_bootstrap_resamples_persons_not_rows():
    """Ten copies of each person's row carry no more information than one: the CI must not shrink
    (a row bootstrap would make it ~sqrt(10) times narrower)."""
    rng = np.random.default_rng(1)
    y = rng.normal(0, 1, 100)
    s = y + rng.normal(0, 1, 100)
    once = evaluate(regression_metrics(), np.arange(100), y, {"m": s}).estimates["m"]["mae"]
    tenfold = evaluate(regression_metrics(), np.repeat(np.arange(100), 10), np.repeat(y, 10),
                       {"m": np.repeat(s, 10)}).estimates["m"]["mae"]
    width = lambda e: e.ci_high - e.ci_low  # noqa: E731
    assert tenfold.value == pytest.approx(once.value)
    assert width(tenfold) == pytest.approx(width(once))


def test_paired_gains():
    rng = np.random.default_rng(2)
    y = rng.normal(0, 1, 200)
    ev = evaluate(regression_metrics(), np.arange(200), y,
                  {"good": y + rng.normal(0, 0.3, 200), "bad": y + rng.normal(0, 1, 200)})
    same = ev.gain("rmse", "good", "good")
    assert (same.value, same.ci_low, same.ci_high) == (0.0, 0.0, 0.0)
    better = ev.gain("rmse", "good", "bad")  # lower rmse is better -> positive gain
    assert better.ci_low > 0 and better.ci_low <= better.value <= better.ci_high


def test_ties_do_not_favour_row_order():
    """A constant score must not get credit for positives the upstream job happened to write first."""
    persons, items = 400, 10
    label = np.tile([1] + [0] * (items - 1), persons)
    codes = np.repeat(np.arange(persons), items)
    hit1 = np.nanmean(hit_rate_per_person(label, np.zeros(len(label)), codes, persons, k=1))
    assert hit1 == pytest.approx(1 / items, abs=0.05)


def test_fast_auc_equals_sklearn_including_ties():
    from sklearn.metrics import roc_auc_score

    from tailor.models.metrics import roc_auc
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 500)
    for s in (rng.random(500), rng.integers(0, 4, 500).astype(float)):  # continuous, heavy ties
        assert roc_auc(y, s) == pytest.approx(roc_auc_score(y, s), abs=1e-12)
    assert np.isnan(roc_auc(np.ones(5), rng.random(5)))
