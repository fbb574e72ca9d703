"""``best_action`` never picks a channel the customer's consent forbids on that day (and picks
the best allowed action: no allowed action has a higher reward)."""
from __future__ import annotations

import numpy as np

from tailor.events import CHANNELS
from tailor.simulator.oracle import Costs


def test_best_action_respects_consent(oracle):
    points = oracle.decision_points()
    ids, days = points["customer_id"], points["day"]
    costs = Costs({"email": 0.01, "push": 0.005, "sms": 0.05}, per_message=0.05)
    best = oracle.best_action(ids, days, costs)
    consent = oracle.consent(ids, days)
    channel = np.array([a.split("@")[0] for a in best], dtype=object)
    messages = channel != "no_message"
    allowed = np.array([consent[i, CHANNELS.index(ch)] if ch in CHANNELS else True
                        for i, ch in enumerate(channel)])
    assert allowed.all(), "best_action picked a channel the consent forbids"
    # both kinds of customers are there: some refuse a channel the oracle would like
    unconstrained = np.array(oracle.action_ids, dtype=object)[
        oracle.reward_matrix(ids, days, costs).argmax(axis=1)]
    assert (unconstrained != best).sum() > 100 and messages.sum() > 1000
    reward = oracle.reward_matrix(ids, days, costs)
    chosen = reward[np.arange(len(best)), oracle.action_index(best)]
    masked = np.where(oracle.allowed_mask(ids, days), reward, -np.inf)
    assert np.array_equal(chosen, masked.max(axis=1))
