"""``decision_points`` lists every logged decision of the world once, with the realised
outcomes attributed to its message."""
from __future__ import annotations

import json
from datetime import timedelta

import polars as pl

from tailor.simulator.oracle import Costs


def test_every_logged_decision_once_with_its_outcomes(oracle, oracle_world):
    counts = json.loads((oracle_world / "world.json").read_text())["counts"]["events_by_type"]
    points = oracle.decision_points(Costs({"sms": 0.05}, per_message=0.05))
    assert points.height == counts["message_sent"] + counts["decision_served"]
    assert points.select("customer_id", "day").is_unique().all()
    assert points.filter(pl.col("channel").is_not_null()).height == counts["message_sent"]
    assert points["propensity"].is_between(0.0, 1.0, closed="right").all()
    # every conversion and unsubscribe in landing belongs to exactly one logged message
    assert points["conversions"].sum() == counts["conversion"]
    assert points["unsubscribed"].sum() == counts["unsubscribe"]
    assert (points["date"] == pl.Series([oracle.start_date + timedelta(days=d)
                                         for d in points["day"]])).all()
    quiet = points.filter(pl.col("action_id") == "no_message")
    assert (quiet["value"] == 0).all() and (quiet["cost"] == 0).all()
    sms = points.filter(pl.col("channel") == "sms")
    assert (sms["cost"] == 0.1).all() and (sms["reward"] == sms["value"] - 0.1).all()
    assert points["value"].sum() > 0
    assert points.filter(pl.col("censored"))["day"].unique().to_list() == [oracle.days - 1]
