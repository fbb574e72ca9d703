"""Incrementality on hand-made decisions and events: the expected rates, revenue per person,
differences and Welch 95% intervals (checked against scipy's Welch t-test), per channel and all."""
from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd
import pytest
from scipy import stats

from tailor.evaluation.incrementality import incrementality_rows, outcome_sums

DAY = "2026-10-01"  # window: [2026-10-02 00:00, 2026-10-09 00:00) UTC


def ts(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=timezone.utc)


DECISIONS = [  # person, holdout, channel decided, consent
    ("t1", False, "email", ["email", "push"]),
    ("t2", False, "email", ["email"]),
    ("t3", False, "push", ["push"]),
    ("t4", False, None, ["email"]),          # decided "no message": treated (intent to treat)
    ("h1", True, None, ["email"]),
    ("h2", True, None, ["email", "push"]),
    ("h3", True, None, []),
]
EVENTS = [  # person, type, time, price, quantity
    ("t1", "purchase", "2026-10-03T10:00:00", 10.0, 2),      # 20
    ("t1", "conversion", "2026-10-05T10:00:00", 15.0, None),  # 15 -> t1: 35
    ("t2", "purchase", "2026-10-01T12:00:00", 99.0, 1),      # before the window
    ("t2", "purchase", "2026-10-09T00:00:00", 99.0, 1),      # at the window's end: excluded
    ("t2", "view", "2026-10-03T10:00:00", 99.0, None),       # not an order
    ("t3", "purchase", "2026-10-08T23:59:59", 5.0, None),    # quantity missing = 1 -> 5
    ("t4", "conversion", "2026-10-02T00:00:00", 40.0, None),  # window start is inclusive -> 40
    ("h1", "purchase", "2026-10-04T08:00:00", 30.0, 1),      # 30
    ("h2", "add_to_cart", "2026-10-04T08:00:00", 30.0, 1),
    ("h3", "purchase", "2026-10-06T08:00:00", 12.0, 1),      # 12
    ("x9", "purchase", "2026-10-04T08:00:00", 500.0, 1),     # nobody decided for x9
]


@pytest.fixture
def rows(spark):
    decisions = spark.createDataFrame(
        [(p, DAY, h, c, a) for p, h, c, a in DECISIONS],
        "person_id string, ds string, holdout boolean, channel string, allowed_channels array<string>")
    events = spark.createDataFrame(
        [(p, t, ts(when), price, q) for p, t, when, price, q in EVENTS],
        "person_id string, event_type string, event_ts timestamp, price double, quantity int")
    sums = outcome_sums(decisions, events, window_days=7).toPandas()
    out = incrementality_rows(sums, ds="2026-10-08", window_days=7, confidence=0.95,
                              decisions_version=3, events_version=9,
                              computed_at=ts("2026-10-09T01:00:00"))
    return {r["channel"]: r for r in out.to_dict("records")}


def welch(a, b):
    ci = stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
    return ci.low, ci.high


def test_all_row_is_the_randomised_comparison(rows):
    r = rows["all"]
    assert (r["comparison"], r["n_treated"], r["n_messaged"], r["n_holdout"]) == (
        "randomised", 4, 3, 3)
    assert r["conv_rate_treated"] == pytest.approx(3 / 4)
    assert r["conv_rate_holdout"] == pytest.approx(2 / 3)
    assert r["conv_rate_diff"] == pytest.approx(3 / 4 - 2 / 3)
    low, high = welch([1, 0, 1, 1], [1, 0, 1])
    assert (r["conv_rate_ci_low"], r["conv_rate_ci_high"]) == pytest.approx((low, high))
    assert r["revenue_pp_treated"] == pytest.approx(80 / 4)
    assert r["revenue_pp_holdout"] == pytest.approx(42 / 3)
    assert r["revenue_pp_diff"] == pytest.approx(6.0)
    low, high = welch([35, 0, 5, 40], [30, 0, 12])
    assert (r["revenue_pp_ci_low"], r["revenue_pp_ci_high"]) == pytest.approx((low, high))
    assert (r["decision_ds"], r["ds"], r["window_days"], r["ci_method"]) == (
        DAY, "2026-10-08", 7, "welch_t")


def test_channel_rows_compare_the_messaged_with_the_consenting_holdout(rows):
    assert list(rows) == ["all", "email", "push"]
    email = rows["email"]
    assert (email["comparison"], email["n_treated"], email["n_messaged"], email["n_holdout"]) == (
        "selected", 2, 2, 2)                                   # t1, t2 vs h1, h2
    assert email["conv_rate_diff"] == pytest.approx(0.0)
    assert email["revenue_pp_diff"] == pytest.approx(35 / 2 - 30 / 2)
    low, high = welch([35, 0], [30, 0])
    assert (email["revenue_pp_ci_low"], email["revenue_pp_ci_high"]) == pytest.approx((low, high))

    push = rows["push"]                                        # t3 vs h2: one person each
    assert (push["n_treated"], push["n_holdout"]) == (1, 1)
    assert push["revenue_pp_diff"] == pytest.approx(5.0)
    assert pd.isna(push["revenue_pp_ci_low"]) and pd.isna(push["revenue_pp_ci_high"])
