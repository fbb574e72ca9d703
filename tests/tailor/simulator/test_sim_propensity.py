"""Logged propensities are exact probabilities of the logging policy's choice."""
from __future__ import annotations

import numpy as np
import pytest

from tailor.config import get_config
from tailor.events import CHANNELS
from tailor.simulator import ActionBank, LoggingPolicy, WorldParams


@pytest.fixture(scope="module")
def policy() -> LoggingPolicy:
    bank = ActionBank.from_config(get_config().load_actions())
    return LoggingPolicy(bank, WorldParams().no_message_share)


@pytest.fixture(scope="module")
def decisions(small_events) -> list[tuple[dict, np.ndarray]]:
    """Each logged decision with the consent the landing events imply at that moment."""
    timeline: dict[tuple[str, str], list[tuple[str, bool]]] = {}
    for e in small_events:
        if e["event_type"] in ("consent_change", "unsubscribe"):
            granted = e["granted"] if e["event_type"] == "consent_change" else False
            timeline.setdefault((e["customer_id"], e["channel"]), []).append((e["ts"], granted))
    out = []
    for e in small_events:
        if e["event_type"] in ("message_sent", "decision_served"):
            consent = np.array([
                ([g for ts, g in timeline.get((e["customer_id"], ch), []) if ts < e["ts"]]
                 or [False])[-1] for ch in CHANNELS])
            out.append((e, consent))
    return out


def test_probabilities_sum_to_one_over_allowed_actions(policy):
    grid = np.array(np.meshgrid(*[[False, True]] * len(CHANNELS))).T.reshape(-1, len(CHANNELS))
    probs = policy.probabilities(grid)
    allowed = policy.allowed(grid)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    assert (probs[~allowed] == 0).all() and (probs[allowed] > 0).all()
    assert probs[~grid.any(axis=1), 0].tolist() == [1.0]


def test_logged_propensities_match_the_policy(decisions, policy):
    ids = {a: i for i, a in enumerate(policy.bank.action_ids)}
    assert len(decisions) > 100
    for event, consent in decisions:
        assert 0.0 < event["propensity"] <= 1.0
        expected = policy.probabilities(consent)[0, ids[event["action_id"]]]
        assert event["propensity"] == pytest.approx(expected, rel=1e-12), event


def test_actions_are_drawn_with_the_logged_probabilities(decisions, policy):
    p_quiet = np.array([policy.probabilities(c)[0, 0] for _, c in decisions])
    quiet = np.array([e["action_id"] == "no_message" for e, _ in decisions])
    spread = np.sqrt((p_quiet * (1 - p_quiet)).sum())
    assert abs(quiet.sum() - p_quiet.sum()) < 4 * spread
