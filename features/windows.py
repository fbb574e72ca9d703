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


# --- many as-of days, each event once (aggregates that merge) --------------------------------

FIRST = "__first_day"   # first-day tagged events / partials: the earliest as-of day they count for


def first_days(events: DataFrame, days: DataFrame) -> tuple[DataFrame, DataFrame]:
    """For aggregates that merge (counts, sums, min, max): each event *once*, with :data:`FIRST`,
    the earliest day of ``days`` it counts for (as :func:`tag_days` decides, without look-back),
    and the pairs (:data:`FIRST`, :data:`DAY`, :data:`AS_OF`) that :func:`spread` partial
    aggregates keyed by :data:`FIRST` over.

    A day's instant and its arrival cutoff both grow with the day (the end of the day; its write
    instant), so an event that counts for one day counts for every later one: aggregate the
    events by their first day, then merge the partials of every first day up to a day — the
    events are read once, not once per day (:func:`tag_days` copies each event to every day it
    counts for). A look-back window that ends at the day's instant is applied after the merge,
    on partials keyed by the event's date as well (the instants are midnights). Days whose
    cutoffs do not grow so (some days with an arrival cutoff and some without: never the
    features job's) fall back to one copy per day, each spread to its own day only."""
    spark = events.sparkSession
    rows = sorted(tuple(r) for r in days.select(
        DAY, F.unix_micros(AS_OF), F.unix_micros(KNOWN_BY)).collect())
    cutoffs = [known for _, _, known in rows]
    grows = all(k is None for k in cutoffs) or (
        None not in cutoffs and cutoffs == sorted(cutoffs))   # type: ignore[type-var]
    if grows:
        first: Column | None = None
        for day, at, known in rows:
            counts = F.col("event_ts") < F.timestamp_micros(F.lit(at))
            if known is not None:
                counts = counts & (F.col("ingested_at") <= F.timestamp_micros(F.lit(known)))
            first = (F.when(counts, F.lit(day)) if first is None
                     else first.when(counts, F.lit(day)))
        tagged = events.withColumn(FIRST, first if first is not None else F.lit(None).cast("string"))
        tagged = tagged.where(F.col(FIRST).isNotNull())
        pairs = [(f, d, at) for f, _, _ in rows for d, at, _ in rows if f <= d]
    else:
        tagged = tag_days(events, days).drop(AS_OF).withColumnRenamed(DAY, FIRST)
        pairs = [(d, d, at) for d, at, _ in rows]
    frame = spark.createDataFrame(pairs, f"{FIRST} string, {DAY} string, __micros long")
    return tagged, frame.select(FIRST, DAY, F.timestamp_micros("__micros").alias(AS_OF))


def spread(partials: DataFrame, pairs: DataFrame) -> DataFrame:
    """Partial aggregates keyed by :data:`FIRST` (:func:`first_days`), one copy per as-of day
    they count for, with :data:`DAY` and :data:`AS_OF` in place of :data:`FIRST`."""
    return partials.join(F.broadcast(pairs), FIRST).drop(FIRST)


def since_date(at: Column, hours: float) -> Column:
    """True for partials keyed by an event's date (``__date``) whose events lie in the ``hours``
    before ``at`` (a midnight, and ``hours`` whole days: as :func:`within` on each event)."""
    if hours % 24:
        raise ValueError(f"a look-back on dates needs whole days, not {hours} hours")
    return F.col("__date") >= F.to_date(at - F.lit(timedelta(hours=hours)))
