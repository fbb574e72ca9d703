"""The promotion rule: beat the baseline AND the comparable champion, by the configured margin."""
import math

from tailor.models.gate import decide
from tailor.models.metrics import Estimate


def gain(value: float) -> Estimate:
    return Estimate(value, value - 0.05, value + 0.05)


def test_needs_to_beat_both_baseline_and_champion():
    assert decide("auc", 0.0, gain(0.2), gain(0.01), "").promoted
    assert not decide("auc", 0.0, gain(0.2), gain(-0.01), "").promoted
    assert not decide("auc", 0.0, gain(-0.01), gain(0.2), "").promoted


def test_ties_and_nan_never_promote():
    assert not decide("auc", 0.0, gain(0.2), gain(0.0), "").promoted
    assert not decide("auc", 0.0, gain(math.nan), None, "no champion yet").promoted


def test_min_relative_gain_is_a_margin():
    assert not decide("rmse", 0.10, gain(0.3), gain(0.05), "").promoted
    assert decide("rmse", 0.10, gain(0.3), gain(0.10), "").promoted


def test_without_comparable_champion_only_the_baseline_counts_and_the_reason_says_so():
    decision = decide("ndcg_at_5", 0.0, gain(0.3), None, "champion v2 not comparable")
    assert decision.promoted
    assert "champion v2 not comparable" in decision.reason and "ndcg_at_5" in decision.reason
    loser = decide("ndcg_at_5", 0.0, gain(0.3), gain(-0.2), "")
    assert "kept as challenger" in loser.reason and "does not beat champion" in loser.reason


def test_significantly_worse_on_a_guard_metric_is_not_promoted():
    """LTV wins on RMSE but forecasts the total 30% worse than the baseline (CI below 0): kept."""
    win = Estimate(0.1, 0.05, 0.15)
    worse = {"total_error vs baseline": Estimate(-0.3, -0.5, -0.1)}
    noisy = {"total_error vs baseline": Estimate(-0.3, -0.6, 0.1)}
    refused = decide("rmse", 0.0, win, None, "no champion yet", require_significant=True,
                     guards=worse)
    assert not refused.promoted
    assert "significantly worse on total_error vs baseline by -30.00%" in refused.reason
    assert decide("rmse", 0.0, win, None, "no champion yet", require_significant=True,
                  guards=noisy).promoted
