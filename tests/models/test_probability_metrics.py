"""Brier score, PR-AUC (average precision) and the reliability table on hand-computed examples;
PR-AUC agrees with sklearn's definition, ties included."""
import numpy as np
import pytest
from sklearn.metrics import average_precision_score

from tailor.models.metrics import average_precision, binary_metrics, brier
from tailor.models.plots import reliability


def test_brier_by_hand():
    # (0.9-1)^2 + (0.2-0)^2 + (0.6-1)^2 + (0.5-0)^2 = 0.01 + 0.04 + 0.16 + 0.25 = 0.46 -> / 4
    assert brier(np.array([1, 0, 1, 0]), np.array([0.9, 0.2, 0.6, 0.5])) == pytest.approx(0.115)


def test_average_precision_by_hand():
    # ranked: 1 (P 1/1), 0, 1 (P 2/3), 0  ->  AP = (1 + 2/3) / 2
    y, s = np.array([1, 0, 1, 0]), np.array([0.9, 0.8, 0.7, 0.1])
    assert average_precision(y, s) == pytest.approx(5 / 6)


def test_average_precision_matches_sklearn_with_ties():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 500)
    s = np.round(rng.random(500), 1)          # many ties
    assert average_precision(y, s) == pytest.approx(average_precision_score(y, s))
    assert np.isnan(average_precision(np.zeros(4), s[:4]))


def test_gate_metric_stays_auc_and_probability_metrics_are_reported():
    names = [m.name for m in binary_metrics()]
    assert names[0] == "auc" and {"log_loss", "brier", "pr_auc"} <= set(names)


def test_reliability_table_by_hand():
    label = np.array([0, 0, 1, 1])
    table = reliability(label, np.array([0.1, 0.2, 0.7, 0.9]), bins=2)
    assert table["predicted"].tolist() == pytest.approx([0.15, 0.8])
    assert table["observed"].tolist() == [0.0, 1.0] and table["n"].tolist() == [2, 2]
