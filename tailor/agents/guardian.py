"""The guardian: what an agent may not do. Consent is opt-in per channel: a channel is allowed
only if the person's latest consent event for it granted it, and no unsubscribe came later."""
from __future__ import annotations

from datetime import datetime

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F


def consent_state(events: DataFrame, at: datetime) -> DataFrame:
    """(person_id, allowed_channels: array<string>) from consent changes and unsubscribes."""
    changes = (events.where((F.col("event_ts") < F.lit(at)) & F.col("channel").isNotNull() &
                            F.col("event_type").isin("consent_change", "unsubscribe"))
               .withColumn("granted", F.when(F.col("event_type") == "unsubscribe", F.lit(False))
                           .otherwise(F.col("granted"))))
    latest = Window.partitionBy("person_id", "channel").orderBy(F.col("event_ts").desc(),
                                                                F.col("event_type").desc())
    state = changes.withColumn("r", F.row_number().over(latest)).where("r = 1")
    return state.groupBy("person_id").agg(
        F.sort_array(F.collect_list(F.when(F.col("granted"), F.col("channel")))).alias("allowed_channels"))

