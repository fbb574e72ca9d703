"""Labels observed after each cutoff, and the point-in-time join of labels to features.

Training sets are built for many cutoffs at once (:func:`training_cutoffs`). Each materialised
feature row is treated as an observation whose event time is the end of its ``ds`` day (the
as-of instant it was computed for) and whose write time is its ``written_at`` column;
:func:`asof_group` hands both to :func:`features.pit.pit_join`, so a value is only used at a
cutoff if it was computed for, *and written by*, that instant (late/backfilled rows never leak).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Sequence

import pandas as pd
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.functions import pandas_udf

from tailor.clock import day_end
from tailor.features.asof import Anchor, series
from tailor.features.pit import pit_join
from tailor.features.windows import ORDER, is_order, order_value, sum_if, with_order_key
from tailor.privacy import stable_share

PERSON_FEATURES_EXCLUDED = {"person_id", "ds", "favourite_category", "cutoff", "written_at"}
WRITTEN_AT = "written_at"         # when a feature row was written to the lakehouse (UTC)
EVENT_TS = "__asof_ts"            # end of the row's ds day: the instant its values describe
KNOWN = "__known_{}"              # marker: the group had a usable row for this entity row


def training_cutoffs(ds: str, horizon_days: int, count: int, step_days: int,
                     anchor: Anchor) -> list[str]:
    """The cutoff days of a training run for ``ds``, newest first, ``count`` in all, one every
    ``step_days``: the newest is the latest day of the calendar grid at or before ds - horizon
    (``anchor="calendar"``, ``features/asof.py``) or ds - horizon itself (``"ds"``). Labels of
    each are fully observed by ds."""
    if horizon_days < 0:
        raise ValueError(f"training cutoffs need horizon >= 0 (got {horizon_days})")
    return series(date.fromisoformat(ds) - timedelta(days=horizon_days), count, step_days, anchor)


def cutoffs_for(ds: str, cfg, model: str | None = None) -> list[str]:
    """The cutoff days the daily run for ``ds`` trains ``model`` on (its horizon and the
    ``models.*`` settings), newest first; without ``model``, the union over every configured
    horizon (what the features job materialises). training_sets / train / contracts read them."""
    m = cfg.models
    horizons = ({m.horizon(model)} if model is not None
                else {m.label_horizon_days, *m.horizons.values()})
    days = {c for h in horizons
            for c in training_cutoffs(ds, int(h), m.training_cutoffs, m.cutoff_step_days,
                                      m.cutoff_anchor)}
    return sorted(days, reverse=True)


def cutoff_frame(spark, cutoffs: Sequence[str],
                 decision_delay: timedelta = timedelta(0)) -> DataFrame:
    """(cutoff, ts, known_at): each cutoff day, its as-of instant (end of the day: labels start
    there) and the instant its decision is made (``ts + decision_delay``, when the daily run
    writes and scores: features are point-in-time joined as of then, exactly like scoring)."""
    return spark.createDataFrame([(c, day_end(c), day_end(c) + decision_delay) for c in cutoffs],
                                 "cutoff string, ts timestamp, known_at timestamp")


def known_persons(events: DataFrame, cutoffs: DataFrame) -> DataFrame:
    """(person_id, cutoff, ts, known_at): everyone with an event before each cutoff's instant."""
    first = events.groupBy("person_id").agg(F.min("event_ts").alias("__first"))
    return (first.crossJoin(F.broadcast(cutoffs)).where(F.col("__first") < F.col("ts"))
            .select("person_id", "cutoff", "ts", "known_at"))


def label_windows(events: DataFrame, cutoffs: DataFrame, horizon_days: int) -> DataFrame:
    """Events tagged with every ``cutoff`` whose window [ts, ts + horizon) contains them."""
    c = F.broadcast(cutoffs.select("cutoff", F.col("ts").alias("__cut_ts")))
    return (events.join(c, (events["event_ts"] >= F.col("__cut_ts")) &
                        (events["event_ts"] < F.col("__cut_ts") + F.lit(timedelta(days=horizon_days))))
            .drop("__cut_ts"))


def feature_columns(frame: DataFrame, key: str) -> list[str]:
    """A materialised group's value columns (not its key or bookkeeping)."""
    return [c for c in frame.columns if c not in (key, "ds", WRITTEN_AT)]


def asof_group(entities: DataFrame, table: DataFrame, group,
               ts_col: str = "known_at", **plan) -> DataFrame:
    """``entities`` + ``group``'s values known at each row's ``ts_col`` (its TTL, event and write
    time rules), + a boolean ``__known_<group>`` column. Without a ``written_at`` column (tables
    written before it existed) only the event-time rule applies. ``plan``: ``strategy`` /
    ``broadcast_max_bytes`` of :func:`features.pit.pit_join`."""
    key = group.entity
    cols = feature_columns(table, key)
    rows = (table.withColumn(EVENT_TS, F.date_add(F.to_date("ds"), 1).cast("timestamp"))
            .withColumn(KNOWN.format(group.name), F.lit(True)))
    written = WRITTEN_AT if WRITTEN_AT in table.columns else None
    return pit_join(entities, rows, timedelta(days=group.ttl_days), keys=key, ts_col=ts_col,
                    event_ts_col=EVENT_TS, written_at_col=written,
                    feature_cols=[*cols, KNOWN.format(group.name)], **plan)


def label_window(events: DataFrame, cutoff_end: datetime, horizon_days: int) -> DataFrame:
    """Events in [cutoff_end, cutoff_end + horizon): the future the labels describe."""
    return events.where((F.col("event_ts") >= F.lit(cutoff_end)) &
                        (F.col("event_ts") < F.lit(cutoff_end + timedelta(days=horizon_days))))


def person_labels(future: DataFrame, keys: Sequence[str] = ("person_id",)) -> DataFrame:
    """Per person (and cutoff, with ``keys``): future spend (LTV label) and the number of orders
    (lines sharing an ``order_id`` are one; churn = none)."""
    buy = is_order()
    return with_order_key(future).groupBy(*keys).agg(
        sum_if(buy, order_value()).alias("future_spend"),
        F.countDistinct(F.when(buy, F.col(ORDER))).alias("future_purchases"))


def interaction_labels(future: DataFrame, keys: Sequence[str] = ("person_id", "item_id")) -> DataFrame:
    """(person_id, item_id[, cutoff]) pairs the person viewed, carted or bought in the window."""
    return (future.where(F.col("item_id").isNotNull() &
                         F.col("event_type").isin("view", "add_to_cart", "purchase", "conversion"))
            .select(*keys).distinct().withColumn("label", F.lit(1.0)))


def numeric_feature_columns(frame: DataFrame) -> list[str]:
    """Columns usable as model inputs: numeric, not keys."""
    numeric = ("int", "bigint", "double", "float", "smallint", "long")
    return [n for n, t in frame.dtypes if t in numeric and n not in PERSON_FEATURES_EXCLUDED]


def split_column(salt: str, test_share: float) -> Column:
    """'test' for a stable ``test_share`` of persons, else 'train' (same person, same side)."""
    @pandas_udf("string")
    def _split(ids: pd.Series) -> pd.Series:
        return ids.map(lambda v: "test" if stable_share(v, salt) < test_share else "train")

    return _split(F.col("person_id"))
