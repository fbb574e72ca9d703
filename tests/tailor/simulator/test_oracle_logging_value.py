"""``logging_value`` is the true value of the simulator's own logging policy: over the logged
decision points it matches the realised mean reward within 4 standard errors."""
from __future__ import annotations

import numpy as np
import polars as pl

from tailor.simulator.oracle import Costs

COSTS = Costs({"email": 0.01, "push": 0.005, "sms": 0.05, "in_app": 0.0}, per_message=0.05)


def test_logging_value_matches_realised_rewards(oracle):
    points = oracle.decision_points(COSTS).filter(~pl.col("censored"))
    ids, days = points["customer_id"], points["day"]
    fatigue = oracle.logged_fatigue(ids, days)
    expected = oracle.logging_value(ids, days, COSTS, fatigue=fatigue)
    # variance of one point's reward: over the logging policy's action and the responses
    user, day = oracle.customer_index(ids), days.to_numpy()
    every = np.broadcast_to(np.arange(len(oracle.bank)), (user.shape[0], len(oracle.bank)))
    out = oracle.outcomes(user, day, every, fatigue)
    probs = oracle.policy.probabilities(oracle.consent(ids, days))
    cost = COSTS.vector(oracle.bank)[None, :]
    second = (probs * (out["value_sq"] - 2 * cost * out["value"] + cost ** 2)).sum(axis=1)
    variance = second - expected ** 2
    z = (points["reward"].sum() - expected.sum()) / np.sqrt(variance.sum())
    assert abs(z) < 4, f"logging value {z:+.2f} standard errors off"
    assert expected.mean() > 0
