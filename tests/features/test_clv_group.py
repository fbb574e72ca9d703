"""features.clv: the group's per-buyer summaries and BG/NBD × Gamma-Gamma expectations equal the
reference implementation (``models.clv``: pandas summaries, the same maximum-likelihood fit) on
the same orders, nobody without an order gets a row, and orders after the as-of instant change
nothing."""
from datetime import datetime, timedelta, timezone

import numpy as np
import pandas as pd
import pytest

from tailor.clock import day_end
from tailor.features import clv
from tailor.models.clv import ClvModel, rfm_summary

SCHEMA = ("person_id string, event_type string, event_ts timestamp, price double, "
          "quantity int, ingested_at timestamp")
AS_OF_DAY = "2026-09-30"


def _orders(seed: int = 7, buyers: int = 300) -> list[tuple]:
    """Buyers with Poisson-ish purchase days over 120 days, some dropping out; two orders on
    one day for some (one purchase day); a viewer who never bought."""
    rng = np.random.default_rng(seed)
    start = datetime(2026, 6, 1, tzinfo=timezone.utc)
    rows = []
    for n in range(buyers):
        first = rng.uniform(0, 100)
        life = rng.exponential(60)
        rate = rng.gamma(1.0, 0.08)
        t = first
        while t < min(first + life, 121):
            when = start + timedelta(days=float(t))
            price = float(np.round(rng.gamma(2.0, 15.0), 2))
            rows.append((f"p{n}", "purchase", when, price, int(rng.integers(1, 3)), when))
            if rng.random() < 0.1:   # a second order the same day: one purchase day
                rows.append((f"p{n}", "conversion", when + timedelta(minutes=5), 10.0, None, when))
            t += rng.exponential(1 / rate) + 1.0
    view = start + timedelta(days=3)
    rows.append(("viewer", "view", view, None, None, view))
    return rows


@pytest.fixture(scope="module")
def events(spark):
    return spark.createDataFrame(_orders(), SCHEMA)


def _reference(rows: list[tuple], at: datetime) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["person_id", "event_type", "event_ts", "price",
                                        "quantity", "ingested_at"])
    frame = frame[frame["event_type"].isin(["purchase", "conversion"]) & (frame["event_ts"] < at)]
    amount = np.where(frame["event_type"] == "conversion", frame["price"],
                      frame["price"] * frame["quantity"].fillna(1))
    orders = frame.assign(amount=amount)
    summary = rfm_summary(orders, end=(at - timedelta(days=1)).date(), customer="person_id",
                          ts="event_ts", amount="amount")
    summary["T"] += 1.0     # the group's T runs to the as-of instant (the end of the last day)
    model = ClvModel.fit(summary)
    return model.score(summary, 90).assign(
        purchases_30=model.expected_purchases(summary, 30))


def test_clv_matches_reference(events):
    at = day_end(AS_OF_DAY)
    got = clv.compute(events, at).toPandas().set_index("person_id").sort_index()
    want = _reference(_orders(), at).sort_index()
    assert "viewer" not in got.index
    assert list(got.index) == list(want.index)
    pairs = {"clv_frequency": "frequency", "clv_recency": "recency", "clv_age": "T",
             "clv_monetary": "monetary_value", "clv_p_alive": "p_alive",
             "clv_purchases_90d": "expected_purchases", "clv_purchases_30d": "purchases_30",
             "clv_spend_per_purchase": "expected_spend", "clv_value_90d": "expected_value"}
    for mine, theirs in pairs.items():   # the summaries exactly; the fits to optimiser tolerance
        rtol = 1e-9 if mine in clv.SUMMARY else 1e-4
        atol = 1e-6 if mine == "clv_monetary" else 1e-8   # the group rounds it to 6 decimals
        np.testing.assert_allclose(got[mine].to_numpy(), want[theirs].to_numpy(), rtol=rtol,
                                   atol=atol, err_msg=mine)
    assert (got["clv_age"] >= 1.0).all()
    assert got["clv_p_alive"].between(0, 1).all()


def test_later_orders_change_nothing(events, spark):
    at = day_end("2026-08-31")
    before = clv.compute(events, at).toPandas().set_index("person_id").sort_index()
    earlier_only = events.where(events["event_ts"] < at)
    again = clv.compute(earlier_only, at).toPandas().set_index("person_id").sort_index()
    pd.testing.assert_frame_equal(before, again)


def test_day_without_repeat_buyers_has_no_rows(spark):
    one = datetime(2026, 9, 1, 12, tzinfo=timezone.utc)
    rows = [(f"p{n}", "purchase", one, 9.0, 1, one) for n in range(5)]
    frame = spark.createDataFrame(rows, SCHEMA)
    assert clv.compute(frame, day_end(AS_OF_DAY)).count() == 0
