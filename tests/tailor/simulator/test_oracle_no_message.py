"""``no_message`` is worth exactly 0: no value, no unsubscribe, no cost, reward 0, whoever the
customer and whatever their fatigue."""
from __future__ import annotations

import numpy as np
import polars as pl

from tailor.simulator.oracle import Costs


def test_no_message_is_exactly_zero(oracle):
    points = oracle.decision_points()
    ids, days = points["customer_id"], points["day"]
    costs = Costs({"email": 0.01, "sms": 0.05}, per_message=0.05)
    assert oracle.action_ids[0] == "no_message"
    assert np.all(oracle.value_matrix(ids, days)[:, 0] == 0.0)
    assert np.all(oracle.unsubscribe_matrix(ids, days, fatigue=5.0)[:, 0] == 0.0)
    assert np.all(oracle.reward_matrix(ids, days, costs, unsubscribe_cost=10.0,
                                       fatigue=5.0)[:, 0] == 0.0)
    assert costs.vector(oracle.bank)[0] == 0.0
    quiet = pl.DataFrame({"customer_id": ids, "day": days}).with_columns(
        pl.lit("no_message").alias("action_id"))
    rows = oracle.value_of(quiet, costs, unsubscribe_cost=10.0)
    for column in ("expected_value", "expected_unsubscribe", "cost", "expected_reward"):
        assert (rows[column] == 0.0).all(), column
    assert rows["allowed"].all()
    # ... while messages are worth something
    assert oracle.value_matrix(ids, days)[:, 1:].max() > 0
