"""profile_v3: the long-lived view of a person as of a day — RFM, tenure, spend and category
affinity. Channel responsiveness and discount sensitivity moved to their own groups
(features/channel.py, features/discount.py).

v3: orders are baskets. Purchase lines sharing an ``order_id`` are one order (lines without one
are each their own order, v2's meaning), so ``frequency``, ``purchases_30d``,
``avg_order_value``, ``orders_per_30d`` and ``recency_days`` count orders, not lines; an order
is dated by its first line and spend windows take whole orders by that date."""
from __future__ import annotations

from datetime import datetime
from typing import Sequence

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from tailor.features.windows import (
    AS_OF,
    DAY,
    FIRST,
    ORDER,
    as_of,
    count_if,
    first_days,
    is_interaction,
    is_order,
    order_value,
    since_date,
    spread,
    sum_if,
    with_order_key,
    within,
)

TOP_CATEGORIES = 3
UNKNOWN_CATEGORY = "unknown"


def compute(events: DataFrame, at: datetime) -> DataFrame:
    """One row per person with any event before ``at``."""
    return _rows(as_of(events, at), F.lit(at))


def compute_days(events: DataFrame, days: DataFrame) -> DataFrame:
    """:func:`compute` for every as-of day of ``days`` (``windows.day_frame``) in one pass,
    keyed by ``ds``: each event is aggregated once, by the first day it counts for, and the
    partials of every first day up to a day are merged for it (``windows.first_days``)."""
    tagged, pairs = first_days(events, days)
    at, by = F.col(AS_OF), [DAY, "person_id"]
    # per (person, first day, event date): the date keys the 30-day view count
    part = tagged.groupBy("person_id", FIRST, F.to_date("event_ts").alias("__date")).agg(
        F.min("event_ts").alias("__first_ts"), F.max("event_ts").alias("__last_ts"),
        count_if(F.col("event_type") == "view").alias("__views"))
    activity = spread(part, pairs).groupBy(*by).agg(
        F.min(_days_since(at, F.col("__last_ts"))).alias("days_since_last_event"),
        F.max(_days_since(at, F.col("__first_ts"))).alias("tenure_days"),
        F.sum(F.when(since_date(at, 24 * 30), F.col("__views")).otherwise(0)).alias("views_30d"))
    # an order's lines may arrive for different days: per (order, first day), then per day
    order_parts = (with_order_key(tagged.where(is_order()))
                   .groupBy("person_id", ORDER, FIRST)
                   .agg(F.min("event_ts").alias("event_ts"), F.sum(order_value()).alias("__value")))
    orders = (spread(order_parts, pairs).groupBy(*by, ORDER)
              .agg(F.min("event_ts").alias("event_ts"), F.sum("__value").alias("__value"),
                   F.max(at).alias("__at")))
    cats = (spread(_category_counts(tagged, ["person_id", FIRST]), pairs)
            .groupBy(*by, "category").agg(F.sum("count").alias("count")))
    return _profile(activity, orders, cats, by)


def _days_since(at: Column, ts: Column) -> Column:
    return (at.cast("long") - ts.cast("long")) / 86400.0


def _rows(ev: DataFrame, at: Column) -> DataFrame:
    """The reference: one as-of instant ``at`` over the events that count for it."""
    by = ["person_id"]
    days_since = _days_since(at, F.col("event_ts"))
    activity = ev.groupBy(*by).agg(
        F.min(days_since).alias("days_since_last_event"),
        F.max(days_since).alias("tenure_days"),
        count_if((F.col("event_type") == "view") & within(at, 24 * 30)).alias("views_30d"),
    )
    # one row per order (its lines summed, dated by its first line)
    orders = (with_order_key(ev.where(is_order()))
              .groupBy(*by, ORDER)
              .agg(F.min("event_ts").alias("event_ts"), F.sum(order_value()).alias("__value"),
                   F.max(at).alias("__at")))
    return _profile(activity, orders, _category_counts(ev, by), by)


def _profile(activity: DataFrame, orders: DataFrame, cats: DataFrame, by: list[str]) -> DataFrame:
    """The group's rows from per-person activity (days since the last event, tenure, views in
    30 days), one row per order (``event_ts`` its first line, ``__value``, ``__at`` the as-of
    instant) and interaction counts per category."""
    recent = within(F.col("__at"), 24 * 30)
    buying = orders.groupBy(*by).agg(
        F.min(_days_since(F.col("__at"), F.col("event_ts"))).alias("recency_days"),
        F.count("*").alias("frequency"),
        F.sum("__value").alias("monetary"),
        sum_if(recent, F.col("__value")).alias("spend_30d"),
        sum_if(within(F.col("__at"), 24 * 90), F.col("__value")).alias("spend_90d"),
        count_if(recent).alias("purchases_30d"),
        F.countDistinct(F.to_date("event_ts")).alias("order_days"),
    )
    base = (activity.join(buying, by, "left")
            .fillna({"frequency": 0, "monetary": 0.0, "spend_30d": 0.0, "spend_90d": 0.0,
                     "purchases_30d": 0, "order_days": 0})
            .select(*by, "days_since_last_event", "tenure_days", "recency_days", "frequency",
                    "monetary", "spend_30d", "spend_90d", "purchases_30d", "views_30d",
                    "order_days"))
    base = (base
            .withColumn("avg_order_value",
                        F.when(F.col("frequency") > 0, F.col("monetary") / F.col("frequency"))
                        .otherwise(0.0))
            # never bought: recency is the whole tenure (the longest a person can have waited)
            .withColumn("recency_days", F.coalesce("recency_days", F.col("tenure_days")))
            .withColumn("orders_per_30d",
                        F.col("frequency") * 30.0 / F.greatest(F.col("tenure_days"), F.lit(1.0))))
    return (base.join(_affinity(cats, by), by, "left")
            .fillna({"favourite_category": UNKNOWN_CATEGORY, "favourite_category_share": 0.0,
                     "categories_seen": 0})
            .withColumn("top_categories",
                        F.coalesce("top_categories", F.array().cast("array<string>"))))


def _category_counts(ev: DataFrame, by: Sequence[str]) -> DataFrame:
    """(``by``, category, count): interactions per category."""
    return ev.where(is_interaction() & F.col("category").isNotNull()).groupBy(*by, "category").count()


def _affinity(cats: DataFrame, by: list[str]) -> DataFrame:
    total = Window.partitionBy(*by)
    ranked = Window.partitionBy(*by).orderBy(F.col("count").desc(), F.col("category"))
    scored = (cats.withColumn("share", F.col("count") / F.sum("count").over(total))
              .withColumn("categories_seen", F.count("*").over(total))
              .withColumn("r", F.row_number().over(ranked)))
    # every person keeps its first-ranked category, so each has a row here
    top = scored.where(F.col("r") <= TOP_CATEGORIES).groupBy(*by).agg(
        F.sort_array(F.collect_list(F.struct("r", "category"))).alias("ranked"),
        F.max(F.when(F.col("r") == 1, F.col("category"))).alias("favourite_category"),
        F.max(F.when(F.col("r") == 1, F.col("share"))).alias("favourite_category_share"),
        F.max("categories_seen").alias("categories_seen"))
    return top.select(*by, "favourite_category", "favourite_category_share",
                      F.col("ranked.category").alias("top_categories"), "categories_seen")
