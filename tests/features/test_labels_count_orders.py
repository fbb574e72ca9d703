"""The label window counts orders, not lines: lines sharing an ``order_id`` are one purchase;
future spend is the sum of every line."""
from datetime import datetime, timezone

import pytest

from tailor.features.labels import person_labels

SCHEMA = ("event_id string, person_id string, event_type string, event_ts timestamp, "
          "price double, quantity int, order_id string")
T = datetime(2026, 9, 30, 12, tzinfo=timezone.utc)


def test_future_purchases_are_orders(spark):
    rows = [("e1", "p1", "purchase", T, 2.0, 3, "A"), ("e2", "p1", "purchase", T, 4.0, 1, "A"),
            ("e3", "p1", "purchase", T, 1.0, 1, None), ("e4", "p1", "view", T, None, None, None),
            ("e5", "p2", "view", T, None, None, None)]
    got = {r.person_id: r for r in person_labels(spark.createDataFrame(rows, SCHEMA)).collect()}
    assert got["p1"].future_purchases == 2 and got["p1"].future_spend == pytest.approx(11.0)
    assert got["p2"].future_purchases == 0 and got["p2"].future_spend == 0.0
