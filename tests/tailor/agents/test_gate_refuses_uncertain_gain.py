"""The gate promotes only a gain whose CI lies above 0 on enough data, within the guardrails, and
says why otherwise."""
from types import SimpleNamespace

from tailor.agents.gate import decide
from tailor.config import PolicyGateConfig

GATE = PolicyGateConfig(min_rows=100, max_unsubscribe_rate=0.02, max_messages_per_decision=1.0,
                        max_discount_per_decision=5.0)
EST = "switch-dr(tau=20)"


def evaluation(ci_low, ci_high, n=500, unsub=0.01, messages=0.6):
    results = [{"policy": "challenger", "outcome": "unsubscribe", "estimator": EST, "value": unsub,
                "ci_low": unsub / 2, "ci_high": unsub * 2},
               {"policy": "challenger", "outcome": "discount", "estimator": EST, "value": 1.0,
                "ci_low": 0.5, "ci_high": 1.5}]
    comparison = {"value": (ci_low + ci_high) / 2, "ci_low": ci_low, "ci_high": ci_high,
                  "alpha": 0.05}
    return SimpleNamespace(results=results, comparison=comparison,
                           messages={"challenger": messages}, n=n)


def test_ci_overlapping_zero_keeps_the_champion_and_says_why():
    verdict = decide(evaluation(-0.1, 0.5), "challenger", "champion", GATE, EST)
    assert not verdict.promote and "not better with confidence" in verdict.reason
    assert "[-0.1000, +0.5000]" in verdict.reason


def test_significant_gain_within_guardrails_is_promoted():
    verdict = decide(evaluation(0.1, 0.5), "challenger", "champion", GATE, EST)
    assert verdict.promote and verdict.reason.startswith("promoted")


def test_guardrail_breach_or_too_little_data_blocks_even_a_clear_gain():
    assert not decide(evaluation(0.1, 0.5, unsub=0.05), "challenger", "champion", GATE, EST).promote
    assert "unsubscribe_per_decision" in decide(evaluation(0.1, 0.5, unsub=0.05), "challenger",
                                                "champion", GATE, EST).reason
    small = decide(evaluation(0.1, 0.5, n=50), "challenger", "champion", GATE, EST)
    assert not small.promote and "not enough evidence" in small.reason
