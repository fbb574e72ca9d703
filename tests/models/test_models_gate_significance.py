"""`models.promotion.require_significant`: a point-estimate win whose 95% CI includes 0 does not
promote; the same win with its CI above 0 does, and the reason says which rule applied."""
from tailor.models.gate import decide
from tailor.models.metrics import Estimate


def test_win_inside_the_noise_is_not_promoted():
    noisy = Estimate(0.02, -0.03, 0.07)
    clear = Estimate(0.02, 0.005, 0.04)
    assert decide("rmse", 0.0, noisy, None, "no champion yet").promoted
    refused = decide("rmse", 0.0, noisy, None, "no champion yet", require_significant=True)
    assert not refused.promoted
    assert "significant at 95%" in refused.reason and "not significant" in refused.reason
    assert decide("rmse", 0.0, clear, None, "no champion yet", require_significant=True).promoted


def test_champion_must_also_be_beaten_significantly():
    clear = Estimate(0.2, 0.1, 0.3)
    assert not decide("auc", 0.0, clear, Estimate(0.01, -0.01, 0.03), "",
                      require_significant=True).promoted
