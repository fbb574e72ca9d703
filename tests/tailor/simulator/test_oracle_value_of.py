"""``value_of`` gives each row of a decision table its true expected reward as the closed-loop
simulator would execute it: the reward-matrix entry when consent allows the action, exactly 0
when it does not (the simulator sends nothing); ``date`` and ``day`` columns mean the same."""
from __future__ import annotations

import numpy as np
import polars as pl

from tailor.simulator.oracle import Costs

COSTS = Costs({"email": 0.01, "push": 0.005, "sms": 0.05}, per_message=0.05)


def test_value_of_rows(oracle):
    points = oracle.decision_points().head(3000)
    rng = np.random.default_rng(0)
    actions = np.array(oracle.action_ids, dtype=object)[rng.integers(0, len(oracle.bank),
                                                                     points.height)]
    table = points.select("customer_id", "day", "date").with_columns(
        pl.Series("action_id", actions), pl.lit("kept").alias("note"))
    rows = oracle.value_of(table.drop("date"), COSTS, unsubscribe_cost=2.0)
    assert rows["note"].to_list() == ["kept"] * points.height

    ids, days = points["customer_id"], points["day"]
    index = oracle.action_index(actions)
    pick = np.arange(points.height), index
    reward = oracle.reward_matrix(ids, days, COSTS, unsubscribe_cost=2.0)[pick]
    allowed = oracle.allowed_mask(ids, days)[pick]
    assert (~allowed).sum() > 100 and allowed.sum() > 100
    np.testing.assert_array_equal(rows["allowed"].to_numpy(), allowed)
    np.testing.assert_allclose(rows["expected_reward"].to_numpy(),
                               np.where(allowed, reward, 0.0), rtol=1e-12, atol=1e-15)
    assert (rows.filter(~pl.col("allowed"))["expected_value"] == 0).all()
    by_date = oracle.value_of(table.drop("day"), COSTS, unsubscribe_cost=2.0)
    assert by_date["expected_reward"].equals(rows["expected_reward"])
    assert by_date["day"].equals(rows["day"])
