"""Logged decisions and what followed them: the data a policy learns from and is judged on.

A **decision point** is one logged decision for one person:

* a ``decision_served`` event — what the lookup server answered (``action_id`` + the
  ``propensity`` of serving it), and the simulator's logged "no message" decisions;
* a ``message_sent`` event that carries a logged ``propensity`` — the simulator's randomised
  sends and imported campaign logs (a send without a propensity is still a decision point, kept
  for learning and excluded, with a count, from importance-weighted estimates).

When both describe the same decision (a person, a day and an action), the ``decision_served``
row is kept. Overridden server rows (a request-time rule replaced the policy's message, see
``tailor/serving/records.py``) carry ``overridden_by`` and are excluded from importance-weighted
estimates (``usable_for_ope`` false).

**Outcome** of a decision point: the orders attributed to it — ``conversion`` events of the same
person on the decision's channel (and of the same message when both carry a ``message_id``)
within ``attribution_hours`` after it, each attributed to the latest such decision (last touch);
their value is ``conversion_value``. **Reward** = conversion value − the action's cost (channel
cost + per-message cost; no message costs nothing). **Unsubscribe** is a separate outcome: an
``unsubscribe`` from the decision's channel inside the same window.

Pure transformations over ``silver.events``; ``jobs/policy_outcomes.py`` reads and writes.
"""
from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Mapping

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from tailor.agents.actions import NO_MESSAGE
from tailor.features.asof import series

DECISION_EVENTS = ("decision_served", "message_sent")
POINT_COLUMNS = ("person_id", "decision_id", "decided_at", "decision_date", "source",
                 "action_id", "channel", "send_hour", "discount", "propensity", "message_id",
                 "overridden_by", "shadow_action_id", "shadow_propensity")


def decision_days(ds: str, lookback_days: int, attribution_hours: float) -> list[str]:
    """The decision days the run for ``ds`` learns from, newest first: every day whose
    attribution window has closed by the end of ds."""
    newest = date.fromisoformat(ds) - timedelta(days=math.ceil(attribution_hours / 24) - 1)
    return [(newest - timedelta(days=k)).isoformat() for k in range(lookback_days)]


def context_days(ds: str, settings) -> list[str]:
    """The as-of days the features job materialises for the decision days of ``ds`` (their
    contexts are as of the day before a decision), newest first: one every
    ``settings.feature_step_days`` (``policy.outcomes``), as many as the window needs, the newest
    at or before the day before the newest decision day — on the calendar grid
    (``settings.context_anchor``, ``features/asof.py``) or that day itself."""
    days = decision_days(ds, settings.lookback_days, settings.attribution_hours)
    step = max(1, settings.feature_step_days)
    return series(date.fromisoformat(days[0]) - timedelta(days=1), math.ceil(len(days) / step),
                  step, settings.context_anchor)


def decision_events(events: DataFrame, start_date: str, end_date: str) -> DataFrame:
    """The events that are decisions on the days ``start_date``..``end_date`` (UTC): at least
    as many rows as :func:`decision_points` (which keeps one per person, day and action)."""
    day = F.date_format("event_ts", "yyyy-MM-dd")
    return events.where(F.col("event_type").isin(*DECISION_EVENTS) & F.col("action_id").isNotNull()
                        & (day >= F.lit(start_date)) & (day <= F.lit(end_date)))


def decision_points(events: DataFrame, start_date: str, end_date: str) -> DataFrame:
    """Decision points with ``start_date <= decision_date <= end_date`` (:data:`POINT_COLUMNS`).

    ``events`` are silver events (person-keyed). ``decision_date`` is the UTC day of the
    decision; ``decided_at`` its instant (for a logged send: the send)."""
    def optional(name: str, kind: str):
        return F.col(name) if name in events.columns else F.lit(None).cast(kind)

    day = F.date_format("event_ts", "yyyy-MM-dd")
    points = (decision_events(events, start_date, end_date)
              .select("person_id", F.col("event_id").alias("decision_id"),
                      F.col("event_ts").alias("decided_at"), day.alias("decision_date"),
                      F.col("event_type").alias("source"), "action_id", "channel",
                      F.col("send_hour").cast("int").alias("send_hour"),
                      F.coalesce("discount", F.lit(0.0)).cast("double").alias("discount"),
                      "propensity", "message_id",
                      optional("overridden_by", "string").alias("overridden_by"),
                      optional("shadow_action_id", "string").alias("shadow_action_id"),
                      optional("shadow_propensity", "double").alias("shadow_propensity")))
    # one decision per (person, day, action): the server's decision_served wins over a send
    served_first = Window.partitionBy("person_id", "decision_date", "action_id").orderBy(
        F.when(F.col("source") == "decision_served", 0).otherwise(1), "decided_at", "decision_id")
    return (points.withColumn("__r", F.row_number().over(served_first)).where("__r = 1")
            .drop("__r").select(*POINT_COLUMNS))


