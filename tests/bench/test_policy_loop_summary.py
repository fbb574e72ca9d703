"""bench/policy_loop.py's summary on hand-made per-day results: the regret slope and its CI, and
the learned arm's paired difference from the heuristic over the last days."""
import math

import pytest

from bench.policy_loop import _overrides, paired_last, summarize, trend


def days(regrets, start=7):
    return [{"day": start + i, "regret": r, "value": 2.0 - r} for i, r in enumerate(regrets)]


def test_trend_of_a_straight_line_is_its_slope_with_a_zero_width_ci():
    t = trend(days([3.0, 2.5, 2.0, 1.5]))
    assert t["slope"] == pytest.approx(-0.5)
    assert t["slope_ci_low"] == pytest.approx(-0.5) and t["slope_ci_high"] == pytest.approx(-0.5)
    assert (t["first3"], t["last3"]) == (pytest.approx(2.5), pytest.approx(2.0))


def test_noisy_flat_curve_has_a_ci_around_zero():
    t = trend(days([2.0, 2.4, 1.8, 2.3, 1.9, 2.2]))
    assert t["slope_ci_low"] < 0 < t["slope_ci_high"]


def test_paired_difference_uses_the_last_common_days():
    learned, heuristic = days([3.0, 1.0, 1.1, 1.0]), days([1.0, 2.0, 2.0, 2.0])
    d = paired_last(learned, heuristic, 3)   # the first day (+2.0) is not among the last three
    assert d["days"] == 3 and d["mean"] == pytest.approx((-1.0 - 0.9 - 1.0) / 3)
    assert d["ci_low"] < d["mean"] < d["ci_high"] < 0


def test_summary_compares_every_learned_variant_with_the_heuristic():
    out = summarize({"heuristic": days([2.0, 2.0, 2.0]), "learned": days([2.0, 1.0, 1.0]),
                     "learned-eps30": days([2.0, 1.5, 1.0])}, {"loop_days": 3})
    assert set(out["learned_minus_heuristic_regret_last_days"]) == {"learned", "learned-eps30"}
    assert out["final_regret"] == {"heuristic": 2.0, "learned": 1.0, "learned-eps30": 1.0}
    assert math.isclose(out["mean_value"]["learned"], 2.0 - 4.0 / 3)


def test_overrides_become_tailor_env_variables():
    assert _overrides(["policy.learning.epsilon=0.3"]) == {
        "TAILOR__POLICY__LEARNING__EPSILON": "0.3"}
    with pytest.raises(SystemExit, match="dotted config key"):
        _overrides(["epsilon"])
