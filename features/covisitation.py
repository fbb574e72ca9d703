"""covisitation_v1: for each item, the items people interacted with in the same session.

A session is a run of one person's item events (view, cart, purchase, conversion) with no gap
longer than ``SESSION_GAP_MINUTES``, inside the ``LOOKBACK_DAYS`` before ``at``. Each session
contributes each unordered pair of distinct items once (its ``MAX_ITEMS_PER_SESSION`` most
recent items only, so one binge cannot dominate or explode the pair count). Scores are cosine
normalised — together / sqrt(sessions(a) · sessions(b)) — so bestsellers do not co-visit with
everything. Each item keeps its ``TOP_N`` neighbours (score desc, then item id).
"""
from __future__ import annotations

from datetime import datetime
from typing import Sequence

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from tailor.features.windows import DAY, is_interaction, last_window, tag_days

LOOKBACK_DAYS = 30
SESSION_GAP_MINUTES = 30
MAX_ITEMS_PER_SESSION = 20
TOP_N = 20
MIN_TOGETHER = 1        # pairs seen together in fewer sessions are dropped


def compute(events: DataFrame, at: datetime) -> DataFrame:
    """(item_id, covisited_items, covisit_scores, covisit_sessions, sessions): top neighbours
    with their scores and raw co-session counts (parallel arrays, best first)."""
    return _rows(last_window(events, at, LOOKBACK_DAYS * 24), ())


def compute_days(events: DataFrame, days: DataFrame) -> DataFrame:
    """:func:`compute` for every as-of day of ``days`` (``windows.day_frame``) in one pass,
    keyed by ``ds`` (sessions are cut per day's window)."""
    return _rows(tag_days(events, days, LOOKBACK_DAYS * 24), (DAY,))


def _rows(ev: DataFrame, keys: Sequence[str]) -> DataFrame:
    """No part of the plan is used twice (Spark would compute it twice): the symmetric
    co-session counts carry each item's own session count on their diagonal (a = b), attached
    to every pair by a window per item."""
    keys = list(keys)
    counts = session_counts(sessions(ev, keys), keys)
    own = lambda item: F.max(F.when(F.col("a") == F.col("b"), F.col("together"))).over(  # noqa: E731
        Window.partitionBy(*keys, item))
    best = Window.partitionBy(*keys, "a").orderBy(F.col("score").desc(), F.col("b"))
    top = (counts.withColumn("nb", own("b")).withColumn("na", own("a"))
           .where((F.col("a") != F.col("b")) & (F.col("together") >= MIN_TOGETHER))
           .withColumn("score", F.col("together") / F.sqrt(F.col("na") * F.col("nb")))
           .withColumn("r", F.row_number().over(best)).where(F.col("r") <= TOP_N)
           .groupBy(*keys, "a").agg(
               F.sort_array(F.collect_list(F.struct("r", "b", "score", "together"))).alias("n"),
               F.first("na").alias("sessions")))
    return top.select(*keys, F.col("a").alias("item_id"), F.col("n.b").alias("covisited_items"),
                      F.col("n.score").alias("covisit_scores"),
                      F.col("n.together").cast("array<bigint>").alias("covisit_sessions"),
                      F.col("sessions").cast("long").alias("sessions"))


def sessions(ev: DataFrame, keys: Sequence[str] = ()) -> DataFrame:
    """(``keys``, person_id, session, item_id, last_ts): distinct items per session of the
    events ``ev`` (the look-back window), most recent kept."""
    keys = list(keys)
    ev = ev.where(is_interaction()).select(*keys, "person_id", "item_id", "event_ts")
    by_time = Window.partitionBy(*keys, "person_id").orderBy("event_ts", "item_id")
    gap = F.col("event_ts").cast("long") - F.lag(F.col("event_ts").cast("long")).over(by_time)
    starts = F.when(gap.isNull() | (gap > SESSION_GAP_MINUTES * 60), 1).otherwise(0)
    ev = ev.withColumn("new", starts).withColumn("session", F.sum("new").over(by_time))
    items = ev.groupBy(*keys, "person_id", "session", "item_id").agg(F.max("event_ts").alias("last_ts"))
    recent = Window.partitionBy(*keys, "person_id", "session").orderBy(F.col("last_ts").desc(),
                                                                 F.col("item_id"))
    return (items.withColumn("r", F.row_number().over(recent))
            .where(F.col("r") <= MAX_ITEMS_PER_SESSION))


def session_counts(sess: DataFrame, keys: Sequence[str] = ()) -> DataFrame:
    """(``keys``, a, b, together): the sessions holding both a and b, for every ordered pair of
    items sharing a session (both directions) and, for a = b, the sessions holding the item."""
    keys = list(keys)
    left = sess.select(*keys, "person_id", "session", F.col("item_id").alias("a"))
    right = sess.select(*keys, "person_id", "session", F.col("item_id").alias("b"))
    return (left.join(right, [*keys, "person_id", "session"])
            .groupBy(*keys, "a", "b").agg(F.count("*").alias("together")))
