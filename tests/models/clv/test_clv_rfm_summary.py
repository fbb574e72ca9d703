"""The RFM summary counts purchase *days* (orders on one day count once, values summed), leaves
the first purchase out of the monetary value, and reproduces the paper's CDNOW summary."""
import numpy as np
import pandas as pd
import pytest

from tailor.models.clv import rfm_summary, window_totals


def _orders(rows):
    return pd.DataFrame(rows, columns=["customer_id", "ts", "amount"])


def test_orders_on_one_day_are_one_purchase():
    orders = _orders([
        ("a", "2026-01-01 09:00", 10.0), ("a", "2026-01-01 18:30", 5.0),   # first day: 15
        ("a", "2026-01-08 12:00", 20.0), ("a", "2026-01-08 13:00", 20.0),  # repeat day: 40
        ("a", "2026-01-15 08:00", 30.0),                                   # repeat day: 30
        ("a", "2026-01-20 08:00", 99.0),                                   # after end: ignored
        ("b", "2026-01-10 23:59", 7.0),                                    # one day only
    ])
    summary = rfm_summary(orders, end="2026-01-15")

    assert list(summary.columns) == ["frequency", "recency", "T", "monetary_value"]
    assert summary.loc["a"].tolist() == [2.0, 14.0, 14.0, 35.0]   # (40 + 30) / 2 repeat days
    assert summary.loc["b"].tolist() == [0.0, 0.0, 5.0, 0.0]
    assert summary.attrs["time_unit_days"] == 1.0

    weeks = rfm_summary(orders, end="2026-01-15", time_unit_days=7)
    assert weeks.loc["a", "T"] == pytest.approx(2.0) and weeks.attrs["time_unit_days"] == 7.0


def test_time_zones_count_utc_days():
    orders = _orders([("a", pd.Timestamp("2026-01-01 23:30", tz="America/New_York"), 1.0),  # 01-02 UTC
                      ("a", pd.Timestamp("2026-01-02 01:00", tz="UTC"), 2.0)])
    summary = rfm_summary(orders, end=pd.Timestamp("2026-01-03", tz="UTC"))
    assert summary.loc["a", "frequency"] == 0.0 and summary.loc["a", "T"] == 1.0


def test_window_totals_count_days_and_spend_for_every_customer():
    orders = _orders([("a", "2026-02-01", 10.0), ("a", "2026-02-01", 5.0), ("a", "2026-02-03", 1.0),
                      ("b", "2026-01-31", 4.0)])
    totals = window_totals(orders, "2026-02-01", "2026-02-28", customers=pd.Index(["a", "b", "c"]))
    assert totals.to_dict("index") == {"a": {"purchase_days": 2.0, "spend": 16.0},
                                       "b": {"purchase_days": 0.0, "spend": 0.0},
                                       "c": {"purchase_days": 0.0, "spend": 0.0}}


def test_reproduces_the_papers_cdnow_summary(sample_orders, paper_summary):
    summary = rfm_summary(sample_orders, end="1997-09-30", time_unit_days=7)

    assert len(summary) == len(paper_summary) == 2357
    mine = summary.loc[paper_summary.index]
    np.testing.assert_array_equal(mine["frequency"], paper_summary["frequency"])
    for column in ("recency", "T", "monetary_value"):   # the paper's file rounds to 2 decimals
        np.testing.assert_allclose(mine[column], paper_summary[column], atol=0.0051)
