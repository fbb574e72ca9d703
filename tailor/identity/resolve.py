"""Link devices and anonymous sessions to customers through login events, then key every event
by a pseudonymous ``person_id`` (HMAC of the customer id; never the id in the clear).

Walking-skeleton rule: an id belongs to the customer of its most recent login. Unlinked
visitors get a person id derived from their anonymous id (prefixed ``anon-``).
"""
from __future__ import annotations

import pandas as pd
from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql.functions import pandas_udf

from tailor.privacy import pseudonymise

SILVER_COLUMNS = ["person_id", "event_id", "event_type", "event_ts", "event_date", "item_id",
                  "category", "price", "quantity", "channel", "message_id", "action_id",
                  "send_hour", "discount", "propensity", "granted", "ingested_at"]


def pseudonymise_column(key: str, length: int):
    """A vectorised Spark UDF applying :func:`tailor.privacy.pseudonymise` (same as the server)."""

    @pandas_udf("string")
    def _pseudo(values: pd.Series) -> pd.Series:
        return values.map(lambda v: None if v is None else pseudonymise(v, key, length))

    return _pseudo


def identity_links(bronze: DataFrame) -> DataFrame:
    """(id_type, id_value, customer_id, links, first_seen, last_seen) from login events."""
    logins = bronze.where(F.col("event_type") == "login")
    pairs = (logins.select(F.lit("anonymous").alias("id_type"), F.col("anonymous_id").alias("id_value"),
                           "customer_id", "event_ts")
             .unionByName(logins.select(F.lit("device").alias("id_type"),
                                        F.col("device_id").alias("id_value"), "customer_id", "event_ts"))
             .where(F.col("id_value").isNotNull()))
    per_pair = pairs.groupBy("id_type", "id_value", "customer_id").agg(
        F.count("*").alias("links"), F.min("event_ts").alias("first_seen"),
        F.max("event_ts").alias("last_seen"))
    latest = Window.partitionBy("id_type", "id_value").orderBy(F.col("last_seen").desc(),
                                                               F.col("customer_id"))
    return (per_pair.withColumn("rank", F.row_number().over(latest))
            .where(F.col("rank") == 1).drop("rank"))


def resolve_events(bronze: DataFrame, links: DataFrame, key: str, length: int) -> DataFrame:
    """Every bronze event keyed by a pseudonymous person_id; direct identifiers dropped."""
    pseudo = pseudonymise_column(key, length)
    anon = links.where(F.col("id_type") == "anonymous").select(
        F.col("id_value").alias("anonymous_id"), F.col("customer_id").alias("anon_customer"))
    dev = links.where(F.col("id_type") == "device").select(
        F.col("id_value").alias("device_id"), F.col("customer_id").alias("device_customer"))
    resolved = (bronze.join(anon, "anonymous_id", "left")
                .join(dev, "device_id", "left")
                .withColumn("resolved", F.coalesce("customer_id", "anon_customer", "device_customer")))
    person = F.when(F.col("resolved").isNotNull(), pseudo(F.col("resolved"))).otherwise(
        F.concat(F.lit("anon-"), pseudo(F.concat(F.lit("anon:"),
                                                 F.coalesce("anonymous_id", "device_id")))))
    return resolved.withColumn("person_id", person).select(*SILVER_COLUMNS)


def identity_map(links: DataFrame, key: str, length: int) -> DataFrame:
    """silver.identity_map: hashed id → person_id with the evidence for the link."""
    pseudo = pseudonymise_column(key, length)
    return links.select(
        "id_type",
        pseudo(F.concat(F.col("id_type"), F.lit(":"), F.col("id_value"))).alias("id_hash"),
        pseudo(F.col("customer_id")).alias("person_id"),
        F.lit("login").alias("evidence"), "links", "first_seen", "last_seen")
