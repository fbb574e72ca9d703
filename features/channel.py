"""channel_v1: how a person responds to messages, per channel, and the send hour they answer.

Rates count *messages* (distinct ``message_id``), so a message opened twice counts once and no
rate exceeds 1. Each rate is smoothed toward the channel's global rate with ``PRIOR_STRENGTH``
pseudo-sends: (hits + k·global) / (sends + k), so a person with two sends is not "100 %".
``<channel>_response`` (clicked or converted) is what the lifecycle agent multiplies by value.
"""
from __future__ import annotations

from datetime import datetime
from typing import Sequence

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from tailor.events import CHANNELS
from tailor.features.windows import DAY, FIRST, as_of, first_days, spread

PRIOR_STRENGTH = 5.0    # pseudo-sends pulling sparse per-channel rates toward the global rate
DEFAULT_SEND_HOUR = 18
OUTCOMES = {"open": ("message_open",), "click": ("message_click",), "convert": ("conversion",),
            "response": ("message_click", "conversion")}


def compute(events: DataFrame, at: datetime) -> DataFrame:
    """Per person: for each channel sends and smoothed open / click / convert / response rates;
    preferred send hour; messages received. Persons with no message have no row (see fills)."""
    return _rows(as_of(events, at))


def compute_days(events: DataFrame, days: DataFrame) -> DataFrame:
    """:func:`compute` for every as-of day of ``days`` (``windows.day_frame``) in one pass,
    keyed by ``ds`` (global rates are per day too): one row per message with the first day its
    send counts for and the first day each outcome does (``windows.first_days``), spread to
    the days from its send's on."""
    tagged, pairs = first_days(events.where(F.col("message_id").isNotNull()), days)
    first, sent = F.col(FIRST), F.col("event_type") == "message_sent"
    messages = tagged.groupBy("message_id").agg(
        F.min(F.when(sent, first)).alias(FIRST),
        F.min_by(F.when(sent, F.struct("person_id", "channel", "send_hour")),
                 F.when(sent, first)).alias("__send"),
        *[F.min(F.when(F.col("event_type").isin(*types), first)).alias(f"__{name}")
          for name, types in OUTCOMES.items()]).where(F.col(FIRST).isNotNull())
    per_msg = spread(messages, pairs).select(
        DAY, "message_id", "__send.person_id", "__send.channel", *[
            F.coalesce((F.col(f"__{o}") <= F.col(DAY)).cast("int"), F.lit(0)).alias(o)
            for o in OUTCOMES])
    # a message opened by a person counts for its send hour from the day both its send and
    # that person's open count
    opens = (tagged.where(F.col("event_type") == "message_open")
             .groupBy("message_id", "person_id").agg(F.min(first).alias("__opened")))
    opened = (opens.join(messages.select("message_id", F.col(FIRST).alias("__sent"),
                                         F.col("__send.send_hour").alias("send_hour")),
                         "message_id")
              .where(F.col("send_hour").isNotNull())
              .select("person_id", "message_id", "send_hour",
                      F.greatest("__opened", "__sent").alias(FIRST)))
    hours = spread(opened, pairs).groupBy(DAY, "person_id", "send_hour").count()
    return _channel(_rates(per_msg, (DAY,)), _preferred(hours, [DAY, "person_id"]), (DAY,))


def _rows(ev: DataFrame) -> DataFrame:
    ev = ev.where(F.col("message_id").isNotNull())
    return _channel(message_rates(ev), preferred_hour(ev), ())


def _channel(rates: DataFrame, hour: DataFrame, keys: Sequence[str]) -> DataFrame:
    return (rates.join(hour, [*keys, "person_id"], "left")
            .fillna({"preferred_hour": DEFAULT_SEND_HOUR, "preferred_hour_opens": 0}))


