"""behaviour_v1: what a person did in the last hour / day / week (short-lived intent)."""
from __future__ import annotations

from datetime import datetime

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from features.windows import as_of, count_if, is_order, within

WINDOWS = {"1h": 1, "24h": 24, "7d": 168}


def compute(events: DataFrame, at: datetime) -> DataFrame:
    """Windowed counts of views, carts and purchases + hours since the last event."""
    ev = as_of(events, at).where(F.col("event_ts") >= F.lit(at) - F.expr("INTERVAL 7 DAYS"))
    aggs = []
    kinds = {"views": F.col("event_type") == "view", "carts": F.col("event_type") == "add_to_cart",
             "purchases": is_order()}
    for short, cond in kinds.items():
        for label, hours in WINDOWS.items():
            aggs.append(count_if(cond & within(at, hours)).alias(f"{short}_{label}"))
    hours_since = (F.lit(at).cast("long") - F.max("event_ts").cast("long")) / 3600.0
    return ev.groupBy("person_id").agg(*aggs, hours_since.alias("hours_since_last_event"))
