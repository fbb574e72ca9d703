"""Small shared helpers for as-of feature computation (no feature logic here)."""
from __future__ import annotations

from datetime import datetime, timedelta

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F


def as_of(events: DataFrame, at: datetime) -> DataFrame:
    """Events strictly before ``at``: nothing from the future may enter a feature."""
    return events.where(F.col("event_ts") < F.lit(at))


def within(at: datetime, hours: float) -> Column:
    """True for events in the ``hours`` before ``at``."""
    return F.col("event_ts") >= F.lit(at - timedelta(hours=hours))


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


def hours_before(at: datetime, ts: Column | str = "event_ts") -> Column:
    """Hours between ``ts`` and ``at`` (positive for the past)."""
    ts = F.col(ts) if isinstance(ts, str) else ts
    return (F.lit(at).cast("long") - ts.cast("long")) / 3600.0


def last_window(events: DataFrame, at: datetime, hours: float) -> DataFrame:
    """Events in [at - hours, at): the as-of lookback window of a short-lived group."""
    return as_of(events, at).where(within(at, hours))


INTERACTIONS = ("view", "add_to_cart", "purchase", "conversion")


def is_interaction() -> Column:
    """An event about an item (view, cart, purchase or conversion) that names the item."""
    return F.col("item_id").isNotNull() & F.col("event_type").isin(*INTERACTIONS)
