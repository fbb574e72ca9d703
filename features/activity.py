"""activity_v1: when in the day a person is active — the hours they can be reached.

Over the last ``LOOKBACK_DAYS``: the circular mean of the hours (UTC) of their own browsing and
buying (views, carts, purchases: not messages, whose times the sender chose), how concentrated
their activity is around it (the mean resultant length: 1 = always at the same hour, 0 = spread
evenly over the day), and how many events that rests on. A message sent near the active hour
meets a person who is there; the learned policy uses the distance of a send hour from it.
"""
from __future__ import annotations

import math
from datetime import datetime
from typing import Sequence

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from tailor.features.windows import AS_OF, DAY, FIRST, first_days, last_window, since_date, spread

LOOKBACK_DAYS = 90
ACTIVE = ("view", "add_to_cart", "purchase")
DEFAULT_ACTIVE_HOUR = 18.0   # nobody seen: the usual evening peak (same as channel's default)


def compute(events: DataFrame, at: datetime) -> DataFrame:
    """One row per person with any browsing or buying in the window."""
    return _rows(last_window(events, at, 24 * LOOKBACK_DAYS))


def compute_days(events: DataFrame, days: DataFrame) -> DataFrame:
    """:func:`compute` for every as-of day of ``days`` (``windows.day_frame``) in one pass,
    keyed by ``ds``: each event is summed once, per (person, first day it counts for, date),
    and the partials of a day's window merged for it (``windows.first_days``)."""
    tagged, pairs = first_days(_active(events), days)
    angle = _angle()
    part = tagged.groupBy("person_id", FIRST, F.to_date("event_ts").alias("__date")).agg(
        F.sum(F.sin(angle)).alias("__s"), F.sum(F.cos(angle)).alias("__c"),
        F.count("*").alias("__n"))
    inside = since_date(F.col(AS_OF), 24 * LOOKBACK_DAYS)
    agg = (spread(part, pairs).where(inside).groupBy(DAY, "person_id")
           .agg((F.sum("__s") / F.sum("__n")).alias("__s"), (F.sum("__c") / F.sum("__n")).alias("__c"),
                F.sum("__n").alias("active_events_90d")))
    return _finish(agg, (DAY,))


def _active(ev: DataFrame) -> DataFrame:
    return ev.where(F.col("event_type").isin(*ACTIVE))


def _angle() -> Column:
    """The event's time of day (UTC) as an angle: 24 h = 2π."""
    return (F.hour("event_ts") + F.minute("event_ts") / 60.0) * F.lit(2 * math.pi / 24)


def _rows(ev: DataFrame) -> DataFrame:
    angle = _angle()
    agg = _active(ev).groupBy("person_id").agg(F.avg(F.sin(angle)).alias("__s"),
                                                     F.avg(F.cos(angle)).alias("__c"),
                                                     F.count("*").alias("active_events_90d"))
    return _finish(agg, ())


def _finish(agg: DataFrame, keys: Sequence[str]) -> DataFrame:
    """Per person (and ``keys``): the mean sine and cosine of the active hours (``__s``,
    ``__c``) and their count → the circular mean hour and the concentration around it."""
    mean_hour = F.pmod(F.atan2("__s", "__c") * F.lit(24 / (2 * math.pi)), F.lit(24.0))
    return agg.select(
        *keys, "person_id",
        mean_hour.cast("double").alias("active_hour"),
        F.sqrt(F.col("__s") ** 2 + F.col("__c") ** 2).cast("double").alias("hour_concentration"),
        F.col("active_events_90d").cast("long"))
