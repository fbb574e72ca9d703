"""Small shared helpers for as-of feature computation (no feature logic here).

An as-of instant ``at`` is either one instant (a ``datetime``: a group's ``compute``) or the
column :data:`AS_OF` of events tagged with every as-of day they count for (:func:`tag_days`: a
group's ``compute_days``, which keys every aggregate by :data:`DAY` as well)."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Mapping, Union

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from tailor.clock import day_end

DAY = "ds"              # tagged events: the as-of day (YYYY-MM-DD), the partition written
AS_OF = "__as_of"       # tagged events: that day's as-of instant (its exclusive end)
KNOWN_BY = "__known_by"  # tagged events: arrivals up to this instant count (null: all)

Instant = Union[datetime, Column]


def instant(at: Instant) -> Column:
    """``at`` as a timestamp column (a literal for one instant)."""
    return at if isinstance(at, Column) else F.lit(at)


def as_of(events: DataFrame, at: Instant) -> DataFrame:
    """Events strictly before ``at``: nothing from the future may enter a feature."""
    return events.where(F.col("event_ts") < instant(at))


def within(at: Instant, hours: float) -> Column:
    """True for events in the ``hours`` before ``at``."""
    return F.col("event_ts") >= instant(at) - F.lit(timedelta(hours=hours))


def count_if(cond: Column) -> Column:
    return F.sum(F.when(cond, 1).otherwise(0))


def sum_if(cond: Column, value: Column) -> Column:
    return F.sum(F.when(cond, value).otherwise(0.0))


ORDER_EVENTS = ("purchase", "conversion")


def is_order() -> Column:
    """A purchase, or a conversion (an order placed in response to a message)."""
    return F.col("event_type").isin(*ORDER_EVENTS)


def order_value() -> Column:
    """Spend of an order event: unit price × quantity for purchases; conversions carry the
    order value (after discount) in ``price`` (see tailor/events.py)."""
    return F.when(F.col("event_type") == "conversion", F.col("price")).otherwise(
        F.col("price") * F.coalesce(F.col("quantity"), F.lit(1)))


ORDER = "__order"   # with_order_key: the order an event belongs to


def with_order_key(events: DataFrame) -> DataFrame:
    """``events`` + :data:`ORDER`: the order each line belongs to — its ``order_id`` (lines
    sharing one are one order, a basket), else the line itself (its ``event_id``; rows without
    one, e.g. hand-made test events, each get their own key). Count orders as distinct keys."""
    cols = events.columns
    keys = [F.col(c) for c in ("order_id", "event_id") if c in cols]
    return events.withColumn(ORDER, F.coalesce(*keys, F.monotonically_increasing_id().cast("string")))


def hours_before(at: Instant, ts: Column | str = "event_ts") -> Column:
    """Hours between ``ts`` and ``at`` (positive for the past)."""
    ts = F.col(ts) if isinstance(ts, str) else ts
    return (instant(at).cast("long") - ts.cast("long")) / 3600.0


def last_window(events: DataFrame, at: Instant, hours: float) -> DataFrame:
    """Events in [at - hours, at): the as-of lookback window of a short-lived group."""
    return as_of(events, at).where(within(at, hours))


INTERACTIONS = ("view", "add_to_cart", "purchase", "conversion")


def is_interaction() -> Column:
    """An event about an item (view, cart, purchase or conversion) that names the item."""
    return F.col("item_id").isNotNull() & F.col("event_type").isin(*INTERACTIONS)


# --- many as-of days in one pass ------------------------------------------------------------

def day_frame(spark, days: Mapping[str, datetime | None]) -> DataFrame:
    """(:data:`DAY`, :data:`AS_OF`, :data:`KNOWN_BY`): each as-of day, its instant (the end of
    the day) and the instant by which an event must have arrived to count for it (``None``:
    every event counts, whenever it arrived)."""
    return spark.createDataFrame([(d, day_end(d), known) for d, known in sorted(days.items())],
                                 f"{DAY} string, {AS_OF} timestamp, {KNOWN_BY} timestamp")


def tag_days(events: DataFrame, days: DataFrame, hours: float | None = None) -> DataFrame:
    """Events joined with every as-of day they count for (``days`` of :func:`day_frame`, small,
    broadcast): one copy of an event per day whose instant it precedes (and, with ``hours``, by
    at most that look-back, as :func:`last_window`) and by whose :data:`KNOWN_BY` it had arrived
    (``ingested_at``) — exactly the events a per-day run of that day sees. The copies carry
    :data:`DAY` and :data:`AS_OF`; a group's ``compute_days`` keys its aggregates by :data:`DAY`."""
    on = F.col("event_ts") < F.col(AS_OF)
    if hours is not None:
        on = on & within(F.col(AS_OF), hours)
    arrived = F.col(KNOWN_BY).isNull() | (F.col("ingested_at") <= F.col(KNOWN_BY))
    return events.join(F.broadcast(days), on & arrived).drop(KNOWN_BY)
