"""The consent the oracle replays from landing is the consent the simulator decided with: the
logging policy's probabilities under it reproduce every logged propensity."""
from __future__ import annotations

import numpy as np
import polars as pl


def test_replayed_consent_reproduces_logged_propensities(oracle):
    points = oracle.decision_points()
    probs = oracle.policy.probabilities(oracle.consent(points["customer_id"], points["day"]))
    action = oracle.action_index(points["action_id"])
    np.testing.assert_allclose(probs[np.arange(points.height), action],
                               points["propensity"].to_numpy(), rtol=1e-12)
    # the replay matters: consent changes within the world
    later = oracle.consent(points["customer_id"], np.full(points.height, oracle.days - 1))
    assert (later != oracle.consent(points["customer_id"], points["day"])).any()
    assert points.filter(pl.col("channel").is_null()).height > 1000
