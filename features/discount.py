"""discount_v1: does an offer make this person convert more? (lifecycle agent: offer lift).

sensitivity = conversion rate of discounted sends − conversion rate of full-price sends, each
smoothed with ``PRIOR_CONVERSIONS`` / ``PRIOR_SENDS`` pseudo-observations so a person with one
lucky discounted conversion is not maximally sensitive. A send counts as converted once.
"""
from __future__ import annotations

from datetime import datetime
from typing import Sequence

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from tailor.features.windows import DAY, FIRST, as_of, count_if, first_days, is_order, spread

PRIOR_CONVERSIONS = 0.5
PRIOR_SENDS = 5.0


def compute(events: DataFrame, at: datetime) -> DataFrame:
    """Per messaged person: discounted / full-price sends, their smoothed conversion rates, the
    sensitivity (their difference), mean discount received, and the share of the person's
    orders placed in response to a message (conversions / all orders)."""
    return _rows(as_of(events, at))


def compute_days(events: DataFrame, days: DataFrame) -> DataFrame:
    """:func:`compute` for every as-of day of ``days`` (``windows.day_frame``) in one pass,
    keyed by ``ds``: one row per message with the first day its send and its first conversion
    count for, and order counts per (person, first day), spread to the days they count for
    (``windows.first_days``)."""
    tagged, pairs = first_days(events.where(F.col("message_id").isNotNull() | is_order()), days)
    first, sent = F.col(FIRST), F.col("event_type") == "message_sent"
    messages = (tagged.where(F.col("message_id").isNotNull()
                             & F.col("event_type").isin("message_sent", "conversion"))
                .groupBy("message_id").agg(
                    F.min(F.when(sent, first)).alias(FIRST),
                    F.min_by(F.when(sent, F.struct("person_id", "discount")),
                             F.when(sent, first)).alias("send"),
                    F.min(F.when(F.col("event_type") == "conversion", first)).alias("__converted"))
                .where(F.col(FIRST).isNotNull()))
    sends = _sends(spread(messages, pairs).withColumn(
        "converted", F.coalesce((F.col("__converted") <= F.col(DAY)).cast("int"), F.lit(0))),
        (DAY,))
    order_parts = tagged.where(is_order()).groupBy("person_id", FIRST).agg(
        count_if(F.col("event_type") == "conversion").alias("conv_orders"),
        F.count("*").alias("orders"))
    orders = spread(order_parts, pairs).groupBy(DAY, "person_id").agg(
        F.sum("conv_orders").alias("conv_orders"), F.sum("orders").alias("orders"))
    return _discount(sends, orders, [DAY, "person_id"])


def _rows(ev: DataFrame) -> DataFrame:
    by = ["person_id"]
    # one row per sent message: its send (of one ``message_sent`` row, if duplicated) and
    # whether any conversion names it; the events are read once for both
    sent = F.col("event_type") == "message_sent"
    messages = (ev.where(F.col("message_id").isNotNull()
                         & F.col("event_type").isin("message_sent", "conversion"))
                .groupBy("message_id").agg(
                    F.first(F.when(sent, F.struct("person_id", "discount")), ignorenulls=True)
                    .alias("send"),
                    F.max((F.col("event_type") == "conversion").cast("int")).alias("converted")))
    orders = ev.where(is_order()).groupBy(*by).agg(
        count_if(F.col("event_type") == "conversion").alias("conv_orders"),
        F.count("*").alias("orders"))
    return _discount(_sends(messages, ()), orders, by)


def _sends(messages: DataFrame, keys: Sequence[str]) -> DataFrame:
    """One row per sent message (``keys``, person_id, message_id, converted, discount,
    discounted) from per-message rows with the ``send`` struct (null: never sent)."""
    return (messages.where(F.col("send").isNotNull())
            .select(*keys, "send.person_id", "message_id", "converted",
                    F.coalesce("send.discount", F.lit(0.0)).cast("double").alias("discount"))
            .withColumn("discounted", F.col("discount") > 0))


def _discount(sends: DataFrame, orders: DataFrame, by: list[str]) -> DataFrame:
    """Per messaged person: the send counts, smoothed rates and order share."""
    per = (sends.groupBy(*by).agg(
               count_if(F.col("discounted")).alias("discounted_sends"),
               count_if(~F.col("discounted")).alias("full_price_sends"),
               F.sum(F.when(F.col("discounted"), F.col("converted")).otherwise(0)).alias("conv_d"),
               F.sum(F.when(~F.col("discounted"), F.col("converted")).otherwise(0)).alias("conv_f"),
               F.avg("discount").alias("avg_discount_received")))
    rate = lambda conv_col, n_col: ((F.col(conv_col) + PRIOR_CONVERSIONS)  # noqa: E731
                                    / (F.col(n_col) + PRIOR_SENDS))
    return (per.join(orders, by, "left").fillna(0, subset=["conv_orders", "orders"])
            .select(*by,
                    F.col("discounted_sends").cast("long").alias("discounted_sends"),
                    F.col("full_price_sends").cast("long").alias("full_price_sends"),
                    rate("conv_d", "discounted_sends").alias("discounted_conversion_rate"),
                    rate("conv_f", "full_price_sends").alias("full_price_conversion_rate"),
                    (rate("conv_d", "discounted_sends") - rate("conv_f", "full_price_sends"))
                    .alias("discount_sensitivity"),
                    F.col("avg_discount_received").cast("double").alias("avg_discount_received"),
                    F.when(F.col("orders") > 0, F.col("conv_orders") / F.col("orders"))
                    .otherwise(0.0).alias("message_order_share")))