def _attributed(points: DataFrame, hits: DataFrame, window: timedelta) -> DataFrame:
    """(decision_id, hit rows) for ``hits`` (person_id, channel, hit_ts, message_id, ...) that
    fall within ``window`` after a message decision on their channel; each hit goes to the
    latest such decision (last touch)."""
    sends = points.where(F.col("action_id") != NO_MESSAGE).select(
        "person_id", "decision_id", "decided_at", "channel",
        F.col("message_id").alias("__decision_message"))
    cond = ((sends["person_id"] == hits["person_id"]) & (sends["channel"] == hits["channel"])
            & (hits["hit_ts"] >= sends["decided_at"])
            & (hits["hit_ts"] < sends["decided_at"] + F.lit(window))
            & (F.col("__decision_message").isNull() | F.col("__hit_message").isNull()
               | (F.col("__decision_message") == F.col("__hit_message"))))
    joined = sends.join(hits, cond).drop(hits["person_id"]).drop(hits["channel"])
    last = Window.partitionBy("__hit_id").orderBy(F.col("decided_at").desc(), F.col("decision_id"))
    return joined.withColumn("__r", F.row_number().over(last)).where("__r = 1").drop("__r")


def outcomes(points: DataFrame, events: DataFrame, attribution_hours: float) -> DataFrame:
    """``points`` + conversions, conversion_value and unsubscribed inside the window."""
    window = timedelta(hours=attribution_hours)

    def hits(event_type: str, value: Column) -> DataFrame:
        return events.where(F.col("event_type") == event_type).select(
            "person_id", "channel", F.col("event_ts").alias("hit_ts"),
            F.col("message_id").alias("__hit_message"), F.col("event_id").alias("__hit_id"),
            value.alias("__value"))

    conv = (_attributed(points, hits("conversion", F.coalesce("price", F.lit(0.0))), window)
            .groupBy("decision_id").agg(F.count("*").alias("conversions"),
                                        F.sum("__value").alias("conversion_value")))
    unsub = (_attributed(points, hits("unsubscribe", F.lit(1)), window)
             .groupBy("decision_id").agg(F.lit(True).alias("unsubscribed")))
    return (points.join(conv, "decision_id", "left").join(unsub, "decision_id", "left")
            .fillna({"conversions": 0, "conversion_value": 0.0, "unsubscribed": False})
            .withColumn("conversions", F.col("conversions").cast("int")))


def action_cost(channel_costs: Mapping[str, float], per_message: float) -> Column:
    """The cost of a decision's action: its channel's cost + the per-message cost (0 for none)."""
    cost = F.lit(0.0)
    for channel, value in channel_costs.items():
        cost = F.when(F.col("channel") == channel, F.lit(float(value))).otherwise(cost)
    return F.when(F.col("action_id") == NO_MESSAGE, F.lit(0.0)).otherwise(
        cost + F.lit(float(per_message)))


def with_reward(frame: DataFrame, channel_costs: Mapping[str, float],
                per_message: float) -> DataFrame:
    """+ ``action_cost``, ``reward`` = conversion value − cost, and ``usable_for_ope`` (a logged
    propensity in (0, 1] and no request-time override)."""
    usable = (F.col("propensity").isNotNull() & (F.col("propensity") > 0)
              & (F.col("propensity") <= 1) & F.col("overridden_by").isNull())
    return (frame.withColumn("action_cost", action_cost(channel_costs, per_message))
            .withColumn("reward", F.col("conversion_value") - F.col("action_cost"))
            .withColumn("usable_for_ope", usable))
