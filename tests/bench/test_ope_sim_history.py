"""bench/ope_sim_model.py context: features of day d use landing events of days < d only (no look-ahead),
orders and spend count purchases and conversions, and the preferred-hour proxy is a circular mean."""
from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from bench.ope_sim_model import History, context_features, frame_events, hour_gap

DAY = 86400
ROWS = [  # event_type, t (s since the first midnight), customer, channel, message, price, quantity, discount
    ("view", 0 * DAY + 23 * 3600, "C0000001", None, None, None, None, None),
    ("view", 1 * DAY + 1 * 3600, "C0000001", None, None, None, None, None),
    ("purchase", 1 * DAY + 2 * 3600, "C0000001", None, None, 10.0, 2, None),
    ("message_sent", 2 * DAY + 9 * 3600, "C0000001", "push", "m1", None, None, 0.2),
    ("message_open", 2 * DAY + 10 * 3600, "C0000001", "push", "m1", None, None, None),
    ("message_click", 2 * DAY + 10 * 3600, "C0000001", "push", "m1", None, None, None),
    ("conversion", 2 * DAY + 11 * 3600, "C0000001", "push", "m1", 16.0, 1, 0.2),
    ("view", 2 * DAY + 12 * 3600, "C0000002", None, None, None, None, None),
]


def events(rows=ROWS) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={"event_type": pl.String, "t": pl.Int64, "customer_id": pl.String,
                                      "channel": pl.String, "message_id": pl.String, "price": pl.Float64,
                                      "quantity": pl.Int64, "discount": pl.Float64}, orient="row")


def features(rows=ROWS, day: int = 3) -> dict[str, np.ndarray]:
    history = History.build(frame_events(events(rows)), n_users=2, n_days=5)
    user, days = np.array([0, 1]), np.array([day, day])
    return context_features(history, user, days, np.ones((2, 4), dtype=bool), np.zeros(2))


def test_a_days_events_are_not_features_of_that_day():
    later = ROWS + [("purchase", 3 * DAY + 1, "C0000001", None, None, 99.0, 1, None),
                    ("view", 4 * DAY, "C0000002", None, None, None, None, None)]
    before, after = features(ROWS), features(later)
    for name, values in before.items():
        np.testing.assert_array_equal(values, after[name], err_msg=name)
    assert features(later, day=4)["orders"][0] == 3     # the day-3 purchase counts from day 4 on


def test_orders_spend_and_recency():
    f = features()
    assert f["orders"].tolist() == [2, 0]               # the purchase and the conversion
    assert f["spend"][0] == pytest.approx(10.0 * 2 + 16.0)
    assert f["days_since_order"][0] == 1 and np.isnan(f["days_since_order"][1])
    assert f["views"].tolist() == [2, 1] and f["views_7d"].tolist() == [2, 1]
    assert f["tenure"].tolist() == [3, 1]
    push = 1
    assert f["chan:sends"][0, push] == 1 and f["chan:opens"][0, push] == 1
    assert f["chan:clicks"][0, push] == 1 and f["chan:conversions"][0, push] == 1
    assert f["offer_click_rate"][0] > f["plain_click_rate"][0]   # the clicked message had an offer


def test_view_hour_is_a_circular_mean():
    f = features()
    assert hour_gap(f["view_hour"][0], 0.0) == pytest.approx(0.0, abs=1e-9)   # 23:00 and 01:00 -> midnight
    assert f["view_hour"][1] == pytest.approx(12.0)
    assert hour_gap(np.array([23.0, 6.0]), np.array([1.0, 18.0])).tolist() == [2.0, 12.0]
