"""Per-customer summaries the CLV models read, from an orders table.

As in the BG/NBD paper, the unit of purchase is the **purchase day**: several orders by one
customer on one calendar day count once (their values add up). Per customer, over the orders on
or before ``end`` (and on or after ``start``, if given):

* ``frequency`` x = purchase days − 1 (repeat purchases);
* ``recency`` t_x = last purchase day − first purchase day;
* ``T`` = ``end`` − first purchase day (the customer's age at the end of observation);
* ``monetary_value`` = mean value of the repeat purchase days (the first day left out; 0 if x = 0);

times in units of ``time_unit_days`` days (7 = weeks, the paper's unit). :func:`window_totals`
counts purchase days and spend inside a later window (the holdout / label side).

Spark: :func:`rfm_summary_spark` computes the same columns with two aggregations, by
(customer, day) and then by customer: the second is a single ``groupBy(customer)`` whose
``min_by`` picks the first day's value, so no window function and no join are needed.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pyspark only for the Spark variant
    from pyspark.sql import DataFrame as SparkFrame

FREQUENCY, RECENCY, AGE, MONETARY = "frequency", "recency", "T", "monetary_value"
SUMMARY_COLUMNS = (FREQUENCY, RECENCY, AGE, MONETARY)
PURCHASE_DAYS, SPEND = "purchase_days", "spend"
TIME_UNIT_DAYS = "time_unit_days"  # recorded in the summary's attrs

DateLike = str | date | datetime | pd.Timestamp


def _day(value: DateLike) -> pd.Timestamp:
    """Midnight of the (UTC) calendar day of ``value``, as a naive timestamp."""
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp.normalize()


def purchase_days(orders: pd.DataFrame, customer: str = "customer_id", ts: str = "ts",
                  amount: str = "amount", start: DateLike | None = None,
                  end: DateLike | None = None) -> pd.DataFrame:
    """One row per customer and purchase day in [start, end] (whole days, inclusive):
    columns customer, ``day`` (midnight, naive) and ``spend`` (sum of the day's orders).
    Time-zone-aware stamps count by their UTC day; naive ones are taken as UTC."""
    missing = [c for c in (customer, ts, amount) if c not in orders.columns]
    if missing:
        raise KeyError(f"orders have no column(s) {missing}; name yours with customer=, ts=, amount=")
    stamps = pd.to_datetime(orders[ts], utc=True).dt.tz_localize(None)  # naive = UTC already
    frame = pd.DataFrame({customer: orders[customer].to_numpy(), "day": stamps.dt.normalize(),
                          SPEND: pd.to_numeric(orders[amount]).to_numpy(float)})
    keep = frame["day"].notna()
    if start is not None:
        keep &= frame["day"] >= _day(start)
    if end is not None:
        keep &= frame["day"] <= _day(end)
    return (frame[keep].groupby([customer, "day"], sort=True, as_index=False)[SPEND].sum())


def rfm_summary(orders: pd.DataFrame, end: DateLike, customer: str = "customer_id", ts: str = "ts",
                amount: str = "amount", start: DateLike | None = None,
                time_unit_days: float = 1.0) -> pd.DataFrame:
    """The per-customer (frequency, recency, T, monetary_value) summary, indexed by customer.

    Customers with no order in [start, end] are absent (the models say nothing about people who
    never bought). ``end`` is the last day of observation, inclusive.
    """
    days = purchase_days(orders, customer, ts, amount, start, end)
    by = days.groupby(customer, sort=True)
    first, last = by["day"].min(), by["day"].max()
    n_days = by["day"].count()
    total = by[SPEND].sum()
    first_spend = days.drop_duplicates(customer, keep="first").set_index(customer)[SPEND]  # days sorted
    x = n_days - 1
    repeat_mean = ((total - first_spend) / x.where(x > 0)).fillna(0.0)
    unit = float(time_unit_days)
    out = pd.DataFrame({
        FREQUENCY: x.astype(float),
        RECENCY: (last - first).dt.days / unit,
        AGE: (_day(end) - first).dt.days / unit,
        MONETARY: repeat_mean.astype(float),
    })
    out.index.name = customer
    out.attrs[TIME_UNIT_DAYS] = unit
    return out


def window_totals(orders: pd.DataFrame, start: DateLike, end: DateLike,
                  customer: str = "customer_id", ts: str = "ts", amount: str = "amount",
                  customers: pd.Index | None = None) -> pd.DataFrame:
    """Purchase days and spend per customer in [start, end] (a holdout or a label window);
    with ``customers``, one row for each of them (zeros for those who did not buy)."""
    days = purchase_days(orders, customer, ts, amount, start, end)
    by = days.groupby(customer)
    out = pd.DataFrame({PURCHASE_DAYS: by["day"].count().astype(float), SPEND: by[SPEND].sum()})
    if customers is not None:
        out = out.reindex(customers, fill_value=0.0)
    out.index.name = customer
    return out


def rfm_summary_spark(orders: SparkFrame, end: DateLike, customer: str = "customer_id",
                      ts: str = "ts", amount: str = "amount", start: DateLike | None = None,
                      time_unit_days: float = 1.0) -> SparkFrame:
    """:func:`rfm_summary` as a Spark plan: columns customer, frequency, recency, T,
    monetary_value. ``ts`` may be a timestamp or a date column (days are taken in the session
    time zone; set ``spark.sql.session.timeZone=UTC`` to match the pandas version on UTC data)."""
    from pyspark.sql import functions as F

    end_day = F.lit(_day(end).date())
    day = F.to_date(F.col(ts))
    rows = orders.select(F.col(customer).alias(customer), day.alias("day"),
                         F.col(amount).cast("double").alias(SPEND)).where(F.col("day") <= end_day)
    if start is not None:
        rows = rows.where(F.col("day") >= F.lit(_day(start).date()))
    days = rows.groupBy(customer, "day").agg(F.sum(SPEND).alias(SPEND))
    unit = float(time_unit_days)
    per = days.groupBy(customer).agg(
        F.count("*").alias("n_days"), F.min("day").alias("first"), F.max("day").alias("last"),
        F.sum(SPEND).alias("total"), F.min_by(SPEND, "day").alias("first_spend"))
    x = F.col("n_days") - 1
    return per.select(
        customer,
        x.cast("double").alias(FREQUENCY),
        (F.datediff("last", "first") / F.lit(unit)).alias(RECENCY),
        (F.datediff(end_day, "first") / F.lit(unit)).alias(AGE),
        F.when(x > 0, (F.col("total") - F.col("first_spend")) / x).otherwise(F.lit(0.0))
         .cast("double").alias(MONETARY))


def summary_arrays(summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(frequency, recency, T) as float arrays, with a clear error when a column is missing."""
    missing = [c for c in (FREQUENCY, RECENCY, AGE) if c not in summary.columns]
    if missing:
        raise KeyError(f"summary has no column(s) {missing}; build it with models.clv.rfm_summary")
    return tuple(summary[c].to_numpy(float) for c in (FREQUENCY, RECENCY, AGE))  # type: ignore[return-value]