def message_rates(ev: DataFrame) -> DataFrame:
    """One row per person with ``<channel>_sends`` and
    ``<channel>_<outcome>_rate`` columns."""
    sends = (ev.where(F.col("event_type") == "message_sent")
             .select("person_id", "message_id", "channel")
             .dropDuplicates(["message_id"]))
    hits = ev.where(F.col("event_type").isin("message_open", "message_click", "conversion")) \
        .groupBy("message_id").agg(*[
            F.max(F.col("event_type").isin(*types).cast("int")).alias(name)
            for name, types in OUTCOMES.items()])
    per_msg = sends.join(hits, "message_id", "left").fillna(0, subset=list(OUTCOMES))
    return _rates(per_msg, ())


def _rates(per_msg: DataFrame, keys: Sequence[str]) -> DataFrame:
    """From one row per sent message (``keys``, person_id, channel, a 0/1 column per outcome):
    per person, the sends and smoothed rates of every channel."""
    keys = list(keys)
    per = per_msg.groupBy(*keys, "person_id", "channel").agg(
        F.count("*").alias("sends"), *[F.sum(o).alias(o) for o in OUTCOMES])
    glob = per.groupBy(*keys, "channel").agg(*[
        (F.sum(o) / F.greatest(F.sum("sends"), F.lit(1))).alias(f"g_{o}") for o in OUTCOMES])
    smoothed = per.join(F.broadcast(glob), [*keys, "channel"]).select(
        *keys, "person_id", "channel", "sends", *[
            ((F.col(o) + PRIOR_STRENGTH * F.col(f"g_{o}")) / (F.col("sends") + PRIOR_STRENGTH))
            .alias(o) for o in OUTCOMES])
    # persons never messaged on a channel get that channel's global rate (the prior alone)
    wide = smoothed.groupBy(*keys, "person_id").pivot("channel", list(CHANNELS)).agg(
        F.first("sends").alias("sends"), *[F.first(o).alias(o) for o in OUTCOMES])
    prior = glob.groupBy(*keys).pivot("channel", list(CHANNELS)).agg(
        *[F.first(f"g_{o}").alias(o) for o in OUTCOMES])
    cols = [F.coalesce(F.col(f"w.{c}_sends"), F.lit(0)).cast("long").alias(f"{c}_sends")
            for c in CHANNELS]
    for c in CHANNELS:
        for o in OUTCOMES:
            name = f"{c}_{o}" if o == "response" else f"{c}_{o}_rate"
            cols.append(F.coalesce(F.col(f"w.{c}_{o}"), F.col(f"g.{c}_{o}"), F.lit(0.0))
                        .cast("double").alias(name))
    total = sum((F.col(f"{c}_sends") for c in CHANNELS), F.lit(0))
    prior = F.broadcast(prior.alias("g"))
    both = (wide.alias("w").join(prior, [F.col(f"w.{k}") == F.col(f"g.{k}") for k in keys])
            if keys else wide.alias("w").crossJoin(prior))
    return (both.select(*[F.col(f"w.{k}").alias(k) for k in keys],
                        F.col("w.person_id").alias("person_id"), *cols)
            .withColumn("messages_received", total.cast("long")))


def preferred_hour(ev: DataFrame) -> DataFrame:
    """The send hour of the messages a person opened most often (ties → the earlier hour), with
    the number of opened messages behind it (per person)."""
    by = ["person_id"]
    sends = (ev.where(F.col("event_type") == "message_sent")
             .select("message_id", "send_hour").dropDuplicates(["message_id"]))
    opens = (ev.where(F.col("event_type") == "message_open")
             .select(*by, "message_id").distinct())
    hours = (opens.join(sends, "message_id").where(F.col("send_hour").isNotNull())
             .groupBy(*by, "send_hour").count())
    return _preferred(hours, by)


def _preferred(hours: DataFrame, by: list[str]) -> DataFrame:
    """From opened messages per (``by``, send_hour): the hour opened most, and the opens."""
    ranked = Window.partitionBy(*by).orderBy(F.col("count").desc(), F.col("send_hour"))
    return (hours.withColumn("r", F.row_number().over(ranked))
            .withColumn("opens", F.sum("count").over(Window.partitionBy(*by)))
            .where("r = 1")
            .select(*by, F.col("send_hour").cast("int").alias("preferred_hour"),
                    F.col("opens").cast("long").alias("preferred_hour_opens")))
