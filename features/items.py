"""item_stats_v2: per-item category, price and popularity as of a day (ranker + fallback).

v2: ``price`` is the unit price of the item's latest *priced* event (a purchase or priced cart
add). v1 took the latest event of any kind, usually a view without a price, so most items had
none; conversions carry an order value, not a unit price, and are left out too."""
from __future__ import annotations

from datetime import datetime
from typing import Sequence

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from tailor.features.windows import AS_OF, DAY, as_of, count_if, is_order, tag_days, within


def compute(events: DataFrame, at: datetime) -> DataFrame:
    """Latest category and unit price, 7/30-day views and purchases, and a popularity rank."""
    return _rows(as_of(events, at), F.lit(at), ())


def compute_days(events: DataFrame, days: DataFrame) -> DataFrame:
    """:func:`compute` for every as-of day of ``days`` (``windows.day_frame``) in one pass,
    keyed by ``ds`` (the popularity rank is per day)."""
    return _rows(tag_days(events, days), F.col(AS_OF), (DAY,))


def _rows(ev: DataFrame, at: Column, keys: Sequence[str]) -> DataFrame:
    ev = ev.where(F.col("item_id").isNotNull() & F.col("event_type").isin(
        "view", "add_to_cart", "purchase", "conversion"))
    view, buy = F.col("event_type") == "view", is_order()
    stats = ev.groupBy(*keys, "item_id").agg(
        F.max_by("category", "event_ts").alias("category"),
        F.max_by("price", F.when(F.col("price").isNotNull() &
                                 (F.col("event_type") != "conversion"), F.col("event_ts"))
                 ).alias("price"),
        count_if(view & within(at, 168)).alias("views_7d"),
        count_if(view & within(at, 720)).alias("views_30d"),
        count_if(buy & within(at, 168)).alias("purchases_7d"),
        count_if(buy & within(at, 720)).alias("purchases_30d"),
    ).withColumn("popularity", F.col("purchases_30d") + 0.1 * F.col("views_30d"))
    rank = Window.partitionBy(*keys).orderBy(F.col("popularity").desc(), F.col("item_id"))
    return stats.withColumn("popularity_rank", F.row_number().over(rank))
