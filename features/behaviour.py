"""behaviour_v2: what a person did in the last hour / day / week (short-lived intent).

Counts of views, carts and orders (purchases + conversions) per window, hours since the last
event / view / order (capped at the 7-day window: "at least a week"), distinct items viewed and
bought, and the most recent distinct items viewed and bought (newest first).

The windows are ``features.behaviour_windows_hours`` (conf/base.yaml), read once when this module
is imported; their values are part of the group's fingerprint, so changing them without bumping
the group's version makes the features job refuse to run (the table would change meaning).
"""
from __future__ import annotations

from datetime import datetime
from typing import Sequence

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from tailor.config import get_config
from tailor.features.windows import (
    AS_OF,
    DAY,
    count_if,
    hours_before,
    is_interaction,
    is_order,
    last_window,
    tag_days,
    within,
)


def window_labels(hours: list[int]) -> dict[str, int]:
    """Column suffix per window: whole days above a day ("7d"), hours otherwise ("1h", "24h")."""
    if not hours or min(hours) <= 0:
        raise ValueError(f"features.behaviour_windows_hours must be positive hours, got {hours}")
    return {(f"{h // 24}d" if h > 24 and h % 24 == 0 else f"{h}h"): int(h) for h in sorted(hours)}


WINDOWS = window_labels(get_config().features.behaviour_windows_hours)
LOOKBACK_HOURS = max(WINDOWS.values())  # the longest window: nothing older is read
RECENT_ITEMS = 10


def compute(events: DataFrame, at: datetime) -> DataFrame:
    """One row per person with any event in the 7 days before ``at``."""
    return _rows(last_window(events, at, LOOKBACK_HOURS), F.lit(at), ())


def compute_days(events: DataFrame, days: DataFrame) -> DataFrame:
    """:func:`compute` for every as-of day of ``days`` (``windows.day_frame``) in one pass,
    keyed by ``ds``."""
    return _rows(tag_days(events, days, LOOKBACK_HOURS), F.col(AS_OF), (DAY,))


def _rows(ev: DataFrame, at: Column, keys: Sequence[str]) -> DataFrame:
    by = [*keys, "person_id"]
    view, cart, order = F.col("event_type") == "view", F.col("event_type") == "add_to_cart", is_order()
    aggs = []
    for short, cond in {"views": view, "carts": cart, "purchases": order}.items():
        for label, hours in WINDOWS.items():
            aggs.append(count_if(cond & within(at, hours)).alias(f"{short}_{label}"))
    since = hours_before(at)
    capped = lambda c: F.coalesce(c, F.lit(float(LOOKBACK_HOURS)))  # noqa: E731
    counts = ev.groupBy(*by).agg(
        *aggs,
        capped(F.min(since)).alias("hours_since_last_event"),
        capped(F.min(F.when(view, since))).alias("hours_since_last_view"),
        capped(F.min(F.when(order, since))).alias("hours_since_last_purchase"))
    # the distinct items and the newest ones, both from one row per (person, item): no
    # distinct aggregate over the events (Spark would copy every event once per distinct column)
    items = (latest_items(ev, {"viewed": view, "bought": order}, keys).groupBy(*by).agg(
        F.count("viewed").alias("items_viewed_7d"), F.count("bought").alias("items_bought_7d"),
        newest("viewed").alias("last_viewed_items"), newest("bought").alias("last_bought_items")))
    return (counts.join(items, by, "left")
            .fillna({"items_viewed_7d": 0, "items_bought_7d": 0})
            .withColumn("last_viewed_items", F.coalesce("last_viewed_items", _empty()))
            .withColumn("last_bought_items", F.coalesce("last_bought_items", _empty())))


def latest_items(ev: DataFrame, kinds: dict[str, Column], keys: Sequence[str] = ()) -> DataFrame:
    """(``keys``, person_id, item_id, one column per kind): the time of the person's latest
    interaction with the item matching that kind's condition (null: none)."""
    return (ev.where(is_interaction()).groupBy(*keys, "person_id", "item_id")
            .agg(*[F.max(F.when(cond, F.col("event_ts"))).alias(kind)
                   for kind, cond in kinds.items()]))


def newest(latest: str, n: int = RECENT_ITEMS) -> Column:
    """Aggregate over :func:`latest_items` rows: up to ``n`` items whose ``latest`` time is set,
    newest first (ties on the timestamp → item id)."""
    ranked = F.sort_array(F.collect_list(F.when(
        F.col(latest).isNotNull(),
        F.struct((-F.unix_micros(latest)).alias("newest"), F.col("item_id").alias("item_id")))))
    return F.transform(F.slice(ranked, 1, n), lambda r: r["item_id"])


def recent_items(ev: DataFrame, cond: Column, name: str, n: int = RECENT_ITEMS,
                 keys: Sequence[str] = ()) -> DataFrame:
    """(``keys``, person_id, ``name``): up to ``n`` distinct items matching ``cond``, newest
    first (ties on the timestamp → item id); persons with no such item have no row."""
    return (latest_items(ev.where(cond), {name: F.lit(True)}, keys)
            .groupBy(*keys, "person_id").agg(newest(name, n).alias(name)))


def _empty() -> Column:
    return F.array().cast("array<string>")
