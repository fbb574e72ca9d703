"""profile_v3: purchase lines sharing an ``order_id`` are one order (a basket); lines without one
are each their own order. Frequency, 30-day purchases, average order value, cadence and recency
count orders; spend is unchanged. Hand-computed on one person."""
from datetime import datetime, timedelta, timezone

import pytest

from tailor.features.registry import GROUPS

SCHEMA = ("event_id string, person_id string, event_type string, event_ts timestamp, "
          "item_id string, category string, price double, quantity int, order_id string, "
          "ingested_at timestamp")
AT = datetime(2026, 9, 30, tzinfo=timezone.utc)


def _ev(n, kind, days_ago, price=None, qty=None, order=None, minutes=0):
    when = AT - timedelta(days=days_ago) + timedelta(minutes=minutes)
    return (f"e{n}", "p1", kind, when, f"i{n}", "books", price, qty, order, when)


def test_baskets_count_once(spark):
    rows = [
        _ev(1, "view", 60),
        _ev(2, "purchase", 50, 10.0, 1, "A"), _ev(3, "purchase", 50, 5.0, 2, "A"),   # basket A
        _ev(4, "purchase", 50, 1.0, 1, "A", minutes=3),                           # A, later line
        _ev(5, "purchase", 10, 20.0, 1, "B"),                                     # basket B
        _ev(6, "purchase", 5, 7.0, 1), _ev(7, "purchase", 5, 3.0, 1),             # two lone lines
    ]
    row = GROUPS["profile"].compute(spark.createDataFrame(rows, SCHEMA), AT).collect()[0]
    assert row.frequency == 4                        # A, B and two lines without an order id
    assert row.monetary == pytest.approx(10 + 10 + 1 + 20 + 7 + 3)
    assert row.avg_order_value == pytest.approx(51.0 / 4)
    assert row.purchases_30d == 3 and row.spend_30d == pytest.approx(30.0)
    assert row.spend_90d == pytest.approx(51.0)
    assert row.order_days == 3
    assert row.recency_days == pytest.approx(5.0)
    assert row.orders_per_30d == pytest.approx(4 * 30.0 / 60.0)


def test_without_order_ids_every_line_is_an_order(spark):
    rows = [_ev(1, "purchase", 3, 4.0, 1), _ev(2, "purchase", 3, 6.0, 1)]
    frame = spark.createDataFrame(rows, SCHEMA).drop("order_id")   # data from before order ids
    row = GROUPS["profile"].compute(frame, AT).collect()[0]
    assert (row.frequency, row.avg_order_value) == (2, pytest.approx(5.0))
