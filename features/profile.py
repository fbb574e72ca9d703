"""profile_v1: the long-lived view of a person (one row per person as of a day)."""
from __future__ import annotations

from datetime import datetime

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from features.windows import as_of, count_if, is_order, order_value, sum_if, within

CHANNELS = ("email", "push", "sms", "in_app")
PRIOR_STRENGTH = 5.0    # pseudo-sends pulling sparse per-channel rates toward the global rate
DEFAULT_SEND_HOUR = 18


def compute(events: DataFrame, at: datetime) -> DataFrame:
    """RFM, tenure, spend, favourite category, channel responsiveness, send hour, discount
    sensitivity for every person with any event before ``at``."""
    ev = as_of(events, at)
    is_purchase, value = is_order(), order_value()
    days_since = (F.lit(at).cast("long") - F.col("event_ts").cast("long")) / 86400.0

    base = ev.groupBy("person_id").agg(
        F.min(days_since).alias("days_since_last_event"),
        F.max(days_since).alias("tenure_days"),
        F.min(F.when(is_purchase, days_since)).alias("recency_days"),
        count_if(is_purchase).alias("frequency"),
        sum_if(is_purchase, value).alias("monetary"),
        sum_if(is_purchase & within(at, 24 * 30), value).alias("spend_30d"),
        count_if(is_purchase & within(at, 24 * 30)).alias("purchases_30d"),
        count_if((F.col("event_type") == "view") & within(at, 24 * 30)).alias("views_30d"),
        count_if(F.col("event_type") == "message_sent").alias("messages_received"),
    )
    base = (base.withColumn("avg_order_value",
                            F.when(F.col("frequency") > 0, F.col("monetary") / F.col("frequency")).otherwise(0.0))
            .withColumn("recency_days", F.coalesce("recency_days", F.col("tenure_days"))))
    return (base.join(_favourite_category(ev), "person_id", "left")
            .join(_channel_response(ev), "person_id", "left")
            .join(_preferred_hour(ev), "person_id", "left")
            .join(_discount_sensitivity(ev), "person_id", "left")
            .fillna({"favourite_category_share": 0.0, "preferred_hour": DEFAULT_SEND_HOUR,
                     "discount_sensitivity": 0.0, "favourite_category": "unknown",
                     **{f"{c}_response": 0.0 for c in CHANNELS}}))


def _favourite_category(ev: DataFrame) -> DataFrame:
    cats = (ev.where(F.col("category").isNotNull() & F.col("event_type").isin("view", "add_to_cart", "purchase", "conversion"))
            .groupBy("person_id", "category").count())
    w = Window.partitionBy("person_id")
    ranked = Window.partitionBy("person_id").orderBy(F.col("count").desc(), F.col("category"))
    return (cats.withColumn("share", F.col("count") / F.sum("count").over(w))
            .withColumn("r", F.row_number().over(ranked)).where("r = 1")
            .select("person_id", F.col("category").alias("favourite_category"),
                    F.col("share").alias("favourite_category_share")))


def _channel_response(ev: DataFrame) -> DataFrame:
    """Per channel: (responses + prior) / (sends + strength), a smoothed click-or-convert rate."""
    msgs = ev.where(F.col("channel").isNotNull())
    sent = F.col("event_type") == "message_sent"
    resp = F.col("event_type").isin("message_click", "conversion")
    per = msgs.groupBy("person_id", "channel").agg(count_if(sent).alias("sends"),
                                                   count_if(resp).alias("responses"))
    glob = per.groupBy("channel").agg((F.sum("responses") / F.greatest(F.sum("sends"), F.lit(1))).alias("g"))
    pivot = per.join(F.broadcast(glob), "channel").groupBy("person_id").pivot("channel", list(CHANNELS)).agg(
        F.first((F.col("responses") + PRIOR_STRENGTH * F.col("g")) / (F.col("sends") + PRIOR_STRENGTH)))
    return pivot.select("person_id", *[F.col(c).alias(f"{c}_response") for c in CHANNELS])


def _preferred_hour(ev: DataFrame) -> DataFrame:
    """The send hour of the messages a person opened most often."""
    sends = ev.where(F.col("event_type") == "message_sent").select("message_id", "send_hour")
    opens = ev.where(F.col("event_type") == "message_open").select("person_id", "message_id")
    hours = opens.join(sends, "message_id").groupBy("person_id", "send_hour").count()
    ranked = Window.partitionBy("person_id").orderBy(F.col("count").desc(), F.col("send_hour"))
    return (hours.withColumn("r", F.row_number().over(ranked)).where("r = 1")
            .select("person_id", F.col("send_hour").cast("int").alias("preferred_hour")))


def _discount_sensitivity(ev: DataFrame) -> DataFrame:
    """Conversion rate of discounted sends minus that of full-price sends (smoothed)."""
    sends = ev.where(F.col("event_type") == "message_sent").select(
        "person_id", "message_id", (F.coalesce("discount", F.lit(0.0)) > 0).alias("discounted"))
    conv = ev.where(F.col("event_type") == "conversion").select("message_id").distinct() \
        .withColumn("converted", F.lit(1))
    joined = sends.join(conv, "message_id", "left").fillna({"converted": 0})
    per = joined.groupBy("person_id").agg(
        (F.sum(F.when(F.col("discounted"), F.col("converted")).otherwise(0)) + 0.5)
        .alias("conv_d"), (count_if(F.col("discounted")) + 5.0).alias("n_d"),
        (F.sum(F.when(~F.col("discounted"), F.col("converted")).otherwise(0)) + 0.5)
        .alias("conv_f"), (count_if(~F.col("discounted")) + 5.0).alias("n_f"))
    return per.select("person_id", (F.col("conv_d") / F.col("n_d") - F.col("conv_f") / F.col("n_f"))
                      .alias("discount_sensitivity"))
